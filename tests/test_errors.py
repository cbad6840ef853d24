"""Bad input: a clear `path:line:col: message` for every problem, exit 1, earlier output untouched."""

from __future__ import annotations

import re

import pytest

BROKEN = {
    "yaml-syntax": [("alpha.yaml", 7, "YAML syntax error")],
    "unknown-key": [
        ("alpha.yaml", 4, "unknown key 'figurs'; did you mean 'figures'?"),
        ("alpha.yaml", 9, "unknown key 'anwser'; did you mean 'answer'?"),
    ],
    "missing-key": [
        ("alpha.yaml", 1, "missing required key 'title'"),
        ("alpha.yaml", 4, "needs 'answer'"),
    ],
    "wrong-type": [
        ("alpha.yaml", 4, "tags should be a list"),
        ("alpha.yaml", 7, "did you mean 'mechanism'?"),
        ("alpha.yaml", 9, "answer should be text, not true"),
    ],
    "bad-slug": [("alpha.yaml", 1, "e.g. 'alpha-concept'"), ("alpha.yaml", 5, "e.g. 'why-a'")],
    "duplicate-concept": [("two.yaml", 1, "concept id 'alpha' is already used by")],
    "duplicate-card": [("alpha.yaml", 9, "card id 'why-a' is already used")],
    "duplicate-key": [("alpha.yaml", 3, "duplicate key 'title'")],
    "unknown-related": [
        ("alpha.yaml", 4, "unknown concept 'betta' in related; did you mean 'beta'?")
    ],
    "unknown-figure": [
        ("alpha.yaml", 14, "unknown figure 'curv'; did you mean 'curve'?"),
        ("alpha.yaml", 7, "draw_curve() has no parameter 'steps'; did you mean 'step'?"),
    ],
    "unknown-plot": [("alpha.yaml", 6, "unknown figure function 'draw_curv'")],
    "cloze-no-gap": [
        ("alpha.yaml", 7, "cloze text has no gap"),
        ("alpha.yaml", 10, "this cloze gap is never closed: end it with '}}'"),
    ],
    "unbalanced-math": [
        ("alpha.yaml", 3, r"math opened with '\(' is never closed"),
        ("alpha.yaml", 7, "math opened with '$$' is never closed"),
    ],
    "remote-content": [
        ("alpha.yaml", 2, "math may not use \\href"),  # a title is plain text, but MathJax reads it
        ("alpha.yaml", 3, "a Markdown image would load from outside the card"),
        ("alpha.yaml", 7, "math may not use \\href"),
        ("alpha.yaml", 8, "math may not use \\style"),
        ("alpha.yaml", 9, "math may not use \\href"),  # a delimiter made by a Markdown escape
    ],
    "no-cards": [("alpha.yaml", 4, "a concept needs at least one card")],
    "missing-deck": [("deck.yaml", 1, "missing deck.yaml")],
    "figure-raises": [("alpha.yaml", 9, "'broken_curve' failed at deck/figures.py:12: IndexError")],
    "image-escape": [
        ("alpha.yaml", 6, "must be a path relative to the concept file, inside the deck"),
        ("alpha.yaml", 9, "must be a path relative to the concept file, inside the deck"),
    ],
    "placeholder": [("alpha.yaml", 3, "placeholder left in")],
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_deck_reports_every_error_and_keeps_old_output(name, deck_copy, run, tmp_path):
    source = deck_copy(f"broken/{name}")
    earlier = tmp_path / "dist" / "deck.apkg"
    earlier.parent.mkdir()
    earlier.write_bytes(b"an earlier, good package")

    result = run("build", source, "-o", earlier, "-j", "1", "-q")

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert earlier.read_bytes() == b"an earlier, good package"
    assert not (source / "conceptdeck.lock").exists()
    lines = [line for line in result.stdout.splitlines() if re.match(r"\S+:\d+:\d+: ", line)]
    assert len(lines) == len(BROKEN[name]), result.output
    assert "nothing was written" in result.stderr
    for file, line, message in BROKEN[name]:
        assert any(
            entry.startswith(f"deck/{file}:{line}:") and message in entry for entry in lines
        ), f"{file}:{line} {message!r} not in:\n{result.stdout}"
    places = [(e.split(":")[0], int(e.split(":")[1]), int(e.split(":")[2])) for e in lines]
    assert places == sorted(places), "errors are listed in file order"


@pytest.mark.parametrize("name", sorted(set(BROKEN) - {"figure-raises"}))
def test_check_reports_the_same_errors_without_writing(name, deck_copy, run, tmp_path):
    source = deck_copy(f"broken/{name}")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = run("check", source)
    assert result.exit_code == 1 and "Traceback" not in result.output
    found = [ln for ln in result.stdout.splitlines() if re.match(r"\S+:\d+:\d+: ", ln)]
    assert len(found) == len(BROKEN[name])
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_check_json_lists_errors_for_editors(deck_copy, run):
    import json

    result = run("check", deck_copy("broken/unknown-key"), "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert [(p["line"], p["severity"]) for p in problems] == [(4, "error"), (9, "error")]


def test_debug_shows_the_traceback(deck_copy, run):
    from generator import ContentError

    with pytest.raises(ContentError):
        run("--debug", "build", deck_copy("broken/unknown-key"))


def test_usage_errors_exit_2(run):
    result = run("build", "--jobs", "many")
    assert result.exit_code == 2


def test_missing_source_folder_is_a_clear_error(run, tmp_path):
    result = run("build", tmp_path / "nowhere")
    assert result.exit_code == 1 and "deck folder not found" in result.stdout
