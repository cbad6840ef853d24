"""The intuition linter: warnings for cards that drill mechanics or are badly formed prompts.

Each rule encodes one published principle of good prompts (Matuschak, "How to write good
prompts"; Wozniak, "Twenty rules of formulating knowledge"; Nielsen, "Augmenting long-term
memory"), has a stable code, says what is wrong and how to fix it, and can be silenced per card
or per concept with `lint: {ignore: {CODE: "reason"}}`. Heuristics are tuned for precision: a
linter that cries wolf gets switched off.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic, Where, did_you_mean

if TYPE_CHECKING:
    from .schema import CardSpec, Concept, Deck


@dataclass(frozen=True)
class Rule:
    """A lint rule's identity and the advice it gives."""

    code: str
    name: str
    hint: str
    principle: str


RULES = {
    r.code: r
    for r in [
        Rule(
            "CD100",
            "unexplained-suppression",
            'add the reason: ignore: {CODE: "why it does not apply"}',
            "suppressions must say why",
        ),
        Rule(
            "CD101",
            "long-answer",
            "cut the answer to one short sentence; move the rest to 'why' or a new card",
            "minimum information principle (Wozniak)",
        ),
        Rule(
            "CD102",
            "enumeration",
            "ask for one item ('Name one ...') or split into cards",
            "avoid sets (Wozniak)",
        ),
        Rule(
            "CD103",
            "two-questions",
            "split into two cards, one question each",
            "focused prompts (Matuschak)",
        ),
        Rule(
            "CD104",
            "yes-no",
            "ask what/why/when instead, so the answer must be produced",
            "effortful prompts (Matuschak)",
        ),
        Rule(
            "CD105",
            "either-or",
            "drop the offered options; ask for the direction or property itself",
            "effortful prompts (Matuschak)",
        ),
        Rule(
            "CD106",
            "answer-in-prompt",
            "reword the prompt so it does not contain the answer",
            "effortful prompts (Matuschak)",
        ),
        Rule(
            "CD107",
            "mechanics",
            "ask what the result means or why it comes out that way",
            "understanding over mechanics",
        ),
        Rule(
            "CD108",
            "vague-opener",
            "ask a precise question with one expected answer",
            "precise prompts (Matuschak)",
        ),
        Rule(
            "CD109",
            "context-free",
            "name the concept; cards are reviewed months later, out of context",
            "prompts stand alone (Wozniak)",
        ),
        Rule(
            "CD110",
            "repeated-opening",
            "vary the wording so learners recall the idea, not the phrasing",
            "avoid pattern-matching on wording",
        ),
        Rule(
            "CD111",
            "few-angles",
            "add cards of other kinds (contrast, failure, consequence ...)",
            "many angles on one idea (Matuschak, Nielsen)",
        ),
        Rule(
            "CD112",
            "no-mechanism",
            "add a 'mechanism' card asking why the idea works",
            "understanding needs the why",
        ),
        Rule(
            "CD113",
            "interference",
            "make the prompts clearly different or merge the cards",
            "avoid interference (Wozniak)",
        ),
        Rule(
            "CD114",
            "open-plural",
            "ask for a fixed number: 'Name one use of X'",
            "avoid sets (Wozniak)",
        ),
    ]
}


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
                    raise ValueError(f"unknown lint rule '{code}'{did_you_mean(code, RULES)}")
            return codes

        return cls(split(select), split(ignore))

    def enabled(self, code: str) -> bool:
        chosen = not self.select or any(code.startswith(s) for s in self.select)
        return chosen and not any(code.startswith(i) for i in self.ignore)


# --- text helpers ---------------------------------------------------------------------------

_MATH = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]|\$\$.*?\$\$|(?<!\\)\$.*?(?<!\\)\$", re.S)
_CLOZE = re.compile(r"\{\{c\d+::(.*?)(?:::[^}]*)?\}\}", re.S)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*|\d+(?:\.\d+)?")
STOPWORDS = frozenset(
    """a an the of to in on at for from by with without into onto over under as is are was were be been being
    it its this that these those they them their there here and or but not no nor so than then too very
    what which who whom whose when where why how do does did done doing has have had having can could will
    would should shall may might must if else also just only more most less least such any all each every some
    one's i you we he she his her our your my me us about between through during before after above below up
    down out off again further once same other own both few many much because since so""".split()  # noqa: SIM905
)


