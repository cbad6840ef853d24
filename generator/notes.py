"""The notes a deck is made of, and the hash of the sources each one is made from.

A note's *inputs* hash covers exactly what a learner sees in it, named by its sources: the
card's and its concept's text as the author wrote it, what each figure is meant to show (its
code, call and style, never its PNG bytes) and the tags. It is the same on every machine and
with every library version, which is what lets the lock be committed and shared.
`NOTE_VERSION` is part of it: bump it when a change to how conceptdeck turns sources into
fields should reach learners' existing cards.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace

from .identity import Identities, note_type_of
from .lock import NoteType
from .schema import CLOZE_RE, CardSpec
from .validation import Concept, Deck

NOTE_VERSION = 1
RETIRED_TAG = "conceptdeck::retired"


@dataclass(frozen=True)
class Note:
    """One note of the package: a card of the sources, or a retired note shipped once more."""

    key: str  # "concept/card" as the sources (or, for a retired note, the lock) name it
    origin: str  # the "concept/card" its GUID comes from
    note_type: NoteType
    cards: int
    inputs: str
    deck_name: str
    concept: Concept | None = None  # None for a retired note
    card: CardSpec | None = None

    @property
    def retired(self) -> bool:
        return self.card is None

    def tags(self) -> list[str]:
        """The note's tags, except the release tag (which the lock decides)."""
        if self.concept is None or self.card is None:
            return [RETIRED_TAG, f"concept::{self.key.split('/')[0]}"]
        spec = self.concept.spec
        return list(
            dict.fromkeys(
                [*spec.tags, *self.card.tags, f"concept::{spec.id}", f"kind::{self.card.kind}"]
            )
        )


def notes(deck: Deck, identities: Identities, figure_ids: dict[tuple[str, str], str]) -> list[Note]:
    """Every note of the deck, in deck order, then the retired ones."""
    titles = deck.title_of
    found = []
    for concept in deck.concepts:
        for card in concept.spec.cards:
            key = f"{concept.id}/{card.id}"
            note_type = note_type_of(card.kind)
            count = len(set(CLOZE_RE.findall(card.text or ""))) if note_type == "cloze" else 1
            note = Note(
                key,
                identities.origin[key],
                note_type,
                count,
                "",
                concept.deck_name,
                concept,
                card,
            )
            found.append(_with_inputs(note, _card_payload(note, titles, figure_ids)))
    for entry in identities.retired:
        note = Note(
            entry.key, entry.origin, entry.note_type, entry.cards, "", f"{deck.spec.name}::Retired"
        )
        payload = [NOTE_VERSION, "retired", entry.note_type, entry.cards, entry.origin]
        found.append(_with_inputs(note, payload))
    return found


def _card_payload(
    note: Note, titles: dict[str, str], figure_ids: dict[tuple[str, str], str]
) -> list:
    assert note.concept is not None and note.card is not None
    spec, card = note.concept.spec, note.card

    def figure(name: str | None) -> list[str] | None:
        if name is None:
            return None
        return [figure_ids[(spec.id, name)], spec.figures[name].alt]

    return [
        NOTE_VERSION,
        note.note_type,
        card.kind,
        card.front,
        card.answer or "",
        card.why or "",
        spec.title,
        spec.aliases,
        spec.intuition,
        [titles[r] for r in spec.related],
        [[s.title, s.url or ""] for s in spec.sources],
        figure(card.prompt_figure),
        figure(card.figure),
        note.tags(),
    ]


def _with_inputs(note: Note, payload: list) -> Note:
    digest = hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()[:16]
    return replace(note, inputs=digest)
