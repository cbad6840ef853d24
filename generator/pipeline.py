"""The build, start to finish: load → validate → identify → lint → render text → render figures
→ plan notes → stamp the lock → package → write.

This is the library's front door; the CLI only parses options and calls these functions. `check`
runs every stage that does not draw figures or write, so it refuses exactly what `build` would.
Nothing is written unless every stage succeeded, so a failed build leaves earlier output intact.
A build whose inputs are exactly those of the last one returns its result at once, and the
stages' heavier libraries (pydantic, markdown-it, genanki, matplotlib) load only when they run.
"""

from __future__ import annotations

import gc
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ContentError, Diagnostic, FileAccessError, Where
from .figures import RenderReport
from .files import DECK_FILE, LOCK_FILE, atomic_write, read_bounded

if TYPE_CHECKING:
    from .figures import FigureMedia
    from .figures.pool import ProgressFn
    from .identity import Identities
    from .lint import RuleSelection
    from .lock import Lock, Release
    from .memo import Memo
    from .notes import Note
    from .package import PlannedNote
    from .text import DeckText
    from .validation import Deck

DEFAULT_SOURCE = Path("concepts")
DEFAULT_CACHE = Path(".conceptdeck-cache")


@dataclass(frozen=True)
class BuildResult:
    """What a build produced, for the summary line and for callers that want numbers."""

    output: Path
    deck_name: str
    concepts: int
    notes: int
    cards: int
    changed_notes: int
    size: int
    figures: RenderReport
    warnings: list[Diagnostic] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    up_to_date: bool = False  # nothing changed since the last build, which is still in place

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        record["output"] = str(self.output)
        record["figures"].pop("problems")
        record["warnings"] = [d.as_json() for d in self.warnings]
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> BuildResult:
        """The recorded build, as an up-to-date result: nothing rendered, nothing changed."""
        figures = RenderReport(**record["figures"])
        figures = replace(figures, rendered=0, cached=figures.rendered + figures.cached, notices=())
        warnings = [
            Diagnostic(
                Where(d["path"], d["line"], d["col"]),
                d["message"],
                d["severity"],
                d["code"] or "",
                d["hint"] or "",
            )
            for d in record["warnings"]
        ]
        plain = {k: record[k] for k in ("deck_name", "concepts", "notes", "cards", "size")}
        return cls(
            output=Path(record["output"]),
            changed_notes=0,
            figures=figures,
            warnings=warnings,
            up_to_date=True,
            **plain,
        )


@dataclass(frozen=True)
class Prepared:
    """Everything `check` establishes: the deck, its lock and identities, lint, rendered text."""

    deck: Deck
    lock: Lock
    identities: Identities
    warnings: list[Diagnostic]
    text: DeckText


def check(
    root: Path = DEFAULT_SOURCE,
    *,
    rules: RuleSelection | None = None,
    cache_dir: Path | None = None,
) -> list[Diagnostic]:
    """Everything `build` checks except running figure functions; writes nothing but, with a
    cache folder, what it learned about each file (so the next check re-does only edits).

    Raises ContentError listing every error; returns the lint warnings.
    """
    from .memo import Memo

    with _no_cycle_collection():
        memo = Memo.for_deck(cache_dir, Path(root))
        warnings = prepare(root, rules, memo).warnings
        memo.save()
    return warnings


def prepare(
    root: Path = DEFAULT_SOURCE, rules: RuleSelection | None = None, memo: Memo | None = None
) -> Prepared:
    """Load, validate, identify, lint and render the text of the deck at `root`."""
    from .identity import resolve
    from .lint import lint
    from .lock import read_lock
    from .text import render_text

    deck = load_deck(root, memo)
    lock = read_lock(Path(root) / LOCK_FILE)
    identities, problems = resolve(deck, lock)
    text = render_text(deck, memo)
    errors = [p for p in problems + text.problems if p.severity == "error"]
    if errors:
        raise ContentError(errors)
    warnings = [p for p in problems if p.severity == "warning"] + lint(deck, rules, memo)
    return Prepared(deck, lock, identities, sorted(warnings), text)


