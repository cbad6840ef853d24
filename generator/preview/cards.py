"""Anki's card templates, rendered the way Anki renders them, for the preview site.

The preview shows every card with the very templates and CSS that go into the package. When
Anki's own backend is installed it renders them (`anki_renderer`); otherwise this small
implementation of the template syntax our note types use does, and a test holds it to Anki's
output, card by card, on the bundled deck.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..package import CLOZE_FIELDS, PROMPT_FIELDS, PlannedNote, note_types
from ..schema import CLOZE_RE


@dataclass(frozen=True)
class CardSides:
    """One card of a note: its ordinal and the HTML of both sides, without the CSS."""

    ordinal: int
    front: str
    back: str


Renderer = Callable[[list[PlannedNote], dict[str, bytes]], dict[str, list[CardSides]]]


def ordinals(note: PlannedNote) -> list[int]:
    """The cards a note makes: one per cloze number, or the single prompt/answer card."""
    if note.note_type != "cloze":
        return [1]
    return sorted({int(n) for n in CLOZE_RE.findall(note.fields[0])}) or [1]


def render_notes(notes: list[PlannedNote], media: dict[str, bytes]) -> dict[str, list[CardSides]]:
    """Every card of every note, front and back, by note key."""
    models = note_types()
    cards = {}
    for note in notes:
        template = models[note.note_type].templates[0]
        names = CLOZE_FIELDS if note.note_type == "cloze" else PROMPT_FIELDS
        fields = dict(zip(names, note.fields, strict=True))
        sides = []
        for ordinal in ordinals(note):
            front = render(template["qfmt"], fields, ordinal)
            back = render(template["afmt"], fields, ordinal, front_side=front)
            sides.append(CardSides(ordinal, front, back))
        cards[note.key] = sides
    return cards


_TAG = re.compile(r"\{\{([#^/]?)([^{}]+?)\}\}")


def render(
    template: str, fields: dict[str, str], ordinal: int, front_side: str | None = None
) -> str:
    """Fill a template: {{Field}}, {{#Field}}…{{/Field}}, {{^Field}}…{{/Field}},
    {{cloze:Field}} and {{FrontSide}}, as Anki does for the question (front_side None) or the
    answer side of card `ordinal`."""
    out: list[str] = []
    pos = 0
    while match := _TAG.search(template, pos):
        out.append(template[pos : match.start()])
        kind, name = match.group(1), match.group(2).strip()
        pos = match.end()
        if kind in ("#", "^"):
            end = template.index("{{/" + name + "}}", pos)
            inner = template[pos:end]
            present = bool(fields.get(name, "").strip())
            if present == (kind == "#"):
                out.append(render(inner, fields, ordinal, front_side))
            pos = end + len(name) + 5
        elif name == "FrontSide":
            out.append(front_side or "")
        elif name.startswith("cloze:"):
            out.append(cloze(fields.get(name[6:], ""), ordinal, question=front_side is None))
        else:
            out.append(fields.get(name, ""))
    out.append(template[pos:])
    return "".join(out)


_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.S)


def cloze(text: str, ordinal: int, *, question: bool) -> str:
    """Anki's cloze rendering: the active gap hidden on the question and shown on the answer;
    other gaps shown as text."""

    def gap(match: re.Match[str]) -> str:
        number, content, hint = int(match.group(1)), match.group(2), match.group(3)
        if number != ordinal:
            return f'<span class="cloze-inactive" data-ordinal="{number}">{content}</span>'
        if question:
            shown = f"[{hint}]" if hint else "[...]"
            return (
                f'<span class="cloze" data-cloze="{_attribute(content)}"'
                f' data-ordinal="{number}">{shown}</span>'
            )
        return f'<span class="cloze" data-ordinal="{number}">{content}</span>'

    return _CLOZE.sub(gap, text)


def _attribute(text: str) -> str:
    """Anki's attribute encoding: ASCII letters and digits as they are, &<>" as entities, other
    characters below U+0100 as hexadecimal references."""
    named = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
    out = []
    for char in text:
        if (char.isascii() and char.isalnum()) or ord(char) >= 0x100:
            out.append(char)
        else:
            out.append(named.get(char) or f"&#x{ord(char):X};")
    return "".join(out)


def anki_renderer() -> Renderer | None:
    """Anki's own rendering, through its backend, when the `anki` package is installed."""
    from ..collection import anki_available

    if not anki_available():
        return None

    def with_anki(notes: list[PlannedNote], media: dict[str, bytes]) -> dict[str, list[CardSides]]:
        import tempfile
        from pathlib import Path

        from ..collection import backend
        from ..lock import Lock, LockEntry, NoteTypeEntry
        from ..package import package

        lock = Lock(
            {n.key: LockEntry(n.key, n.note_type, "", max(n.mod, 1)) for n in notes},
            {k: NoteTypeEntry(k, "0", 1) for k in ("prompt", "cloze")},
        )
        data = package("Preview", "", notes, {}, lock)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "preview.apkg"
            path.write_bytes(data)
            col = backend().Collection(str(Path(tmp) / "collection.anki2"))
            try:
                from ..collection import import_package

                import_package(col, path)
                by_guid = {n.guid: n.key for n in notes}
                cards: dict[str, list[CardSides]] = {n.key: [] for n in notes}
                for card_id in sorted(col.find_cards("")):
                    card = col.get_card(card_id)
                    key = by_guid[card.note().guid]
                    front, back = (_strip_style(h) for h in (card.question(), card.answer()))
                    cards[key].append(CardSides(card.ord + 1, front, back))
            finally:
                col.close()
        for sides in cards.values():
            sides.sort(key=lambda s: s.ordinal)
        return cards

    return with_anki


def _strip_style(rendered: str) -> str:
    """Anki prefixes each side with the note type's CSS; the preview links it once instead."""
    if rendered.startswith("<style>"):
        return rendered[rendered.index("</style>") + len("</style>") :]
    return rendered
