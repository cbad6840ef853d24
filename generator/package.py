"""Packaging notes as an Anki .apkg: the only module that talks to genanki.

Identity is everything here (see Anki's importer notes in the README): note GUIDs come from the
author's ids, never from text; note types have constant ids, explicit field and template ids,
and fields are only ever appended; each note's modification time comes from the lock; and the
zip is written with fixed dates and sorted members, so the same sources always give the same
bytes.

genanki writes the collection database with its own schema and JSON, through five of its
internals, pinned by the `genanki<0.14` requirement and exercised by every test that imports a
package into Anki: `apkg_col.APKG_COL`, `apkg_schema.APKG_SCHEMA`, `Note.write_to_db`,
`Model.to_json`, and the HTML check `Note._check_invalid_html_tags_in_fields` (our fields come
from the Markdown renderer, which escapes raw HTML itself).
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import sqlite3
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from .errors import FileAccessError
from .figures import FigureMedia
from .files import read_bounded
from .lock import Lock, NoteType
from .notes import Note
from .text import CardText

# Constant forever: Anki matches note types by id. Fields and templates may only be appended.
MODEL_IDS: dict[NoteType, int] = {"prompt": 1_732_710_001, "cloze": 1_732_710_002}
# Only ever append to these lists: Anki matches fields by position and id.
_CONTEXT_FIELDS = ["Concept", "Kind", "Intuition", "Related", "Sources"]
PROMPT_FIELDS = ["Prompt", "PromptFigure", "Answer", "Why", "Figure", *_CONTEXT_FIELDS]
CLOZE_FIELDS = ["Text", "PromptFigure", "Why", "Figure", *_CONTEXT_FIELDS]
RELEASE_TAG = "conceptdeck::release::"
RETIRED_NOTICE = (
    "This card was retired from its deck and will not be updated again. You can delete it:"
    " in the browser, search <code>tag:conceptdeck::retired</code>."
)


def _asset(name: str) -> str:
    return resources.files("generator").joinpath("card", name).read_text(encoding="utf-8")


def note_types() -> dict[NoteType, genanki.Model]:
    """The prompt/answer and cloze note types, with their templates and CSS."""
    return {
        "prompt": _note_type("prompt", "conceptdeck: Intuition", PROMPT_FIELDS, "Intuition"),
        "cloze": _note_type("cloze", "conceptdeck: Cloze", CLOZE_FIELDS, "Cloze"),
    }


def _note_type(kind: NoteType, name: str, fields: list[str], template: str) -> genanki.Model:
    model_id = MODEL_IDS[kind]
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
                "qfmt": _asset(f"{kind}-front.html"),
                "afmt": _asset(f"{kind}-back.html").replace("{{> context}}", context),
            }
        ],
        css=_asset("style.css"),
        model_type=genanki.Model.CLOZE if kind == "cloze" else genanki.Model.FRONT_BACK,
        sort_field_index=0,
    )


def note_type_hashes() -> dict[NoteType, str]:
    """A hash per note type of what learners get from it, so template or CSS changes reach them."""
    hashes: dict[NoteType, str] = {}
    for kind, m in note_types().items():
        digest = hashlib.sha256(json.dumps([m.fields, m.templates, m.css], sort_keys=True).encode())
        hashes[kind] = digest.hexdigest()[:16]
    return hashes


def guid(deck_id: str, origin: str) -> str:
    """A note's identity: the deck id and the ids it was first published under, never text."""
    concept_id, card_id = origin.split("/")
    return genanki.guid_for(deck_id, concept_id, card_id)


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


@dataclass(frozen=True)
class PlannedNote:
    """One note as it will be written: identity, fields, tags, deck and time."""

    key: str
    guid: str
    note_type: NoteType
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck_name: str
    mod: int


def plan(
    deck_id: str,
    notes: list[Note],
    texts: dict[str, CardText],
    figures: dict[tuple[str, str], FigureMedia],
    lock: Lock,
) -> list[PlannedNote]:
    """Assemble every note's fields from rendered text and figures, with the lock's times."""
    planned = []
    for note in notes:
        entry = lock.entries[note.key]
        tags = note.tags() + ([RELEASE_TAG + entry.since] if entry.since else [])
        planned.append(
            PlannedNote(
                note.key,
                guid(deck_id, note.origin),
                note.note_type,
                _fields(note, texts, figures),
                tuple(tags),
                note.deck_name,
                entry.mod,
            )
        )
    return planned


