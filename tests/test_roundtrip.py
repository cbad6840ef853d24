"""The promise to learners: re-importing an edited deck updates cards in place, history intact."""

from __future__ import annotations

import re

from generator import build
from generator.package import guid
from tests.conftest import Anki


def _review_everything(anki: Anki) -> dict[int, tuple]:
    """Answer every card of the deck 'Good' through the real scheduler; return their schedule."""
    anki.col.decks.select(anki.col.decks.id_for_name("Fixture Deck"))
    reviewed = 0
    while (card := anki.col.sched.getCard()) is not None and reviewed < 50:
        card.start_timer()
        anki.col.sched.answerCard(card, 3)
        reviewed += 1
    assert reviewed >= 8
    return _schedule(anki)


def _schedule(anki: Anki) -> dict[int, tuple]:
    rows = anki.col.db.all("select id, nid, type, queue, due, ivl, factor, reps, lapses from cards")
    return {row[0]: tuple(row[1:]) for row in rows}


def _revlog(anki: Anki) -> list:
    return anki.col.db.all("select id, cid, ease, ivl from revlog order by id")


def test_edit_and_reimport_updates_in_place_and_keeps_history(deck_copy, tmp_path, anki: Anki):
    source = deck_copy("valid")
    cache = tmp_path / "cache"
    v1 = build(source, tmp_path / "v1.apkg", cache_dir=cache, jobs=1)
    anki.import_apkg(v1.output)
    schedule = _review_everything(anki)
    history = _revlog(anki)
    assert history, "the scheduler recorded reviews"

    # The learner edits a note the author will not touch: that edit must survive the update.
    mine = anki.note_by_guid(guid("fixture", "gradient-descent", "large-rate"))
    mine["Why"] = "My own note: I confused this with a small learning rate once."
    mine.tags.append("my-tag")
    anki.col.update_note(mine)

    # The author edits a card's prompt and answer, and the figure it shows.
    pca = source / "linear-algebra" / "pca.yaml"
    text = pca.read_text()
    text = (
        text.replace(
            "prompt: What does PCA keep when it projects data onto fewer dimensions?",
            "prompt: Which directions does PCA keep when it projects data onto fewer dimensions?",
        )
        .replace(
            "answer: The directions along which the data spreads the most.",
            "answer: Those along which the data varies the most.",
        )
        .replace("args: {n: 150}", "args: {n: 90}")
    )
    pca.write_text(text)
    v2 = build(source, tmp_path / "v2.apkg", cache_dir=cache, jobs=1)
    assert v2.changed_notes == 2, "the edited card and the other card showing the same figure"

    log = anki.import_apkg(v2.output)
    assert not log.new and not log.conflicting
    assert len(log.updated) == 2
    assert len(log.duplicate) == 6, (
        "Anki reports unchanged notes as already present, and skips them"
    )
    assert anki.col.note_count() == 8 and anki.col.card_count() == 8

    edited = anki.note_by_guid(guid("fixture", "pca", "keeps-variance"))
    card = edited.cards()[0]
    assert "Which directions does PCA keep" in card.question()
    assert "Those along which the data varies the most." in card.answer()
    assert card.id in schedule and _schedule(anki) == schedule, "scheduling unchanged"
    assert _revlog(anki) == history, "review history unchanged"

    (new_light,) = re.findall(r'class="cd-light" src="([^"]+)"', card.answer())
    assert new_light not in v1.output.read_bytes().decode("latin-1")
    assert anki.col.media.have(new_light)

    kept = anki.note_by_guid(guid("fixture", "gradient-descent", "large-rate"))
    assert kept["Why"].startswith("My own note") and "my-tag" in kept.tags


def test_reimporting_the_same_build_changes_nothing(deck_copy, tmp_path, anki: Anki):
    source = deck_copy("valid")
    v1 = build(source, tmp_path / "v1.apkg", cache_dir=tmp_path / "cache", jobs=1)
    anki.import_apkg(v1.output)
    again = build(source, tmp_path / "again.apkg", cache_dir=tmp_path / "cache", jobs=1)
    log = anki.import_apkg(again.output)
    assert not log.new and not log.updated and not log.conflicting
    assert len(log.duplicate) == 8 and anki.col.note_count() == 8


