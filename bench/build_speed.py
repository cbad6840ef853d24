"""Benchmark: how long building the bundled deck takes, cold and warm, against a floor.

Prints wall-clock times (median of several runs) for:
  floor      python -c "import genanki, yaml"  (the least any build could cost)
  cold -j 1  empty figure cache, one rendering process
  cold -j N  empty figure cache, all cores
  warm       nothing changed since the last build (the build is recognised as up to date)
  edit       one card's answer edited: the whole pipeline runs, every figure comes from the cache
and the ratios the figure-engine issue sets targets for (warm/floor <= 3, cold j1/jN >= 1.6 on 2 cores).

Run:  python bench/build_speed.py [SOURCE] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(command: list[str], cwd: Path, runs: int, before=None) -> float:
    samples = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        subprocess.run(
            command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", default="concepts")
    parser.add_argument("--runs", type=int, default=5, help="runs per warm/floor measurement")
    parser.add_argument("--cold-runs", type=int, default=2, help="runs per cold measurement")
    args = parser.parse_args()

    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(args.source, work / "deck")
        cache = work / "cache"
        build = [
            sys.executable,
            "-m",
            "generator",
            "build",
            "deck",
            "-o",
            "out.apkg",
            "-q",
            "--cache-dir",
            str(cache),
        ]

        def empty_cache() -> None:
            shutil.rmtree(cache, ignore_errors=True)

        floor = timed([sys.executable, "-c", "import genanki, yaml"], work, args.runs)
        cold_1 = timed([*build, "--jobs", "1"], work, args.cold_runs, empty_cache)
        cold_n = timed([*build, "--jobs", str(cores)], work, args.cold_runs, empty_cache)
        warm = timed([*build, "--jobs", str(cores)], work, args.runs)
        card = sorted((work / "deck").rglob("*.yaml"))[-1]
        original = card.read_text(encoding="utf-8")
        edits = iter(range(10**6))

        def edit_one_card() -> None:
            card.write_text(
                original.replace("answer: ", f"answer: ({next(edits)}) ", 1), encoding="utf-8"
            )

        edit = timed([*build, "--jobs", str(cores)], work, args.runs, edit_one_card)
        size = (work / "out.apkg").stat().st_size

    print(f"machine: {cores} cores, Python {sys.version.split()[0]}")
    print(f"floor  (import genanki, yaml) {floor:7.3f} s")
    print(f"cold   --jobs 1               {cold_1:7.3f} s")
    print(f"cold   --jobs {cores:<2}              {cold_n:7.3f} s")
    print(f"warm   (no changes)           {warm:7.3f} s")
    print(f"edit   (one card changed)     {edit:7.3f} s")
    print(f"package size                  {size / 1e6:7.2f} MB")
    print(f"warm / floor         {warm / floor:5.2f}x  (target <= 3)")
    print(f"edit / floor         {edit / floor:5.2f}x")
    print(f"cold j1 / cold j{cores:<2}    {cold_1 / cold_n:5.2f}x  (target >= 1.6 on 2 cores)")


if __name__ == "__main__":
    main()
