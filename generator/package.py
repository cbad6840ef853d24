"""Packaging rendered cards as an Anki .apkg: the only module that talks to genanki.

Identity is everything here (see ANKI_NOTES.md): note GUIDs come from the author's ids, never
from text; note types have constant ids, explicit field and template ids, and fields are only
ever appended; each note's modification time comes from the ledger; and the zip is written
with fixed dates and sorted members, so the same sources always give the same bytes.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import sqlite3
import zipfile
from dataclasses import dataclass
from importlib import resources

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from .figures import FigureMedia
from .ledger import Ledger
from .schema import CLOZE_RE, Deck
from .text import CardText

# Constant forever: Anki matches note types by id. Fields and templates may only be appended.
PROMPT_MODEL_ID = 1_732_710_001
CLOZE_MODEL_ID = 1_732_710_002
# Only ever append to these lists: Anki matches fields by position and id.
_CONTEXT_FIELDS = ["Concept", "Kind", "Intuition", "Related", "Sources"]
PROMPT_FIELDS = ["Prompt", "PromptFigure", "Answer", "Why", "Figure", *_CONTEXT_FIELDS]
CLOZE_FIELDS = ["Text", "PromptFigure", "Why", "Figure", *_CONTEXT_FIELDS]


def _asset(name: str) -> str:
    return resources.files("generator").joinpath("card", name).read_text(encoding="utf-8")


def note_types() -> tuple[genanki.Model, genanki.Model]:
    """The prompt/answer and cloze note types, with their templates and CSS."""
    return (
        _note_type(PROMPT_MODEL_ID, "conceptdeck: Intuition", PROMPT_FIELDS, "Intuition", "prompt"),
        _note_type(CLOZE_MODEL_ID, "conceptdeck: Cloze", CLOZE_FIELDS, "Cloze", "cloze"),
    )


def _note_type(
    model_id: int, name: str, fields: list[str], template: str, prefix: str
) -> genanki.Model:
    context = _asset("context.html")
    return genanki.Model(
        model_id,
        name,
        fields=[
            {"name": n, "id": model_id * 100 + i, "font": "Arial", "size": 20}
            for i, n in enumerate(fields)
        ],
        templates=[
            {
                "name": template,
                "id": model_id * 100 + 50,
                "qfmt": _asset(f"{prefix}-front.html"),
                "afmt": _asset(f"{prefix}-back.html").replace("{{> context}}", context),
            }
        ],
        css=_asset("style.css"),
        model_type=genanki.Model.CLOZE if prefix == "cloze" else genanki.Model.FRONT_BACK,
        sort_field_index=0,
    )


def figure_html(media: FigureMedia | None) -> str:
    """Both variants of a figure; the card's CSS shows the one that fits night mode."""
    if media is None:
        return ""
    alt = html.escape(media.alt)
    if media.light == media.dark:
        return f'<img src="{html.escape(media.light)}" alt="{alt}">'
    return (
        f'<img class="cd-light" src="{html.escape(media.light)}" alt="{alt}">'
        f'<img class="cd-dark" src="{html.escape(media.dark)}" alt="{alt}">'
    )


def guid(deck_id: str, concept_id: str, card_id: str) -> str:
    """A note's identity: the author's ids only, so any text can change without losing history."""
    return genanki.guid_for(deck_id, concept_id, card_id)


@dataclass(frozen=True)
class PlannedNote:
    """One note as it will be written: its identity, fields, tags and deck."""

    key: str  # "concept/card": the ledger's key, readable in diffs
    guid: str
    model_id: int
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck_name: str
    cards: int
    figures: tuple[FigureMedia, ...] = ()

    def content_hash(self) -> str:
        """What Anki would change on update: fields and tags. Not the deck: an import never moves
        existing cards, so a renamed or moved subdeck must not re-stamp (and overwrite) notes."""
        payload = json.dumps([self.fields, self.tags], ensure_ascii=False)
        return f"{self.model_id}:{hashlib.sha256(payload.encode()).hexdigest()[:16]}"

    def inputs_hash(self) -> str:
        """The content with each figure named by what was drawn instead of by its bytes: equal
        when only another machine or library version re-encoded the same pictures."""
        if not self.figures:
            return ""  # nothing to re-encode: the content hash says it all
        fields = list(self.fields)
        for media in self.figures:
            fields = [
                f.replace(media.light, media.identity).replace(media.dark, media.identity)
                for f in fields
            ]
        payload = json.dumps([fields, self.tags], ensure_ascii=False)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def plan_notes(
    deck: Deck, cards: list[CardText], figures: dict[tuple[str, str], FigureMedia]
) -> list[PlannedNote]:
    """Assemble every note's fields from rendered text and figures."""
    notes = []
    for text in cards:
        card, concept = text.card, text.concept.spec
        shown = [
            figures.get((concept.id, name or "")) for name in (card.prompt_figure, card.figure)
        ]
        front_figure, back_figure = (figure_html(media) for media in shown)
        context = [text.concept_title, card.kind, text.intuition, text.related, text.sources]
        if card.kind == "cloze":
            fields = [text.front, front_figure, text.why, back_figure, *context]
            model_id, count = CLOZE_MODEL_ID, len(set(CLOZE_RE.findall(card.text or "")))
        else:
            fields = [text.front, front_figure, text.answer, text.why, back_figure, *context]
            model_id, count = PROMPT_MODEL_ID, 1
        tags = dict.fromkeys(
            [*concept.tags, *card.tags, f"concept::{concept.id}", f"kind::{card.kind}"]
        )
        notes.append(
            PlannedNote(
                f"{concept.id}/{card.id}",
                guid(deck.spec.id, concept.id, card.id),
                model_id,
                tuple(fields),
                tuple(tags),
                text.concept.deck_name,
                count,
                tuple(media for media in shown if media),
            )
        )
    return notes


