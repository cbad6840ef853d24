"""Reading a deck folder from disk: YAML that remembers where every value came from, and the
figure functions its `.py` files define.

Positions are what make error messages useful (`pca.yaml:14:5: ...`), so YAML is composed into
nodes and turned into plain data by hand, recording the line and column of every key and value.
Figure functions are found by reading the Python *syntax tree*, never by importing: a build whose
figures are all cached must not pay for importing matplotlib, and YAML never executes code.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .diagnostics import Diagnostic, Where, display_path

DECK_FILE = "deck.yaml"
LEDGER_FILE = "conceptdeck.lock"
Key = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlFile:
    """One parsed YAML file: its data plus where each key and value sits in the text."""

    path: Path
    display: str
    data: Any
    value_at: dict[Key, tuple[int, int]] = field(repr=False)
    key_at: dict[Key, tuple[int, int]] = field(repr=False)

    def where(self, key: Key = (), *, of_key: bool = False) -> Where:
        """The position of the value at `key` (or of the key itself), falling back to its parent."""
        table = self.key_at if of_key else self.value_at
        probe = tuple(key)
        while probe:
            if probe in table:
                return Where(self.display, *table[probe])
            if probe in self.value_at:
                return Where(self.display, *self.value_at[probe])
            probe = probe[:-1]
        return Where(self.display, *self.value_at.get((), (1, 1)))


@dataclass(frozen=True)
class PlotFunction:
    """A function decorated with `@figure` in one of the deck's `.py` files."""

    name: str
    path: Path
    where: Where
    params: tuple[str, ...]  # keyword parameters after the drawing target (ax or fig)
    required: frozenset[str]
    accepts_any: bool  # has **kwargs


@dataclass(frozen=True)
class Source:
    """Everything read from a deck folder, before any validation of meaning."""

    root: Path
    deck: YamlFile | None
    concepts: tuple[YamlFile, ...]
    plots: dict[str, PlotFunction]
    problems: tuple[Diagnostic, ...]
    unparsed_ids: frozenset[str] = frozenset()  # `id:` lines of files with YAML errors


def load(root: Path) -> Source:
    """Read `deck.yaml`, every concept file and every figure module below `root`."""
    problems: list[Diagnostic] = []
    root = Path(root)
    if not root.is_dir():
        problems.append(Diagnostic(Where(display_path(root)), "deck folder not found"))
        return Source(root, None, (), {}, tuple(problems))

    deck_path = root / DECK_FILE
    deck = None
    if deck_path.is_file():
        deck = _read_yaml(deck_path, problems)
    else:
        problems.append(
            Diagnostic(
                Where(display_path(deck_path)),
                f"missing {DECK_FILE}: every deck folder needs one at its root",
                hint="it names the deck and its id, e.g. 'name: My Deck' and 'id: my-deck'",
            )
        )

    concepts, unparsed_ids = [], set()
    for path in _files(root, (".yaml", ".yml")):
        if path == deck_path:
            continue
        parsed = _read_yaml(path, problems)
        if parsed is not None:
            concepts.append(parsed)
        else:  # still learn its id, so links to it are not reported as unknown on top
            found = re.search(
                r"^id:\s*['\"]?([a-z0-9-]+)",
                path.read_text(encoding="utf-8", errors="replace"),
                re.M,
            )
            unparsed_ids.update(found.groups() if found else ())

    plots: dict[str, PlotFunction] = {}
    for path in _files(root, (".py",)):
        for plot in _scan_plots(path, problems):
            if plot.name in plots:
                first = plots[plot.name]
                problems.append(
                    Diagnostic(
                        plot.where,
                        f"figure function '{plot.name}' is also defined at {first.where}",
                    )
                )
            else:
                plots[plot.name] = plot
    return Source(root, deck, tuple(concepts), plots, tuple(problems), frozenset(unparsed_ids))


