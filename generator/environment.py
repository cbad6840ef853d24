"""What, besides the sources, decides the bytes a build writes: Python, the libraries, our code.

One fingerprint serves both caches: the figure cache (a PNG depends on matplotlib, Pillow and
the engine) and the up-to-date record (a package depends on all of it). Versions are read from
the installed distributions' folder names, which costs a directory listing, not an import.
"""

from __future__ import annotations

import hashlib
import re
import sys
from functools import cache
from pathlib import Path

# Distributions whose version can change what conceptdeck writes: its own dependencies and the
# libraries matplotlib draws text and shapes with.
DISTRIBUTIONS = (
    "click",
    "contourpy",
    "cycler",
    "fonttools",
    "genanki",
    "kiwisolver",
    "markdown-it-py",
    "matplotlib",
    "numpy",
    "pillow",
    "pydantic",
    "pydantic-core",
    "pyparsing",
    "pyyaml",
)
PACKAGE = Path(__file__).parent


@cache
def environment() -> str:
    """A hash of the Python version and the installed versions of `DISTRIBUTIONS`."""
    wanted = {_normal(name) for name in DISTRIBUTIONS}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = Path(entry or ".").iterdir()
            listing = [p.name for p in names if p.name.endswith(".dist-info")]
        except OSError:
            continue
        for folder in listing:
            name, _, version = folder.removesuffix(".dist-info").partition("-")
            if _normal(name) in wanted:
                found.setdefault(_normal(name), version)
    text = sys.version + "|" + " ".join(f"{k}={v}" for k, v in sorted(found.items()))
    return hashlib.sha256(text.encode()).hexdigest()


@cache
def code_hash(*parts: str) -> str:
    """A hash of conceptdeck's own files below `parts` of the package (all of it when empty)."""
    digest = hashlib.sha256()
    bases = [PACKAGE.joinpath(*part.split("/")) for part in parts] or [PACKAGE]
    for base in bases:
        files = [base] if base.is_file() else sorted(base.rglob("*"))
        for path in files:
            if path.is_file() and path.suffix in (".py", ".html", ".css", ".js"):
                digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
