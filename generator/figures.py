"""The figure engine: the only module that talks to matplotlib.

Figure functions only draw on the Axes they are given. Everything that makes figures consistent
and cheap lives here: the house style (phone-sized, colour-blind-safe, light and dark variants),
seeding, byte-deterministic PNGs, a content-addressed cache, and a process pool. matplotlib is
imported lazily, inside the render path, so a build whose figures are all cached never pays the
half-second it costs to import.
"""

from __future__ import annotations

import fnmatch
import hashlib
import html
import importlib.util
import io
import json
import os
import re
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .diagnostics import Diagnostic, Where, display_path

if TYPE_CHECKING:  # the schema (and pydantic) load only when a build validates sources
    from .schema import Concept, Deck, FigureSpec

# --- the house style ------------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    """Colours of one variant. Figure functions may take a `theme` argument to use them directly;
    `C0`..`C5` in matplotlib colour strings name the same palette."""

    name: str
    background: str
    foreground: str
    muted: str
    grid: str
    palette: tuple[str, ...]
    cmap: str  # the default colormap's name; pass `cmap=theme.cmap` to contour/imshow if needed


# Okabe–Ito hues (safe for the common colour-vision deficiencies), each lightened for dark mode
# so C0 means "the blue one" in both variants.
LIGHT = Theme(
    "light",
    "#ffffff",
    "#1f2328",
    "#6e7781",
    "#e6e8eb",
    ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9"),
    "cd_light",
)
DARK = Theme(
    "dark",
    "#2b2b2b",
    "#e8e8e8",
    "#a0a0a0",
    "#404040",
    ("#56B4E9", "#F08A4B", "#2FC79A", "#F0C24B", "#E0A3C8", "#9ECAE9"),
    "cd_dark",
)
THEMES = (LIGHT, DARK)
SHAPES = {"wide": (5.0, 3.2), "square": (5.0, 4.4)}  # inches; at DPI this is 1200 px wide
DPI = 240
TIMEOUT_SECONDS = 60
_ENGINE_HASH = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def _register_colormaps() -> None:
    """viridis, trimmed so neither end fades into the background: the light variant drops the
    pale yellow end, the dark variant the near-black purple end."""
    import matplotlib
    import numpy as np
    from matplotlib.colors import ListedColormap

    if "cd_light" in matplotlib.colormaps:
        return
    viridis = matplotlib.colormaps["viridis"]
    matplotlib.colormaps.register(
        ListedColormap(viridis(np.linspace(0.0, 0.85, 256)), name="cd_light")
    )
    matplotlib.colormaps.register(
        ListedColormap(viridis(np.linspace(0.25, 1.0, 256)), name="cd_dark")
    )


def _rc(theme: Theme) -> dict[str, Any]:
    from cycler import cycler

    _register_colormaps()

    return {
        "font.size": 12,
        "axes.titlesize": 13,
        "axes.labelsize": 12,
        "xtick.labelsize": 11,
        "ytick.labelsize": 11,
        "legend.fontsize": 11,
        "legend.frameon": False,
        "figure.facecolor": theme.background,
        "axes.facecolor": theme.background,
        "savefig.facecolor": theme.background,
        "text.color": theme.foreground,
        "axes.labelcolor": theme.foreground,
        "axes.edgecolor": theme.muted,
        "xtick.color": theme.muted,
        "ytick.color": theme.muted,
        "xtick.labelcolor": theme.foreground,
        "ytick.labelcolor": theme.foreground,
        "grid.color": theme.grid,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": cycler(color=list(theme.palette)),
        "lines.linewidth": 2.4,
        "lines.markersize": 6,
        "patch.edgecolor": theme.foreground,
        "image.cmap": theme.cmap,
        "axes.titlelocation": "left",
        "svg.hashsalt": "conceptdeck",
    }


def figure(function: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a function as a figure a concept can name in `plot:`.

    The function draws on the Axes it receives as its first argument (or on the Figure, if that
    parameter is named `fig`), takes its YAML `args` as keywords, and may ask for `rng` (a seeded
    `numpy.random.Generator`) and `theme` (the variant's colours). It must not save, size or show.
    """
    function.__conceptdeck_figure__ = True  # type: ignore[attr-defined]
    return function


def bare(ax: Any) -> None:
    """Drop ticks and spines: for pictures about shape, where the axes' numbers do not matter."""
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)


