"""Benchmark: how conceptdeck scales, measured side by side in one run.

For synthetic decks of about 1k, 2.5k, 5k and 10k cards (7 cards per concept, 30 figures), it
times, each in a fresh process:
  floor      a plain script: parse the same YAML with pyyaml's C loader, write the same notes with
             genanki (the least a build could cost)
  check      `conceptdeck check`, cold (no cache) and warm (its per-file cache filled)
  cold       `conceptdeck build` from an empty cache (figures rendered)
  up-to-date `conceptdeck build` with nothing changed
  edit       `conceptdeck build` after one card's answer was edited
  import     Anki's own backend importing the package into an empty collection
and peak memory (RSS) of the cold build; then ratios to the floor, and how each grows from the
2.5k to the 10k deck (linear growth would be 4x). Last, the cold cost of one figure against a
bare matplotlib savefig of the same drawing, to show what house style, palette quantisation and
PNG optimisation cost.

Run:  python bench/scale.py [--sizes 1000,2500,5000,10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_speed import timed
from synthetic import make_deck

FLOOR = r"""
import sys, glob, os
import yaml, genanki
loader = yaml.CSafeLoader
root, out = sys.argv[1], sys.argv[2]
model = genanki.Model(1607392319, "Floor", fields=[{"name": "Q"}, {"name": "A"}],
    templates=[{"name": "Card", "qfmt": "{{Q}}", "afmt": "{{A}}"}])
deck = genanki.Deck(2059400110, "Floor")
for path in sorted(glob.glob(os.path.join(root, "**", "*.yaml"), recursive=True)):
    data = yaml.load(open(path, encoding="utf-8"), Loader=loader)
    for card in (data or {}).get("cards", []):
        deck.add_note(genanki.Note(model=model, fields=[card["prompt"], card["answer"]],
                                   guid=genanki.guid_for(data["id"], card["id"])))
genanki.Package(deck).write_to_file(out)
"""

IMPORT = r"""
import sys, tempfile, os
from anki.collection import Collection, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageOptions
folder = tempfile.mkdtemp()
col = Collection(os.path.join(folder, "collection.anki2"))
col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[1], options=ImportAnkiPackageOptions()))
col.close()
"""


def peak_rss(command: list[str], cwd: Path) -> float:
    """Peak resident memory of a command, in MB (the largest of it and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(after, before) / 1024


def measure(size: int, work: Path, runs: int) -> dict[str, float]:
    deck = make_deck(work / f"deck-{size}", size)
    cache = work / f"cache-{size}"
    py = sys.executable
    cd = [py, "-m", "generator"]
    out = work / f"out-{size}.apkg"
    row: dict[str, float] = {"cards": size}
    row["floor"] = timed([py, "-c", FLOOR, str(deck), str(work / "floor.apkg")], work, runs)
    row["check cold"] = timed([*cd, "check", str(deck), "--no-cache"], work, runs)
    check_warm = [*cd, "check", str(deck), "--cache-dir", str(cache)]
    subprocess.run(check_warm, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    row["check warm"] = timed(check_warm, work, runs)
    build = [*cd, "build", str(deck), "-o", str(out), "-q", "--cache-dir", str(cache)]

    def cold_start() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        (deck / "conceptdeck.lock").unlink(missing_ok=True)

    row["cold build"] = timed(build, work, 1, cold_start)
    cold_start()
    row["peak MB"] = peak_rss(build, work)
    row["up-to-date"] = timed(build, work, runs)
    card = sorted(deck.rglob("concept-7.yaml"))[0]
    original = card.read_text()
    counter = iter(range(10**6))

    def edit() -> None:
        card.write_text(
            original.replace("answer: Because", f"answer: ({next(counter)}) Because", 1)
        )

    row["one-card edit"] = timed(build, work, runs, edit)
    row["anki import"] = timed([py, "-c", IMPORT, str(out)], work, max(1, runs - 1))
    return row


def figure_cost(work: Path) -> tuple[float, float]:
    """Seconds per PNG: the engine's cold render against a bare savefig, same drawing, in-process."""
    from generator.figures import render_figures
    from generator.pipeline import load_deck

    deck = make_deck(work / "figs", 70, figures=10)
    start = time.perf_counter()
    rendered = render_figures(load_deck(deck), cache_dir=None, jobs=1)
    engine = (time.perf_counter() - start) / rendered.report.rendered
    import io

    import matplotlib

    matplotlib.use("Agg")
    import numpy as np
    from matplotlib.figure import Figure

    start = time.perf_counter()
    for k in range(20):
        rng = np.random.default_rng(k)
        fig = Figure(figsize=(5, 3.2), dpi=240)
        ax = fig.add_subplot()
        xs = sorted(rng.normal(size=200))
        ax.plot(xs, [(1 + k) * x * x for x in xs])
        fig.savefig(io.BytesIO(), format="png")
    bare = (time.perf_counter() - start) / 20
    return engine, bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2500,5000,10000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows = [measure(size, work, args.runs) for size in sizes]
        engine, bare = figure_cost(work)
    columns = [
        "floor",
        "check cold",
        "check warm",
        "cold build",
        "up-to-date",
        "one-card edit",
        "anki import",
        "peak MB",
    ]
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'cards':>6} " + " ".join(f"{c:>13}" for c in columns))
    for row in rows:
        print(
            f"{row['cards']:>6} "
            + " ".join(
                f"{row[c]:>12.1f}M" if c == "peak MB" else f"{row[c]:>12.2f}s" for c in columns
            )
        )
    print("\nratio to the floor (targets at 10k: check and one-card edit <= 3x)")
    for row in rows:
        ratios = [
            f"{c} {row[c] / row['floor']:.2f}x"
            for c in ("check cold", "check warm", "one-card edit", "cold build")
        ]
        print(f"{row['cards']:>6}  " + ", ".join(ratios))
    by_size = {row["cards"]: row for row in rows}
    if 2500 in by_size and 10000 in by_size:
        small, large = by_size[2500], by_size[10000]
        print("\ngrowth from 2.5k to 10k cards (linear: 4x; target <= 5.5x)")
        for c in columns[:-1]:
            print(f"  {c:<14} {large[c] / small[c]:.2f}x")
    print(
        f"\nfigure, cold: {engine * 1000:.0f} ms per PNG through the engine (house style, both"
        f" variants counted separately, palette, optimised PNG, a worker process) against"
        f" {bare * 1000:.0f} ms for a bare savefig: {engine / bare:.1f}x"
    )


if __name__ == "__main__":
    main()
