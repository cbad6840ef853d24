"""Finding the `@figure` functions of a deck's `.py` files, by reading them, never importing them.

A build whose figures are all cached must not pay for importing matplotlib, and YAML never
executes code, so each decorated function's signature is read from the source text. The
signature is read once, here, into everything later stages need: the parameters YAML may set,
those it must set, and what the engine passes itself (the drawing target, `rng`, `theme`).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .authoring import RESERVED_PARAMS
from .errors import Diagnostic, Where, display_path
from .files import read_source
from .yaml_source import decode


@dataclass(frozen=True)
class FigureFunction:
    """A function decorated with `@figure` in one of the deck's `.py` files."""

    name: str
    path: Path
    where: Where
    target: Literal["ax", "fig"]  # draws on an Axes, or on the whole Figure (first param `fig`)
    params: tuple[str, ...]  # keyword parameters after the drawing target
    required: frozenset[str]  # of those, the ones YAML must give
    accepts_any: bool  # has **kwargs
    wants_rng: bool
    wants_theme: bool


# A top-level function under an `@figure` decorator (other decorators and comments may sit between).
_FIGURE_DEF = re.compile(
    r"^@(?:\w+\.)?figure\b[^\n]*\n(?:[ \t]*(?:#|@)[^\n]*\n)*def[ \t]+(\w+)[ \t]*\(", re.M
)


def read_module(path: Path, problems: list[Diagnostic]) -> str | None:
    """A figure module's text with newlines normalised, or None with a located problem."""
    display = display_path(path)
    if (data := read_source(path, display, problems)) is None:
        return None
    text = decode(data, display, problems)
    return None if text is None else text.replace("\r\n", "\n")


def scan(path: Path, problems: list[Diagnostic]) -> list[FigureFunction]:
    """The figure functions a module defines, read from its source.

    Only each decorated function's signature is parsed: parsing whole modules with `ast` cost a
    warm build of the bundled deck more than any other step.
    """
    text = read_module(path, problems)
    if text is None:
        return []
    display = display_path(path)
    found = []
    for match in _FIGURE_DEF.finditer(text):
        line = text.count("\n", 0, match.start(1)) + 1
        where = Where(display, line, 1)
        signature = _balanced(text, match.end() - 1)
        try:
            node = ast.parse(f"def _{signature}: pass").body[0]
        except SyntaxError as exc:
            problems.append(
                Diagnostic(
                    where, f"Python syntax error in the signature of {match.group(1)}(): {exc.msg}"
                )
            )
            continue
        assert isinstance(node, ast.FunctionDef)
        args = node.args
        positional = [a.arg for a in args.posonlyargs + args.args]
        if not positional:
            problems.append(
                Diagnostic(
                    where,
                    f"{match.group(1)}() needs a first parameter to draw on: 'ax' (an Axes) or"
                    " 'fig' (the Figure)",
                )
            )
            continue
        keyword = positional[1:] + [a.arg for a in args.kwonlyargs]
        defaults_from = len(positional) - len(args.defaults)
        required = {name for i, name in enumerate(positional) if 1 <= i < defaults_from}
        required |= {
            a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None
        }
        found.append(
            FigureFunction(
                name=match.group(1),
                path=path,
                where=where,
                target="fig" if positional[0] == "fig" else "ax",
                params=tuple(keyword),
                required=frozenset(required - RESERVED_PARAMS),
                accepts_any=args.kwarg is not None,
                wants_rng="rng" in keyword,
                wants_theme="theme" in keyword,
            )
        )
    return found


def _balanced(text: str, start: int) -> str:
    """The parenthesised text starting at `start`: brackets balanced, strings and comments skipped."""
    depth, i, quote = 0, start, ""
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif text.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
        elif char in "'\"":
            quote = text[i : i + 3] if text[i : i + 3] in ("'" * 3, '"' * 3) else char
            i += len(quote) - 1
        elif char == "#":
            end = text.find("\n", i)
            i = end if end >= 0 else len(text)
            continue
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
        i += 1
    return text[start:]
