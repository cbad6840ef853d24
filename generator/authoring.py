"""The contract between a deck's figure modules and conceptdeck: what `from generator import
figure, bare, arrow` gives a `.py` file in a deck folder.

Decks written today import this for years, so it is kept apart from the engine that renders
figures and it stays small: mark a drawing function, and two house-style helpers. Nothing here
imports matplotlib; the helpers use the Axes they are handed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

RESERVED_PARAMS = frozenset({"rng", "theme"})
"""Parameters the figure engine fills in itself: a seeded `numpy.random.Generator` and the
variant's colours (a `Theme`). YAML `args` cannot set them."""

F = TypeVar("F", bound=Callable[..., Any])


def figure(function: F) -> F:
    """Mark a function as a figure a concept can name in `plot:`.

    The function draws on the Axes it receives as its first argument (or on the Figure, if that
    parameter is named `fig`), takes its YAML `args` as keywords, and may ask for `rng` (a seeded
    `numpy.random.Generator`) and `theme` (the variant's colours). It must not save, size or
    show anything: the engine owns size, resolution, style, variants and files.

    conceptdeck finds these functions by reading the source, so the decorator changes nothing at
    run time; it is the mark that tells the reader (and the engine) what the function is for.
    """
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