def arrow(
    ax: Any,
    tail: Any,
    tip: Any,
    color: str = "C0",
    *,
    lw: float = 2.4,
    ls: str = "-",
    style: str = "-|>",
    zorder: float = 3,
) -> None:
    """A straight arrow from `tail` to `tip` in data coordinates, touching both ends exactly
    (matplotlib's annotate leaves gaps by default): vectors, steps and directions."""
    ax.annotate(
        "",
        xy=tuple(tip),
        xytext=tuple(tail),
        arrowprops={
            "arrowstyle": style,
            "color": color,
            "lw": lw,
            "linestyle": ls,
            "shrinkA": 0,
            "shrinkB": 0,
            "mutation_scale": 18,
        },
        zorder=zorder,
    )


# --- what to render ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One variant of one drawn figure: everything that determines its pixels."""

    module: str  # path of the .py file
    function: str
    args: str  # canonical JSON
    theme: str
    shape: str
    seed: int
    where: Where  # the figure's YAML entry, for errors
    label: str  # concept/figure, for progress and the contact sheet

    def cache_key(self, module_hash: str, mpl_version: str) -> str:
        parts = [
            _ENGINE_HASH,
            mpl_version,
            module_hash,
            self.function,
            self.args,
            self.theme,
            self.shape,
            DPI,
            self.seed,
        ]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


@dataclass(frozen=True)
class FigureMedia:
    """How a card shows one figure: media names of the light and dark variants, and alt text."""

    light: str
    dark: str
    alt: str


@dataclass(frozen=True)
class RenderReport:
    """What the engine did, for the build summary and the benchmark."""

    figures: int = 0
    rendered: int = 0
    cached: int = 0
    media_bytes: int = 0
    problems: tuple[Diagnostic, ...] = ()


ProgressFn = Callable[[int, int], None]


def render_figures(
    deck: Deck,
    *,
    cache_dir: Path | None,
    jobs: int = 0,
    progress: ProgressFn | None = None,
    select: Callable[[Concept, str], bool] | None = None,
) -> tuple[dict[tuple[str, str], FigureMedia], dict[str, bytes], RenderReport]:
    """Render (or fetch from cache) every figure the cards use, both variants.

    Returns the per-figure media names, the media files by name, and a report whose `problems`
    list every figure that failed (the others are still rendered).
    """
    wanted = _wanted(deck, select)
    module_hashes: dict[str, str] = {}
    mpl_version = _mpl_version()
    pending: dict[Job, str] = {}
    results: dict[Job, bytes] = {}
    static: dict[tuple[str, str], bytes] = {}

    for concept, name, spec in wanted:
        where = concept.where("figures", name)
        if spec.image is not None:
            from .schema import image_path

            path = image_path(deck.root, concept.file.path, spec.image)
            assert path is not None, "validated by schema"
            static[(concept.spec.id, name)] = path.read_bytes()
            continue
        for job in _jobs(deck, concept, name, spec, where):
            if job.module not in module_hashes:
                module_hashes[job.module] = hashlib.sha256(
                    Path(job.module).read_bytes()
                ).hexdigest()
            key = job.cache_key(module_hashes[job.module], mpl_version)
            cached = _cache_get(cache_dir, key)
            if cached is None:
                pending[job] = key
            else:
                results[job] = cached

    failed: dict[Where, Diagnostic] = {}  # one report per figure, not per variant
    for job, outcome in _run(list(pending), jobs, progress):
        if isinstance(outcome, bytes):
            results[job] = outcome
            _cache_put(cache_dir, pending[job], outcome)
        else:
            failed.setdefault(outcome.where, outcome)

    media: dict[str, bytes] = {}
    placed: dict[tuple[str, str], FigureMedia] = {}
    for concept, name, spec in wanted:
        prefix = f"{deck.spec.id}-{concept.spec.id}-{name}"
        if spec.image is not None:
            data = static[(concept.spec.id, name)]
            suffix = Path(spec.image).suffix.lower()
            light = dark = f"{prefix}-{_digest(data)}{suffix}"
            media[light] = data
        else:
            if concept.where("figures", name) in failed:
                continue
            by_theme = {
                j.theme: results[j]
                for j in _jobs(deck, concept, name, spec, concept.where("figures", name))
            }
            light = f"{prefix}-light-{_digest(by_theme['light'])}.png"
            dark = f"{prefix}-dark-{_digest(by_theme['dark'])}.png"
            media[light], media[dark] = by_theme["light"], by_theme["dark"]
        placed[(concept.spec.id, name)] = FigureMedia(light, dark, spec.alt)
    report = RenderReport(
        figures=len(wanted),
        rendered=sum(1 for job in pending if job in results),
        cached=len(results) - sum(1 for job in pending if job in results),
        media_bytes=sum(len(b) for b in media.values()),
        problems=tuple(failed.values()),
    )
    return placed, media, report


