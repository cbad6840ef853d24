"""The lock: what learners already have of every note the deck ever published.

Anki applies an incoming note only if its modification time is newer than its copy, and
replaces the whole note when it does. So a note's time must move exactly when what it shows
changes: stamping every note with the build time would overwrite learners' own edits on every
import, a fixed time would never update anything. `conceptdeck.lock`, committed with the deck,
records per note a hash of the *sources* that make it (never of rendered bytes, so it is the
same on every machine and library version), its time, the identity its GUID comes from, whether
it is retired, and what the last release shipped.

The file holds one JSON object per line, sorted, so two branches that edit different cards
merge cleanly (the deck ships a `merge=union` attribute for it), and a lock that a merge left
with both sides of a line, or with conflict markers, is repaired by the next build: the line
whose hash matches the sources wins.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from .errors import ContentError, Diagnostic, FileAccessError, Where, display_path
from .files import LOCK_LIMIT, atomic_write, read_bounded

FORMAT = 2
NoteType = Literal["prompt", "cloze"]
NOTE_TYPES: tuple[NoteType, ...] = ("prompt", "cloze")
_HEADER = (
    "# conceptdeck.lock: what learners already have of each note (see README, 'Identity')."
    " Commit it with the deck; do not edit it by hand."
)
_MAX_MOD = 10**10  # seconds: any later is a damaged value, not a time
_CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")


@dataclass(frozen=True)
class Shipped:
    """A note as the last release shipped it."""

    version: str
    inputs: str
    key: str
    retired: bool = False


@dataclass(frozen=True)
class LockEntry:
    """One published note."""

    key: str  # "concept/card": its name in the sources now
    note_type: NoteType
    inputs: str  # hash of the sources that make the note; "" when adopted from an older lock
    mod: int  # modification time in seconds: what Anki compares
    identity: str = ""  # the "concept/card" its GUID comes from, when renamed with was:
    cards: int = 1  # cards of the note (cloze gaps), so a retired note keeps them
    retired: bool = False
    since: str = ""  # the release that first shipped the note's current content
    shipped: Shipped | None = None

    @property
    def origin(self) -> str:
        """The key the note's GUID is derived from: it never changes."""
        return self.identity or self.key

    def content(self) -> tuple[str, str, bool]:
        """What a learner sees change: the note's sources, its release tag, its retirement."""
        return (self.inputs, self.since, self.retired)


@dataclass(frozen=True)
class NoteTypeEntry:
    """One of the deck's note types: a hash of its fields, templates and CSS, and its time."""

    name: NoteType
    hash: str
    mod: int


@dataclass(frozen=True)
class Release:
    """A published version, with what it changed for learners (for the deck's description)."""

    version: str
    date: str
    added: int = 0
    updated: int = 0
    renamed: int = 0
    retired: int = 0
    titles: tuple[str, ...] = ()  # a few concept titles it touched


def change_summary(added: int, updated: int, renamed: int, retired: int) -> str:
    """What a release does to learners' notes, in a few words: '3 new, 1 retired'."""
    parts = [
        f"{n} {word}"
        for n, word in (
            (added, "new"),
            (updated, "updated"),
            (renamed, "renamed"),
            (retired, "retired"),
        )
        if n
    ]
    return ", ".join(parts)


@dataclass(frozen=True)
class Lock:
    """The whole lock, and what reading it had to do (migrate an old format, repair a merge)."""

    entries: dict[str, LockEntry] = field(default_factory=dict)
    note_types: dict[str, NoteTypeEntry] = field(default_factory=dict)
    releases: tuple[Release, ...] = ()
    notices: tuple[str, ...] = ()
    exists: bool = True
    conflicts: dict[str, tuple[LockEntry, ...]] = field(default_factory=dict)  # after a merge

    def entry(self, key: str, inputs: str) -> LockEntry | None:
        """The entry for `key`; after a merge, the side whose sources hash to `inputs` (or the
        newest side, whose time the build then moves on)."""
        for side in self.conflicts.get(key, ()):
            if side.inputs == inputs:
                return side
        return self.entries.get(key)

    @property
    def last_release(self) -> Release | None:
        return self.releases[-1] if self.releases else None

    @property
    def last_version(self) -> str | None:
        return self.releases[-1].version if self.releases else None

    def by_origin(self) -> dict[str, LockEntry]:
        return {e.origin: e for e in self.entries.values()}

    def same_as(self, other: Lock) -> bool:
        return (self.entries, self.note_types, self.releases) == (
            other.entries,
            other.note_types,
            other.releases,
        )


def read_lock(path: Path) -> Lock:
    """The lock at `path`; an empty one (with `exists` False) when there is none yet.

    Raises ContentError, located at the line, when the file is damaged beyond safe repair.
    """
    if not path.exists() and not path.is_symlink():
        return Lock(exists=False)
    try:
        text = read_bounded(path, LOCK_LIMIT).decode("utf-8")
    except (FileAccessError, UnicodeDecodeError) as exc:
        raise _damaged(path, 1, f"cannot read the lock ({exc})") from exc
    if text.lstrip().startswith("{\n") or text.strip() in ("", "{}"):
        try:
            return _from_format_1(path, json.loads(text or "{}"))
        except ValueError:
            pass  # a format-2 lock whose first lines were lost: read it line by line
    return _from_lines(path, text)


