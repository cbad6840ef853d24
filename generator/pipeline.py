"""The build, start to finish: load → validate → render text → render figures → package → write.

This is the library's front door; the CLI only parses options and calls these functions.
Nothing is written unless every stage succeeded, so a failed build leaves earlier output intact.
A build whose inputs are exactly those of the last one returns its result without redoing it,
and the stages' heavier libraries (pydantic, markdown-it, genanki) load only when they run.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import ledger as state
from .diagnostics import ContentError, Diagnostic, Where
from .figures import ProgressFn, RenderReport, export_figures, render_figures
from .source import LEDGER_FILE

if TYPE_CHECKING:
    from .lint import RuleSelection
    from .schema import Deck

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
    up_to_date: bool = False  # nothing changed since the last build, which is still in place


def check(root: Path = DEFAULT_SOURCE, *, rules: RuleSelection | None = None) -> list[Diagnostic]:
    """Validate everything `build` would except running figure functions; write nothing.

    Raises ContentError listing every error; returns the lint warnings.
    """
    from .text import render_text

    deck, warnings = _validated(root, rules)
    _, problems = render_text(deck)
    if problems:
        raise ContentError(problems)
    return warnings


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
    root, cache_dir = Path(root), Path(cache_dir) if cache_dir else None
    options = {"output": str(output), "strict": strict, "rules": repr(rules)}
    inputs = state.fingerprint(root) if cache_dir else ""
    if cache_dir and (last := _last_build(cache_dir, root, options, inputs)):
        return last

    from .package import model_hashes, package, plan_notes
    from .text import render_text

    deck, warnings = _validated(root, rules)
    if strict and warnings:
        raise ContentError(warnings)
    cards, problems = render_text(deck)
    if problems:
        raise ContentError(problems)
    figures, media, report = render_figures(deck, cache_dir=cache_dir, jobs=jobs, progress=progress)
    if report.problems:
        raise ContentError(report.problems)
    notes = plan_notes(deck, cards, figures)
    previous = state.read_ledger(root / LEDGER_FILE)
    hashes = {n.key: (n.content_hash(), n.inputs_hash()) for n in notes} | model_hashes()
    if problems := _note_type_changes(deck, hashes, previous):
        raise ContentError(problems)
    ledger = previous.stamp(hashes, int(time.time()) if now is None else now)
    apkg = package(deck, notes, media, ledger)

    output = Path(output or Path("dist") / f"{deck.spec.id}.apkg")
    if (
        ledger != previous
    ):  # first: times that never ship are harmless, shipped unrecorded ones are not
        state.write_ledger(root / LEDGER_FILE, ledger)
    state.atomic_write(output, apkg)
    result = BuildResult(
        output=output,
        deck_name=deck.spec.name,
        concepts=len(deck.concepts),
        notes=len(notes),
        cards=sum(n.cards for n in notes),
        changed_notes=sum(1 for n in notes if _mod(previous, n.key) != _mod(ledger, n.key)),
        size=len(apkg),
        figures=report,
        warnings=warnings,
    )
    if cache_dir:
        _remember_build(cache_dir, root, options, inputs, result)
    return result


def _mod(ledger: state.Ledger, key: str) -> int | None:
    """The modification time a note ships with (None if new): what decides whether learners
    receive an update."""
    entry = ledger.entries.get(key)
    return entry[1] if entry else None


def _note_type_changes(
    deck: Deck, hashes: dict[str, tuple[str, str]], previous: state.Ledger
) -> list[Diagnostic]:
    """Cards that switched between cloze and prompt/answer since the last build.

    Anki cannot change a published note's type on import: the note would conflict and never
    update again. The hash of a note starts with its note type's id, so the switch is visible.
    """
    problems = []
    for concept in deck.concepts:
        for i, card in enumerate(concept.spec.cards):
            key = f"{concept.spec.id}/{card.id}"
            old = previous.entries.get(key)
            if old and ":" in old[0] and old[0].split(":")[0] != hashes[key][0].split(":")[0]:
                problems.append(
                    Diagnostic(
                        concept.where("cards", i, "kind"),
                        f"card '{card.id}' switched between cloze and prompt/answer since it was"
                        " published; Anki cannot change an existing note's type, so give it a new"
                        " id (learners keep the old card and its history)",
                    )
                )
    return problems


def _last_build(cache_dir: Path, root: Path, options: dict, inputs: str) -> BuildResult | None:
    """The previous build's result if its inputs and output are exactly as it left them."""
    record = state.read_build_record(cache_dir, root, options, inputs)
    if record is None or not state.output_unchanged(Path(record["output"]), record["output_stat"]):
        return None
    figures = RenderReport(**record["figures"])
    figures = dataclasses.replace(figures, rendered=0, cached=figures.rendered + figures.cached)
    warnings = [Diagnostic(Where(**d.pop("where")), **d) for d in record["warnings"]]
    fields = {k: v for k, v in record.items() if k not in ("figures", "warnings", "output_stat")}
    return BuildResult(
        **fields | {"output": Path(record["output"]), "changed_notes": 0, "up_to_date": True},
        figures=figures,
        warnings=warnings,
    )


