"""The bundled library is the product's face: it must build, lint clean and import completely."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from generator import build, check
from generator.pipeline import load_deck
from tests.conftest import REPO, Anki, copy_deck


@pytest.fixture(scope="module")
def bundled(tmp_path_factory, figure_cache):
    """One build of a copy of concepts/ with the committed lock (the real one stays untouched)."""
    work = tmp_path_factory.mktemp("bundled")
    source = copy_deck("concepts", work / "concepts")
    (source / "conceptdeck.lock").write_bytes((REPO / "concepts" / "conceptdeck.lock").read_bytes())
    result = build(source, work / "deck.apkg", cache_dir=figure_cache)
    return source, result


def test_bundled_deck_is_lint_clean():
    assert check(REPO / "concepts") == []


def test_bundled_deck_meets_the_library_bar():
    deck = load_deck(REPO / "concepts")
    assert len(deck.concepts) >= 60
    assert sum(len(c.spec.cards) for c in deck.concepts) >= 420
    for concept in deck.concepts:
        spec = concept.spec
        kinds = Counter(card.kind for card in spec.cards)
        assert len(spec.cards) >= 5 and len(kinds) >= 4 and kinds["mechanism"] >= 1, spec.id
        assert spec.sources and spec.related and spec.figures, spec.id
        used = {n for card in spec.cards for n in (card.figure, card.prompt_figure) if n}
        assert used and used <= set(spec.figures), spec.id
    ids = {c.spec.id for c in deck.concepts}
    assert {"pca", "backpropagation", "pythagorean-theorem", "quadratic-formula"} <= ids


def test_bundled_deck_imports_with_every_card_and_figure(bundled, tmp_path):
    _, result = bundled
    anki = Anki(tmp_path / "anki")
    try:
        log = anki.import_apkg(result.output)
        assert len(log.new) == result.notes and not log.conflicting
        assert anki.col.card_count() == result.cards
        images = set()
        for card in anki.cards():
            question, answer = card.question(), card.answer()
            assert 'class="cd-prompt"' in question and 'class="cd-intuition"' in answer
            images.update(re.findall(r'<img[^>]*src="([^"]+)"', question + answer))
        assert len(images) == 2 * result.figures.figures
        assert all(anki.col.media.have(name) for name in images)
        assert not anki.col.media.check().missing
    finally:
        anki.close()


def test_bundled_lock_matches_the_sources(bundled):
    """concepts/conceptdeck.lock is committed: building unchanged sources, on any machine, with
    any supported matplotlib or Pillow, must leave it byte-identical and change no note."""
    source, result = bundled
    assert result.changed_notes == 0, "run `conceptdeck build` and commit concepts/conceptdeck.lock"
    assert (source / "conceptdeck.lock").read_bytes() == (
        REPO / "concepts" / "conceptdeck.lock"
    ).read_bytes()


def test_anki_introduces_every_concept_after_its_prerequisites(bundled, tmp_path):
    """With a learner's default deck options (gather new cards deck by deck, in the order of
    the deck list; show them in the order gathered), every concept's first new card comes after
    the first cards of every concept it requires. Only the daily limits are raised, so the whole
    queue can be read in one go; they do not change its order."""
    source, result = bundled
    deck = load_deck(source)
    anki = Anki(tmp_path / "anki")
    try:
        anki.import_apkg(result.output)
        col = anki.col
        top = col.decks.id_for_name(deck.spec.name)
        config = col.decks.config_dict_for_deck_id(top)
        assert (config["newGatherPriority"], config["newSortOrder"]) == (0, 0), "Anki's defaults"
        config["new"]["perDay"] = config["rev"]["perDay"] = 9999  # Anki's largest
        col.decks.update_config(config)
        col.decks.select(top)
        queue = col.sched.get_queued_cards(fetch_limit=5000).cards
        order: list[str] = []
        for queued in queue:
            tags = col.get_card(queued.card.id).note().tags
            concept = next(t.removeprefix("concept::") for t in tags if t.startswith("concept::"))
            if concept not in order:
                order.append(concept)
        live = [c.id for c in deck.concepts]
        assert set(live) <= set(order)
        position = {c: i for i, c in enumerate(order)}
        for concept in deck.concepts:
            for required in concept.spec.requires:
                assert position[required] < position[concept.id], (concept.id, required)
        with_prerequisites = sum(1 for c in deck.concepts if c.spec.requires)
        assert with_prerequisites >= len(deck.concepts) / 2
    finally:
        anki.close()
