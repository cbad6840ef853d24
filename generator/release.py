"""Releases: what learners will see if you publish now (`diff`), and publishing it (`release`).

A release is the build learners import. The lock records, per note, what the last release
shipped, so `diff` can say exactly which notes a new release adds, updates, renames or retires,
and `release` can tag those notes (`conceptdeck::release::X`, only them, so unchanged notes stay
untouched on import), describe the release in the deck's overview and in CHANGELOG.md, and write
`dist/<deck id>-<version>.apkg`. Nothing is written unless every step, including the check with
Anki's own backend when it is installed, succeeded.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from .collection import anki_available, verify_bytes
from .errors import ContentError, UsageError
from .files import DECK_FILE, atomic_write, read_bounded
from .lock import Lock, Release, change_summary, version_key
from .pipeline import DEFAULT_CACHE, DEFAULT_SOURCE, Prepared, compile_deck, prepare, write

CHANGELOG = "CHANGELOG.md"
VERSION_RE = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")


@dataclass(frozen=True)
class Change:
    """One note a release changes, as a maintainer reads it."""

    key: str  # "concept/card"
    title: str  # the concept's title
    prompt: str  # the card's prompt or cloze text, as written
    subdeck: str  # for grouping in the changelog
    was: str = ""  # for a rename: the key it had in the last release

    def as_json(self) -> dict[str, str]:
        row = {"key": self.key, "title": self.title, "prompt": self.prompt}
        return row | ({"from": self.was, "to": self.key} if self.was else {})


@dataclass(frozen=True)
class Diff:
    """What learners will see if the deck is released now, against `base` (None: first release)."""

    base: str | None
    added: list[Change] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    renamed: list[Change] = field(default_factory=list)
    retired: list[Change] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.renamed or self.retired)

    def as_json(self) -> dict[str, object]:
        return {
            "base": self.base,
            "added": [c.as_json() for c in self.added],
            "updated": [c.as_json() for c in self.updated],
            "renamed": [c.as_json() for c in self.renamed],
            "retired": [c.as_json() for c in self.retired],
        }

    def counts(self) -> str:
        sizes = (len(self.added), len(self.updated), len(self.renamed), len(self.retired))
        return change_summary(*sizes) or "no changes to any card"


def diff(root: Path = DEFAULT_SOURCE) -> Diff:
    """The notes a release now would add, update, rename or retire; no figure is drawn."""
    return _diff(prepare(Path(root)))


def _diff(prepared: Prepared) -> Diff:
    from .figures import figure_identities
    from .notes import notes

    deck, lock = prepared.deck, prepared.lock
    base = lock.last_version
    titles = deck.title_of
    result = Diff(base)
    by_origin = lock.by_origin()
    for note in notes(deck, prepared.identities, figure_identities(deck)):
        entry = by_origin.get(note.origin)
        shipped = (
            entry.shipped if entry and entry.shipped and entry.shipped.version == base else None
        )
        concept_id = note.key.split("/")[0]
        title = titles.get(concept_id, concept_id)
        prompt = note.card.front if note.card else ""
        subdeck = note.deck_name.split("::", 1)[1] if "::" in note.deck_name else ""
        change = Change(note.key, title, prompt, subdeck)
        if note.retired:
            if shipped is not None and not shipped.retired:
                result.retired.append(change)
            continue
        if shipped is None:
            result.added.append(change)
            continue
        if shipped.inputs != note.inputs:
            result.updated.append(change)
        if shipped.key != note.key:
            result.renamed.append(Change(note.key, title, prompt, subdeck, was=shipped.key))
    return result


@dataclass(frozen=True)
class ReleaseResult:
    """A release that was written: its version, package, changes and Anki's verdict on it."""

    version: str
    output: Path
    diff: Diff
    notes: int
    verified: str  # what `verify` found, or why it did not run


