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
from typing import TYPE_CHECKING

from .registry import rule
from .words import content_words, normalise

if TYPE_CHECKING:
    from ..schema import CardSpec
    from ..validation import Concept


@dataclass(frozen=True)
class Prompt:
    """A prompt/answer card of the deck, where it sits, and its words prepared once (and
    remembered with its file, so an edit elsewhere does not prepare them again)."""

    concept: Concept
    index: int
    card_id: str
    opening: str  # the first four words, normalised
    words: tuple[str, ...]  # content words (stems), in order
    question: str  # the question word it asks with
    answer: str  # the answer, normalised
    answer_words: frozenset[str]  # content words (stems) of the answer

    @property
    def label(self) -> str:
        return f"{self.concept.file.display} card '{self.card_id}'"


def prompt_facts(index: int, card: CardSpec) -> tuple:
    """What the deck-wide rules need of one card: everything of `Prompt` but its concept."""
    prompt = card.prompt or ""
    opening = " ".join(normalise(prompt).split()[:4])
    return (
        index,
        card.id,
        opening,
        content_words(prompt),
        _question_word(prompt),
        normalise(card.answer or ""),
        frozenset(_root(word) for word in content_words(card.answer or "")),
    )


def _root(stem: str) -> str:
    """A coarser stem, for telling whether two answers state the same fact: 'rising', 'rises'
    and 'rise' meet, and so do 'fusion' and 'fusing'."""
    for suffix in ("ions", "ion", "ing", "ed", "es", "s"):
        if stem.endswith(suffix) and len(stem) - len(suffix) >= 3:
            stem = stem[: -len(suffix)]
            break
    return stem[:-1] if stem.endswith("e") and len(stem) > 3 else stem


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
        if len(prompt.opening.split()) == 4:
            openings[prompt.opening].append(prompt)
    limit = max(6, int(0.08 * len(prompts)))
    for opening, group in openings.items():
        for prompt in group[limit:]:
            yield prompt, f"{len(group)} prompts open with '{opening} ...'"


@rule(
    "CD120",
    "repeated-answer",
    scope="deck",
    fires_when="a third card anywhere in the deck has the same answer",
    fix="test the fact on at most two cards: merge, or give this card another angle",
    principle="avoid redundancy (Wozniak)",
)
def repeated_answer(prompts: list[Prompt]) -> DeckFinding:
    """A fact tested by more than two cards: three or more answers with nearly the same
    content words (each pair differing in at most one word on either side).

    Every repetition costs review time and teaches nothing new; two angles on one fact are
    useful, a third is drill. Answers of fewer than three content words ("Overfitting") are
    left alone: short answers legitimately recur.
    """
    # Answers are filed under their set of words and under each set with one word left out, so
    # any two that differ by a word each meet under some key; near-duplicates then join groups.
    keys: dict[frozenset[str], list[int]] = defaultdict(list)
    for i, prompt in enumerate(prompts):
        words = prompt.answer_words
        if len(words) >= 3:
            keys[words].append(i)
            for word in words:
                keys[words - {word}].append(i)
    group = list(range(len(prompts)))

    def root(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    for members in keys.values():
        for other in members[1:]:
            a, b = prompts[members[0]].answer_words, prompts[other].answer_words
            if len(a & b) >= 3 and len(a ^ b) <= 2:
                group[root(other)] = root(members[0])
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(prompts)):
        if len(prompts[i].answer_words) >= 3:
            groups[root(i)].append(i)
    for members in groups.values():
        for i in members[2:]:
            others = " and ".join(prompts[j].label for j in members[:2])
            yield prompts[i], f"nearly the same answer as {others}: a third card on one fact"


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
    prepared = [(p.words, p.question) for p in prompts]
    answers = [p.answer for p in prompts]
    # Every pair is found through dictionaries, with no comparison of prompts that cannot
    # interfere: equal prompts share their words; two that differ in a single word share what is
    # left with that position taken out; and a prompt that is another with one or two words more
    # finds the shorter one among its own one- and two-word deletions, or, when the deck has
    # fewer prompts of that shorter length than it has deletions, by comparing with those.
    exact: dict[tuple, list[int]] = defaultdict(list)
    swaps: dict[tuple, list[int]] = defaultdict(list)
    lengths: dict[tuple[str, int], list[int]] = defaultdict(list)
    swap_keys: dict[int, list[tuple]] = {}
    for i, (words, question) in enumerate(prepared):
        if not words or len(words) > INTERFERENCE_WORDS:
            continue
        exact[(question, words)].append(i)
        lengths[(question, len(words))].append(i)
        if len(words) >= 4:
            keys = [(question, k, words[:k] + words[k + 1 :]) for k in range(len(words))]
            swap_keys[i] = keys
            for key in keys:
                swaps[key].append(i)
    partner: dict[int, int] = {}  # later prompt → the earliest earlier one it interferes with

    def pair(a: int, b: int) -> None:
        first, second = min(a, b), max(a, b)
        if first == second or answers[first] == answers[second]:
            return
        if first < partner.get(second, second) and _interfere(
            prepared[first][0], prepared[second][0]
        ):
            partner[second] = first

    for i, (words, question) in enumerate(prepared):
        if not words or len(words) > INTERFERENCE_WORDS:
            continue
        n = len(words)
        for j in exact[(question, words)]:
            pair(i, j)
        for removed, count in ((1, n), (2, n * (n - 1) // 2)):
            shorter = lengths.get((question, n - removed), ())
            if n - removed < 2 or not shorter:
                continue
            if len(shorter) <= count:
                for j in shorter:
                    if _is_subsequence(prepared[j][0], words):
                        pair(i, j)
            else:
                for variant in _deletions(words, removed):
                    for j in exact.get((question, variant), ()):
                        pair(i, j)
        for key in swap_keys.get(i, ()):
            for j in swaps[key]:
                pair(i, j)
    for later, earlier in sorted(partner.items()):
        yield (
            prompts[later],
            f"prompt is nearly identical to {prompts[earlier].label}, but the answers differ",
        )


def _deletions(words: tuple[str, ...], removed: int) -> set[tuple[str, ...]]:
    """The word sequences left after removing exactly `removed` (1 or 2) words."""
    n = len(words)
    if removed == 1:
        return {words[:i] + words[i + 1 :] for i in range(n)}
    return {
        words[:i] + words[i + 1 : j] + words[j + 1 :] for i in range(n) for j in range(i + 1, n)
    }


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