@cache
def plain(text: str) -> str:
    """Text without math, cloze markup or Markdown punctuation: what word-level rules look at."""
    text = _CLOZE.sub(r"\1", text)
    text = _MATH.sub(" MATH ", text)
    return re.sub(r"[*_`#>\[\]]", "", text).strip()


def words(text: str) -> list[str]:
    return _WORD.findall(plain(text))


@cache
def stem(word: str) -> str:
    word = word.lower().strip("'")
    for suffix in ("ing", "es", "ed", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_stems(text: str) -> set[str]:
    return set(content_words(text))


@cache
def content_words(text: str) -> tuple[str, ...]:
    """Stems of the meaningful words, hyphenated compounds split, in order."""
    parts = (p for w in words(text) for p in w.split("-"))
    return tuple(
        stem(p) for p in parts if p.lower() not in STOPWORDS and len(p) > 2 and p != "MATH"
    )


def sentences(text: str) -> int:
    body = re.sub(
        r"\b(?:e\.g|i\.e|etc|vs|v|cf|approx|Fig|Eq|Mr|Mrs|Dr|St|No)\.|\b[A-Z]\.", "", plain(text)
    )
    return 1 + len(re.findall(r"[.!?](?:\s+|$)(?=[A-Z(\d])", body.strip()))


# --- the rules --------------------------------------------------------------------------------

_ENUM_NOUNS = (
    r"(uses|advantages|disadvantages|benefits|drawbacks|limitations|properties|features|types|kinds"
    r"|steps|stages|phases|assumptions|causes|reasons|effects|consequences|factors|components|parts"
    r"|characteristics|functions|roles|symptoms|signs|risks|differences|similarities|principles"
    r"|methods|ways|examples|applications|rules|elements|ingredients|requirements|conditions)"
)
_COUNTED = re.compile(r"\b(one|two|three|four|five|1|2|3|4|5|single|first|biggest|most|best)\b")
_AUX = r"(does|do|did|is|are|was|were|can|could|will|would|should|has|have|had|must|may)"
_FIGURE_WORDS = r"(figure|plot|picture|graph|diagram|chart)"  # not "image": input images


def _card_rules(card: CardSpec) -> Iterator[tuple[str, str, str]]:
    """(code, field, message) for one card."""
    cloze = card.kind == "cloze"
    front = (card.text if cloze else card.prompt) or ""
    front_field = "text" if cloze else "prompt"
    answer = card.answer or ""
    p_lower, a_plain = plain(front).lower(), plain(answer)

    if answer:
        n = len(words(answer))
        if n > 25:
            yield (
                "CD101",
                "answer",
                f"answer has {n} words; aim for a phrase or one sentence (≤ 25 words)",
            )
        elif sentences(answer) > 1:
            yield "CD101", "answer", "answer has more than one sentence"
    hidden = _CLOZE.findall(front) if cloze else [answer]
    items = max((_enumerated_items(h) for h in hidden if h), default=0)
    if items > 3:
        where = "a gap" if cloze else "the answer"
        yield (
            "CD102",
            front_field if cloze else "answer",
            f"{where} lists {items} items; sets of more than 3 are memorised badly",
        )

    if not cloze:
        if p_lower.count("?") > 1 or re.search(
            r"\s+and\s+(why|how|what|when|where|which|who|whom)\b[^.?]*\?\s*$", p_lower
        ):
            yield "CD103", "prompt", "prompt asks two questions"
        either_or = bool(answer) and _offers_its_answer(p_lower, answer)
        if either_or:
            yield "CD105", "prompt", "either/or prompt that offers its own answer"
        if re.match(r"^(yes|no|true|false)\b\s*([.,;:!—–-]|$)", a_plain.lower()):
            yield "CD104", "answer", "yes/no or true/false answer"
        elif re.match(rf"^{_AUX}\b", p_lower) and not either_or:
            yield "CD104", "prompt", "yes/no prompt: the answer can be guessed, not produced"
        answer_stems = content_stems(answer)
        if answer_stems and answer_stems <= content_stems(front):
            yield (
                "CD106",
                "answer",
                "every content word of the answer already appears in the prompt",
            )

    if re.search(
        r"(^|[.?!:]\s+)(compute|calculate|derive|solve|prove|evaluate|simplify|differentiate|integrate)\b"
        r"|\bhow (do|would|can|could) (you|we|one|i) (compute|calculate|derive|solve|prove)\b"
        r"|\bwrite (down )?(out )?the (formula|equation|expression)\b",
        p_lower,
    ):
        yield "CD107", front_field, "prompt asks for a computation or derivation"
    elif (
        answer
        and re.fullmatch(r"[\s\d.,+\-−–×*/=^()%≈]*|\s*MATH\s*", a_plain)
        and re.search(r"\d|MATH", a_plain)
    ):
        yield "CD107", "answer", "answer is only a number or formula"

    if re.match(
        r"^(describe|tell me about|what do you know about|discuss|talk about)\b", p_lower
    ) or re.match(r"^explain\s+(?!why|how|what|when|where|which|whether)", p_lower):
        yield "CD108", front_field, "vague opener invites a vague answer"

    if (
        re.match(r"^(it|this|they|these|those|that|he|she)\b", p_lower)
        or re.match(
            rf"^(what|why|how|when|where|which|who)( \w+)? {_AUX} (it|they|this|these|those)\b",
            p_lower,
        )
        or re.search(rf"\bthe above\b|\b{_FIGURE_WORDS} above\b", p_lower)
    ):
        yield "CD109", front_field, "prompt does not name its subject; it will not stand alone"
    elif not card.prompt_figure and re.search(rf"\b(the|this|that) {_FIGURE_WORDS}\b", p_lower):
        yield (
            "CD109",
            front_field,
            "prompt mentions a figure but none is shown on the front (prompt_figure)",
        )

    open_plural = re.match(
        rf"^(what|which) (are|were) (the |some |all )?(\w+ )?{_ENUM_NOUNS}\b", p_lower
    ) or re.match(
        rf"^which {_ENUM_NOUNS}\b|^what (?!causes|uses){_ENUM_NOUNS}\b|^(list|name|give|enumerate|state) (the |some |all )?\w+s\b",
        p_lower,
    )
    if not cloze and open_plural and not _COUNTED.search(p_lower):
        yield "CD114", "prompt", "plural open question: the learner cannot know how many to recall"


def _offers_its_answer(prompt: str, answer: str) -> bool:
    """An 'A or B?' prompt whose answer opens with one of the options it offered."""
    offered: set[str] = set()
    for match in re.finditer(r"([\w'-]+)\s*,?\s+or\s+((?:[\w'-]+\s*){1,4})", prompt):
        after = [w for w in match.group(2).split() if w not in STOPWORDS][:2]
        offered |= {stem(w) for w in [match.group(1), *after] if w not in STOPWORDS}
    if not offered:
        return False
    opening = [stem(w) for w in words(answer)[:5] if w.lower() not in STOPWORDS][:2]
    return any(w in offered for w in opening)


def _enumerated_items(answer: str) -> int:
    """How many items an answer lists: bullets, or short comma-separated phrases closed by an
    'and'/'or' item ("A, B, C and D"). A phrase that opens with 'and' or is long is a clause,
    not an item, and ends the list."""
    bullets = re.findall(r"^\s*(?:[-*+]|\d+[.)])\s+", answer, re.M)
    if len(bullets) > 1:
        return len(bullets)
    segments = [
        s.split() for s in re.split(r"[,;]", plain(answer)) if s.strip() and s.strip() != "MATH"
    ]

    def joined(segment: list[str]) -> bool:
        return "and" in segment or "or" in segment

    most = 0
    for end, last in enumerate(segments):
        if not joined(last) or len(last) > 8:
            continue
        items = 1 if last[0] in ("and", "or") else 2  # "..., or D" vs "..., C and D"
        for segment in reversed(segments[:end]):
            if segment[0] in ("and", "or") or len(segment) > (5 if joined(segment) else 3):
                break
            items += 1
        most = max(most, items)
    return most


def _concept_rules(concept: Concept) -> Iterator[tuple[str, str]]:
    cards = concept.spec.cards
    kinds = {c.kind for c in cards}
    if len(cards) < 3 or len(kinds) < 3:
        yield (
            "CD111",
            f"{len(cards)} cards of {len(kinds)} kinds; see the idea from at least 3 angles",
        )
    if "mechanism" not in kinds:
        yield "CD112", "no 'mechanism' card: nothing asks why the idea works"


def _normalise(prompt: str) -> str:
    return " ".join(w.lower() for w in words(prompt))


# --- running them -----------------------------------------------------------------------------


def lint(deck: Deck, rules: RuleSelection | None = None) -> list[Diagnostic]:
    """Every lint warning for the deck, minus suppressed and deselected rules."""
    rules = rules or RuleSelection()
    found: list[Diagnostic] = []

    def report(
        concept: Concept, card: CardSpec | None, where: Where, code: str, message: str
    ) -> None:
        suppressed = (card.lint.ignore if card and card.lint else {}) | (
            concept.spec.lint.ignore if concept.spec.lint else {}
        )
        if code in suppressed or not rules.enabled(code):
            return
        rule = RULES[code]
        found.append(Diagnostic(where, message, severity="warning", code=code, hint=rule.hint))

    prompts: list[tuple[Concept, int, CardSpec]] = []
    for concept in deck.concepts:
        for code, message in _concept_rules(concept):
            report(concept, None, concept.where("id"), code, message)
        _check_suppressions(concept, None, ("lint",), report)
        for i, card in enumerate(concept.spec.cards):
            for code, field, message in _card_rules(card):
                report(concept, card, concept.where("cards", i, field), code, message)
            _check_suppressions(concept, card, ("cards", i, "lint"), report)
            if card.prompt:
                prompts.append((concept, i, card))

    for code, concept, i, card, message in _deck_rules(prompts):
        report(concept, card, concept.where("cards", i, "prompt"), code, message)
    return sorted(found)


def _check_suppressions(
    concept: Concept, card: CardSpec | None, key: tuple, report: Callable
) -> None:
    spec = card.lint if card else concept.spec.lint
    if spec is None:
        return
    for code, reason in spec.ignore.items():
        where = concept.where(*key, "ignore", code, of_key=True)
        if code not in RULES:
            report(
                concept,
                None,
                where,
                "CD100",
                f"unknown lint rule '{code}'{did_you_mean(code, RULES)}",
            )
        elif not (reason or "").strip():
            report(concept, None, where, "CD100", f"suppression of {code} gives no reason")


def _deck_rules(
    prompts: list[tuple[Concept, int, CardSpec]],
) -> Iterator[tuple[str, Concept, int, CardSpec, str]]:
    # CD110: many prompts opening with the same four words.
    openings: dict[str, list[tuple[Concept, int, CardSpec]]] = defaultdict(list)
    for entry in prompts:
        opening = " ".join(_normalise(entry[2].prompt or "").split()[:4])
        if len(opening.split()) == 4:
            openings[opening].append(entry)
    limit = max(6, int(0.08 * len(prompts)))
    for opening, entries in openings.items():
        if len(entries) > limit:
            for concept, i, card in entries[limit:]:
                yield "CD110", concept, i, card, f"{len(entries)} prompts open with '{opening} ...'"

    # CD113: near-identical prompts with different answers. Prompts match when they ask with
    # the same question word and one's content words are the other's in order, plus extras, or
    # both have at least four and differ in a single word (a synonym swapped in).
    # Only prompts with the same question word and at most two words' difference can match,
    # so compare within those groups, sorted by length: a few hundred pairs instead of 50,000.
    groups: dict[str, list[tuple[int, tuple[str, ...], str]]] = defaultdict(list)
    for index, (_, _, card) in enumerate(prompts):
        words_ = content_words(card.prompt or "")
        groups[_question_word(card.prompt or "")].append(
            (index, words_, _normalise(card.answer or ""))
        )
    for group in groups.values():
        group.sort(key=lambda entry: len(entry[1]))
        for a, (ia, wa, aa) in enumerate(group):
            for ib, wb, ab in group[a + 1 :]:
                if len(wb) - len(wa) > 2:
                    break
                if aa != ab and _interfere(wa, wb):
                    first, second = sorted((ia, ib))  # report on the later card
                    (ca, _, carda), (cb, at, cardb) = prompts[first], prompts[second]
                    other = f"{ca.file.display} card '{carda.id}'"
                    yield (
                        "CD113",
                        cb,
                        at,
                        cardb,
                        f"prompt is nearly identical to {other}, but the answers differ",
                    )


def _question_word(prompt: str) -> str:
    match = re.search(r"\b(what|why|how|when|where|which|who|whom|whose)\b", prompt.lower())
    return match.group(1) if match else ""


def _interfere(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
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
