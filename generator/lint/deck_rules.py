"""The rules that look across the whole deck: repeated openings and interfering prompts.

Both find their matches through dictionaries rather than by comparing every pair of prompts, so
their cost grows with the number of cards, not with its square: a 10,000-card deck is linted in
about the time it takes to read it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

from .registry import rule
from .words import content_words, normalise

if TYPE_CHECKING:
    from ..schema import CardSpec
    from ..validation import Concept


@dataclass(frozen=True)
class Prompt:
    """A prompt/answer card of the deck, where it sits, and its words prepared once."""

    concept: Concept
    index: int
    card: CardSpec

    @property
    def label(self) -> str:
        return f"{self.concept.file.display} card '{self.card.id}'"


DeckFinding = Iterator[tuple[Prompt, str]]

INTERFERENCE_WORDS = 40  # longer prompts are not compared: interference is about short ones


@rule(
    "CD110",
    "repeated-opening",
    scope="deck",
    fires_when="more than max(6, 8 %) of prompts open with the same four words",
    fix="vary the wording so learners recall the idea, not the phrasing",
    principle="avoid pattern-matching on wording",
)
def repeated_opening(prompts: list[Prompt]) -> DeckFinding:
    """Many prompts opening with the same four words.

    Learners start answering the wording instead of the idea: the familiar opening cues the
    answer before the question is read.
    """
    openings: dict[str, list[Prompt]] = defaultdict(list)
    for prompt in prompts:
        opening = " ".join(normalise(prompt.card.prompt or "").split()[:4])
        if len(opening.split()) == 4:
            openings[opening].append(prompt)
    limit = max(6, int(0.08 * len(prompts)))
    for opening, group in openings.items():
        for prompt in group[limit:]:
            yield prompt, f"{len(group)} prompts open with '{opening} ...'"


@rule(
    "CD113",
    "interference",
    scope="deck",
    fires_when="two nearly identical prompts have different answers",
    fix="make the prompts clearly different or merge the cards",
    principle="avoid interference (Wozniak)",
)
def interference(prompts: list[Prompt]) -> DeckFinding:
    """Two nearly identical prompts with different answers.

    Prompts match when they ask with the same question word and one's content words are the
    other's in order with at most two extra, or both have at least four and differ in a single
    word (a synonym swapped in). Similar cues with different responses interfere: the learner
    recalls one answer for both. The later card of each pair is reported.
    """
    prepared = [
        (content_words(p.card.prompt or ""), _question_word(p.card.prompt or "")) for p in prompts
    ]
    answers = [normalise(p.card.answer or "") for p in prompts]
    index: dict[tuple, list[int]] = defaultdict(list)
    for i, (words, question) in enumerate(prepared):
        if not words or len(words) > INTERFERENCE_WORDS:
            continue
        partner = None
        for key in _keys(words, question):
            for j in index.get(key, ()):
                if answers[j] != answers[i] and _interfere(prepared[j][0], words):
                    partner = j
                    break
            if partner is not None:
                break
        if partner is not None:
            yield (
                prompts[i],
                f"prompt is nearly identical to {prompts[partner].label}, but the answers differ",
            )
        for key in _keys(words, question):
            index[key].append(i)


def _keys(words: tuple[str, ...], question: str) -> Iterator[tuple]:
    """Keys two interfering prompts always share, so a dictionary finds every pair.

    A prompt is filed, and looks, under its own words and under every sequence left after
    removing one or two of them (one prompt is the other with at most two words added), and,
    with four words or more, under each sequence with one position left out (two prompts that
    differ in a single word).
    """
    yield ("exact", question, words)
    for variant in _deletions(words):
        yield ("exact", question, variant)
    if len(words) >= 4:
        for k in range(len(words)):
            yield ("swap", question, k, words[:k] + words[k + 1 :])


def _deletions(words: tuple[str, ...]) -> set[tuple[str, ...]]:
    """The word sequences left after removing one or two words (at least two words kept)."""
    variants: set[tuple[str, ...]] = set()
    n = len(words)
    for k in range(1, 3):
        if n - k < 2:
            break
        for gone in combinations(range(n), k):
            variants.add(tuple(w for i, w in enumerate(words) if i not in gone))
    return variants


def _question_word(prompt: str) -> str:
    match = re.search(r"\b(what|why|how|when|where|which|who|whom|whose)\b", prompt.lower())
    return match.group(1) if match else ""


def _interfere(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """The pairwise definition every candidate the index finds is checked against."""
    if not a or not b or len(set(a) & set(b)) < min(len(a), len(b)) - 1:
        return False
    short, long = sorted((a, b), key=len)
    if len(short) >= 2 and _is_subsequence(short, long) and len(long) - len(short) <= 2:
        return True
    if len(a) == len(b) >= 4:
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    return False


def _is_subsequence(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    remaining = iter(long)
    return all(word in remaining for word in short)
