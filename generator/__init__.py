"""conceptdeck: compile intuition-first concepts written in YAML into Anki decks.

The public API is small on purpose: `build`, `check` and `contact_sheet` run the pipeline;
`figure` marks a drawing function in a deck's `.py` files (`bare` and `arrow` are house-style
helpers for it); `ConceptdeckError` is the base of every failure the library explains, and
`ContentError` carries every problem found in the sources as located `Diagnostic`s.
"""

from importlib.metadata import PackageNotFoundError, version

from .authoring import arrow, bare, figure
from .errors import ConceptdeckError, ContentError, Diagnostic, UsageError
from .pipeline import build, check, contact_sheet

try:
    __version__ = version("conceptdeck")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

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
