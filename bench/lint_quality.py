"""Precision and recall of the intuition linter on the labelled cards in tests/fixtures/lint.

cases.yaml is the set the rules were tuned on; holdout.yaml was written independently, without
seeing the rules, and is the honest measure. Run:  python bench/lint_quality.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.lint_cases import CARD_CODES, CASES, score_cards, score_interference


def report(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cards = score_cards(data["cases"])
    pairs = score_interference(data["interference"])
    good = sum(1 for c in data["cases"] if not c.get("expect"))
    print(
        f"\n{path.name}: {len(data['cases'])} labelled cards ({good} good, {len(data['cases']) - good} bad), {len(data['interference'])} prompt pairs"
    )
    print(f"{'rule':<6} {'tp':>3} {'fp':>3} {'fn':>3}  precision  recall")
    for code, score in [*((c, cards) for c in CARD_CODES), ("CD113", pairs)]:
        print(
            f"{code:<6} {score.tp[code]:>3} {score.fp[code]:>3} {score.fn[code]:>3}  {score.precision(code):9.2f}  {score.recall(code):6.2f}"
        )
    tp = sum(cards.tp.values()) + sum(pairs.tp.values())
    fp = sum(cards.fp.values()) + sum(pairs.fp.values())
    fn = sum(cards.fn.values()) + sum(pairs.fn.values())
    print(f"all    {tp:>3} {fp:>3} {fn:>3}  {tp / (tp + fp):9.2f}  {tp / (tp + fn):6.2f}")
    for line in cards.wrong + pairs.wrong:
        print("  misjudged:", line)


if __name__ == "__main__":
    for name in ("cases.yaml", "holdout.yaml"):
        report(CASES.parent / name)