def _from_lines(path: Path, text: str) -> Lock:
    entries: dict[str, list[LockEntry]] = {}
    note_types: dict[str, NoteTypeEntry] = {}
    releases: dict[str, Release] = {}
    problems: list[Diagnostic] = []
    merged = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith(_CONFLICT_MARKERS):
            merged = True
            continue
        try:
            record = json.loads(stripped)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
            if "note" in record:
                entry = _entry(record)
                entries.setdefault(entry.key, []).append(entry)
            elif "notetype" in record:
                kind = _note_type(record["notetype"])
                current = NoteTypeEntry(kind, _hash(record["hash"]), _mod(record["mod"]))
                old = note_types.get(kind)
                note_types[kind] = max(old, current, key=lambda e: e.mod) if old else current
            elif "release" in record:
                release = _release(record)
                releases[release.version] = release
            elif "format" in record:
                if record["format"] != FORMAT:
                    raise ValueError(f"format {record['format']!r} is not one this version reads")
            else:
                raise ValueError("not a note, note type, release or format line")
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(
                Diagnostic(
                    Where(display_path(path), number, 1),
                    f"damaged lock line ({exc}); restore the lock from version control"
                    f" (git checkout -- {display_path(path)}), or delete this line to have the"
                    " next build stamp that note afresh",
                )
            )
    if problems:
        raise ContentError(problems)
    chosen = {key: max(sides, key=lambda e: e.mod) for key, sides in entries.items()}
    conflicts = {key: tuple(sides) for key, sides in entries.items() if len(sides) > 1}
    notice = "repaired conceptdeck.lock after a merge: of each note both branches changed,"
    notice += " the side that matches the sources was kept"
    return Lock(
        chosen,
        note_types,
        tuple(sorted(releases.values(), key=lambda r: version_key(r.version))),
        (notice,) if merged or conflicts else (),
        conflicts=conflicts,
    )


def _entry(record: dict[str, Any]) -> LockEntry:
    shipped = record.get("shipped")
    if shipped is not None:
        if not isinstance(shipped, list) or len(shipped) not in (3, 4):
            raise ValueError("'shipped' must be [version, inputs, key(, retired)]")
        shipped = Shipped(
            _text(shipped[0]),
            _hash(shipped[1], allow_empty=True),
            _key(shipped[2]),
            bool(shipped[3]) if len(shipped) == 4 else False,
        )
    cards = record.get("cards", 1)
    if not isinstance(cards, int) or isinstance(cards, bool) or not 1 <= cards <= 500:
        raise ValueError(f"'cards' must be a small positive number, not {cards!r}")
    return LockEntry(
        key=_key(record["note"]),
        note_type=_note_type(record.get("type")),
        inputs=_hash(record.get("inputs", ""), allow_empty=True),
        mod=_mod(record["mod"]),
        identity=_key(record["identity"]) if record.get("identity") else "",
        cards=cards,
        retired=record.get("retired", False) is True,
        since=_text(record.get("since", "")),
        shipped=shipped,
    )


def _release(record: dict[str, Any]) -> Release:
    counts = {}
    for name in ("added", "updated", "renamed", "retired"):
        value = record.get(name, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"'{name}' must be a count, not {value!r}")
        counts[name] = value
    titles = record.get("titles", [])
    if not isinstance(titles, list):
        raise ValueError("'titles' must be a list")
    return Release(
        _text(record["release"]),
        _text(record.get("date", "")),
        titles=tuple(_text(t) for t in titles),
        **counts,
    )


def _key(value: Any) -> str:
    if not isinstance(value, str) or value.count("/") != 1 or not all(value.split("/")):
        raise ValueError(f"{value!r} is not a 'concept/card' key")
    return value


def _note_type(value: Any) -> NoteType:
    if value not in NOTE_TYPES:
        raise ValueError(f"note type {value!r} is not one of {', '.join(NOTE_TYPES)}")
    return value


