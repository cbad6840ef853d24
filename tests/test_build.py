"""Building the valid fixture deck and importing it with the real Anki backend."""

from __future__ import annotations

import re

import pytest
import yaml

from generator import build
from generator.package import guid
from tests.conftest import Anki, copy_deck


@pytest.fixture(scope="module")
def imported(tmp_path_factory, figure_cache):
    """One build of the valid deck, imported into one collection, for the read-only tests."""
    work = tmp_path_factory.mktemp("valid")
    source = copy_deck("valid", work / "deck")
    result = build(source, work / "out.apkg", cache_dir=figure_cache, jobs=1)
    collection = Anki(work / "anki")
    log = collection.import_apkg(result.output)
    yield source, result, log, collection
    collection.close()


def test_build_imports_every_card_with_text_figures_and_math(imported):
    source, result, log, anki = imported
    assert result.notes == 8 and result.cards == 8 and result.concepts == 2
    assert len(log.new) == 8 and not log.updated and not log.duplicate and not log.conflicting
    assert anki.col.note_count() == 8 and anki.col.card_count() == 8
    assert sorted(n for n in anki.col.decks.all_names() if n.startswith("Fixture")) == [
        "Fixture Deck",
        "Fixture Deck::Linear Algebra",
        "Fixture Deck::Optimisation",
    ]

    for concept_file in sorted(source.rglob("*.yaml")):
        spec = yaml.safe_load(concept_file.read_text())
        if "cards" not in spec:
            continue
        for card in spec["cards"]:
            note = anki.note_by_guid(guid("fixture", f"{spec['id']}/{card['id']}"))
            (shown,) = note.cards()
            question, answer = shown.question(), shown.answer()
            assert spec["title"] in question, "the concept title is on the front"
            assert card["kind"] in question, "the card's kind is on the front"
            if card["kind"] == "cloze":
                assert "[...]" in question and "greatest variance" not in question
                assert "greatest variance" in answer
            else:
                assert card["prompt"].split("$")[0] in question
                assert card["answer"].split("$")[0] in answer
                assert card["answer"].split("$")[0] not in question
            assert spec["intuition"][:40] in answer, "the intuition is on the back"
            assert f"concept::{spec['id']}" in note.tags and f"kind::{card['kind']}" in note.tags


def test_math_reaches_anki_as_mathjax_delimiters(imported):
    anki = imported[3]
    centering = anki.note_by_guid(guid("fixture", "pca/needs-centering")).cards()[0].answer()
    assert r"\(x^\top x\)" in centering and "$" not in centering
    cloze = anki.note_by_guid(guid("fixture", "pca/first-component")).cards()[0].answer()
    assert r"\(\Sigma_{ij}\)" in cloze
    convex = anki.note_by_guid(guid("fixture", "gradient-descent/convexity")).cards()[0].answer()
    assert r"\[f(\lambda x + (1-\lambda) y) \le \lambda f(x) + (1-\lambda) f(y).\]" in convex


def test_every_image_is_in_the_collection_media_in_both_variants(imported):
    anki = imported[3]
    shown = set()
    for card in anki.cards():
        for html in (card.question(), card.answer()):
            shown.update(re.findall(r'<img[^>]*src="([^"]+)"', html))
    assert len(shown) == 4, "two figures, a light and a dark variant each"
    assert {s.split("-")[-2] for s in shown} == {"light", "dark"}
    for name in shown:
        assert anki.col.media.have(name), name
        assert re.fullmatch(r"fixture-[a-z-]+-(light|dark)-[0-9a-f]{12}\.png", name)
    check = anki.col.media.check()
    assert not check.missing and not check.unused


def test_front_figure_on_front_and_back_figure_only_on_back(imported):
    anki = imported[3]
    visual = anki.note_by_guid(guid("fixture", "pca/picture-axis")).cards()[0]
    assert 'class="cd-light"' in visual.question() and 'class="cd-dark"' in visual.question()
    attribute = anki.note_by_guid(guid("fixture", "pca/keeps-variance")).cards()[0]
    assert "<img" not in attribute.question() and "<img" in attribute.answer()
    assert 'alt="Elongated cloud of points' in attribute.answer()