def _remember_build(
    cache_dir: Path, root: Path, options: dict, inputs: str, result: BuildResult
) -> None:
    record = dataclasses.asdict(result)
    record["output"] = str(result.output)
    record["output_stat"] = state.output_stat(result.output)
    record["figures"].pop("problems")
    record.pop("up_to_date")
    state.write_build_record(cache_dir, root, options, inputs, record)


def contact_sheet(
    root: Path = DEFAULT_SOURCE,
    out_dir: Path = Path("figures-out"),
    *,
    only: str | None = None,
    cache_dir: Path | None = DEFAULT_CACHE,
    jobs: int = 0,
    progress: ProgressFn | None = None,
) -> tuple[list[Path], RenderReport]:
    """Render every figure, both variants, into `out_dir` with an index.html to look at them."""
    deck, _ = _validated(root, None)
    cache_dir = Path(cache_dir) if cache_dir else None
    written, report = export_figures(
        deck, Path(out_dir), cache_dir=cache_dir, jobs=jobs, only=only, progress=progress
    )
    if report.problems:
        raise ContentError(report.problems)
    return written, report


def load_deck(root: Path = DEFAULT_SOURCE) -> Deck:
    """The validated deck, for tools that inspect it (stats); raises ContentError on errors."""
    return _validated(root, None)[0]


def _validated(root: Path, rules: RuleSelection | None) -> tuple[Deck, list[Diagnostic]]:
    from .lint import lint
    from .schema import validate
    from .source import load

    deck, problems = validate(load(Path(root)))
    errors = [p for p in problems if p.severity == "error"]
    if deck is None or errors:
        raise ContentError(errors or problems)
    return deck, lint(deck, rules)


CORE_KINDS = ("attribute", "contrast", "mechanism", "consequence", "failure")


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
    """Cards by kind, figures and missing core kinds per concept: where the deck is thin."""
    rows = []
    for concept in load_deck(root).concepts:
        kinds: dict[str, int] = {}
        for card in concept.spec.cards:
            kinds[card.kind] = kinds.get(card.kind, 0) + 1
        rows.append(
            ConceptStats(
                id=concept.spec.id,
                deck=concept.deck_name,
                cards=len(concept.spec.cards),
                kinds=kinds,
                figures=len(concept.spec.figures),
                missing=tuple(k for k in CORE_KINDS if k not in kinds),
            )
        )
    return rows


def new_concept(concept_id: str, folder: Path = DEFAULT_SOURCE, title: str | None = None) -> Path:
    """Write a concept skeleton whose TODOs `check` reports as errors until they are replaced."""
    from .schema import SLUG_PATTERN

    if not re.fullmatch(SLUG_PATTERN, concept_id):
        raise ValueError(
            f"'{concept_id}' is not a valid concept id: use lowercase letters, digits and hyphens"
        )
    path = Path(folder) / f"{concept_id}.yaml"
    if path.exists():
        raise FileExistsError(f"{path} already exists; not overwriting it")
    title = title or concept_id.replace("-", " ").capitalize()
    function = concept_id.replace("-", "_") + "_picture"

    def quote(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML scalar

    cards = "".join(
        f"  - id: {card_id}\n    kind: {kind}\n    prompt: {quote('TODO: ' + question)}\n"
        f"    answer: {quote('TODO: ' + answer)}\n"
        for card_id, kind, question, answer in [
            ("what-it-keeps", "attribute", f"What is always true of {title}?", "one phrase"),
            (
                "versus-neighbour",
                "contrast",
                f"What does {title} capture that its nearest neighbour does not?",
                "one phrase",
            ),
            ("why-it-works", "mechanism", f"Why does {title} work?", "one sentence"),
            ("if-it-changes", "consequence", f"What happens to {title} if ...?", "one sentence"),
            (
                "when-it-misleads",
                "failure",
                f"When does {title} give a wrong picture?",
                "one sentence",
            ),
        ]
    )
    text = (
        f"id: {concept_id}\n"
        f"title: {quote(title)}\n"
        "intuition: >-\n  TODO: the mental model in one to three sentences.\n"
        "related: []\n"
        'sources:\n  - {title: "TODO: a textbook section, paper or article"}\n'
        "figures:\n"
        "  main:\n"
        f"    plot: {function}  # define it with @figure in a .py file next to this one\n"
        '    alt: "TODO: what the picture shows"\n'
        f"cards:\n{cards}"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return path
