"""conceptdeck: compile intuition-first concepts written in YAML into Anki decks.

The public API is small on purpose: `build`, `check` and `contact_sheet` run the pipeline, `figure`
marks a drawing function (`bare` and `arrow` are house-style helpers for it), and `ContentError` carries every problem found in the sources.
"""

from .diagnostics import ContentError, Diagnostic
from .figures import arrow, bare, figure
from .pipeline import build, check, contact_sheet

__all__ = [
    "ContentError",
    "Diagnostic",
    "arrow",
    "bare",
    "build",
    "check",
    "contact_sheet",
    "figure",
]
__version__ = "0.1.0"