def next_version(lock: Lock, deck_version: str, version: str | None, bump: str | None) -> str:
    """The version to release: given, or the last one bumped; never one not after the last."""
    last = lock.last_version
    if version is not None:
        if not VERSION_RE.fullmatch(version):
            raise UsageError(f"'{version}' is not a version like 1.2.0 (major.minor.patch)")
        if last and version_key(version) < version_key(last):
            raise UsageError(f"version {version} is not after the last release, {last}")
        return version
    assert bump in ("major", "minor", "patch")
    current = max(
        (v for v in (last, deck_version) if v and VERSION_RE.fullmatch(v)),
        key=version_key,
        default="0.0.0",
    )
    major, minor, patch = (int(p) for p in current.split("."))
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def release(
    root: Path = DEFAULT_SOURCE,
    *,
    version: str | None = None,
    bump: str | None = None,
    strict: bool = False,
    dist: Path = Path("dist"),
    cache_dir: Path | None = DEFAULT_CACHE,
    jobs: int = 0,
    today: datetime.date | None = None,
    now: int | None = None,
    check_with_anki: bool = True,
) -> ReleaseResult:
    """Publish the deck as a new version: set it in deck.yaml, tag the notes it adds or changes,
    write its package and its CHANGELOG entry, and record it in the lock.

    Releasing the last version again with unchanged sources writes its package again, byte for
    byte (how CI rebuilds a tagged release).
    """
    root = Path(root)
    prepared = prepare(root)
    if strict and prepared.warnings:
        raise ContentError(prepared.warnings)
    lock, spec = prepared.lock, prepared.deck.spec
    target = next_version(lock, spec.version, version, bump)
    changes = _diff(prepared)
    last = lock.last_version
    again = target == last
    if again and changes:
        raise UsageError(
            f"{target} is already released and the sources changed since ({changes.counts()});"
            " release them as a new version"
        )
    date = (today or datetime.date.today()).isoformat()
    published = (
        None
        if again
        else Release(
            target,
            date,
            len(changes.added),
            len(changes.updated),
            len(changes.renamed),
            len(changes.retired),
            _titles(changes),
        )
    )
    output = Path(dist) / f"{spec.id}-{target}.apkg"
    compiled = compile_deck(
        root, output, cache_dir=cache_dir, jobs=jobs, now=now, release=published, prepared=prepared
    )
    verified = "not checked: Anki's backend is not installed (pip install 'conceptdeck[anki]')"
    if check_with_anki and anki_available():
        previous = Path(dist) / f"{spec.id}-{last}.apkg" if last and not again else None
        report = verify_bytes(compiled.apkg, previous if previous and previous.is_file() else None)
        if report.problems:
            raise ContentError(report.diagnostics(output))
        verified = report.summary()
    if not again:
        _set_version(root / DECK_FILE, target)
        _prepend_changelog(root / CHANGELOG, target, date, changes)
    write(root, compiled, output)
    return ReleaseResult(target, output, changes, len(compiled.notes), verified)


def _titles(changes: Diff, most: int = 3) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for change in changes.added + changes.updated:
        seen.setdefault(change.title, None)
    return tuple(list(seen)[:most])


def _set_version(path: Path, version: str) -> None:
    """Set `version:` in deck.yaml, keeping the rest of the file exactly as the author wrote it."""
    text = read_bounded(path).decode("utf-8")
    line = f"version: {version}"
    if re.search(r"^version:.*$", text, re.M):
        text = re.sub(r"^version:.*$", line, text, count=1, flags=re.M)
    else:
        text = text.rstrip("\n") + f"\n{line}\n"
    atomic_write(path, text.encode("utf-8"))


def _prepend_changelog(path: Path, version: str, date: str, changes: Diff) -> None:
    old = read_bounded(path).decode("utf-8") if path.exists() else ""
    header = "# Changelog\n\n"
    body = old[len(header) :] if old.startswith(header) else old
    atomic_write(path, (header + changelog_entry(version, date, changes) + body).encode("utf-8"))


def changelog_entry(version: str, date: str, changes: Diff) -> str:
    """One release in readable Markdown, grouped by subdeck."""
    lines = [
        f"## {version} — {date}",
        "",
        f"{changes.counts().capitalize()}. In Anki, search"
        f" `tag:conceptdeck::release::{version}` to see the new and changed cards.",
    ]
    groups: dict[str, list[str]] = {}
    for label, items in (("New", changes.added), ("Updated", changes.updated)):
        for c in items:
            groups.setdefault(c.subdeck or "Deck", []).append(
                f"- **{label}:** {c.title} — {_short(c.prompt)} (`{c.key}`)"
            )
    for c in changes.renamed:
        groups.setdefault(c.subdeck or "Deck", []).append(
            f"- **Renamed:** {c.title} — `{c.was}` → `{c.key}`"
        )
    for c in changes.retired:
        groups.setdefault("Retired", []).append(
            f"- **Retired:** {c.title} (`{c.key}`): learners can delete it"
            " (search `tag:conceptdeck::retired`)"
        )
    for subdeck in sorted(groups, key=lambda s: (s == "Retired", s)):
        lines += ["", f"### {subdeck}", "", *groups[subdeck]]
    return "\n".join(lines) + "\n\n"


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
