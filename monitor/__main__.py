"""Run ``python -m monitor`` as the ``monitor`` command."""

from monitor.cli import main

main()
