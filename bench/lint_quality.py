"""Precision and recall of the intuition linter on the labelled cards in tests/fixtures/lint.

Run:  python bench/lint_quality.py   (prints per-rule counts, the misjudged cases, and totals)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.lint_cases import CARD_CODES, load_cases, score_cards, score_interference


def main() -> None:
    data = load_cases()
    cards = score_cards(data["cases"])
    pairs = score_interference(data["interference"])
    good = sum(1 for c in data["cases"] if not c.get("expect"))
    print(
        f"{len(data['cases'])} labelled cards ({good} good, {len(data['cases']) - good} bad), {len(data['interference'])} prompt pairs"
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
    main()
