"""Property-based tests: whatever an author writes, `build` either produces a package Anki's own
backend imports and renders, or reports located errors; never a traceback, never a hang.

Concept files are generated from the schema (arbitrary Unicode, Markdown, math, cloze syntax,
HTML, odd YAML scalars), and valid decks are mutated line by line. `pytest` runs a few hundred
examples; `pytest --hypothesis-profile=long tests/test_properties.py` runs thousands.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from generator import ContentError, build, check
from generator.schema import KINDS
from tests.conftest import Anki, copy_deck

SAFE = [
    "$x$",
    "$$x^2$$",
    "\\(a_1\\)",
    "\\[\\frac{a}{b}\\]",
    "$4 to $5",
    "\\$",
    "&#36;",
    "&amp;",
    "**bold**",
    "_it_",
    "`code`",
    "- item\n- item",
    "1. one",
    "# head",
    "> quote",
    "\n\n",
    "|a|b|\n|-|-|\n|1|2|",
    "[link](https://example.com)",
    "<b>raw</b>",
    "'",
    '"',
    "\\",
    "\t",
    "é",
    "🙂",
    "漢字",
    "\u2028",
    "\ufeff",
    "::",
    "}}",
    "{{c2::x}}",
]
HOSTILE = [
    "$",
    "$$",
    "\\(",
    "\\)",
    "\\]",
    "{{c1::",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "![p](http://e.com/p.png)",
    "[l](javascript:alert(1))",
    "\\(\\href{javascript:x}{y}\\)",
    "\x1f",
    "\x00",
    "\x07",
    "\x85",
    "TODO",
]
clean = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=12)
benign = st.lists(st.one_of(clean, clean, st.sampled_from(SAFE)), min_size=1, max_size=5)
hostile = st.lists(
    st.one_of(clean, st.sampled_from(SAFE), st.sampled_from(HOSTILE)), min_size=1, max_size=5
)
tags = st.lists(st.from_regex(r"[a-z][a-z0-9:_-]{0,10}", fullmatch=True), max_size=2)


@st.composite
def cards(draw, text):
    kind = draw(st.sampled_from(KINDS))
    card = {"id": draw(st.sampled_from(["a", "b", "why", "keeps", "x-1"])), "kind": kind}
    if kind == "cloze" and draw(st.booleans()):
        card["text"] = draw(text) + " {{c1::" + draw(text) + "}} " + draw(text)
    elif kind == "cloze":
        card["text"] = draw(text)
    else:
        card["prompt"] = draw(text)
        card["answer"] = draw(text)
    if draw(st.booleans()):
        card["why"] = draw(text)
    if draw(st.booleans()):
        card["tags"] = draw(tags)
    return card


@st.composite
def concepts(draw, concept_id: str, text):
    concept = {
        "id": concept_id,
        "title": draw(text),
        "intuition": draw(text),
        "cards": draw(st.lists(cards(text), min_size=1, max_size=4, unique_by=lambda c: c["id"])),
    }
    if draw(st.booleans()):
        concept["aliases"] = draw(st.lists(text, max_size=2))
    if draw(st.booleans()):
        concept["sources"] = [{"title": draw(text)}]
    if draw(st.booleans()):
        concept["deck"] = draw(text)
    return concept


def _located(exc: ContentError) -> None:
    assert exc.diagnostics
    for d in exc.diagnostics:
        assert re.fullmatch(r"\S.*:\d+:\d+: .+", d.format(), re.S), d.format()


def _imports_and_renders(apkg: Path, notes: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        anki = Anki(Path(tmp))
        try:
            log = anki.import_apkg(apkg)
            assert len(log.new) == notes and not log.conflicting
            for card in anki.cards():
                for html in (card.question(), card.answer()):
                    assert "<script" not in html.lower()
                    assert not re.search(
                        r"""(src|href)\s*=\s*["']?\s*(javascript|http)""", html, re.I
                    ) or (re.search(r'<a href="http', html))
                    assert "\\href" not in html
        finally:
            anki.close()


@given(data=st.data())
def test_any_generated_deck_builds_into_an_importable_package_or_gets_located_errors(data):
    text = (hostile if data.draw(st.booleans(), "hostile") else benign).map("".join)
    first, second = data.draw(concepts("alpha", text)), data.draw(concepts("beta", text))
    deck_name = data.draw(text)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "deck"
        root.mkdir()
        deck = {"name": deck_name, "id": "generated"}
        (root / "deck.yaml").write_text(yaml.safe_dump(deck, allow_unicode=True), "utf-8")
        for concept in (first, second):
            (root / f"{concept['id']}.yaml").write_text(
                yaml.safe_dump(concept, allow_unicode=True), "utf-8"
            )
        start = time.monotonic()
        try:
            result = build(root, Path(tmp) / "out.apkg", cache_dir=None, jobs=1)
        except ContentError as exc:
            _located(exc)
        else:
            _imports_and_renders(result.output, result.notes)
        assert time.monotonic() - start < 20


MUTATIONS = [
    "",
    "  ",
    ":",
    "- ",
    "? x",
    "&a x",
    "*a",
    "!!python/object:os.system x",
    "yes",
    "no",
    "~",
    "1e400",
    "0x1f",
    "2020-01-01",
    "[",
    "{",
    "'",
    '"',
    "|",
    ">",
    "#",
    "\t",
    "<<: *a",
    "id: pca",
    "cards: []",
    "was: [pca]",
    "requires: [pca]",
    "related: [nowhere]",
    "kind: cloze",
]


@given(
    edits=st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 80), st.sampled_from(MUTATIONS)),
        min_size=1,
        max_size=4,
    )
)
def test_mutated_valid_decks_never_crash_check(edits):
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_deck("valid", Path(tmp) / "deck")
        path = root / "linear-algebra" / "pca.yaml"
        lines = path.read_text().splitlines()
        for line, column, insert in edits:
            i = line % len(lines)
            lines[i] = lines[i][:column] + insert + lines[i][column:]
        path.write_text("\n".join(lines) + "\n")
        try:
            check(root)
        except ContentError as exc:
            _located(exc)
