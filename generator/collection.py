"""Anki's own backend (the `anki` package): the only module that uses it.

`verify` imports a package into a throw-away collection exactly as a learner's Anki would, and
checks what a learner would meet: every card renders, every picture is there, no note type is
duplicated, no note conflicts. Given the previous release, it first plays a learner who studied
every card and edited one, then imports the new package and reports whether any review was lost
or the edit overwritten. `push --collection` imports into a real collection the same way.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import AnkiError, Diagnostic, Where, display_path
from .files import read_bounded

_SRC = re.compile(r'<img[^>]*\bsrc="([^"]+)"')
# What Anki shows instead of a card it cannot render.
_RENDER_FAILURES = (
    "front of this card is blank",
    "please edit this note type",
    "there is no field called",
    "no cloze",
)


def anki_available() -> bool:
    """Whether the `anki` package is installed, without the cost of importing it."""
    import importlib.util

    return importlib.util.find_spec("anki") is not None


def backend() -> Any:
    """The `anki` package, or a clear message on how to get it."""
    try:
        import anki.collection
    except ImportError as exc:
        raise AnkiError(
            "this needs Anki's own backend, the 'anki' package: pip install 'conceptdeck[anki]'"
        ) from exc
    return anki.collection


@dataclass
class ImportCounts:
    """What Anki's importer did with a package's notes."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicting: int = 0

    def __str__(self) -> str:
        return (
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged,"
            f" {self.conflicting} conflicting"
        )


def import_package(col: Any, path: Path) -> ImportCounts:
    """Import with the options a learner gets by default (update notes and note types if newer,
    keep their scheduling)."""
    from anki.collection import ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageOptions

    request = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions())
    log = col.import_anki_package(request).log
    return ImportCounts(len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting))


@dataclass
class VerifyReport:
    """What verify found: counts, and every problem (none means the package is good to ship)."""

    notes: int = 0
    cards: int = 0
    media: int = 0
    upgrade: ImportCounts | None = None
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.notes} notes, {self.cards} cards and {self.media} media files import cleanly"
        if self.upgrade is not None:
            text += f"; over the previous release: {self.upgrade}; every review kept"
        return text

    def diagnostics(self, package: Path) -> list[Diagnostic]:
        where = Where(display_path(package))
        return [Diagnostic(where, f"verify: {problem}") for problem in self.problems]


def verify(package: Path, previous: Path | None = None) -> VerifyReport:
    """Check a package with Anki's backend, alone or as an upgrade over `previous`."""
    return verify_bytes(read_bounded(package, 2_000_000_000), previous)


def verify_bytes(data: bytes, previous: Path | None = None) -> VerifyReport:
    from .package import read_package

    backend()
    report = VerifyReport()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "candidate.apkg"
        path.write_bytes(data)  # a throw-away folder: no need for an atomic write
        shipped = read_package(path)
        media = _media_names(path)
        referenced = {n for note in shipped.values() for f in note.fields for n in _SRC.findall(f)}
        report.media = len(media)
        for name in sorted(referenced - media):
            report.problems.append(f"a card shows {name}, which the package does not contain")
        for name in sorted(media - referenced):
            report.problems.append(f"the package ships {name}, which no card shows")

        col = _open(Path(tmp) / "learner")
        try:
            edited = None
            if previous is not None:
                before = read_package(previous)
                import_package(col, previous)
                col = _reopen(col)
                _study_everything(col)
                edited = _edit_one_unchanged_note(col, before, shipped)
                schedule, reviews = _schedule(col), _reviews(col)
            counts = import_package(col, path)
            col = _reopen(col)
            if previous is not None:
                report.upgrade = counts
                after = _schedule(col)
                if any(after.get(card) != state for card, state in schedule.items()):
                    report.problems.append("importing over the previous release changed scheduling")
                if _reviews(col) != reviews:
                    report.problems.append("importing over the previous release lost reviews")
                if edited is not None and col.get_note(edited[0]).fields[0] != edited[1]:
                    report.problems.append(
                        "a learner's edit on a note this release does not change was overwritten"
                    )
            elif counts.new != len(shipped):
                report.problems.append(f"{counts.new} of {len(shipped)} notes were imported")
            if counts.conflicting:
                report.problems.append(f"{counts.conflicting} notes conflict with earlier ones")
            names = [m.name for m in col.models.all_names_and_ids()]
            for name in names:
                if name.endswith("+"):
                    report.problems.append(f"Anki made a copy of a note type: '{name}'")
            report.notes, report.cards = col.note_count(), col.card_count()
            for card_id in col.find_cards(""):
                card = col.get_card(card_id)
                for side, html in (("front", card.question()), ("back", card.answer())):
                    if any(failure in html.lower() for failure in _RENDER_FAILURES):
                        note = card.note()
                        report.problems.append(f"card {note.guid} does not render its {side}")
            missing = col.media.check().missing
            for name in missing:
                report.problems.append(f"media file {name} is missing after import")
        finally:
            col.close()
    return report


def _media_names(path: Path) -> set[str]:
    import json
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return set(json.loads(archive.read("media")).values())


def _open(folder: Path) -> Any:
    folder.mkdir(parents=True, exist_ok=True)
    return backend().Collection(str(folder / "collection.anki2"))


def _reopen(col: Any) -> Any:
    """Anki's note-type cache goes stale after an import; reopening refreshes it."""
    path = col.path
    col.close()
    return backend().Collection(path)


def _study_everything(col: Any, limit: int = 100_000) -> None:
    """Answer every new card 'Good' through the scheduler, deck by deck, as a learner would."""
    answered = 0
    for deck in col.decks.all_names_and_ids():
        col.decks.select(deck.id)
        while answered < limit and (card := col.sched.getCard()) is not None:
            card.start_timer()
            col.sched.answerCard(card, 3)
            answered += 1


def _edit_one_unchanged_note(col: Any, before: dict, after: dict) -> tuple[int, str] | None:
    """A learner's own edit on a note the new release leaves alone; it must survive."""
    for guid, note in before.items():
        if guid in after and after[guid].mod == note.mod:
            note_id = col.db.scalar("select id from notes where guid = ?", guid)
            learner = col.get_note(note_id)
            learner.fields[0] = learner.fields[0] + " (my own note)"
            col.update_note(learner)
            return note_id, learner.fields[0]
    return None


def _schedule(col: Any) -> dict[int, tuple]:
    rows = col.db.all("select id, type, queue, due, ivl, factor, reps, lapses from cards")
    return {row[0]: tuple(row[1:]) for row in rows}


def _reviews(col: Any) -> int:
    return col.db.scalar("select count() from revlog")
