"""Worker processes die with the process that started them.

A SIGKILLed ``assises import`` used to leave its parsing workers (and, through them,
multiprocessing's resource tracker) alive for ever: they inherited its stdout, so a script
or a CI job waiting for the command's output hung. Each worker runs :func:`die_with_parent`
first: on Linux the kernel sends it SIGKILL when its parent dies (``PR_SET_PDEATHSIG``);
everywhere, a daemon thread also checks once a second that its parent is still the same.
The resource tracker exits by itself once no process holds its pipe any more.
"""

from __future__ import annotations

import os
import signal
import threading
import time

_PR_SET_PDEATHSIG = 1
POLL_SECONDS = 1.0


def die_with_parent(parent_pid: int) -> None:
    """Call first thing in a worker process started by ``parent_pid``."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the thread below is enough
        pass
    if os.getppid() != parent_pid:  # the parent died before the line above
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(POLL_SECONDS)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="assises-watch-parent", daemon=True).start()
