"""YAML that remembers where every value came from, and refuses what could hurt.

Positions are what make error messages useful (`pca.yaml:14:5: ...`), so YAML is composed into
nodes and turned into plain data by hand, recording the line and column of every key and value.
The same walk enforces what a deck must never contain: duplicate keys (the later value would
silently win), keys that are not plain text, alias cycles and alias bombs, text too long to be a
card, and characters Anki cannot store (U+001F separates its fields; NUL and lone surrogates
break its database).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from .errors import Diagnostic, Where
from .files import read_source
from .memo import Memo, digest

Key = tuple[str | int, ...]

TEXT_LIMIT = 20_000  # characters in one text value: a card's answer is a sentence
VALUE_LIMIT = 100_000  # values in one file, aliases counted each time they are used
EXPANDED_LIMIT = 5_000_000  # characters in one file once aliases are expanded

# What Anki cannot store or show: C0 and C1 controls but tab and newlines, lone surrogates, and
# the two non-characters. YAML forbids most of them in the file itself, but escapes such as
# "\x1f" or "\ud800" in double-quoted strings bring them back.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class YamlFile:
    """One parsed YAML file: its data plus where each key and value sits in the text."""

    path: Path
    display: str
    data: Any
    value_at: dict[Key, tuple[int, int]] = field(repr=False)
    key_at: dict[Key, tuple[int, int]] = field(repr=False)
    digest: str = ""  # a hash of the file's bytes: what later stages remember results by

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


def decode(data: bytes, display: str, problems: list[Diagnostic]) -> str | None:
    """UTF-8 text, or None with a located problem for a bad byte or a forbidden character."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(
            Diagnostic(
                _where_in(data, exc.start, display),
                f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            )
        )
        return None
    bad = list(_FORBIDDEN.finditer(text))
    for match in bad[:10]:
        line = text.count("\n", 0, match.start()) + 1
        col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        problems.append(Diagnostic(Where(display, line, col), _forbidden(match.group())))
    return None if bad else text


def _forbidden(char: str) -> str:
    name = "NUL" if char == "\0" else "the field separator" if char == "\x1f" else "a control"
    return (
        f"character U+{ord(char):04X} ({name}) cannot be stored in an Anki card; remove it"
        if not 0xD800 <= ord(char) <= 0xDFFF
        else f"lone surrogate U+{ord(char):04X} is not a character; remove it"
    )


def _where_in(data: bytes, offset: int, display: str) -> Where:
    line_start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return Where(display, data.count(b"\n", 0, offset) + 1, col)


def read_yaml(
    path: Path, display: str, problems: list[Diagnostic], memo: Memo | None = None
) -> YamlFile | None:
    """Parse one YAML file, appending every problem found; None when it cannot be used at all.

    With a memo, a file whose bytes were parsed before without problems is not parsed again.
    """
    if (data := read_source(path, display, problems)) is None:
        return None
    content = digest(data)
    if memo is not None and (known := memo.get("yaml", display, content)) is not None:
        return replace(known, path=path)
    before = len(problems)
    parsed = _parse(path, display, data, content, problems)
    if memo is not None and parsed is not None and len(problems) == before:
        memo.put("yaml", display, content, parsed)
    return parsed


def _parse(
    path: Path, display: str, data: bytes, content: str, problems: list[Diagnostic]
) -> YamlFile | None:
    text = decode(data, display, problems)
    if text is None:
        return None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Where(display, mark.line + 1, mark.column + 1) if mark else Where(display)
        problem = exc.problem or exc.context or "invalid YAML"
        problems.append(
            Diagnostic(
                where, f"YAML syntax error: {problem}", hint=_syntax_hint(problem, text, mark)
            )
        )
        return None
    except yaml.YAMLError as exc:
        problems.append(Diagnostic(Where(display), f"YAML syntax error: {exc}"))
        return None
    finally:
        loader.dispose()
    value_at: dict[Key, tuple[int, int]] = {}
    key_at: dict[Key, tuple[int, int]] = {}
    if node is None:
        return YamlFile(path, display, None, value_at, key_at, content)
    builder = _Builder(loader, display, value_at, key_at, problems)
    try:
        value = builder.build(node, ())
    except _Unbuildable as exc:
        problems.append(Diagnostic(exc.where, str(exc)))
        return None
    return YamlFile(path, display, value, value_at, key_at, content)


