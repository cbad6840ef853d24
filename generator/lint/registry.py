"""The registry of lint rules: each rule is a small function that owns everything about it.

A rule is registered with its stable code, a name, the scope it looks at (one card, one
concept, the whole deck, or a suppression), what it fires on, how to fix it and the principle it
encodes; its docstring is its documentation (what `conceptdeck rule CODE` prints). The README's
rule table, the labelled-case scoring and the benchmark all read this registry, so a rule is
defined in exactly one place, as ruff defines its rules.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from ..errors import UsageError, did_you_mean

Scope = Literal["card", "concept", "deck", "suppression"]


@dataclass(frozen=True)
class Rule:
    """A lint rule's identity, its advice, and the function that checks it."""

    code: str
    name: str
    scope: Scope
    fires_when: str  # one line for the README table
    fix: str
    principle: str
    check: Callable

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")


RULES: dict[str, Rule] = {}


def rule(
    code: str, name: str, *, scope: Scope, fires_when: str, fix: str, principle: str
) -> Callable[[Callable], Callable]:
    """Register the decorated function as the check of rule `code`."""

    def register(check: Callable) -> Callable:
        assert code not in RULES, f"{code} registered twice"
        RULES[code] = Rule(code, name, scope, fires_when, fix, principle, check)
        return check

    return register


def rules_in(scope: Scope) -> list[Rule]:
    return [r for r in sorted(RULES.values(), key=lambda r: r.code) if r.scope == scope]


@dataclass(frozen=True)
class RuleSelection:
    """Which rules run, ruff-style: `select` and `ignore` take codes or code prefixes."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    @classmethod
    def parse(cls, select: str = "", ignore: str = "") -> RuleSelection:
        def split(text: str) -> tuple[str, ...]:
            codes = tuple(c.strip().upper() for c in text.split(",") if c.strip())
            for code in codes:
                if not any(r.startswith(code) for r in RULES):
                    raise UsageError(f"unknown lint rule '{code}'{did_you_mean(code, RULES)}")
            return codes

        return cls(split(select), split(ignore))

    def enabled(self, code: str) -> bool:
        chosen = not self.select or any(code.startswith(s) for s in self.select)
        return chosen and not any(code.startswith(i) for i in self.ignore)
