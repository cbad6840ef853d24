"""conceptdeck: compile intuition-first concepts written in YAML into Anki decks.

The public API is small on purpose: `build`, `check` and `figures` run the pipeline, `figure`
marks a drawing function, and `ContentError` carries every problem found in the sources.
"""

from .diagnostics import ContentError, Diagnostic
from .figures import figure
from .pipeline import build, check, figures

__all__ = ["ContentError", "Diagnostic", "build", "check", "figure", "figures"]
__version__ = "0.1.0"