def test_night_mode_css_shows_only_the_matching_variant(imported):
    anki = imported[3]
    css = re.sub(
        r"/\*.*?\*/", "", anki.col.models.by_name("conceptdeck: Intuition")["css"], flags=re.S
    )
    rules = {
        sel.strip(): body
        for sels, body in re.findall(r"([^{}]+)\{([^}]*)\}", css)
        for sel in sels.split(",")
    }
    assert "display: none" in rules[".cd-dark"]
    for night in (".nightMode", ".night_mode"):
        assert "display: none" in rules[f"{night} .cd-light"]
        assert "display: inline" in rules[f"{night} .cd-dark"]


def test_note_types_have_explicit_field_and_template_ids(imported):
    anki = imported[3]
    for name in ("conceptdeck: Intuition", "conceptdeck: Cloze"):
        model = anki.col.models.by_name(name)
        assert all(f.get("id") for f in model["flds"]) and all(t.get("id") for t in model["tmpls"])


def test_raw_html_is_shown_as_text_never_executed(deck_copy, tmp_path, anki: Anki, figure_cache):
    source = deck_copy("valid")
    path = source / "linear-algebra" / "pca.yaml"
    path.write_text(
        path.read_text().replace(
            "answer: Along the cloud's length.",
            "answer: Along <script>alert(1)</script> the <b>length</b>.",
        )
    )
    result = build(source, tmp_path / "out.apkg", cache_dir=figure_cache, jobs=1)
    anki.import_apkg(result.output)
    answer = anki.note_by_guid(guid("fixture", "pca/picture-axis")).cards()[0].answer()
    assert "<script>alert" not in answer and "&lt;script&gt;alert(1)&lt;/script&gt;" in answer
    assert "&lt;b&gt;length&lt;/b&gt;" in answer


def test_same_sources_give_byte_identical_packages(deck_copy, tmp_path, figure_cache):
    source = deck_copy("valid")
    first = build(source, tmp_path / "a.apkg", cache_dir=figure_cache, jobs=1)
    second = build(source, tmp_path / "b.apkg", cache_dir=None, jobs=2)
    assert first.output.read_bytes() == second.output.read_bytes()
    assert second.changed_notes == 0


def test_build_defaults_to_dist_and_prints_a_summary(deck_copy, run, tmp_path, figure_cache):
    source = deck_copy("valid")
    result = run("build", source, "-j", "1", "-q", "--cache-dir", figure_cache)
    assert result.exit_code == 0, result.output
    apkg = tmp_path / "dist" / "fixture.apkg"
    assert apkg.is_file()
    assert "2 concepts, 8 notes, 8 cards, 2 figures" in result.stdout
    assert (source / "conceptdeck.lock").is_file(), "the lock is written next to the sources"


def test_unchanged_build_is_recognised_as_up_to_date(deck_copy, tmp_path, run):
    source = deck_copy("valid")
    output = tmp_path / "out.apkg"
    first = run("build", source, "-o", output, "-j", "1", "-q")
    assert first.exit_code == 0 and "Built" in first.stdout
    stamp = output.stat().st_mtime_ns

    again = run("build", source, "-o", output, "-j", "1", "-q")
    assert "is up to date" in again.stdout and "8 notes" in again.stdout
    assert output.stat().st_mtime_ns == stamp, "an up-to-date output is not rewritten"

    (source / "linear-algebra" / "pca.yaml").write_text(
        (source / "linear-algebra" / "pca.yaml").read_text().replace("swiss roll", "Swiss roll")
    )
    edited = run("build", source, "-o", output, "-j", "1", "-q")
    assert "Built" in edited.stdout and "1 notes new or changed" in edited.stdout


def test_a_replaced_or_missing_output_is_rebuilt(deck_copy, tmp_path, run):
    source = deck_copy("valid")
    output = tmp_path / "out.apkg"
    run("build", source, "-o", output, "-j", "1", "-q")
    good = output.read_bytes()
    output.write_bytes(b"tampered")
    assert "Built" in run("build", source, "-o", output, "-j", "1", "-q").stdout
    assert output.read_bytes() == good
    output.unlink()
    assert "Built" in run("build", source, "-o", output, "-j", "1", "-q").stdout and output.exists()


def test_no_cache_always_builds(deck_copy, tmp_path, run):
    source = deck_copy("valid")
    for _ in range(2):
        result = run("build", source, "-o", tmp_path / "out.apkg", "-j", "1", "-q", "--no-cache")
        assert "Built" in result.stdout and "4 rendered, 0 cached" in result.stdout
