"""What to render: one job per variant of each drawn figure, and the keys that name its pixels.

A job's *identity* is what the picture is meant to be: the function's code (and the deck's own
helper modules it imports), the call, the variant and the house style. It is the same on every
machine. Its *cache key* adds what turns that picture into bytes: the engine's code and the
library versions. Media names and note identity use the first; the figure cache uses the second.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

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
    source: str  # hash of the function's code and of the module code and helpers it can use
    module_digest: str  # hash of the whole module and its helpers: when a worker reloads it
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
    function: FigureFunction, spec: FigureSpec, where: Where, root: Path, memo: dict[str, Any]
) -> list[Job]:
    """Both variants of a drawn figure; `memo` keeps module reads and hashes within one render."""
    module = str(function.path)
    if module not in memo:
        memo[module] = _ModuleCode(function.path, root)
    code: _ModuleCode = memo[module]
    args = json.dumps(spec.args, sort_keys=True, separators=(",", ":"))
    seed = int(hashlib.sha256(f"{function.name}:{args}".encode()).hexdigest()[:8], 16)
    source = code.function_hash(function.name)
    return [
        Job(
            module,
            function.name,
            function.target,
            function.wants_rng,
            function.wants_theme,
            args,
            theme.name,
            spec.shape,
            seed,
            where,
            source,
            code.digest,
            display_path(function.path),
        )
        for theme in THEMES
    ]


_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import|import[ \t]+([\w., ]+))", re.M)


class _ModuleCode:
    """A figure module's code as identity sees it: what each figure function can run.

    A function's hash covers its own definition and everything of the module that is not
    another figure function (imports, constants, shared helpers), plus the deck's own modules
    it imports. So editing one figure re-renders that figure only (and changes only the notes
    that show it), while editing a shared helper re-renders every figure that may use it.
    Line endings are normalised: a checkout with CRLF draws the same pictures.
    """

    def __init__(self, module: Path, root: Path):
        self.text = read_bounded(module).replace(b"\r\n", b"\n").decode("utf-8", "replace")
        self.helpers = _helper_modules(module, self.text, root.resolve())
        helper_text = "".join(f"{p.name}\0{t}\0" for p, t in self.helpers)
        self.digest = hashlib.sha256(
            f"{module.name}\0{self.text}\0{helper_text}".encode()
        ).hexdigest()
        self._helper_text = helper_text
        self._spans = _figure_spans(self.text)
        self._lines = self.text.splitlines(keepends=True)
        self._hashes: dict[str, str] = {}  # figures that share a function hash it once

    def function_hash(self, name: str) -> str:
        if name not in self._hashes:
            self._hashes[name] = self._function_hash(name)
        return self._hashes[name]

    def _function_hash(self, name: str) -> str:
        lines = self._lines
        own = self._spans.get(name)
        body = "".join(lines[own[0] : own[1]]) if own else self.text
        dropped = [False] * len(lines)
        for other, (start, end) in self._spans.items():
            if other != name and not re.search(rf"\b{other}\b", body):
                stop = min(end, len(lines))
                dropped[start:stop] = [True] * (stop - start)
        kept = [line for line, out in zip(lines, dropped, strict=True) if not out]
        text = "".join(kept) + "\0" + self._helper_text
        return hashlib.sha256(f"{name}\0{text}".encode()).hexdigest()


def _figure_spans(text: str) -> dict[str, tuple[int, int]]:
    """Line spans (0-based, end exclusive, decorators included) of top-level @figure functions."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return {}  # the render reports it; identity then covers the whole module
    spans = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and any(
            (isinstance(d, ast.Name) and d.id == "figure")
            or (isinstance(d, ast.Attribute) and d.attr == "figure")
            for d in node.decorator_list
        ):
            start = min(d.lineno for d in node.decorator_list) - 1
            spans[node.name] = (start, node.end_lineno or node.lineno)
    return spans


def _helper_modules(module: Path, text: str, root: Path) -> list[tuple[Path, str]]:
    """The deck's own modules a figure module imports (next to it or at the deck root), and
    theirs in turn, with their text."""
    found, seen, todo = [], {module.resolve()}, [(module.resolve(), text)]
    while todo:
        path, source = todo.pop()
        for match in _IMPORT.finditer(source):
            for name in (match.group(1) or match.group(2)).replace(" ", "").split(","):
                top = name.split(".")[0]
                for folder in (path.parent, root):
                    candidate = (folder / f"{top}.py").resolve()
                    if candidate.is_file() and candidate.is_relative_to(root):
                        if candidate not in seen:
                            seen.add(candidate)
                            helper = read_bounded(candidate).replace(b"\r\n", b"\n")
                            entry = (candidate, helper.decode("utf-8", "replace"))
                            found.append(entry)
                            todo.append(entry)
                        break
    return sorted(found)