def _fields(
    note: Note, texts: dict[str, CardText], figures: dict[tuple[str, str], FigureMedia]
) -> tuple[str, ...]:
    if note.card is None:  # retired: the notice replaces the content, on every card of the note
        values = {"Concept": note.key.split("/")[0], "Kind": "retired"}
        if note.note_type == "cloze":
            gaps = " ".join(f"{{{{c{n}::retired}}}}" for n in range(1, note.cards + 1))
            values["Text"] = f"{RETIRED_NOTICE} {gaps}"
        else:
            values |= {"Prompt": RETIRED_NOTICE, "Answer": "retired"}
        names = CLOZE_FIELDS if note.note_type == "cloze" else PROMPT_FIELDS
        return tuple(values.get(name, "") for name in names)
    text, card = texts[note.key], note.card
    shown = [
        figures.get((text.concept.id, name or "")) for name in (card.prompt_figure, card.figure)
    ]
    front_figure, back_figure = (figure_html(media) for media in shown)
    context = [text.concept_title, card.kind, text.intuition, text.related, text.sources]
    if note.note_type == "cloze":
        return (text.front, front_figure, text.why, back_figure, *context)
    return (text.front, front_figure, text.answer, text.why, back_figure, *context)


def package(
    deck_name: str, description: str, notes: list[PlannedNote], media: dict[str, bytes], lock: Lock
) -> bytes:
    """The .apkg bytes. Every timestamp comes from the lock, so equal input gives equal bytes."""
    models = note_types()
    timestamp = max(
        [e.mod for e in lock.entries.values()] + [t.mod for t in lock.note_types.values()],
        default=0,
    )
    db = sqlite3.connect(":memory:")
    cursor = db.cursor()
    cursor.executescript(APKG_SCHEMA)
    cursor.executescript(APKG_COL)
    cursor.execute("UPDATE col SET crt = ?, mod = ?", (timestamp, timestamp * 1000))

    deck_names = sorted({deck_name} | {n.deck_name for n in notes})
    deck_ids = {name: _stable_id(name) for name in deck_names}
    decks_json = json.loads(cursor.execute("SELECT decks FROM col").fetchone()[0])
    for name in deck_names:
        entry = genanki.Deck(
            deck_ids[name], name, description=description if name == deck_name else ""
        ).to_json()
        entry["mod"] = timestamp
        decks_json[str(deck_ids[name])] = entry
    models_json = json.loads(cursor.execute("SELECT models FROM col").fetchone()[0])
    for kind, model in models.items():
        models_json[str(model.model_id)] = model.to_json(
            lock.note_types[kind].mod, deck_ids[deck_name]
        )
    cursor.execute(
        "UPDATE col SET decks = ?, models = ?", (json.dumps(decks_json), json.dumps(models_json))
    )

    for position, planned in enumerate(notes):
        note = _Note(
            model=models[planned.note_type],
            fields=list(planned.fields),
            tags=list(planned.tags),
            guid=planned.guid,
            due=position,
        )
        note.write_to_db(cursor, planned.mod, deck_ids[planned.deck_name], _ids(planned.guid))
    db.commit()
    collection = db.serialize()
    db.close()
    return _zip(collection, media)


class _Note(genanki.Note):
    def _check_invalid_html_tags_in_fields(self) -> None:
        """Our fields come from the Markdown renderer, which escapes raw HTML itself."""


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
    # Level 1: a collection of 10,000 notes compresses three times faster, a few percent larger.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:

        def put(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.external_attr = 0o644 << 16
            # A PNG is already compressed: storing it saves time, not space.
            png = data.startswith(b"\x89PNG")
            info.compress_type = zipfile.ZIP_STORED if png else zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=1)

        put("collection.anki2", collection)
        put("media", json.dumps({str(i): n for i, n in enumerate(names)}).encode())
        for i, name in enumerate(names):
            put(str(i), media[name])
    return buffer.getvalue()


@dataclass(frozen=True)
class PackagedNote:
    """A note as an earlier package holds it: what a build compares against to recover times."""

    mod: int
    note_type: NoteType | None
    fields: tuple[str, ...]
    tags: tuple[str, ...]


def read_package(path: Path) -> dict[str, PackagedNote]:
    """The notes of an .apkg written by conceptdeck (or any schema-11 package), by GUID."""
    kinds = {v: k for k, v in MODEL_IDS.items()}
    data = read_bounded(path, 2_000_000_000)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            collection = archive.read("collection.anki2")
        db = sqlite3.connect(":memory:")
        try:
            db.deserialize(collection)
            rows = db.execute("SELECT guid, mod, mid, flds, tags FROM notes").fetchall()
        finally:
            db.close()
    except (zipfile.BadZipFile, KeyError, sqlite3.Error) as exc:
        raise FileAccessError(path, f"not an Anki package ({exc})") from exc
    return {
        g: PackagedNote(mod, kinds.get(mid), tuple(flds.split("\x1f")), tuple(tags.split()))
        for g, mod, mid, flds, tags in rows
    }


_SRC = re.compile(r'src="[^"]*"')


def same_content(a: PlannedNote, b: PackagedNote) -> bool:
    """Whether a learner would see the same note, ignoring media names (which another machine's
    encoder may have changed) and release tags."""

    def fields(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_SRC.sub('src=""', v) for v in values)

    def tags(values: tuple[str, ...]) -> set[str]:
        return {t for t in values if not t.startswith(RELEASE_TAG)}

    return (
        a.note_type == b.note_type
        and fields(a.fields) == fields(b.fields)
        and tags(a.tags) == tags(b.tags)
    )