def _wanted(
    deck: Deck, select: Callable[[Concept, str], bool] | None
) -> list[tuple[Concept, str, FigureSpec]]:
    """Figures cards refer to (or, with `select`, the figures it picks)."""
    chosen = []
    for concept in deck.concepts:
        used = {n for c in concept.spec.cards for n in (c.figure, c.prompt_figure) if n}
        for name, spec in concept.spec.figures.items():
            if select(concept, name) if select else name in used:
                chosen.append((concept, name, spec))
    return chosen


def _jobs(deck: Deck, concept: Concept, name: str, spec: FigureSpec, where: Where) -> list[Job]:
    assert spec.plot is not None
    plot = deck.plots[spec.plot]
    args = json.dumps(spec.args, sort_keys=True, separators=(",", ":"))
    seed = int(hashlib.sha256(f"{spec.plot}:{args}".encode()).hexdigest()[:8], 16)
    return [
        Job(
            str(plot.path),
            spec.plot,
            args,
            theme.name,
            spec.shape,
            seed,
            where,
            f"{concept.spec.id}/{name}",
        )
        for theme in THEMES
    ]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def _mpl_version() -> str:
    """matplotlib's version, for cache keys, without importing matplotlib (or the slower
    importlib.metadata): read from its `_version.py`, else from the installed metadata."""
    spec = importlib.util.find_spec("matplotlib")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        try:
            found = re.search(
                r"version\s*=\s*['\"]([^'\"]+)", (Path(folder) / "_version.py").read_text()
            )
        except OSError:
            continue
        if found:
            return found.group(1)
    from importlib import metadata

    return metadata.version("matplotlib")


def _cache_get(cache_dir: Path | None, key: str) -> bytes | None:
    if cache_dir is None:
        return None
    try:
        return (cache_dir / key[:2] / f"{key}.png").read_bytes()
    except OSError:
        return None


def _cache_put(cache_dir: Path | None, key: str, data: bytes) -> None:
    if cache_dir is None:
        return
    folder = cache_dir / key[:2]
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{key}.{os.getpid()}.tmp"
    tmp.write_bytes(data)
    os.replace(tmp, folder / f"{key}.png")


# --- rendering --------------------------------------------------------------------------------


def _run(jobs: list[Job], workers: int, progress: ProgressFn | None):
    """Yield (job, png bytes or Diagnostic), in a process pool when it pays off."""
    total = len(jobs)
    workers = min(workers or os.cpu_count() or 1, total)
    if total and progress:
        progress(0, total)
    if workers <= 1:
        for done, job in enumerate(jobs, 1):
            yield job, render_job(job)
            if progress:
                progress(done, total)
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed  # only when there is work

    with ProcessPoolExecutor(max_workers=workers, initializer=_warm_up) as pool:
        futures = {pool.submit(render_job, job): job for job in jobs}
        for done, future in enumerate(as_completed(futures), 1):
            yield futures[future], future.result()
            if progress:
                progress(done, total)


def _warm_up() -> None:
    import matplotlib.figure  # noqa: F401  # pay the import once per worker, before the first job


_modules: dict[str, tuple[str, Any]] = {}


def _load_module(path: str) -> Any:
    """Import a figure module by path, again whenever its source changed (long-lived processes)."""
    source = Path(path).read_bytes()
    digest = hashlib.sha256(source).hexdigest()
    if path not in _modules or _modules[path][0] != digest:
        name = "conceptdeck_figures_" + hashlib.sha1(path.encode()).hexdigest()[:10]
        folder = str(Path(path).parent)
        if folder not in sys.path:
            sys.path.insert(0, folder)
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        _modules[path] = (digest, module)
    return _modules[path][1]


