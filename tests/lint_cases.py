"""Run the linter over the labelled cards in fixtures/lint/cases.yaml and score it.

Shared by tests/test_lint.py (which asserts on it) and bench/lint_quality.py (which prints
precision and recall).
"""

from __future__ import annotations

import io
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.lint import RuleSelection, lint
from generator.pipeline import load_deck

CASES = Path(__file__).parent / "fixtures" / "lint" / "cases.yaml"
CARD_CODES = (
    "CD101",
    "CD102",
    "CD103",
    "CD104",
    "CD105",
    "CD106",
    "CD107",
    "CD108",
    "CD109",
    "CD114",
)


@dataclass
class Score:
    """Per-code counts over the labelled cases, and the cases the linter got wrong."""

    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)

    def add(self, expected: set[str], got: set[str], label: str) -> None:
        for code in expected & got:
            self.tp[code] += 1
        for code in got - expected:
            self.fp[code] += 1
        for code in expected - got:
            self.fn[code] += 1
        if expected != got:
            self.wrong.append(f"{label}: expected {sorted(expected)}, got {sorted(got)}")

    def precision(self, code: str | None = None) -> float:
        tp = self.tp[code] if code else sum(self.tp.values())
        fp = self.fp[code] if code else sum(self.fp.values())
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, code: str | None = None) -> float:
        tp = self.tp[code] if code else sum(self.tp.values())
        fn = self.fn[code] if code else sum(self.fn.values())
        return tp / (tp + fn) if tp + fn else 1.0


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2, 2)).save(out, format="PNG")
    return out.getvalue()


def _write_deck(root: Path, cards: list[dict]) -> None:
    (root / "deck.yaml").write_text("name: Lint cases\nid: lint-cases\n")
    (root / "cue.png").write_bytes(_png())
    for i, case in enumerate(cards):
        card = {"id": "card", "kind": case["kind"]}
        for key in ("prompt", "answer", "text", "why"):
            if case.get(key) is not None:
                card[key] = case[key]
        concept = {
            "id": f"case-{i}",
            "title": f"Case {i}",
            "intuition": "A labelled example.",
            "cards": [card],
        }
        if case.get("prompt_figure"):
            concept["figures"] = {"cue": {"image": "cue.png", "alt": "The cue"}}
            card["prompt_figure"] = "cue"
        (root / f"case-{i:03d}.yaml").write_text(yaml.safe_dump(concept, allow_unicode=True))


def score_cards(cases: list[dict]) -> Score:
    """Lint every case as its own one-card concept; compare codes with the labels."""
    score = Score()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write_deck(root, cases)
        deck = load_deck(root)
        found: dict[int, set[str]] = {i: set() for i in range(len(cases))}
        for d in lint(deck, RuleSelection(select=CARD_CODES)):
            found[int(Path(d.where.path).stem.split("-")[1])].add(d.code)
    for i, case in enumerate(cases):
        text = case.get("prompt") or case.get("text")
        score.add(
            set(case.get("expect") or []),
            found[i],
            f"[{case['field']}] {text!r} -> {case.get('answer')!r}",
        )
    return score


def score_interference(pairs: list[dict]) -> Score:
    """Each pair as two cards in one deck: CD113 should fire exactly on the labelled pairs."""
    score = Score()
    for pair in pairs:
        cards = [
            {"kind": "attribute", "prompt": pair["prompt_a"], "answer": pair["answer_a"]},
            {"kind": "attribute", "prompt": pair["prompt_b"], "answer": pair["answer_b"]},
        ]
        with tempfile.TemporaryDirectory() as tmp:
            _write_deck(Path(tmp), cards)
            got = {d.code for d in lint(load_deck(Path(tmp)), RuleSelection(select=("CD113",)))}
        score.add(
            set(pair.get("expect") or []), got, f"{pair['prompt_a']!r} / {pair['prompt_b']!r}"
        )
    return score


def load_cases() -> dict:
    return yaml.safe_load(CASES.read_text(encoding="utf-8"))
