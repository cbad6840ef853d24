"""Running figure jobs in worker processes: isolated, time-limited, and blamed one at a time.

Figure functions are the author's code. Whatever one does, exiting, crashing, changing
directory, ignoring signals, looping forever, forking, must not decide where the build writes or
what status it exits with, so every job runs in a worker process, whatever `--jobs` says. Each
worker is a fresh interpreter in its own session (Ctrl-C reaches the build, which handles it
once; stopping a worker stops whatever it started) that dies with the build, and takes one job
at a time: a worker that dies or overruns the time limit is killed, exactly its job is reported,
and a fresh worker takes the next one. Healthy workers are kept for the next render in the same
process (the preview server renders many builds), so matplotlib is imported once per worker.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from multiprocessing import connection

from ..errors import Diagnostic
from . import style
from .jobs import Job

ProgressFn = Callable[[int, int], None]
Outcome = bytes | Diagnostic

_idle: list[_Worker] = []  # healthy workers between renders, reused by the next one


def run(
    jobs: list[Job], workers: int, progress: ProgressFn | None = None
) -> Iterator[tuple[Job, Outcome]]:
    """Yield (job, PNG bytes or Diagnostic) as jobs finish, using up to `workers` processes
    (0: one per core)."""
    total = len(jobs)
    if not total:
        return
    count = min(workers or os.cpu_count() or 1, total)
    pending = list(reversed(jobs))
    busy: dict[_Worker, tuple[Job, float]] = {}
    done = 0
    if progress:
        progress(0, total)
    try:
        while pending or busy:
            while pending and len(busy) < count:
                worker = _idle.pop() if _idle else _Worker()
                job = pending.pop()
                if not worker.send(job):
                    worker.stop()
                    pending.append(job)
                    continue
                busy[worker] = (job, time.monotonic() + style.TIMEOUT_SECONDS)
            first_deadline = min(deadline for _, deadline in busy.values())
            ready = connection.wait(
                [w.results for w in busy], timeout=max(0.0, first_deadline - time.monotonic())
            )
            for worker, (job, deadline) in list(busy.items()):
                outcome = worker.outcome(job, worker.results in ready, deadline)
                if outcome is None:
                    continue
                del busy[worker]
                if worker.healthy and len(_idle) < (os.cpu_count() or 1):
                    _idle.append(worker)
                else:
                    worker.stop()
                done += 1
                yield job, outcome
                if progress:
                    progress(done, total)
    finally:
        for worker in busy:
            worker.stop()


class _Worker:
    """One worker process, the pipe it takes jobs from and the pipe it answers on."""

    def __init__(self) -> None:
        env = dict(os.environ)
        for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            # Processes are the parallelism: one BLAS thread each, or they fight over the cores.
            env.setdefault(variable, "1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator.figures.worker", str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        assert self.process.stdin and self.process.stdout
        self.jobs = connection.Connection(os.dup(self.process.stdin.fileno()), readable=False)
        self.results = connection.Connection(os.dup(self.process.stdout.fileno()), writable=False)
        self.process.stdin.close()
        self.process.stdout.close()
        self.healthy = True

    def send(self, job: Job) -> bool:
        try:
            self.jobs.send(job)
        except OSError:
            return False
        return True

    def outcome(self, job: Job, answered: bool, deadline: float) -> Outcome | None:
        """The job's result if it is in; a Diagnostic if the worker died or overran; else None."""
        if answered:
            try:
                return self.results.recv()
            except (EOFError, OSError):
                self.healthy = False
                self.stop()
                return Diagnostic(
                    job.where,
                    f"figure function '{job.function}' ended its worker process"
                    f" ({_how_it_ended(self.process.returncode)}); figures may only draw",
                )
        if time.monotonic() < deadline:
            return None
        self.healthy = False
        self.stop()
        return Diagnostic(
            job.where,
            f"figure function '{job.function}' took longer than {style.TIMEOUT_SECONDS} s and"
            " was stopped",
        )

    def stop(self) -> None:
        """Kill the worker and everything it started; reap it so no zombie is left."""
        for conn in (self.jobs, self.results):
            conn.close()
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)  # it leads its own session
            except OSError:
                self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)


def _how_it_ended(code: int | None) -> str:
    if code is None:
        return "it stopped answering"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


@atexit.register
def _stop_idle_workers() -> None:
    while _idle:
        _idle.pop().stop()