def test_template_change_reaches_learners_without_a_second_note_type(
    deck_copy, tmp_path, anki: Anki, monkeypatch
):
    source = deck_copy("valid")
    v1 = build(source, tmp_path / "v1.apkg", cache_dir=tmp_path / "cache", jobs=1)
    anki.import_apkg(v1.output)

    import generator.package as package

    original = package._asset
    monkeypatch.setattr(
        package,
        "_asset",
        lambda name: original(name) + ("\n.cd-new{}" if name == "style.css" else ""),
    )
    v2 = build(
        source, tmp_path / "v2.apkg", cache_dir=tmp_path / "cache", jobs=1, now=v1_time(source) + 10
    )
    anki.import_apkg(v2.output)
    names = [m.name for m in anki.col.models.all_names_and_ids()]
    assert names.count("conceptdeck: Intuition") == 1 and not any(n.endswith("+") for n in names)
    assert ".cd-new" in anki.col.models.by_name("conceptdeck: Intuition")["css"]


def v1_time(source) -> int:
    import json

    entries = json.loads((source / "conceptdeck.lock").read_text())["entries"]
    return max(entry[1] for entry in entries.values())


def test_switching_a_card_between_cloze_and_prompt_is_an_error(deck_copy, tmp_path, run):
    """Anki cannot change a published note's type: the note would silently never update."""
    source = deck_copy("valid")
    assert run("build", source, "-o", tmp_path / "v1.apkg", "-j", "1", "-q").exit_code == 0
    pca = source / "linear-algebra" / "pca.yaml"
    text = pca.read_text()
    start = text.index("  - id: needs-centering")
    end = text.index("  - id: curved-structure")
    pca.write_text(
        text[:start]
        + "  - id: needs-centering\n    kind: cloze\n    text: Data must be {{c1::centred}} before PCA.\n"
        + text[end:]
    )
    result = run("build", source, "-o", tmp_path / "v2.apkg", "-j", "1", "-q")
    assert result.exit_code == 1 and not (tmp_path / "v2.apkg").exists()
    assert (
        "deck/linear-algebra/pca.yaml:26:11: card 'needs-centering' switched between cloze"
        in result.stderr
    )


def test_moving_a_concept_or_renaming_the_deck_keeps_note_times(deck_copy, tmp_path):
    """An import never moves existing cards, so neither may re-stamp (and overwrite) notes."""
    source = deck_copy("valid")
    build(source, tmp_path / "v1.apkg", cache_dir=tmp_path / "cache", jobs=1)
    (source / "maths").mkdir()
    (source / "linear-algebra" / "pca.yaml").rename(source / "maths" / "pca.yaml")
    deck = source / "deck.yaml"
    deck.write_text(deck.read_text().replace("name: Fixture Deck", "name: Renamed Deck"))
    moved = build(source, tmp_path / "v2.apkg", cache_dir=tmp_path / "cache", jobs=1)
    assert moved.changed_notes == 0


def test_figures_reencoded_elsewhere_do_not_update_notes(
    deck_copy, tmp_path, anki: Anki, monkeypatch
):
    """Another machine may encode the same pictures into other bytes (and media names): the
    notes keep their times, so learners' own edits are not overwritten for nothing."""
    import generator.figures as engine

    source = deck_copy("valid")
    v1 = build(source, tmp_path / "v1.apkg", cache_dir=None, jobs=1)
    anki.import_apkg(v1.output)

    from PIL import Image

    def encode_differently(image):
        import io

        out = io.BytesIO()
        image.quantize(64, method=Image.Quantize.FASTOCTREE).save(out, format="PNG")
        return out.getvalue()

    monkeypatch.setattr(engine, "_encode", encode_differently)
    v2 = build(source, tmp_path / "v2.apkg", cache_dir=None, jobs=1)
    assert v2.changed_notes == 0
    assert v1.output.read_bytes() != v2.output.read_bytes(), "other bytes, other media names"
    log = anki.import_apkg(v2.output)
    assert not log.updated and not log.new and not log.conflicting
