"""Precision and recall of the intuition linter on the labelled cards in tests/fixtures/lint.

cases.yaml is the set the rules were tuned on; holdout.yaml (for the first fifteen rules) and
holdout-reviews.yaml (for CD118-CD120, the rules the library reviews asked for) were written
independently, without seeing the rules' code, and are the honest measure. Run:  python bench/lint_quality.py
"""

from __future__ import annotations

from pathlib import Path

from generator.lint.evaluate import card_codes, score_file

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "lint"


def report(path: Path) -> None:
    cards, pairs, data = score_file(path)
    good = sum(1 for c in data["cases"] if not c.get("expect"))
    print(
        f"\n{path.name}: {len(data['cases'])} labelled cards ({good} good,"
        f" {len(data['cases']) - good} bad), {len(data.get('interference', []))} prompt pairs,"
        f" {len(data.get('repeats', []))} answer groups"
    )
    print(f"{'rule':<6} {'tp':>3} {'fp':>3} {'fn':>3}  precision  recall")
    for code, score in [*((c, cards) for c in card_codes()), ("CD113", pairs), ("CD120", pairs)]:
        print(
            f"{code:<6} {score.tp[code]:>3} {score.fp[code]:>3} {score.fn[code]:>3}"
            f"  {score.precision(code):9.2f}  {score.recall(code):6.2f}"
        )
    total = cards + pairs
    tp, fp, fn = (sum(c.values()) for c in (total.tp, total.fp, total.fn))
    print(f"all    {tp:>3} {fp:>3} {fn:>3}  {total.precision():9.2f}  {total.recall():6.2f}")
    for line in total.wrong:
        print("  misjudged:", line)


if __name__ == "__main__":
    for name in ("cases.yaml", "holdout.yaml", "holdout-reviews.yaml"):
        report(LABELLED / name)
