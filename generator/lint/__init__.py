"""The intuition linter: warnings for cards that drill mechanics or are badly formed prompts.

Each rule (in `rules` and `deck_rules`, registered in `registry`) has a stable code, says what is
wrong and how to fix it, and can be silenced per card or per concept with
`lint: {ignore: {CODE: "reason"}}`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import Diagnostic, Where
from . import deck_rules, rules  # noqa: F401  (importing registers the rules)
from .deck_rules import Prompt
from .registry import RULES, Rule, RuleSelection, rules_in
from .rules import CardView

if TYPE_CHECKING:
    from ..schema import CardSpec
    from ..validation import Concept, Deck

__all__ = ["RULES", "Rule", "RuleSelection", "lint"]


def lint(deck: Deck, selection: RuleSelection | None = None) -> list[Diagnostic]:
    """Every lint warning for the deck, minus suppressed and deselected rules, sorted by place."""
    selection = selection or RuleSelection()
    found: list[Diagnostic] = []

    def report(
        concept: Concept, card: CardSpec | None, where: Where, code: str, message: str
    ) -> None:
        suppressed = (card.lint.ignore if card and card.lint else {}) | (
            concept.spec.lint.ignore if concept.spec.lint else {}
        )
        if code in suppressed or not selection.enabled(code):
            return
        hint = RULES[code].fix
        found.append(Diagnostic(where, message, severity="warning", code=code, hint=hint))

    card_rules = [r for r in rules_in("card") if selection.enabled(r.code)]
    concept_rules = rules_in("concept")
    (suppression,) = rules_in("suppression")
    prompts: list[Prompt] = []
    for concept in deck.concepts:
        for rule in concept_rules:
            for key, message in rule.check(concept):
                report(concept, None, concept.where(*key, of_key=True), rule.code, message)
        if concept.spec.lint:
            for code, message in suppression.check(concept.spec.lint):
                where = concept.where("lint", "ignore", code, of_key=True)
                report(concept, None, where, suppression.code, message)
        for i, card in enumerate(concept.spec.cards):
            view = CardView(card)
            for rule in card_rules:
                for field, message in rule.check(view):
                    report(concept, card, concept.where("cards", i, field), rule.code, message)
            if card.lint:
                for code, message in suppression.check(card.lint):
                    where = concept.where("cards", i, "lint", "ignore", code, of_key=True)
                    report(concept, None, where, suppression.code, message)
            if card.prompt:
                prompts.append(Prompt(concept, i, card))

    for rule in rules_in("deck"):
        if selection.enabled(rule.code):
            for prompt, message in rule.check(prompts):
                where = prompt.concept.where("cards", prompt.index, "prompt")
                report(prompt.concept, prompt.card, where, rule.code, message)
    return sorted(found)