def render_job(job: Job) -> bytes | Diagnostic:
    """Draw one variant and return its PNG bytes, or a Diagnostic naming where it failed."""
    import numpy as np
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    theme = LIGHT if job.theme == "light" else DARK
    try:
        with _time_limit(TIMEOUT_SECONDS), rc_context(_rc(theme)):
            function = getattr(_load_module(job.module), job.function)
            fig = Figure(figsize=SHAPES[job.shape], dpi=DPI, layout="constrained")
            wants = function.__code__.co_varnames[
                : function.__code__.co_argcount + function.__code__.co_kwonlyargcount
            ]
            target = fig if wants and wants[0] == "fig" else fig.add_subplot()
            extra: dict[str, Any] = {}
            if "rng" in wants:
                extra["rng"] = np.random.default_rng(job.seed)
            if "theme" in wants:
                extra["theme"] = theme
            function(target, **json.loads(job.args), **extra)
            if not any(ax.has_data() or ax.texts or ax.images for ax in fig.axes) and not fig.texts:
                return Diagnostic(job.where, f"figure function '{job.function}' drew nothing")
            canvas = FigureCanvasAgg(fig)
            canvas.draw()  # straight to pixels: encoding a PNG only to decode it again is waste
            pixels = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    except Exception as exc:  # any failure in user code becomes a diagnostic
        return Diagnostic(job.where, _describe_failure(job, exc))
    return _encode(pixels.convert("RGB"))


def _describe_failure(job: Job, exc: BaseException) -> str:
    module = Path(job.module).resolve()
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve() == module
    ]
    at = f" at {display_path(Path(job.module))}:{frames[-1].lineno}" if frames else ""
    return f"figure function '{job.function}' failed{at}: {type(exc).__name__}: {exc}"


class _TimeLimit:
    def __init__(self, seconds: int):
        self.seconds = seconds
        self.armed = threading.current_thread() is threading.main_thread() and hasattr(
            signal, "SIGALRM"
        )

    def __enter__(self) -> None:
        if self.armed:
            self.previous = signal.signal(signal.SIGALRM, self._expire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)

    def _expire(self, *_: object) -> None:
        raise TimeoutError(f"took longer than {self.seconds} s")


def _time_limit(seconds: int) -> _TimeLimit:
    return _TimeLimit(seconds)


def _encode(image: Any) -> bytes:
    """A small PNG without visible loss: an exact palette when the image has at most 256
    colours, otherwise a 256-colour octree palette (mean error under one level in 255 on the
    bundled figures; a third smaller than RGB and several times faster than median cut)."""
    from PIL import Image

    colours = image.getcolors(maxcolors=256)
    if colours is not None:
        palette = Image.new("P", (1, 1))
        flat = [channel for _, rgb in colours for channel in rgb]
        palette.putpalette(flat + [0] * (768 - len(flat)))
        image = image.quantize(palette=palette, dither=Image.Dither.NONE)
    else:
        image = image.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- the contact sheet ------------------------------------------------------------------------


def export_figures(
    deck: Deck,
    out_dir: Path,
    *,
    cache_dir: Path | None,
    jobs: int = 0,
    only: str | None = None,
    progress: ProgressFn | None = None,
) -> tuple[list[Path], RenderReport]:
    """Render every figure (both variants) into `out_dir` with an index.html contact sheet."""

    def select(concept: Concept, name: str) -> bool:
        return (
            only is None
            or fnmatch.fnmatch(f"{concept.spec.id}/{name}", only)
            or fnmatch.fnmatch(name, only)
        )

    placed, media, report = render_figures(
        deck, cache_dir=cache_dir, jobs=jobs, progress=progress, select=select
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in sorted(media.items()):
        (out_dir / name).write_bytes(data)
        written.append(out_dir / name)
    rows = []
    for (concept_id, name), fig in sorted(placed.items()):
        rows.append(
            f"<figure><figcaption><b>{html.escape(concept_id)}/{html.escape(name)}</b> — {html.escape(fig.alt)}"
            f'</figcaption><div class="pair"><img src="{html.escape(fig.light)}" alt="">'
            f'<img class="dark" src="{html.escape(fig.dark)}" alt=""></div></figure>'
        )
    index = out_dir / "index.html"
    index.write_text(
        "<!doctype html><meta charset=utf-8><title>Figures</title><style>"
        "body{font-family:system-ui;margin:2em;background:#f4f4f4}figure{margin:0 0 2em}"
        ".pair{display:flex;gap:1em;flex-wrap:wrap}.pair img{width:min(600px,100%);border:1px solid #ccc}"
        ".dark{background:#2b2b2b}</style>" + "".join(rows),
        encoding="utf-8",
    )
    written.append(index)
    return written, report
