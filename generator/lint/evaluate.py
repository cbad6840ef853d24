"""Scoring the linter on labelled cards: which rules fire where they should, and where they
should not. The tests assert on it (every labelled case judged as labelled) and the benchmark
prints precision and recall from it, on the tuning set and on a held-out set.

A labelled case is a card (`kind`, `prompt`/`answer` or `text`, optionally `prompt_figure`) with
the codes it should get under `expect`; a labelled pair is two prompts with their answers.
"""

from __future__ import annotations

import io
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import ContentError
from .registry import RuleSelection, rules_in


def card_codes() -> tuple[str, ...]:
    """The rules judged one card at a time: the ones a labelled card can expect."""
    return tuple(r.code for r in rules_in("card"))


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

    def __add__(self, other: Score) -> Score:
        return Score(
            self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.wrong + other.wrong
        )

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
    (root / "deck.yaml").write_text("name: Lint cases\nid: lint-cases\n", encoding="utf-8")
    (root / "cue.png").write_bytes(_png())
    for i, case in enumerate(cards):
        card = {"id": "card", "kind": case["kind"]}
        for key in ("prompt", "answer", "text", "why"):
            if case.get(key) is not None:
                card[key] = case[key]
        concept = {
            "id": f"case-{i}",
            "title": case.get("title") or f"Case {i}",
            "intuition": "A labelled example.",
            "cards": [card],
        }
        if case.get("aliases"):
            concept["aliases"] = case["aliases"]
        if case.get("prompt_figure"):
            concept["figures"] = {"cue": {"image": "cue.png", "alt": "The cue"}}
            card["prompt_figure"] = "cue"
        (root / f"case-{i:03d}.yaml").write_text(
            yaml.safe_dump(concept, allow_unicode=True), encoding="utf-8"
        )


def _lint_folder(root: Path, select: tuple[str, ...]):
    from ..source import load
    from ..validation import validate
    from . import lint

    deck, problems = validate(load(root))
    if deck is None:
        raise ContentError(problems)
    return lint(deck, RuleSelection(select=select))


def score_cards(cases: list[dict], codes: tuple[str, ...] | None = None) -> Score:
    """Lint every case as its own one-card concept; compare codes with the labels."""
    score = Score()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _write_deck(root, cases)
        found: dict[int, set[str]] = {i: set() for i in range(len(cases))}
        for d in _lint_folder(root, codes or card_codes()):
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
    decks = [
        (
            [(pair["prompt_a"], pair["answer_a"]), (pair["prompt_b"], pair["answer_b"])],
            pair,
            f"{pair['prompt_a']!r} / {pair['prompt_b']!r}",
        )
        for pair in pairs
    ]
    return _score_decks("CD113", decks)


def score_repeats(groups: list[dict]) -> Score:
    """Each group of three answers as three cards in one deck: CD120 should fire exactly on the
    labelled groups."""
    decks = [
        (
            list(zip(group["prompts"], group["answers"], strict=True)),
            group,
            " / ".join(group["answers"]),
        )
        for group in groups
    ]
    return _score_decks("CD120", decks)


def _score_decks(code: str, decks: list[tuple[list[tuple[str, str]], dict, str]]) -> Score:
    """Lint each small deck of (prompt, answer) cards with one deck rule, against its label."""
    score = Score()
    for cards, case, label in decks:
        with tempfile.TemporaryDirectory() as tmp:
            _write_deck(
                Path(tmp),
                [{"kind": "attribute", "prompt": q, "answer": a} for q, a in cards],
            )
            got = {d.code for d in _lint_folder(Path(tmp), (code,))}
        score.add(set(case.get("expect") or []), got, label)
    return score


def score_file(path: Path) -> tuple[Score, Score, dict]:
    """Card and deck-rule scores for one labelled file (pairs for CD113, groups of three for
    CD120), and the file's data. A file may say which card rules it labels (`codes:`); its
    cards are then judged on those alone."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    deck = score_interference(data.get("interference", [])) + score_repeats(data.get("repeats", []))
    codes = tuple(data["codes"]) if data.get("codes") else None
    return score_cards(data["cases"], codes), deck, data
