"""Who this process is, for run records and feed claims: ``host:pid``, and whether a pid still lives.

The daemon (and a one-off command) owns its identity; ``db`` only stores the string and compares
hosts, so storage never asks the operating system who is calling.
"""

from __future__ import annotations

import os


def host_name() -> str:
    return os.uname().nodename


def worker_identity() -> str:
    """This process as the runs and claims tables name it."""
    return f"{host_name()}:{os.getpid()}"


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host (one we may not signal still runs)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
