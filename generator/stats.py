"""`conceptdeck stats`: where a deck is thin, concept by concept."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .pipeline import DEFAULT_SOURCE, load_deck
from .schema import CORE_KINDS


@dataclass(frozen=True)
class ConceptStats:
    """One row of `conceptdeck stats`."""

    id: str
    deck: str
    cards: int
    kinds: dict[str, int]
    figures: int
    missing: tuple[str, ...]  # core kinds with no card
    depth: int = 0  # the longest chain of prerequisites below the concept (0: requires none)


def stats(root: Path = DEFAULT_SOURCE) -> list[ConceptStats]:
    """Cards by kind, figures, missing core kinds and prerequisite depth per concept, in the
    order learners meet them."""
    deck = load_deck(root)
    depth: dict[str, int] = {}
    rows = []
    for concept in deck.concepts:  # learning order: prerequisites come first
        depth[concept.id] = 1 + max((depth[r] for r in concept.spec.requires), default=-1)
        kinds: dict[str, int] = {}
        for card in concept.spec.cards:
            kinds[card.kind] = kinds.get(card.kind, 0) + 1
        rows.append(
            ConceptStats(
                id=concept.id,
                deck=concept.deck_name,
                cards=len(concept.spec.cards),
                kinds=kinds,
                figures=len(concept.spec.figures),
                missing=tuple(k for k in CORE_KINDS if k not in kinds),
                depth=depth[concept.id],
            )
        )
    return rows
