"""Who this process is, for run records and feed claims: ``host:pid:token``, and whether a pid lives.

The token (random, drawn once per process) keeps two processes apart that share a host name and
a pid, as containers do (every daemon ``vm:1``): without it one could release the other's claims.

The daemon (and a one-off command) owns its identity; ``db`` only stores the string and compares
hosts, so storage never asks the operating system who is calling.
"""

from __future__ import annotations

import os
import secrets


def host_name() -> str:
    return os.uname().nodename


_TOKEN = secrets.token_hex(4)


def worker_identity() -> str:
    """This process as the runs and claims tables name it."""
    return f"{host_name()}:{os.getpid()}:{_TOKEN}"


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host (one we may not signal still runs)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
