"""The figure engine: every figure a deck's cards show, in a light and a dark variant.

Figure functions only draw (see `generator.authoring`). The engine owns the rest: the house
style (`style`), what to render and the keys naming it (`jobs`), a verified cache (`cache`),
isolated worker processes with a time limit (`pool`, `render`), and the contact sheet (`sheet`).
matplotlib loads only in the workers, so a build whose figures are all cached never imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Diagnostic, Where
from ..memo import digest

if TYPE_CHECKING:  # the planning, cache and pool modules load when a deck's figures are wanted
    from ..validation import Concept, Deck
    from .jobs import Job
    from .pool import ProgressFn


@dataclass(frozen=True)
class FigureMedia:
    """How a card shows one figure: media names of the light and dark variants, and alt text."""

    light: str
    dark: str
    alt: str
    identity: str = ""  # hash of what was drawn; the same on every machine, unlike the bytes


@dataclass(frozen=True)
class RenderReport:
    """What the engine did, for the build summary and the benchmark."""

    figures: int = 0
    rendered: int = 0
    cached: int = 0
    media_bytes: int = 0
    problems: tuple[Diagnostic, ...] = ()
    notices: tuple[str, ...] = ()  # the cache could not be used, or held damaged entries


@dataclass(frozen=True)
class Rendered:
    """The engine's result: per-figure media names, the media files by name, and the report."""

    placed: dict[tuple[str, str], FigureMedia]
    media: dict[str, bytes]
    report: RenderReport


def used_figures(concept: Concept) -> set[str]:
    """The figures of a concept that some card shows."""
    return {n for c in concept.spec.cards for n in (c.figure, c.prompt_figure) if n}


def figure_identities(deck: Deck) -> dict[tuple[str, str], str]:
    """What each figure a card shows is meant to be, without drawing it: for a drawn figure the
    code, call and style of both variants, for an image file its bytes."""
    wanted = _wanted(deck)
    drawn = _plan(deck, wanted)
    return {
        (concept.id, name): _identity(drawn[(concept.id, name)])
        if (concept.id, name) in drawn
        else _digest(concept.images[name].data)
        for concept, name in wanted
    }


def _wanted(
    deck: Deck, select: Callable[[Concept, str], bool] | None = None
) -> list[tuple[Concept, str]]:
    """The figures to render: those `select` picks, or else those some card shows."""
    wanted = []
    for concept in deck.concepts:
        used = used_figures(concept)
        for name in concept.spec.figures:
            if select(concept, name) if select else name in used:
                wanted.append((concept, name))
    return wanted


def _plan(deck: Deck, wanted: list[tuple[Concept, str]]) -> dict[tuple[str, str], list[Job]]:
    """Both variants of each drawn figure among `wanted` (image files need no plan)."""
    from . import jobs as planning

    sources: dict[str, Any] = {}  # module reads and hashes, shared by all the figures
    planned = {}
    for concept, name in wanted:
        spec = concept.spec.figures[name]
        if spec.plot is not None:
            where = concept.where("figures", name)
            function = deck.functions[spec.plot]
            planned[(concept.id, name)] = planning.plan(function, spec, where, deck.root, sources)
    return planned


def _identity(pair: list[Job]) -> str:
    return _digest("".join(j.identity() for j in pair).encode())


def render_figures(
    deck: Deck,
    *,
    cache_dir: Path | None,
    jobs: int = 0,
    progress: ProgressFn | None = None,
    select: Callable[[Concept, str], bool] | None = None,
) -> Rendered:
    """Render (or fetch from the cache) every figure the cards use, both variants.

    A figure that fails is reported in `report.problems`; the others are still rendered.
    """
    from .cache import FigureCache
    from .pool import run

    wanted = _wanted(deck, select)
    variants = _plan(deck, wanted)
    cache = FigureCache(cache_dir)
    results: dict[Job, bytes] = {}
    pending: dict[Job, str] = {}
    for pair in variants.values():
        for job in pair:
            key = job.cache_key()
            cached = cache.get(key)
            if cached is None:
                pending[job] = key
            else:
                results[job] = cached

    failed: dict[Where, Diagnostic] = {}  # one report per figure, not per variant
    for job, outcome in run(list(pending), jobs, progress):
        if isinstance(outcome, bytes):
            results[job] = outcome
            cache.put(pending[job], outcome)
        else:
            failed.setdefault(outcome.where, outcome)

    media: dict[str, bytes] = {}
    placed: dict[tuple[str, str], FigureMedia] = {}
    for concept, name in wanted:
        spec = concept.spec.figures[name]
        prefix = f"{deck.spec.id}-{concept.id}-{name}"
        if spec.image is not None:
            image = concept.images[name]
            identity = _digest(image.data)
            light = dark = f"{prefix}-{identity}{image.suffix}"
            media[light] = image.data
        else:
            pair = variants[(concept.id, name)]
            if pair[0].where in failed:
                continue
            # Named by what is drawn, not by the bytes: another machine's encoder, which may
            # turn the same picture into other bytes, gives the same name (and notes).
            light, dark = (f"{prefix}-{j.theme}-{j.identity()[:12]}.png" for j in pair)
            media[light], media[dark] = (results[j] for j in pair)
            identity = _identity(pair)
        placed[(concept.id, name)] = FigureMedia(light, dark, spec.alt, identity)
    rendered = sum(1 for job in pending if job in results)
    notices = list(cache.notices)
    if cache.repaired:
        notices.append(f"{cache.repaired} damaged figure cache entries were rendered again")
    report = RenderReport(
        figures=len(wanted),
        rendered=rendered,
        cached=len(results) - rendered,
        media_bytes=sum(len(b) for b in media.values()),
        problems=tuple(failed.values()),
        notices=tuple(notices),
    )
    return Rendered(placed, media, report)


def _digest(data: bytes) -> str:
    return digest(data)[:12]
