"""Problems, and the project's own exceptions that carry them to the one place that reports them.

Every stage reports problems in an author's sources as `Diagnostic` values instead of raising on
the first one, so an author sees everything that is wrong in a single run, each pinned to
`path:line:col`. Anything that can go wrong and is not a bug raises a `ConceptdeckError`; the
CLI turns those into messages and exit codes in exactly one place, and lets anything else
surface as a traceback, because anything else is a bug.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Where:
    """A place in a source file; `line` and `col` are 1-based as editors show them."""

    path: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem. Errors stop a build; warnings (lint findings) only inform unless --strict."""

    where: Where
    message: str
    severity: Severity = "error"
    code: str = ""
    hint: str = field(default="", compare=False)

    def format(self) -> str:
        code = f"{self.code} " if self.code else ""
        tail = f" ({self.hint})" if self.hint else ""
        return f"{self.where}: {code}{self.message}{tail}"

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.where.path,
            "line": self.where.line,
            "col": self.where.col,
            "severity": self.severity,
            "code": self.code or None,
            "message": self.message,
            "hint": self.hint or None,
        }


class ConceptdeckError(Exception):
    """Base of every failure conceptdeck expects and explains; `exit_code` is what the CLI returns."""

    exit_code = 1


class ContentError(ConceptdeckError):
    """The sources cannot be built. Carries every problem found, sorted by place."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sorted(set(diagnostics))
        super().__init__("\n".join(d.format() for d in self.diagnostics))


class UsageError(ConceptdeckError):
    """A command was called with an argument that cannot work (an unknown rule code, a bad id)."""

    exit_code = 2


class FileAccessError(ConceptdeckError):
    """A file or folder could not be read or written: says which, and why."""

    def __init__(self, path: Path | str, reason: str):
        self.path, self.reason = Path(path), reason
        super().__init__(f"{display_path(Path(path))}: {reason}")

    @classmethod
    def from_os(cls, path: Path | str, exc: OSError, doing: str) -> FileAccessError:
        return cls(path, f"cannot {doing}: {exc.strerror or exc}")


class AnkiError(ConceptdeckError):
    """Anki (its backend, or a running Anki reached through AnkiConnect) refused or failed."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A '; did you mean ...?' suffix when a close match exists, else ''."""
    import difflib  # only on the error path

    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{matches[0]}'?" if matches else ""


def display_path(path: Path) -> str:
    """Paths relative to the working directory when possible: short and clickable in terminals.
    Links are not followed: a path is shown as the author named it."""
    import os

    try:
        relative = os.path.relpath(os.path.abspath(path))
    except ValueError:  # on another drive (Windows)
        return str(path)
    return str(path) if relative.startswith("..") else relative
