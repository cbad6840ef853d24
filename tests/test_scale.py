"""Scale: the incremental build remembers per-file work but changes nothing in the output, and the
indexed interference rule finds exactly the pairs a comparison of every pair finds."""

from __future__ import annotations

import sys
from itertools import combinations
from pathlib import Path

import yaml

from generator import build, check
from generator.lint.deck_rules import Prompt, _interfere, interference, prompt_facts
from generator.pipeline import load_deck
from tests.conftest import FIXTURES, REPO

sys.path.insert(0, str(REPO / "bench"))
from synthetic import make_deck


def test_an_incremental_build_is_byte_identical_to_a_clean_one(tmp_path, figure_cache):
    source = make_deck(tmp_path / "deck", 700, figures=3)
    cache = tmp_path / "cache"
    build(source, tmp_path / "warm.apkg", cache_dir=cache, jobs=1, now=1_800_000_000)
    card = next(source.rglob("concept-7.yaml"))
    card.write_text(card.read_text().replace("answer: Because", "answer: Surely because", 1))
    warm = build(source, tmp_path / "warm.apkg", cache_dir=cache, jobs=1, now=1_800_000_100)
    assert warm.changed_notes == 1
    lock = (source / "conceptdeck.lock").read_bytes()
    (source / "conceptdeck.lock").write_bytes(lock)
    clean = build(source, tmp_path / "clean.apkg", cache_dir=None, jobs=1, now=1_800_000_100)
    assert clean.output.read_bytes() == warm.output.read_bytes()
    assert (source / "conceptdeck.lock").read_bytes() == lock


def test_a_warm_check_finds_what_a_cold_one_finds(deck_copy, tmp_path):
    source = deck_copy("valid")
    pca = source / "linear-algebra" / "pca.yaml"
    pca.write_text(
        pca.read_text().replace(
            "prompt: Why must data be centred before PCA?", "prompt: Is PCA centred?"
        )
    )
    cold = check(source)
    first = check(source, cache_dir=tmp_path / "cache")
    again = check(source, cache_dir=tmp_path / "cache")
    assert cold == first == again and [d.code for d in cold] == ["CD104"]
    pca.write_text(
        pca.read_text().replace(
            "prompt: Is PCA centred?", "prompt: Why does PCA need centred data?"
        )
    )
    assert check(source, cache_dir=tmp_path / "cache") == []


def _pairwise(prompts: list[Prompt]) -> dict[int, int]:
    """The rule's definition applied to every pair: later prompt → earliest earlier partner."""
    found: dict[int, int] = {}
    for a, b in combinations(range(len(prompts)), 2):
        pa, pb = prompts[a], prompts[b]
        if pa.question != pb.question or pa.answer == pb.answer or not pa.words or not pb.words:
            continue
        if b not in found and _interfere(pa.words, pb.words):
            found[b] = a
    return found


def _prompts(root: Path) -> list[Prompt]:
    deck = load_deck(root)
    return [
        Prompt(concept, *prompt_facts(i, card))
        for concept in deck.concepts
        for i, card in enumerate(concept.spec.cards)
        if card.prompt
    ]


def _indexed(prompts: list[Prompt]) -> dict[int, int]:
    position = {id(p): i for i, p in enumerate(prompts)}
    found = {}
    for prompt, message in interference(prompts):
        earlier = next(i for i, p in enumerate(prompts) if p.label in message)
        found[position[id(prompt)]] = earlier
    return found


def test_the_index_finds_the_pairs_every_comparison_finds(tmp_path):
    decks = [REPO / "concepts", make_deck(tmp_path / "synthetic", 1400)]
    labelled = tmp_path / "labelled"
    labelled.mkdir()
    (labelled / "deck.yaml").write_text("name: Pairs\nid: pairs\n")
    cards = []
    for name in ("cases.yaml", "holdout.yaml"):
        for pair in yaml.safe_load((FIXTURES / "lint" / name).read_text())["interference"]:
            for side in "ab":
                cards.append({"prompt": pair[f"prompt_{side}"], "answer": pair[f"answer_{side}"]})
    concept = {
        "id": "pairs",
        "title": "Pairs",
        "intuition": "Labelled pairs.",
        "cards": [{"id": f"c{i}", "kind": "attribute", **c} for i, c in enumerate(cards)],
    }
    (labelled / "pairs.yaml").write_text(yaml.safe_dump(concept))
    decks.append(labelled)
    for root in decks:
        prompts = _prompts(root)
        assert _indexed(prompts) == _pairwise(prompts), root
    assert _pairwise(_prompts(labelled)), "the labelled pairs include interfering ones"
