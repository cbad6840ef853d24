"""The contact sheet: every figure of a deck, light and dark side by side, in one HTML page.

It is how an author (or a reviewer) looks at all the pictures at once, without building a deck
or opening Anki.
"""

from __future__ import annotations

import fnmatch
import html
from pathlib import Path
from typing import TYPE_CHECKING

from ..files import atomic_write
from . import Rendered, render_figures

if TYPE_CHECKING:
    from ..validation import Concept, Deck
    from .pool import ProgressFn


def export_figures(
    deck: Deck,
    out_dir: Path,
    *,
    cache_dir: Path | None,
    jobs: int = 0,
    only: str | None = None,
    progress: ProgressFn | None = None,
) -> tuple[list[Path], Rendered]:
    """Render every figure (both variants) into `out_dir` with an index.html contact sheet."""

    def select(concept: Concept, name: str) -> bool:
        return (
            only is None
            or fnmatch.fnmatch(f"{concept.id}/{name}", only)
            or fnmatch.fnmatch(name, only)
        )

    rendered = render_figures(
        deck, cache_dir=cache_dir, jobs=jobs, progress=progress, select=select
    )
    written = []
    for name, data in sorted(rendered.media.items()):
        atomic_write(out_dir / name, data)
        written.append(out_dir / name)
    rows = []
    for (concept_id, name), fig in sorted(rendered.placed.items()):
        rows.append(
            f"<figure><figcaption><b>{html.escape(concept_id)}/{html.escape(name)}</b> — {html.escape(fig.alt)}"
            f'</figcaption><div class="pair"><img src="{html.escape(fig.light)}" alt="">'
            f'<img class="dark" src="{html.escape(fig.dark)}" alt=""></div></figure>'
        )
    index = out_dir / "index.html"
    page = (
        "<!doctype html><meta charset=utf-8><title>Figures</title><style>"
        "body{font-family:system-ui;margin:2em;background:#f4f4f4}figure{margin:0 0 2em}"
        ".pair{display:flex;gap:1em;flex-wrap:wrap}.pair img{width:min(600px,100%);border:1px solid #ccc}"
        ".dark{background:#2b2b2b}</style>" + "".join(rows)
    )
    atomic_write(index, page.encode("utf-8"))
    written.append(index)
    return written, rendered
