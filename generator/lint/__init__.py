"""The intuition linter: warnings for cards that drill mechanics or are badly formed prompts.

Each rule (in `rules` and `deck_rules`, registered in `registry`) has a stable code, says what is
wrong and how to fix it, and can be silenced per card or per concept with
`lint: {ignore: {CODE: "reason"}}`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import Diagnostic, Where
from . import deck_rules, rules  # noqa: F401  (importing registers the rules)
from .deck_rules import Prompt, prompt_facts
from .registry import RULES, Rule, RuleSelection, rules_in
from .rules import CardView

if TYPE_CHECKING:
    from ..memo import Memo
    from ..schema import CardSpec
    from ..validation import Concept, Deck

__all__ = ["RULES", "Rule", "RuleSelection", "lint"]


def lint(
    deck: Deck, selection: RuleSelection | None = None, memo: Memo | None = None
) -> list[Diagnostic]:
    """Every lint warning for the deck, minus suppressed and deselected rules, sorted by place.

    With a memo, the card and concept rules of a file whose bytes were linted before (with the
    same selection) are not run again; the deck-wide rules run on what each file remembers.
    """
    selection = selection or RuleSelection()
    found: list[Diagnostic] = []
    prompts: list[Prompt] = []
    stage = f"lint:{selection.select}:{selection.ignore}"
    for concept in deck.concepts:
        remembered = memo.get(stage, concept.file.display, concept.file.digest) if memo else None
        if remembered is None:
            remembered = _lint_concept(concept, selection)
            if memo is not None:
                memo.put(stage, concept.file.display, concept.file.digest, remembered)
        findings, facts = remembered
        found += findings
        prompts += [Prompt(concept, *fact) for fact in facts]

    for rule in rules_in("deck"):
        if selection.enabled(rule.code):
            for prompt, message in rule.check(prompts):
                card = prompt.concept.spec.cards[prompt.index]
                if _suppressed(rule.code, prompt.concept, card):
                    continue
                where = prompt.concept.where("cards", prompt.index, "prompt")
                found.append(_warning(where, rule.code, message))
    return sorted(found)


def _lint_concept(
    concept: Concept, selection: RuleSelection
) -> tuple[list[Diagnostic], list[tuple]]:
    """The card and concept rules' findings for one concept, and what the deck-wide rules need
    to know of its prompts."""
    found: list[Diagnostic] = []

    def report(card: CardSpec | None, where: Where, code: str, message: str) -> None:
        if selection.enabled(code) and not _suppressed(code, concept, card):
            found.append(_warning(where, code, message))

    (suppression,) = rules_in("suppression")
    for rule in rules_in("concept"):
        for key, message in rule.check(concept):
            report(None, concept.where(*key, of_key=True), rule.code, message)
    if concept.spec.lint:
        for code, message in suppression.check(concept.spec.lint):
            report(
                None, concept.where("lint", "ignore", code, of_key=True), suppression.code, message
            )
    card_rules = [r for r in rules_in("card") if selection.enabled(r.code)]
    names = " ".join([concept.spec.title, *concept.spec.aliases])
    facts = []
    for i, card in enumerate(concept.spec.cards):
        view = CardView(card, names)
        for rule in card_rules:
            for field, message in rule.check(view):
                report(card, concept.where("cards", i, field), rule.code, message)
        if card.lint:
            for code, message in suppression.check(card.lint):
                where = concept.where("cards", i, "lint", "ignore", code, of_key=True)
                report(None, where, suppression.code, message)
        if card.prompt:
            facts.append(prompt_facts(i, card))
    return found, facts


def _suppressed(code: str, concept: Concept, card: CardSpec | None) -> bool:
    ignored = (card.lint.ignore if card and card.lint else {}) | (
        concept.spec.lint.ignore if concept.spec.lint else {}
    )
    return code in ignored


def _warning(where: Where, code: str, message: str) -> Diagnostic:
    return Diagnostic(where, message, severity="warning", code=code, hint=RULES[code].fix)