def _syntax_hint(problem: str, text: str, mark: Any) -> str:
    """Advice for the two syntax errors authors hit most, told apart by what the line holds."""
    if not problem.startswith("mapping values are not allowed") or mark is None:
        return ""
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    before = lines[mark.line - 1] if 0 < mark.line <= len(lines) else ""
    indent = len(line) - len(line.lstrip())
    if before.strip() and indent > len(before) - len(before.lstrip()) and ": " in line.strip():
        last = before.rstrip()
        if not last.endswith((":", "|", ">", "|-", ">-")):
            return "this line is indented more than the key above it: align it with that key"
    return "a ': ' inside a plain value starts a new key: quote the value or use '>-'"


class _Unbuildable(ValueError):
    """A document that cannot become plain data: an alias cycle, an alias bomb, a bad key."""

    def __init__(self, where: Where, message: str):
        super().__init__(message)
        self.where = where


# libyaml's parser when PyYAML was built with it: the same nodes and marks, several times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Builder:
    """Turns YAML nodes into plain Python data while recording positions and refusing harm."""

    def __init__(self, loader, display, value_at, key_at, problems):
        self.loader, self.display = loader, display
        self.value_at, self.key_at, self.problems = value_at, key_at, problems
        self.active: set[int] = set()  # nodes being built: an alias back to one is a cycle
        self.values = 0
        self.characters = 0

    def build(self, node: yaml.Node, key: Key) -> Any:
        if id(node) in self.active:
            raise _Unbuildable(
                self._at(node), "this alias refers to a value that contains it (a cycle)"
            )
        self.values += 1
        if self.values > VALUE_LIMIT:
            raise _Unbuildable(
                self._at(node), f"too many values: aliases expand to over {VALUE_LIMIT:,}"
            )
        self.value_at[key] = (node.start_mark.line + 1, node.start_mark.column + 1)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, key)
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, (*key, i)) for i, item in enumerate(node.value)]
            return self._scalar(node)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, key: Key) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node, explicit in self._pairs(node):
            name = self._key(key_node)
            if name in result:
                if explicit:
                    self.problems.append(
                        Diagnostic(
                            self._at(key_node),
                            f"duplicate key '{name}' (the later value would silently win)",
                        )
                    )
                continue  # a merged (<<) key is overridden by the mapping's own key
            child = (*key, name)
            self.key_at[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[name] = self.build(value_node, child)
        return result

    def _pairs(self, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node, bool]]:
        """The mapping's own pairs first, then those merged in with `<<` (which they override)."""
        own = [(k, v, True) for k, v in node.value if k.tag != _MERGE_TAG]
        merged: list[tuple[yaml.Node, yaml.Node, bool]] = []
        for k, v in node.value:
            if k.tag != _MERGE_TAG:
                continue
            sources = v.value if isinstance(v, yaml.SequenceNode) else [v]
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    raise _Unbuildable(
                        self._at(source), "'<<' merges only mappings (or a list of mappings)"
                    )
                if id(source) in self.active:
                    raise _Unbuildable(self._at(source), "this merge refers to itself (a cycle)")
                self.active.add(id(source))
                try:
                    merged += [(mk, mv, False) for mk, mv, _ in self._pairs(source)]
                finally:
                    self.active.discard(id(source))
        return own + merged

    def _key(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise _Unbuildable(self._at(node), "a key must be plain text, not a list or mapping")
        name = self._scalar(node)
        if not isinstance(name, str | int | float | bool) or name is None:
            name = str(name)
        return name

    def _scalar(self, node: yaml.Node) -> Any:
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self.problems.append(Diagnostic(self._at(node), f"invalid value: {exc}"))
            return node.value
        if isinstance(value, str):
            self.characters += len(value)
            if self.characters > EXPANDED_LIMIT:
                raise _Unbuildable(
                    self._at(node),
                    f"too much text: aliases expand to over {EXPANDED_LIMIT:,} characters",
                )
            if len(value) > TEXT_LIMIT:
                self.problems.append(
                    Diagnostic(
                        self._at(node),
                        f"text of {len(value):,} characters; the limit is {TEXT_LIMIT:,}"
                        " (a card's answer is a sentence: split long text into cards)",
                    )
                )
                return ""
            if match := _FORBIDDEN.search(value):
                self.problems.append(Diagnostic(self._at(node), _forbidden(match.group())))
                return _FORBIDDEN.sub("", value)
        return value

    def _at(self, node: yaml.Node) -> Where:
        return Where(self.display, node.start_mark.line + 1, node.start_mark.column + 1)
