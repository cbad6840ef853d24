"""The house style every figure is drawn in: phone-sized, colour-blind-safe, light and dark.

Figure functions only draw; this decides how big, at what resolution, in which colours, and on
which background. Changing anything here that changes pixels on purpose means bumping
`STYLE_VERSION`, so the change reaches learners' existing cards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
THEME_BY_NAME = {theme.name: theme for theme in THEMES}
SHAPES = {"wide": (5.0, 3.2), "square": (5.0, 4.4)}  # inches; at DPI this is 1200 px wide
DPI = 240
TIMEOUT_SECONDS = 60
STYLE_VERSION = 1  # bump when a change to the house style should reach learners' existing cards


def register_colormaps() -> None:
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


def rc(theme: Theme) -> dict[str, Any]:
    """matplotlib settings for one variant, applied on top of matplotlib's own defaults."""
    from cycler import cycler

    register_colormaps()
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
