"""Inputs that once slipped past validation or crashed: each gives a located error, or works."""

from __future__ import annotations

import re

import pytest


def _deck(tmp_path, concept: str, deck: str = "name: Edge\nid: edge\n", figures: str | None = None):
    root = tmp_path / "deck"
    root.mkdir()
    (root / "deck.yaml").write_text(deck)
    (root / "alpha.yaml").write_text(concept)
    if figures:
        (root / "figures.py").write_text(figures)
    return root


CARD = "cards:\n  - {id: why, kind: mechanism, prompt: Why does alpha push?, answer: Beta.}\n"
HEAD = "id: alpha\ntitle: Alpha\nintuition: Alpha pushes.\n"


@pytest.mark.parametrize(
    ("concept", "deck", "figures", "where", "message"),
    [
        (
            HEAD + "cards:\n  - {id: gap, kind: cloze, text: 'Gap {{c0::zero}}.'}\n",
            None,
            None,
            "alpha.yaml:5:",
            "cloze text has no gap",
        ),
        (
            HEAD + "figures:\n  f: {plot: draw, args: {when: 2020-01-01}, alt: A date}\n" + CARD,
            None,
            "from generator import figure\n\n\n@figure\ndef draw(ax, *, when=None):\n    ax.plot([0, 1])\n",
            "alpha.yaml:5:",
            "figure args must be plain numbers",
        ),
        ("id: alpha\ntitle: &a [*a]\n", None, None, "alpha.yaml:2:", "a cycle"),
        ("x: &x [1]\ntitle: {<<: *x}\n", None, None, "alpha.yaml:", "'<<' merges only mappings"),
        (
            HEAD + CARD,
            "name: Edge\nid: edge\ndescription: Costs $$5 a month.\n",
            None,
            "deck.yaml:3:",
            "math opened with '$$' is never closed",
        ),
        (
            HEAD + "figures:\n  f: {image: .hidden/pic.png, alt: Hidden}\n" + CARD,
            None,
            None,
            "alpha.yaml:5:",
            "is in a hidden or '_' folder",
        ),
    ],
    ids=["cloze-c0", "date-args", "alias-cycle", "bad-merge", "description-math", "hidden-image"],
)
def test_located_error_and_no_traceback(tmp_path, run, concept, deck, figures, where, message):
    root = _deck(tmp_path, concept, deck or "name: Edge\nid: edge\n", figures)
    if "hidden" in concept:
        (root / ".hidden").mkdir()
        (root / ".hidden" / "pic.png").write_bytes(b"\x89PNG")
    result = run("build", root, "-o", tmp_path / "out.apkg", "-j", "1", "-q")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert any(where in line and message in line for line in result.stdout.splitlines()), (
        result.output
    )


def test_alias_bomb_is_refused_quickly(tmp_path, run):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    root = _deck(tmp_path, "\n".join(levels) + "\n")
    result = run("check", root)
    assert result.exit_code == 1 and "aliases expand" in result.stdout


def test_strings_with_brackets_in_a_figure_signature(tmp_path, run):
    figures = (
        "from generator import figure\n\n\n@figure\n"
        "def smiley(ax, *, label=':)', other='(', n=3):  # a comment with )\n    ax.text(0, 0, label)\n"
    )
    concept = HEAD + "figures:\n  f: {plot: smiley, args: {n: 4}, alt: A smiley}\n" + CARD
    result = run("check", _deck(tmp_path, concept, figures=figures))
    assert result.exit_code == 0, result.output


def test_new_quotes_titles_that_yaml_would_misread(run, tmp_path):
    import yaml

    result = run("new", "bayes", "--title", 'Bayes: the "rule" #1', "--in", "c")
    assert result.exit_code == 0
    data = yaml.safe_load((tmp_path / "c" / "bayes.yaml").read_text())
    assert data["title"] == 'Bayes: the "rule" #1'
    assert re.search('Bayes: the "rule" #1', data["cards"][0]["prompt"])
