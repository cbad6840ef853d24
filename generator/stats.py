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


def stats(root: Path = DEFAULT_SOURCE) -> list[ConceptStats]:
    """Cards by kind, figures and missing core kinds per concept."""
    rows = []
    for concept in load_deck(root).concepts:
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
            )
        )
    return rows
