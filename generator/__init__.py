"""conceptdeck: compile intuition-first concepts written in YAML into Anki decks.

The public API is small on purpose: `build`, `check` and `contact_sheet` run the pipeline;
`figure` marks a drawing function in a deck's `.py` files (`bare` and `arrow` are house-style
helpers for it); `ConceptdeckError` is the base of every failure the library explains, and
`ContentError` carries every problem found in the sources as located `Diagnostic`s.
"""

from .authoring import arrow, bare, figure
from .errors import ConceptdeckError, ContentError, Diagnostic, UsageError
from .pipeline import build, check, contact_sheet


def __getattr__(name: str) -> str:
    """`__version__`, looked up when asked for: importlib.metadata takes longer to import than
    an up-to-date build takes to run."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("conceptdeck")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


__all__ = [
    "ConceptdeckError",
    "ContentError",
    "Diagnostic",
    "UsageError",
    "arrow",
    "bare",
    "build",
    "check",
    "contact_sheet",
    "figure",
]
