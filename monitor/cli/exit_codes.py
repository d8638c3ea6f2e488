"""The exit statuses of every ``monitor`` command, chosen here and only here (README, "Exit codes").

A script or cron job tells from the status alone whether to retry (3), fix its input (2) or look at
the warnings (1). The README table is the contract; ``tests/monitor/cli/test_exit_codes.py`` parses it
and checks each command against it, so the two cannot drift.
"""

from __future__ import annotations

from enum import IntEnum

from indicators.errors import (
    ConfigError,
    DefinitionError,
    ImportFileError,
    LabelError,
    LabelledFileError,
    MonitorError,
    StorageError,
    UsageError,
)


class ExitCode(IntEnum):
    OK = 0
    #: the command did its work but not all of it: some feeds failed, some lines were skipped
    PARTIAL = 1
    #: nothing was done because of what the user gave: an option, the config, a definition or input file
    USAGE = 2
    #: nothing worked: every feed failed, or the database cannot be reached
    NOTHING_WORKED = 3


# The user can fix these by editing what they gave (file and line in the message): nothing ran.
_USAGE = (ConfigError, DefinitionError, ImportFileError, LabelError, LabelledFileError, UsageError)


def exit_code_for(exc: MonitorError) -> ExitCode:
    if isinstance(exc, _USAGE):
        return ExitCode.USAGE
    if isinstance(exc, StorageError):
        return ExitCode.NOTHING_WORKED
    # DigestSendError among them: the digest files are written, only the mail failed
    return ExitCode.PARTIAL


def poll_exit_code(feeds: int, failed: int) -> ExitCode:
    if feeds and failed == feeds:
        return ExitCode.NOTHING_WORKED
    return ExitCode.PARTIAL if failed else ExitCode.OK


def import_exit_code(skipped_lines: int) -> ExitCode:
    # Skipping undated lines is the default policy, and still partial: what was asked for was not all stored.
    return ExitCode.PARTIAL if skipped_lines else ExitCode.OK
