"""A figure worker process: `python -m generator.figures.worker PARENT_PID`.

It reads jobs from stdin and answers on stdout (pickled, through multiprocessing's framing),
with the real stdin, stdout and stderr pointed at /dev/null first, so nothing a figure prints or
a crash reports can garble the build's terminal or the protocol.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from multiprocessing import connection


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle, once
    _die_with(int(sys.argv[1]))
    jobs = connection.Connection(os.dup(0), writable=False)
    results = connection.Connection(os.dup(1), readable=False)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    from .render import render

    while True:
        try:
            job = jobs.recv()
        except (EOFError, OSError):
            return
        results.send(render(job))


def _die_with(parent: int) -> None:
    """End this worker when the build that started it ends, even in the middle of a render."""
    if sys.platform.startswith("linux"):
        import ctypes

        # Where prctl is missing, the job pipe closing still ends an idle worker.
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the build ended before the request above took effect
        os._exit(0)


if __name__ == "__main__":
    main()
