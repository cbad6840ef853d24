"""The promise to learners: re-importing an edited deck updates cards in place, history intact."""

from __future__ import annotations

import re

from generator import build
from generator.package import guid
from tests.conftest import Anki


def test_edit_and_reimport_updates_in_place_and_keeps_history(
    deck_copy, tmp_path, anki: Anki, figure_cache
):
    source = deck_copy("valid")
    v1 = build(source, tmp_path / "v1.apkg", cache_dir=figure_cache, jobs=1)
    anki.import_apkg(v1.output)
    assert anki.review_all("Fixture Deck") >= 8
    schedule, history = anki.schedule(), anki.revlog()
    assert history, "the scheduler recorded reviews"

    # The learner edits a note the author will not touch: that edit must survive the update.
    mine = anki.note_by_guid(guid("fixture", "gradient-descent/large-rate"))
    mine["Why"] = "My own note: I confused this with a small learning rate once."
    mine.tags.append("my-tag")
    anki.col.update_note(mine)

    # The author edits a card's prompt and answer, and the figure it shows.
    pca = source / "linear-algebra" / "pca.yaml"
    pca.write_text(
        pca.read_text()
        .replace(
            "prompt: What does PCA keep when it projects data onto fewer dimensions?",
            "prompt: Which directions does PCA keep when it projects data onto fewer dimensions?",
        )
        .replace(
            "answer: The directions along which the data spreads the most.",
            "answer: Those along which the data varies the most.",
        )
        .replace("args: {n: 150}", "args: {n: 90}")
    )
    v2 = build(source, tmp_path / "v2.apkg", cache_dir=figure_cache, jobs=1)
    assert v2.changed_notes == 2, "the edited card and the other card showing the same figure"

    log = anki.import_apkg(v2.output)
    assert not log.new and not log.conflicting
    assert len(log.updated) == 2
    assert len(log.duplicate) == 6, "Anki reports unchanged notes as already present"
    assert anki.col.note_count() == 8 and anki.col.card_count() == 8

    edited = anki.note_by_guid(guid("fixture", "pca/keeps-variance"))
    card = edited.cards()[0]
    assert "Which directions does PCA keep" in card.question()
    assert "Those along which the data varies the most." in card.answer()
    assert card.id in schedule and anki.schedule() == schedule, "scheduling unchanged"
    assert anki.revlog() == history, "review history unchanged"

    (new_light,) = re.findall(r'class="cd-light" src="([^"]+)"', card.answer())
    assert new_light not in v1.output.read_bytes().decode("latin-1")
    assert anki.col.media.have(new_light)

    kept = anki.note_by_guid(guid("fixture", "gradient-descent/large-rate"))
    assert kept["Why"].startswith("My own note") and "my-tag" in kept.tags


def test_reimporting_the_same_build_changes_nothing(deck_copy, tmp_path, anki: Anki, figure_cache):
    source = deck_copy("valid")
    v1 = build(source, tmp_path / "v1.apkg", cache_dir=figure_cache, jobs=1)
    anki.import_apkg(v1.output)
    again = build(source, tmp_path / "again.apkg", cache_dir=figure_cache, jobs=1)
    log = anki.import_apkg(again.output)
    assert not log.new and not log.updated and not log.conflicting
    assert len(log.duplicate) == 8 and anki.col.note_count() == 8


def test_template_change_reaches_learners_without_a_second_note_type(
    deck_copy, tmp_path, anki: Anki, figure_cache, monkeypatch
):
    source = deck_copy("valid")
    v1 = build(source, tmp_path / "v1.apkg", cache_dir=figure_cache, jobs=1)
    anki.import_apkg(v1.output)

    import generator.package as package

    original = package._asset
    monkeypatch.setattr(
        package,
        "_asset",
        lambda name: original(name) + ("\n.cd-new{}" if name == "style.css" else ""),
    )
    v2 = build(source, tmp_path / "v2.apkg", cache_dir=figure_cache, jobs=1, now=2_000_000_000)
    anki.import_apkg(v2.output)
    names = [m.name for m in anki.col.models.all_names_and_ids()]
    assert names.count("conceptdeck: Intuition") == 1 and not any(n.endswith("+") for n in names)
    assert ".cd-new" in anki.col.models.by_name("conceptdeck: Intuition")["css"]


def test_moving_a_concept_or_renaming_the_deck_keeps_note_times(deck_copy, tmp_path, figure_cache):
    """An import never moves existing cards, so neither may re-stamp (and overwrite) notes."""
    source = deck_copy("valid")
    build(source, tmp_path / "v1.apkg", cache_dir=figure_cache, jobs=1)
    (source / "maths").mkdir()
    (source / "linear-algebra" / "pca.yaml").rename(source / "maths" / "pca.yaml")
    deck = source / "deck.yaml"
    deck.write_text(deck.read_text().replace("name: Fixture Deck", "name: Renamed Deck"))
    moved = build(source, tmp_path / "v2.apkg", cache_dir=figure_cache, jobs=1)
    assert moved.changed_notes == 0