def _hash(value: Any, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or not (value or allow_empty) or len(value) > 64:
        raise ValueError(f"{value!r} is not a hash")
    if any(c not in "0123456789abcdef" for c in value):
        raise ValueError(f"{value!r} is not a hash")
    return value


def _mod(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < _MAX_MOD:
        raise ValueError(f"{value!r} is not a modification time in seconds")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 100:
        raise ValueError(f"{value!r} is not short text")
    return value


def _from_format_1(path: Path, data: Any) -> Lock:
    """A lock written by conceptdeck 0.1 (one JSON document, machine-dependent hashes).

    Its times are kept and each note adopts its current sources on the next build: the lock was
    written by the last build, so the sources have not changed since, unless edited after it.
    """
    if data == {}:
        return Lock()
    if (
        not isinstance(data, dict)
        or data.get("format") != 1
        or not isinstance(data.get("entries"), dict)
    ):
        raise _damaged(path, 1, "not a conceptdeck lock")
    entries, note_types = {}, {}
    try:
        for key, value in data["entries"].items():
            if not isinstance(value, list) or len(value) < 2 or not isinstance(value[0], str):
                raise ValueError(f"entry {key!r} is not [hash, time, ...]")
            if key.startswith("notetype:"):
                kind: NoteType = "cloze" if key.endswith("2") else "prompt"
                note_types[kind] = NoteTypeEntry(kind, _hash(value[0]), _mod(value[1]))
                continue
            kind = "cloze" if value[0].startswith("1732710002:") else "prompt"
            entries[key] = LockEntry(_key(key), kind, "", _mod(value[1]))
    except ValueError as exc:
        raise _damaged(path, 1, str(exc)) from exc
    notice = "converted conceptdeck.lock to format 2 (one line per note); note times were kept"
    return Lock(entries, note_types, (), (notice,))


def _damaged(path: Path, line: int, message: str) -> ContentError:
    return ContentError(
        [
            Diagnostic(
                Where(display_path(path), line, 1),
                f"{message}; restore the lock from version control"
                f" (git checkout -- {display_path(path)})",
            )
        ]
    )


def write_lock(path: Path, lock: Lock) -> None:
    """Write atomically, one sorted line per record: diffs stay readable and merges clean."""
    lines = [_HEADER, json.dumps({"format": FORMAT})]
    for release in lock.releases:
        record: dict[str, Any] = {"release": release.version, "date": release.date}
        for name in ("added", "updated", "renamed", "retired"):
            record[name] = getattr(release, name)
        record["titles"] = list(release.titles)
        lines.append(_line(record))
    for kind in sorted(lock.note_types):
        entry = lock.note_types[kind]
        lines.append(_line({"notetype": kind, "hash": entry.hash, "mod": entry.mod}))
    for key in sorted(lock.entries):
        lines.append(_line(_record(lock.entries[key])))
    atomic_write(path, ("\n".join(lines) + "\n").encode("utf-8"))


def _record(entry: LockEntry) -> dict[str, Any]:
    record: dict[str, Any] = {"note": entry.key, "type": entry.note_type}
    if entry.inputs:
        record["inputs"] = entry.inputs
    record["mod"] = entry.mod
    if entry.identity:
        record["identity"] = entry.identity
    if entry.cards != 1:
        record["cards"] = entry.cards
    if entry.retired:
        record["retired"] = True
    if entry.since:
        record["since"] = entry.since
    if entry.shipped:
        s = entry.shipped
        record["shipped"] = [s.version, s.inputs, s.key, *([True] if s.retired else [])]
    return record


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": "))


def version_key(version: str) -> tuple[int, ...]:
    """A release version as numbers, for ordering: '1.10.0' comes after '1.9.2'."""
    parts = version.split(".")
    return tuple(int(p) if p.isdigit() else -1 for p in parts)


class _NoteLike(Protocol):
    key: str
    origin: str
    note_type: NoteType
    cards: int
    inputs: str

    @property
    def retired(self) -> bool: ...


def stamp(
    lock: Lock,
    notes: Sequence[_NoteLike],
    note_types: dict[NoteType, str],
    now: int,
    release: Release | None = None,
) -> Lock:
    """The lock for a build of these notes at time `now`, and, with `release`, for publishing
    them as that release.

    A note keeps its time while its sources, release tag and retirement are unchanged; otherwise
    it gets `now`, or one second past its old time, so two builds in one second still differ.
    A note adopted from an older lock (no inputs recorded) keeps its time and adopts its sources.
    A release tags every note it adds or changes with its version (the note's `since`) and
    records what it shipped of every note, which is what the next `diff` compares against.
    """
    by_origin = lock.by_origin()
    entries: dict[str, LockEntry] = {}
    for note in notes:
        old = lock.entry(note.key, note.inputs)
        if old is None or old.origin != note.origin:
            old = by_origin.get(note.origin)
        since = old.since if old else ""
        shipped = old.shipped if old else None
        if release is not None:
            if shipped is None or (shipped.inputs, shipped.retired) != (note.inputs, note.retired):
                since = release.version
            shipped = Shipped(release.version, note.inputs, note.key, note.retired)
        if old is None:
            mod = now
        elif not old.inputs or old.content() == (note.inputs, since, note.retired):
            mod = old.mod
        else:
            mod = max(now, old.mod + 1)
        entries[note.key] = LockEntry(
            key=note.key,
            note_type=note.note_type,
            inputs=note.inputs,
            mod=mod,
            identity=note.origin if note.origin != note.key else "",
            cards=note.cards,
            retired=note.retired,
            since=since,
            shipped=shipped,
        )
    types = {}
    for kind, digest in note_types.items():
        old_type = lock.note_types.get(kind)
        if old_type and old_type.hash == digest:
            types[kind] = old_type
        else:
            types[kind] = NoteTypeEntry(
                kind, digest, max(now, old_type.mod + 1) if old_type else now
            )
    releases = lock.releases + ((release,) if release is not None else ())
    return Lock(entries, types, releases)