def _files(root: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Files below root in a stable order, skipping hidden folders and caches."""
    found = []
    for path in root.rglob("*"):
        parts = path.relative_to(root).parts
        if any(p.startswith((".", "_")) for p in parts[:-1]) or parts[-1].startswith("."):
            continue
        if path.suffix in suffixes and path.is_file():
            found.append(path)
    return sorted(found)


def _read_yaml(path: Path, problems: list[Diagnostic]) -> YamlFile | None:
    display = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Diagnostic(Where(display), f"cannot read file: {exc}"))
        return None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Where(display, mark.line + 1, mark.column + 1) if mark else Where(display)
        problem = exc.problem or exc.context or "invalid YAML"
        hint = ""
        if problem.startswith("mapping values are not allowed"):
            hint = "a ': ' inside a plain value starts a new key: quote the value or use '>-'"
        problems.append(Diagnostic(where, f"YAML syntax error: {problem}", hint=hint))
        return None
    except yaml.YAMLError as exc:
        problems.append(Diagnostic(Where(display), f"YAML syntax error: {exc}"))
        return None
    finally:
        loader.dispose()
    value_at: dict[Key, tuple[int, int]] = {}
    key_at: dict[Key, tuple[int, int]] = {}
    if node is None:
        return YamlFile(path, display, None, value_at, key_at)
    builder = _Builder(loader, display, value_at, key_at, problems)
    try:
        data = builder.build(node, ())
    except _Unbuildable as exc:
        problems.append(Diagnostic(exc.where, str(exc)))
        return None
    except yaml.YAMLError as exc:  # e.g. a merge key (<<) that names something other than a mapping
        mark = getattr(exc, "problem_mark", None)
        where = Where(display, mark.line + 1, mark.column + 1) if mark else Where(display)
        problems.append(Diagnostic(where, f"YAML error: {getattr(exc, 'problem', None) or exc}"))
        return None
    return YamlFile(path, display, data, value_at, key_at)


class _Unbuildable(ValueError):
    """A document that cannot become plain data: an alias cycle, or an alias bomb."""

    def __init__(self, where: Where, message: str):
        super().__init__(message)
        self.where = where


# libyaml's parser when PyYAML was built with it: the same nodes and marks, several times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Builder:
    """Turns YAML nodes into plain Python data while recording positions and duplicate keys."""

    LIMIT = 100_000  # values: aliases can make a small file expand exponentially ("billion laughs")

    def __init__(self, loader, display, value_at, key_at, problems):
        self.loader, self.display = loader, display
        self.value_at, self.key_at, self.problems = value_at, key_at, problems
        self.active: set[int] = set()  # nodes being built: an alias back to one is a cycle

    def build(self, node: yaml.Node, key: Key) -> Any:
        if id(node) in self.active:
            raise _Unbuildable(
                self._at(node), "this alias refers to a value that contains it (a cycle)"
            )
        if len(self.value_at) >= self.LIMIT:
            raise _Unbuildable(self._at(node), "too many values: aliases expand to over 100,000")
        self.value_at[key] = (node.start_mark.line + 1, node.start_mark.column + 1)
        self.active.add(id(node))
        try:
            return self._build(node, key)
        finally:
            self.active.discard(id(node))

    def _build(self, node: yaml.Node, key: Key) -> Any:
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                name = self._scalar(key_node)
                if not isinstance(name, str | int | float | bool) or name is None:
                    name = str(name)
                child = (*key, name)
                if name in result:
                    self.problems.append(
                        Diagnostic(
                            self._at(key_node),
                            f"duplicate key '{name}' (the later value would silently win)",
                        )
                    )
                    continue
                self.key_at[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                result[name] = self.build(value_node, child)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*key, i)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return str(self.loader.construct_object(node, deep=True))
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self.problems.append(Diagnostic(self._at(node), f"invalid value: {exc}"))
            return node.value

    def _at(self, node: yaml.Node) -> Where:
        return Where(self.display, node.start_mark.line + 1, node.start_mark.column + 1)


# A top-level function under an `@figure` decorator (other decorators and comments may sit between).
_FIGURE_DEF = re.compile(
    r"^@(?:\w+\.)?figure\b[^\n]*\n(?:[ \t]*(?:#|@)[^\n]*\n)*def[ \t]+(\w+)[ \t]*\(", re.M
)


def _scan_plots(path: Path, problems: list[Diagnostic]) -> list[PlotFunction]:
    """Figure functions and their parameters, read from the source without importing it.

    Only each decorated function's signature is parsed: parsing whole modules with `ast` cost a
    warm build of the bundled deck more than any other step.
    """
    display = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Diagnostic(Where(display), f"cannot read file: {exc}"))
        return []
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
        keyword = positional[1:] + [a.arg for a in args.kwonlyargs]
        defaults_from = len(positional) - len(args.defaults)
        required = {name for i, name in enumerate(positional) if 1 <= i < defaults_from}
        required |= {
            a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is None
        }
        found.append(
            PlotFunction(
                name=match.group(1),
                path=path,
                where=where,
                params=tuple(keyword),
                required=frozenset(required - RESERVED_PARAMS),
                accepts_any=args.kwarg is not None,
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


RESERVED_PARAMS = frozenset({"rng", "theme"})
"""Parameters the figure engine fills in itself: a seeded random generator and the colour theme."""
