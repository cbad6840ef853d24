"""The intuition linter: precise on labelled cards, configurable, and suppressible with reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from generator.errors import UsageError
from generator.lint import RuleSelection, lint
from generator.lint.evaluate import score_file
from generator.pipeline import load_deck
from tests.conftest import FIXTURES

LABELLED = FIXTURES / "lint"


def test_every_labelled_card_and_pair_is_judged_as_labelled():
    cards, pairs, _ = score_file(LABELLED / "cases.yaml")
    assert not cards.wrong, "\n".join(cards.wrong)
    assert not pairs.wrong, "\n".join(pairs.wrong)


def test_the_review_rules_hold_on_their_own_held_out_set():
    """CD118-CD120, from the library reviews, on cards written without seeing their code."""
    cards, groups, _ = score_file(LABELLED / "holdout-reviews.yaml")
    score = cards + groups
    assert score.precision() >= 0.9, score.wrong
    assert score.recall() >= 0.85, score.wrong


def test_held_out_cards_keep_high_precision():
    """Cards the rules were not tuned on: a linter that cries wolf gets switched off."""
    cards, pairs, _ = score_file(LABELLED / "holdout.yaml")
    score = cards + pairs
    assert score.precision() >= 0.95, score.wrong
    assert score.recall() >= 0.9, score.wrong


def _deck(tmp_path: Path, concepts: dict[str, list[dict]], **extra) -> Path:
    root = tmp_path / "deck"
    root.mkdir()
    (root / "deck.yaml").write_text("name: Lint\nid: lint\n")
    for concept_id, cards in concepts.items():
        data = {
            "id": concept_id,
            "title": concept_id.title(),
            "intuition": "An idea.",
            "cards": cards,
        }
        data.update(extra.get(concept_id, {}))
        (root / f"{concept_id}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return root


GOOD = [
    {
        "id": "why",
        "kind": "mechanism",
        "prompt": "Why does alpha grow?",
        "answer": "Beta feeds it.",
    },
    {"id": "keeps", "kind": "attribute", "prompt": "What does alpha conserve?", "answer": "Gamma."},
    {
        "id": "fails",
        "kind": "failure",
        "prompt": "When does alpha mislead?",
        "answer": "Under delta.",
    },
]


def codes(root: Path, **kwargs) -> list[tuple[str, str]]:
    return [
        (Path(d.where.path).stem, d.code) for d in lint(load_deck(root), RuleSelection(**kwargs))
    ]


def test_concept_with_few_angles_and_no_mechanism(tmp_path):
    root = _deck(tmp_path, {"alpha": GOOD, "beta": GOOD[1:2]})
    assert codes(root) == [("beta", "CD111"), ("beta", "CD112")]


def test_many_prompts_with_the_same_opening(tmp_path):
    cards = [
        {
            "id": f"c{i}",
            "kind": "consequence",
            "prompt": f"What happens to the {w} when it rains?",
            "answer": f"It {w}s.",
        }
        for i, w in enumerate(
            ["river", "road", "field", "roof", "garden", "forest", "lake", "street"]
        )
    ]
    root = _deck(tmp_path, {"alpha": GOOD + cards})
    found = codes(root, select=("CD110",))
    assert len(found) == 2 and {c for _, c in found} == {"CD110"}, (
        "only prompts past the limit of 6"
    )


def test_suppression_needs_a_reason_and_a_real_code(tmp_path):
    card = {
        "id": "calc",
        "kind": "mechanism",
        "prompt": "Calculate roughly how many piano tuners work in Chicago.",
        "answer": "About 100.",
    }
    reasoned = dict(
        card, id="ok", lint={"ignore": {"CD107": "a Fermi estimate builds number sense"}}
    )
    bare = dict(card, id="bare", lint={"ignore": {"CD107": ""}})
    typo = dict(card, id="typo", lint={"ignore": {"CD170": "typo"}})
    root = _deck(tmp_path, {"alpha": [*GOOD, reasoned, bare, typo]})
    diagnostics = lint(load_deck(root))
    assert sorted(d.code for d in diagnostics) == ["CD100", "CD100", "CD107"]
    assert any("unknown lint rule 'CD170'; did you mean" in d.message for d in diagnostics)


def test_concept_level_suppression(tmp_path):
    root = _deck(
        tmp_path,
        {"alpha": GOOD[1:2]},
        alpha={"lint": {"ignore": {"CD111": "a one-fact concept", "CD112": "nothing to explain"}}},
    )
    assert codes(root) == []


def test_select_and_ignore_take_prefixes():
    rules = RuleSelection.parse(select="CD10", ignore="CD107")
    assert rules.enabled("CD101") and not rules.enabled("CD107") and not rules.enabled("CD111")
    with pytest.raises(UsageError, match="did you mean"):
        RuleSelection.parse(select="CD1O1")


def _noisy_deck(tmp_path: Path) -> Path:
    bad = {
        "id": "yes-no",
        "kind": "attribute",
        "prompt": "Is alpha bigger than beta?",
        "answer": "About twice as large.",
    }
    return _deck(tmp_path, {"alpha": [*GOOD, bad]})


def test_check_prints_warnings_with_codes_and_exits_0(tmp_path, run):
    result = run("check", _noisy_deck(tmp_path))
    assert result.exit_code == 0
    (line,) = [ln for ln in result.stdout.splitlines() if " CD" in ln]
    assert line.startswith("deck/alpha.yaml:") and ": CD104 yes/no prompt" in line
    assert "1 warning" in result.stderr


def test_check_strict_fails_on_warnings(tmp_path, run):
    assert run("check", "--strict", _noisy_deck(tmp_path)).exit_code == 1


def test_check_json_output(tmp_path, run):
    result = run("check", "--format", "json", _noisy_deck(tmp_path))
    (finding,) = json.loads(result.stdout)
    assert finding["code"] == "CD104" and finding["severity"] == "warning" and finding["line"] > 1
    assert finding["rule"] == "yes-no" and "Matuschak" in finding["principle"]


def test_check_ignore_and_select(tmp_path, run):
    root = _noisy_deck(tmp_path)
    assert "CD104" not in run("check", "--ignore", "CD104", root).stdout
    assert "CD104" not in run("check", "--select", "CD11", root).stdout
    assert run("check", "--select", "XX1", root).exit_code == 2


def test_build_counts_warnings_and_fails_only_when_strict(tmp_path, run):
    root = _noisy_deck(tmp_path)
    result = run("build", root, "-q")
    assert result.exit_code == 0 and "1 lint warnings" in result.stderr
    strict = run("build", root, "-q", "--strict", "-o", tmp_path / "strict.apkg")
    assert (
        strict.exit_code == 1
        and "CD104" in strict.stdout
        and not (tmp_path / "strict.apkg").exists()
    )
