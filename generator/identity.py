"""Which published note each card is, and what the sources may not do to published notes.

Anki knows a note only by its GUID, derived here from the deck id and the card's *origin*: the
`concept/card` it was first published as. A card renamed with `was:` keeps its origin, so
learners' copies update in place. A published note may never silently disappear (learners would
keep an orphan forever), change between cloze and prompt/answer (Anki cannot change a note's
type), or come back after it was retired. These rules need the lock and the sources, not
rendered figures, so `check` enforces them exactly as `build` does.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Diagnostic, did_you_mean
from .lock import Lock, LockEntry, NoteType, version_key
from .validation import Concept, Deck


@dataclass(frozen=True)
class Identities:
    """For each card key ("concept/card") in the sources, the origin its GUID comes from, and the
    published notes retired from the deck."""

    origin: dict[str, str]
    retired: tuple[LockEntry, ...]


def note_type_of(kind: str) -> NoteType:
    return "cloze" if kind == "cloze" else "prompt"


def resolve(deck: Deck, lock: Lock) -> tuple[Identities, list[Diagnostic]]:
    """Every card's origin and the retired notes; problems for what would break learners' copies."""
    problems: list[Diagnostic] = []
    published = lock.by_origin()
    by_key = lock.entries
    concept_ids = {c.id for c in deck.concepts}
    published_concepts = {o.split("/")[0] for o in published} | {k.split("/")[0] for k in by_key}

    origin: dict[str, str] = {}
    claimed: dict[str, str] = {}  # origin → the card key claiming it
    names = set(published) | set(by_key)
    for concept in deck.concepts:
        problems += _earlier_concept_ids(concept, concept_ids, published_concepts, lock)
        card_ids = {c.id for c in concept.spec.cards}
        for i, card in enumerate(concept.spec.cards):
            key = f"{concept.id}/{card.id}"
            if card.was is not None:
                problems += _earlier_card_ids(concept, i, card_ids, names)
            found = _published_entry(concept, i, published, by_key)
            if found is None:
                origin[key] = key
                continue
            if found.retired:
                problems.append(
                    Diagnostic(
                        concept.where("cards", i, "id"),
                        f"'{found.origin}' was retired and learners were told to delete it; a"
                        " retired card cannot come back: give this card a new id",
                    )
                )
                continue
            if found.origin in claimed:
                problems.append(
                    Diagnostic(
                        concept.where("cards", i, "id"),
                        f"card '{key}' and card '{claimed[found.origin]}' both claim the published"
                        f" note '{found.origin}'; only one card can continue it",
                    )
                )
                continue
            claimed[found.origin] = key
            origin[key] = found.origin
            if found.note_type != note_type_of(card.kind):
                problems.append(
                    Diagnostic(
                        concept.where("cards", i, "kind"),
                        f"card '{card.id}' switched between cloze and prompt/answer since it was"
                        " published; Anki cannot change an existing note's type, so give it a new"
                        " id (learners keep the old card and its history) and retire the old one",
                    )
                )

    problems += _stale_lock(deck, lock)
    retired_names = set(deck.spec.retired)
    problems += _retired_list(deck, lock, origin, names, published_concepts)
    retired: list[LockEntry] = []
    for entry in sorted(published.values(), key=lambda e: e.origin):
        if entry.origin in claimed:
            continue
        named = {entry.key, entry.origin, entry.key.split("/")[0], entry.origin.split("/")[0]}
        if entry.retired or named & retired_names:
            retired.append(entry)
            continue
        problems.append(_deleted(deck, entry, concept_ids))
    return Identities(origin, tuple(retired)), problems


def _stale_lock(deck: Deck, lock: Lock) -> list[Diagnostic]:
    """A deck.yaml that names a version newer than the lock's last release: the lock of that
    release was not committed, and building on the older one would stamp notes wrongly."""
    last = lock.last_release
    version = deck.spec.version
    if last is None or not version or version_key(version) <= version_key(last.version):
        return []
    return [
        Diagnostic(
            deck.file.where(("version",)),
            f"deck.yaml says version {version}, but conceptdeck.lock's last release is"
            f" {last.version}: if {version} was released, its lock was not committed (get"
            " conceptdeck.lock from the release commit); versions are set by `conceptdeck"
            f" release`, so to prepare {version}, put back {last.version} and run"
            f" `conceptdeck release --version {version}`",
        )
    ]


def _published_entry(
    concept: Concept, i: int, published: dict[str, LockEntry], by_key: dict[str, LockEntry]
) -> LockEntry | None:
    """The lock entry a card continues: under its own key, or one of its earlier names."""
    card = concept.spec.cards[i]
    for concept_id in (concept.id, *concept.spec.earlier_ids):
        for card_id in (card.id, *card.earlier_ids):
            name = f"{concept_id}/{card_id}"
            if name in by_key:
                return by_key[name]
            if name in published:
                return published[name]
    return None


def _earlier_concept_ids(
    concept: Concept, concept_ids: set[str], published_concepts: set[str], lock: Lock
) -> list[Diagnostic]:
    """`was:` names of a concept: never a current id, and (when there is a lock) a published one.
    Without any lock nothing is known to be published, so nothing is checked against it."""
    problems = []
    for j, old in enumerate(concept.spec.earlier_ids):
        where = (
            concept.where("was") if isinstance(concept.spec.was, str) else concept.where("was", j)
        )
        if old in concept_ids:
            problems.append(
                Diagnostic(
                    where,
                    f"was: '{old}' is the id of a concept in the deck; an earlier"
                    " id must be one no concept uses now",
                )
            )
        elif lock.exists and old not in published_concepts:
            problems.append(
                Diagnostic(
                    where,
                    f"was: concept '{old}' was never published (it is not in conceptdeck.lock)"
                    f"{did_you_mean(old, published_concepts)}",
                )
            )
    return problems


def _earlier_card_ids(
    concept: Concept, i: int, card_ids: set[str], names: set[str]
) -> list[Diagnostic]:
    card = concept.spec.cards[i]
    problems = []
    concept_ids = (concept.id, *concept.spec.earlier_ids)
    for j, old in enumerate(card.earlier_ids):
        where = (
            concept.where("cards", i, "was")
            if isinstance(card.was, str)
            else concept.where("cards", i, "was", j)
        )
        if old in card_ids:
            problems.append(
                Diagnostic(
                    where,
                    f"was: '{old}' is the id of a card of this concept; an earlier"
                    " id must be one no card uses now",
                )
            )
        elif names and not any(f"{c}/{old}" in names for c in concept_ids):
            known = [n.split("/")[1] for n in names if n.split("/")[0] in concept_ids]
            problems.append(
                Diagnostic(
                    where,
                    f"was: card '{concept.id}/{old}' was never published (it is not in"
                    f" conceptdeck.lock){did_you_mean(old, known)}",
                )
            )
    return problems


def _retired_list(
    deck: Deck, lock: Lock, origin: dict[str, str], names: set[str], published_concepts: set[str]
) -> list[Diagnostic]:
    """Each `retired:` entry names a published note or concept that is gone from the sources;
    `names` are every key and origin the lock knows."""
    problems = []
    for j, name in enumerate(deck.spec.retired):
        where = deck.file.where(("retired", j))
        in_sources = [k for k in origin if k == name or k.split("/")[0] == name]
        if ("/" in name and name in origin) or ("/" not in name and in_sources):
            problems.append(
                Diagnostic(
                    where,
                    f"'{name}' is retired but still in the sources: delete it there, or remove it"
                    " from retired",
                )
            )
        elif lock.exists and name not in names and name not in published_concepts:
            # A warning: a name that retires nothing is harmless (a card it was meant to retire
            # is still reported missing), and a lock made after the card was gone cannot know it.
            problems.append(
                Diagnostic(
                    where,
                    f"'{name}' retires nothing: it is not in conceptdeck.lock"
                    f"{did_you_mean(name, names | published_concepts)}",
                    severity="warning",
                )
            )
    return problems


def _deleted(deck: Deck, entry: LockEntry, concept_ids: set[str]) -> Diagnostic:
    concept_id = entry.key.split("/")[0]
    concept = next((c for c in deck.concepts if c.id == concept_id), None)
    where = concept.where("cards") if concept else deck.file.where(("retired",))
    place = (
        f"(it was in {concept.file.display})"
        if concept
        else f"(concept '{concept_id}' is gone too)"
    )
    return Diagnostic(
        where,
        f"published card '{entry.key}' is missing from the sources {place}; learners would keep"
        " it forever. Restore it; or, if it was renamed, add 'was: <old id>' to its new card; or"
        f" retire it by adding '{entry.key}' to retired: in deck.yaml",
    )