def load_deck(root: Path = DEFAULT_SOURCE, memo: Memo | None = None) -> Deck:
    """The validated deck; raises ContentError listing every problem."""
    from .source import load
    from .validation import validate

    deck, problems = validate(load(Path(root), memo), memo)
    errors = [p for p in problems if p.severity == "error"]
    if deck is None or errors:
        raise ContentError(errors or problems)
    return deck


@dataclass(frozen=True)
class Compiled:
    """A package and the lock that goes with it, made in memory: nothing is written yet."""

    prepared: Prepared
    apkg: bytes
    lock: Lock
    notes: list[Note]
    planned: list[PlannedNote]  # each note's fields, tags and time, as packaged
    media: dict[str, bytes]
    figures: dict[tuple[str, str], FigureMedia]  # how each figure is shown, by (concept, name)
    description: str  # the deck's overview, as Anki shows it
    changed_notes: int
    report: RenderReport
    notices: list[str]


def compile_deck(
    root: Path,
    output: Path,
    *,
    cache_dir: Path | None,
    jobs: int = 0,
    progress: ProgressFn | None = None,
    rules: RuleSelection | None = None,
    strict: bool = False,
    now: int | None = None,
    release: Release | None = None,
    prepared: Prepared | None = None,
) -> Compiled:
    """Every stage of a build up to the bytes of the package and the lock, writing nothing;
    with `release`, the package and lock of publishing the deck as that release. A caller that
    has already prepared the deck at `root` passes it, so it is not loaded and linted again."""
    from . import package
    from .figures import render_figures
    from .lock import stamp
    from .memo import Memo
    from .notes import notes as deck_notes
    from .text import deck_description

    memo = Memo.for_deck(cache_dir, Path(root))
    if prepared is None:
        prepared = prepare(root, rules, memo)
    deck, lock = prepared.deck, prepared.lock
    if strict and prepared.warnings:
        raise ContentError(prepared.warnings)
    rendered = render_figures(deck, cache_dir=cache_dir, jobs=jobs, progress=progress)
    if rendered.report.problems:
        raise ContentError(rendered.report.problems)
    identities = {key: media.identity for key, media in rendered.placed.items()}
    notes = deck_notes(deck, prepared.identities, identities)
    now = int(time.time()) if now is None else now
    stamped = stamp(lock, notes, package.note_type_hashes(), now, release)
    texts = {f"{t.concept.id}/{t.card.id}": t for t in prepared.text.cards}
    planned = package.plan(deck.spec.id, notes, texts, rendered.placed, stamped)
    notices = [*lock.notices, *rendered.report.notices]
    if not lock.exists and output.is_file():
        stamped, planned, notice = _recover_times(output, stamped, planned, now)
        notices.append(notice)
    memo.save()
    description = deck_description(
        deck.spec,
        prepared.text.description,
        stamped.last_release,
        release.version if release else "",
    )
    apkg = package.package(deck.spec.name, description, planned, rendered.media, stamped)
    return Compiled(
        prepared=prepared,
        apkg=apkg,
        lock=stamped,
        notes=notes,
        planned=planned,
        media=rendered.media,
        figures=rendered.placed,
        description=description,
        changed_notes=sum(1 for n in planned if _shipped_mod(lock, n.key) != n.mod),
        report=rendered.report,
        notices=notices,
    )


def build(
    root: Path = DEFAULT_SOURCE,
    output: Path | None = None,
    *,
    cache_dir: Path | None = DEFAULT_CACHE,
    jobs: int = 0,
    progress: ProgressFn | None = None,
    rules: RuleSelection | None = None,
    strict: bool = False,
    now: int | None = None,
) -> BuildResult:
    """Compile the deck folder `root` into an .apkg (default `dist/<deck id>.apkg`)."""
    from . import uptodate

    root, cache_dir = Path(root), Path(cache_dir) if cache_dir else None
    options = {"output": str(output), "strict": strict, "rules": asdict(rules) if rules else None}
    inputs = uptodate.fingerprint(root) if cache_dir else ""
    if cache_dir and (record := uptodate.read_record(cache_dir, root, options, inputs)):
        return BuildResult.from_record(record)

    output = Path(output or default_output(root))
    with _no_cycle_collection():
        compiled = compile_deck(
            root,
            output,
            cache_dir=cache_dir,
            jobs=jobs,
            progress=progress,
            rules=rules,
            strict=strict,
            now=now,
        )
    write(root, compiled, output)
    result = compiled_result(compiled, output)
    if cache_dir:
        uptodate.write_record(cache_dir, root, options, inputs, result.to_record())
    return result