def package(deck: Deck, notes: list[PlannedNote], media: dict[str, bytes], ledger: Ledger) -> bytes:
    """The .apkg bytes. Every timestamp comes from the ledger, so equal input gives equal bytes."""
    models = {m.model_id: m for m in note_types()}
    timestamp = max((entry[1] for entry in ledger.entries.values()), default=0)
    db = sqlite3.connect(":memory:")
    cursor = db.cursor()
    cursor.executescript(APKG_SCHEMA)
    cursor.executescript(APKG_COL)
    cursor.execute("UPDATE col SET crt = ?, mod = ?", (timestamp, timestamp * 1000))

    deck_names = sorted({deck.spec.name} | {n.deck_name for n in notes})
    deck_ids = {name: _stable_id(name) for name in deck_names}
    decks_json = json.loads(cursor.execute("SELECT decks FROM col").fetchone()[0])
    for name in deck_names:
        entry = genanki.Deck(
            deck_ids[name], name, description=_description(deck) if name == deck.spec.name else ""
        ).to_json()
        entry["mod"] = timestamp
        decks_json[str(deck_ids[name])] = entry
    models_json = json.loads(cursor.execute("SELECT models FROM col").fetchone()[0])
    for model in models.values():
        models_json[str(model.model_id)] = model.to_json(
            ledger.mod(f"notetype:{model.model_id}"), deck_ids[deck.spec.name]
        )
    cursor.execute(
        "UPDATE col SET decks = ?, models = ?", (json.dumps(decks_json), json.dumps(models_json))
    )

    for position, planned in enumerate(notes):
        note = _Note(
            model=models[planned.model_id],
            fields=list(planned.fields),
            tags=list(planned.tags),
            guid=planned.guid,
            due=position,
        )
        note.mod = ledger.mod(planned.key)
        note.write_to_db(cursor, note.mod, deck_ids[planned.deck_name], _ids(planned.guid))
    db.commit()
    collection = db.serialize()
    db.close()
    return _zip(collection, media)


def model_hashes() -> dict[str, tuple[str, str]]:
    """Ledger keys for the note types, so template or CSS changes reach learners too."""
    hashes = {}
    for m in note_types():
        digest = hashlib.sha256(json.dumps([m.fields, m.templates, m.css], sort_keys=True).encode())
        hashes[f"notetype:{m.model_id}"] = (digest.hexdigest()[:16], "")
    return hashes


def _description(deck: Deck) -> str:
    from .text import markdown

    return markdown(deck.spec.description) if deck.spec.description else ""


class _Note(genanki.Note):
    mod: int = 0

    def _check_invalid_html_tags_in_fields(self) -> None:
        """Our fields are produced by the Markdown renderer, which escapes raw HTML itself."""


def _stable_id(text: str) -> int:
    return 1_000_000_000 + int(hashlib.sha256(text.encode()).hexdigest()[:12], 16) % 10**12


def _ids(guid_text: str):
    """Note and card ids derived from the GUID: stable across builds (so the bytes are too)."""
    base = _stable_id(guid_text) * 100
    return iter(range(base, base + 100))


_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _zip(collection: bytes, media: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    names = sorted(media)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def put(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.external_attr = 0o644 << 16
            png = data.startswith(
                b"\x89PNG"
            )  # already compressed: storing it saves time, not space
            info.compress_type = zipfile.ZIP_STORED if png else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)

        put("collection.anki2", collection)
        put("media", json.dumps({str(i): n for i, n in enumerate(names)}).encode())
        for i, name in enumerate(names):
            put(str(i), media[name])
    return buffer.getvalue()
