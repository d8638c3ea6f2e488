"""The ``monitor`` command: thin click wrappers over library functions, rich output for people.

The top of the house, one module per command group: ``app`` holds the root group, its options, the
per-invocation context and the error handling (errors the user can fix are one paragraph without a
traceback; exit 2 for configuration, 1 otherwise); ``starter`` (init), ``database`` (db), ``polling``
(poll), ``feed_table`` (feeds), ``run_daemon`` (run), ``definitions`` (scenarios, explain, eval),
``trend`` with its view ``trend_view``, ``history`` (rescore, import), ``labelling`` (label,
labels), ``daily_digest`` (digest) and ``alerting`` (alerts)
hold the commands; ``progress`` draws the progress bars of long commands (on a terminal only).
Every command has help text (a test fails otherwise) and imports db, httpx and the
config lazily so that ``monitor --help`` starts fast. The package may use every other part of
``monitor`` and the layers below; nothing imports it except ``monitor.__main__`` and the ``monitor``
entry point.
"""

from __future__ import annotations

from monitor.cli.alerting import alerts_group
from monitor.cli.app import main
from monitor.cli.daily_digest import digest_command
from monitor.cli.database import database
from monitor.cli.definitions import eval_command, explain_command, scenarios_command
from monitor.cli.feed_table import feeds
from monitor.cli.history import import_command, rescore_command
from monitor.cli.labelling import label_command, labels
from monitor.cli.polling import poll_command
from monitor.cli.run_daemon import run
from monitor.cli.starter import init
from monitor.cli.trend import trend_command

__all__ = ["main"]

for _command in (init, run, poll_command, feeds, scenarios_command, explain_command, eval_command):
    main.add_command(_command)
for _command in (trend_command, rescore_command, import_command, digest_command):
    main.add_command(_command)
for _command in (label_command, labels):
    main.add_command(_command)
main.add_command(alerts_group)
# listed under both names, as since the first release: `monitor db upgrade` is the documented one
main.add_command(database)
main.add_command(database, name="db")

if __name__ == "__main__":  # pragma: no cover
    main()
