"""Drawing one job into PNG bytes. This runs only inside a worker process (see `pool`), so
whatever a figure function does (exit, crash, change directory, print, loop forever) cannot
touch the build that asked for it.

The only module of conceptdeck that imports matplotlib. It does so at the top, so the worker
processes' parent can load it once and hand every worker a warm copy.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import json
import sys
import traceback
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.figure
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from ..errors import Diagnostic
from .jobs import Job
from .style import DPI, SHAPES, THEME_BY_NAME, rc

_modules: dict[str, tuple[str, Any]] = {}


def render(job: Job) -> bytes | Diagnostic:
    """Draw one variant and return its PNG bytes, or a Diagnostic naming where it failed."""
    theme = THEME_BY_NAME[job.theme]
    with matplotlib.rc_context(), contextlib.redirect_stdout(io.StringIO()):
        # The house style on matplotlib's defaults, not a user's rc file; a stray print in the
        # author's code must not garble the CLI.
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(rc(theme))
        try:
            function = getattr(_load_module(job.module, job.module_digest), job.function)
        except BaseException as exc:  # importing the author's module may raise anything
            return Diagnostic(job.where, _describe_failure(job, exc))
        fig = matplotlib.figure.Figure(figsize=SHAPES[job.shape], dpi=DPI, layout="constrained")
        target = fig if job.target == "fig" else fig.add_subplot()
        extra: dict[str, Any] = {}
        if job.wants_rng:
            extra["rng"] = np.random.default_rng(job.seed)
        if job.wants_theme:
            extra["theme"] = theme
        try:  # only the author's code: an engine bug must surface as a bug, not as "your figure"
            function(target, **json.loads(job.args), **extra)
        except BaseException as exc:  # sys.exit included: it is the author's code that ended
            return Diagnostic(job.where, _describe_failure(job, exc))
        if not any(ax.has_data() or ax.texts or ax.images for ax in fig.axes) and not fig.texts:
            return Diagnostic(job.where, f"figure function '{job.function}' drew nothing")
        try:
            canvas = FigureCanvasAgg(fig)
            canvas.draw()  # straight to pixels: encoding a PNG only to decode it again is waste
        except Exception as exc:  # what the author drew can fail to lay out or draw
            return Diagnostic(job.where, _describe_failure(job, exc, drawing=True))
        pixels = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
        return encode(pixels.convert("RGB"))


def encode(image: Image.Image) -> bytes:
    """A small PNG without visible loss: an exact palette when the image has at most 256
    colours, otherwise a 256-colour octree palette (mean error under one level in 255 on the
    bundled figures; a third smaller than RGB and several times faster than median cut)."""
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


def _load_module(path: str, digest: str) -> Any:
    """Import a figure module by path, again whenever it or a helper it imports changed.

    Its folder is importable while it loads, so it can use helper modules next to it; those
    helpers are then dropped from `sys.modules`, so two folders' `helpers.py` never mix.
    """
    if path not in _modules or _modules[path][0] != digest:
        name = "conceptdeck_figures_" + hashlib.sha1(path.encode()).hexdigest()[:10]
        folder = str(Path(path).resolve().parent)
        before = set(sys.modules)
        sys.path.insert(0, folder)
        try:
            spec = importlib.util.spec_from_file_location(name, path)
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        finally:
            if folder in sys.path:
                sys.path.remove(folder)
            for loaded in set(sys.modules) - before - {name}:
                if str(getattr(sys.modules[loaded], "__file__", "") or "").startswith(folder):
                    del sys.modules[loaded]
        _modules[path] = (digest, module)
    return _modules[path][1]


def _describe_failure(job: Job, exc: BaseException, *, drawing: bool = False) -> str:
    module = Path(job.module).resolve()
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve() == module
    ]
    at = f" at {job.shown_as}:{frames[-1].lineno}" if frames else ""
    what = "could not be drawn" if drawing else "failed"
    return f"figure function '{job.function}' {what}{at}: {type(exc).__name__}: {exc}"
