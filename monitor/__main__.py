"""Run ``python -m monitor`` as the ``monitor`` command."""

from monitor.cli import main

# Guarded: a spawned worker process (the poll's analysis workers) imports this module again.
if __name__ == "__main__":
    main()
