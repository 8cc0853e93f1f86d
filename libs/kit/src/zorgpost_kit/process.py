"""Process hygiene shared by every Zorgpost process."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

DIE_WITH_PARENT_ENV = "ZORGPOST_DIE_WITH_PARENT"
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """When started by the local supervisor (``make run``, the tests), ask Linux for SIGTERM
    once that supervisor dies, so a killed launcher leaves no orphan behind. The variable
    holds the supervisor's pid: if it is already gone (we were orphaned before this ran),
    stop at once. Elsewhere, and in containers, this does nothing."""
    parent = os.environ.get(DIE_WITH_PARENT_ENV)
    if not parent or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if str(os.getppid()) != parent:
        os.kill(os.getpid(), signal.SIGTERM)
