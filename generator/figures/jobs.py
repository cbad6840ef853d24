"""What to render: one job per variant of each drawn figure, and the keys that name its pixels.

A job's *identity* is what the picture is meant to be: the function's code (and the deck's own
helper modules it imports), the call, the variant and the house style. It is the same on every
machine. Its *cache key* adds what turns that picture into bytes: the engine's code and the
library versions. Media names and note identity use the first; the figure cache uses the second.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..environment import code_hash, environment
from ..errors import Where, display_path
from ..files import read_bounded
from .style import DPI, STYLE_VERSION, THEMES

if TYPE_CHECKING:
    from ..figure_functions import FigureFunction
    from ..schema import FigureSpec


@dataclass(frozen=True)
class Job:
    """One variant of one drawn figure: everything that determines its pixels."""

    module: str  # path of the .py file
    function: str
    target: Literal["ax", "fig"]
    wants_rng: bool
    wants_theme: bool
    args: str  # canonical JSON
    theme: str
    shape: str
    seed: int
    where: Where  # the figure's YAML entry, for errors
    source: str  # hash of the module and the deck's own modules it imports
    shown_as: str  # the module's path as errors show it (a worker's directory may differ)

    def identity(self) -> str:
        """What the picture is meant to be, but not the library versions that make its bytes."""
        parts = [
            STYLE_VERSION,
            self.source,
            self.function,
            self.args,
            self.theme,
            self.shape,
            DPI,
            self.seed,
        ]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()

    def cache_key(self) -> str:
        """What the bytes depend on: the identity plus the engine's code and library versions."""
        parts = [self.identity(), code_hash("figures", "authoring.py"), environment()]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def plan(
    function: FigureFunction, spec: FigureSpec, where: Where, root: Path, sources: dict[str, str]
) -> list[Job]:
    """Both variants of a drawn figure; `sources` memoises module hashes within one render."""
    key = str(function.path)
    if key not in sources:
        sources[key] = source_hash(function.path, root)
    args = json.dumps(spec.args, sort_keys=True, separators=(",", ":"))
    seed = int(hashlib.sha256(f"{function.name}:{args}".encode()).hexdigest()[:8], 16)
    return [
        Job(
            key,
            function.name,
            function.target,
            function.wants_rng,
            function.wants_theme,
            args,
            theme.name,
            spec.shape,
            seed,
            where,
            sources[key],
            display_path(function.path),
        )
        for theme in THEMES
    ]


_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import|import[ \t]+([\w., ]+))", re.M)


def source_hash(module: Path, root: Path) -> str:
    """A hash of a figure module and of the deck's own modules it imports (helpers next to it
    or at the deck root), so editing a shared helper re-renders the figures that use it.
    Line endings are normalised: a checkout with CRLF draws the same pictures."""
    digest, seen, todo = hashlib.sha256(), set(), [module.resolve()]
    root = root.resolve()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        text = read_bounded(path).replace(b"\r\n", b"\n")
        digest.update(str(path.name).encode() + b"\0" + text)
        for match in _IMPORT.finditer(text.decode("utf-8", "replace")):
            for name in (match.group(1) or match.group(2)).replace(" ", "").split(","):
                top = name.split(".")[0]
                for folder in (path.parent, root):
                    candidate = folder / f"{top}.py"
                    if candidate.is_file() and candidate.resolve().is_relative_to(root):
                        todo.append(candidate.resolve())
                        break
    return digest.hexdigest()