def write(root: Path, compiled: Compiled, output: Path) -> None:
    """Write the lock (when it changed) and then the package, each atomically. The lock first:
    times that never ship are harmless, shipped unrecorded ones are not."""
    from .lock import write_lock

    old = compiled.prepared.lock
    if not compiled.lock.same_as(old) or old.notices or not old.exists:
        write_lock(Path(root) / LOCK_FILE, compiled.lock)
    atomic_write(output, compiled.apkg)


def compiled_result(compiled: Compiled, output: Path) -> BuildResult:
    deck = compiled.prepared.deck
    return BuildResult(
        output=output,
        deck_name=deck.spec.name,
        concepts=len(deck.concepts),
        notes=len(compiled.notes),
        cards=sum(n.cards for n in compiled.notes),
        changed_notes=compiled.changed_notes,
        size=len(compiled.apkg),
        figures=compiled.report,
        warnings=compiled.prepared.warnings,
        notices=compiled.notices,
    )


def default_output(root: Path) -> Path:
    """Where a deck's package goes unless told otherwise: `dist/<deck id>.apkg`."""
    return Path("dist") / f"{_deck_id(root)}.apkg"


def _deck_id(root: Path) -> str:
    """The deck's id for the default output name, read without validating (validation follows)."""
    try:
        text = read_bounded(Path(root) / DECK_FILE).decode("utf-8", "replace")
    except FileAccessError:
        return "deck"
    found = re.search(r"^id:[ \t]*['\"]?([a-z0-9-]+)", text, re.M)
    return found.group(1) if found else "deck"


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector, paused while a build holds a large deck in memory: the
    pipeline makes no reference cycles worth collecting, and on a 10,000-card deck the
    collector's repeated scans of everything allocated cost a quarter of an edit's build."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _shipped_mod(lock: Lock, key: str) -> int | None:
    """The time a note had in the previous lock (None if new): what decides whether learners
    receive an update."""
    entry = lock.entries.get(key)
    return entry.mod if entry else None


def _recover_times(output: Path, stamped: Lock, planned: list, now: int) -> tuple[Lock, list, str]:
    """With no lock, take each note's time from the package at the output path, the last one
    learners may have imported, instead of stamping every note as new (which would overwrite
    their own edits on every note the author never touched)."""
    from .package import read_package, same_content

    try:
        previous = read_package(output)
    except FileAccessError as exc:
        return stamped, planned, f"no conceptdeck.lock, and nothing to recover from: {exc}"
    entries, kept, moved, fixed = dict(stamped.entries), 0, 0, []
    for note in planned:
        old = previous.get(note.guid)
        if old is None:
            fixed.append(note)
            continue
        same = same_content(note, old)
        mod = old.mod if same else max(now, old.mod + 1)
        kept, moved = kept + same, moved + (not same)
        entries[note.key] = replace(entries[note.key], mod=mod)
        fixed.append(replace(note, mod=mod))
    notice = (
        f"no conceptdeck.lock: took note times from {output} ({kept} unchanged, {moved} changed);"
        " commit the new lock with the deck"
    )
    return replace(stamped, entries=entries), fixed, notice


def contact_sheet(
    root: Path = DEFAULT_SOURCE,
    out_dir: Path = Path("figures-out"),
    *,
    only: str | None = None,
    cache_dir: Path | None = DEFAULT_CACHE,
    jobs: int = 0,
    progress: ProgressFn | None = None,
) -> tuple[list[Path], RenderReport]:
    """Render every figure, both variants, into `out_dir` with an index.html to look at them.

    What renders is written even when some figures fail; those raise ContentError afterwards.
    """
    from .figures.sheet import export_figures

    deck = load_deck(root)
    written, rendered = export_figures(
        deck,
        Path(out_dir),
        cache_dir=Path(cache_dir) if cache_dir else None,
        jobs=jobs,
        only=only,
        progress=progress,
    )
    if rendered.report.problems:
        raise ContentError(rendered.report.problems)
    return written, rendered.report
