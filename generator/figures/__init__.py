"""The figure engine: every figure a deck's cards show, in a light and a dark variant.

Figure functions only draw (see `generator.authoring`). The engine owns the rest: the house
style (`style`), what to render and the keys naming it (`jobs`), a verified cache (`cache`),
isolated worker processes with a time limit (`pool`, `render`), and the contact sheet (`sheet`).
matplotlib loads only in the workers, so a build whose figures are all cached never imports it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Diagnostic, Where
from . import jobs as planning
from .cache import FigureCache
from .jobs import Job
from .pool import ProgressFn, run

if TYPE_CHECKING:
    from ..validation import Concept, Deck


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
    sources: dict[str, Any] = {}
    found = {}
    for concept in deck.concepts:
        for name in used_figures(concept):
            spec = concept.spec.figures[name]
            if spec.image is not None:
                found[(concept.id, name)] = _digest(concept.images[name].data)
            else:
                assert spec.plot is not None
                where = concept.where("figures", name)
                pair = planning.plan(deck.functions[spec.plot], spec, where, deck.root, sources)
                found[(concept.id, name)] = _identity(pair)
    return found


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
    wanted = [
        (concept, name)
        for concept in deck.concepts
        for name in concept.spec.figures
        if (select(concept, name) if select else name in used_figures(concept))
    ]
    cache = FigureCache(cache_dir)
    sources: dict[str, Any] = {}
    variants: dict[tuple[str, str], list[Job]] = {}
    results: dict[Job, bytes] = {}
    pending: dict[Job, str] = {}
    for concept, name in wanted:
        spec = concept.spec.figures[name]
        if spec.plot is None:
            continue
        where = concept.where("figures", name)
        assert spec.plot is not None
        pair = planning.plan(deck.functions[spec.plot], spec, where, deck.root, sources)
        variants[(concept.id, name)] = pair
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
            if concept.where("figures", name) in failed:
                continue
            pair = variants[(concept.id, name)]
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
    return hashlib.sha256(data).hexdigest()[:12]
