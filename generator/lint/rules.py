"""The rules that look at one card or one concept, each encoding one published principle of
good prompts (Matuschak, "How to write good prompts"; Wozniak, "Twenty rules of formulating
knowledge"; Nielsen, "Augmenting long-term memory"). Heuristics are tuned for precision: a
linter that cries wolf gets switched off.

Card rules take a `CardView` and yield `(field, message)`; concept rules take the concept and
yield messages. Every pattern here is anchored or runs over words, so each rule is linear.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from .registry import RULES, rule
from .words import STOPWORDS, cloze_parts, content_stems, plain, sentences, stem, words

if TYPE_CHECKING:
    from ..schema import CardSpec, LintSpec
    from ..validation import Concept

CardFinding = Iterator[tuple[str, str]]
ConceptFinding = Iterator[tuple[tuple[str, ...], str]]  # (place in the file, message)

_ENUM_NOUNS = (
    r"(uses|advantages|disadvantages|benefits|drawbacks|limitations|properties|features|types|kinds"
    r"|steps|stages|phases|assumptions|causes|reasons|effects|consequences|factors|components|parts"
    r"|characteristics|functions|roles|symptoms|signs|risks|differences|similarities|principles"
    r"|methods|ways|examples|applications|rules|elements|ingredients|requirements|conditions)"
)
_COUNTED = re.compile(r"\b(one|two|three|four|five|1|2|3|4|5|single|first|biggest|most|best)\b")
_AUX = r"(does|do|did|is|are|was|were|can|could|will|would|should|has|have|had|must|may)"
_QUESTION_WORDS = r"(why|how|what|when|where|which|who|whom)"
_FIGURE_WORDS = r"(figure|plot|picture|graph|diagram|chart)"  # not "image": input images


@dataclass(frozen=True)
class CardView:
    """One card as the rules see it, its text prepared once."""

    card: CardSpec
    names: str = ""  # the concept's title and aliases: what the front of the card shows

    @cached_property
    def cloze(self) -> bool:
        return self.card.kind == "cloze"

    @property
    def front_field(self) -> str:
        return self.card.front_key

    @cached_property
    def prompt(self) -> str:
        """The front as lower-case plain text."""
        return plain(self.card.front).lower()

    @property
    def answer(self) -> str:
        return self.card.answer or ""

    @cached_property
    def answer_plain(self) -> str:
        return plain(self.answer)

    @cached_property
    def either_or(self) -> bool:
        return bool(self.answer) and _offers_its_answer(self.prompt, self.answer)


@rule(
    "CD101",
    "long-answer",
    scope="card",
    fires_when="the answer has more than 25 words or more than one sentence",
    fix="cut the answer to one short sentence; move the rest to 'why' or a new card",
    principle="minimum information principle (Wozniak)",
)
def long_answer(view: CardView) -> CardFinding:
    """An answer of more than 25 words, or of more than one sentence.

    A long answer cannot be recalled the same way twice, so the learner grades a vague gist and
    the card stops testing anything. Keep the answer to what must be retrieved; put the
    reasoning in `why`, which is shown after the answer and never graded.
    """
    if view.answer:
        n = len(words(view.answer))
        if n > 25:
            yield "answer", f"answer has {n} words; aim for a phrase or one sentence (≤ 25 words)"
        elif sentences(view.answer) > 1:
            yield "answer", "answer has more than one sentence"


@rule(
    "CD102",
    "enumeration",
    scope="card",
    fires_when="the answer (or a cloze gap) lists more than 3 items",
    fix="ask for one item ('Name one ...') or split into cards",
    principle="avoid sets (Wozniak)",
)
def enumeration(view: CardView) -> CardFinding:
    """An answer or cloze gap that lists more than three items.

    Sets are memorised badly: each review recalls a different subset, and a forgotten item goes
    unnoticed. Ask for one item, or give each item its own card.
    """
    hidden = cloze_parts(view.card.front)[1] if view.cloze else [view.answer]
    items = max((_enumerated_items(h) for h in hidden if h), default=0)
    if items > 3:
        where = "a gap" if view.cloze else "the answer"
        field = view.front_field if view.cloze else "answer"
        yield field, f"{where} lists {items} items; sets of more than 3 are memorised badly"


@rule(
    "CD103",
    "two-questions",
    scope="card",
    fires_when="the prompt asks two questions",
    fix="split into two cards, one question each",
    principle="focused prompts (Matuschak)",
)
def two_questions(view: CardView) -> CardFinding:
    """A prompt with two question marks, or ending '... and why/how ...?'.

    Two questions in one card get graded as one: answering half of it feels like success.
    """
    if not view.cloze and (view.prompt.count("?") > 1 or _and_question(view.prompt)):
        yield "prompt", "prompt asks two questions"


@rule(
    "CD104",
    "yes-no",
    scope="card",
    fires_when="the prompt is a yes/no question, or the answer is yes/no/true/false",
    fix="ask what/why/when instead, so the answer must be produced",
    principle="effortful prompts (Matuschak)",
)
def yes_no(view: CardView) -> CardFinding:
    """A yes/no or true/false question.

    Half the answers are right by chance, and recognising a statement as true is much easier
    than producing it, so the card trains recognition, not recall.
    """
    if view.cloze:
        return
    if re.match(r"(yes|no|true|false)\b\s*([.,;:!—–-]|$)", view.answer_plain.lower()):
        yield "answer", "yes/no or true/false answer"
    elif re.match(rf"{_AUX}\b", view.prompt) and not view.either_or:
        yield "prompt", "yes/no prompt: the answer can be guessed, not produced"


@rule(
    "CD105",
    "either-or",
    scope="card",
    fires_when="the prompt offers options and the answer is one of them",
    fix="drop the offered options; ask for the direction or property itself",
    principle="effortful prompts (Matuschak)",
)
def either_or(view: CardView) -> CardFinding:
    """An 'A or B?' prompt whose answer is one of the options it offered.

    The learner picks rather than recalls, and half the picks are right by chance.
    """
    if not view.cloze and view.either_or:
        yield "prompt", "either/or prompt that offers its own answer"


@rule(
    "CD106",
    "answer-in-prompt",
    scope="card",
    fires_when="every content word of the answer is already in the prompt",
    fix="reword the prompt so it does not contain the answer",
    principle="effortful prompts (Matuschak)",
)
def answer_in_prompt(view: CardView) -> CardFinding:
    """An answer whose every content word already appears in the prompt.

    The answer can be read off the question, so nothing is retrieved.
    """
    if view.cloze:
        return
    answer_stems = content_stems(view.answer)
    if answer_stems and answer_stems <= content_stems(view.card.front):
        yield "answer", "every content word of the answer already appears in the prompt"


_MECHANICS_VERBS = "compute|calculate|derive|solve|prove|evaluate|simplify|differentiate|integrate"
_MECHANICS = re.compile(
    rf"(^|[.?!:]\s+)({_MECHANICS_VERBS})\b"
    r"|\bhow (do|would|can|could) (you|we|one|i) (compute|calculate|derive|solve|prove)\b"
    r"|\bwrite (down )?(out )?the (formula|equation|expression)\b"
)


@rule(
    "CD107",
    "mechanics",
    scope="card",
    fires_when="compute/calculate/derive/solve/prove/write the formula, or a purely numeric answer",
    fix="ask what the result means or why it comes out that way",
    principle="understanding over mechanics",
)
def mechanics(view: CardView) -> CardFinding:
    """A prompt that asks for a computation, derivation or formula, or an answer that is only a
    number or a formula.

    Drilling procedures says nothing about understanding what they are for. Where doing the
    computation builds intuition (a one-line estimate that shows why), keep it and suppress the
    rule with that reason.
    """
    if _MECHANICS.search(view.prompt):
        yield view.front_field, "prompt asks for a computation or derivation"
    elif (
        view.answer
        and re.fullmatch(r"[\s\d.,+\-−–×*/=^()%≈]*|\s*MATH\s*", view.answer_plain)
        and re.search(r"\d|MATH", view.answer_plain)
    ):
        yield "answer", "answer is only a number or formula"


@rule(
    "CD108",
    "vague-opener",
    scope="card",
    fires_when='"Describe…", "Tell me about…", "Explain X" with no angle',
    fix="ask a precise question with one expected answer",
    principle="precise prompts (Matuschak)",
)
def vague_opener(view: CardView) -> CardFinding:
    """A prompt opening with 'Describe', 'Tell me about', 'Discuss' or 'Explain X' with no angle.

    A vague question gets a different answer every time, so the learner cannot tell whether
    they recalled it.
    """
    p = view.prompt
    if re.match(r"(describe|tell me about|what do you know about|discuss|talk about)\b", p) or (
        re.match(r"explain\s+(?!why|how|what|when|where|which|whether)", p)
    ):
        yield view.front_field, "vague opener invites a vague answer"


@rule(
    "CD109",
    "context-free",
    scope="card",
    fires_when='"It/This/They…", "the above", or "the figure" with no figure on the front',
    fix="name the concept; cards are reviewed months later, out of context",
    principle="prompts stand alone (Wozniak)",
)
def context_free(view: CardView) -> CardFinding:
    """A prompt that does not name its subject ('It…', 'This…', 'the above'), or that mentions a
    figure none is shown with.

    Cards are reviewed months later, shuffled among hundreds of others: a prompt must say what
    it is about.
    """
    p = view.prompt
    if (
        re.match(r"(it|this|they|these|those|that|he|she)\b", p)
        or re.match(rf"{_QUESTION_WORDS}( \w+)? {_AUX} (it|they|this|these|those)\b", p)
        or re.search(rf"\bthe above\b|\b{_FIGURE_WORDS} above\b", p)
    ):
        yield view.front_field, "prompt does not name its subject; it will not stand alone"
    elif not view.card.prompt_figure and re.search(rf"\b(the|this|that) {_FIGURE_WORDS}\b", p):
        yield (
            view.front_field,
            "prompt mentions a figure but none is shown on the front (prompt_figure)",
        )


_OPEN_PLURAL = re.compile(
    rf"(what|which) (are|were) (the |some |all )?(\w+ )?{_ENUM_NOUNS}\b"
    rf"|which {_ENUM_NOUNS}\b|what (?!causes|uses){_ENUM_NOUNS}\b"
    r"|(list|name|give|enumerate|state) (the |some |all )?\w+s\b"
)


@rule(
    "CD114",
    "open-plural",
    scope="card",
    fires_when='"What are the uses of X?" with no count',
    fix="ask for a fixed number: 'Name one use of X'",
    principle="avoid sets (Wozniak)",
)
def open_plural(view: CardView) -> CardFinding:
    """A plural open question with no count ('What are the uses of X?').

    The learner cannot know how many items to recall, so every review feels incomplete.
    """
    if not view.cloze and _OPEN_PLURAL.match(view.prompt) and not _COUNTED.search(view.prompt):
        yield "prompt", "plural open question: the learner cannot know how many to recall"


@rule(
    "CD115",
    "ambiguous-dollar",
    scope="card",
    fires_when="a `$…$` span read as math looks like money (`$5 and $x$`)",
    fix="write a literal dollar as \\$ (or &#36; in double-quoted YAML), or math as \\(…\\)",
    principle="what the learner sees is what the author meant",
)
def ambiguous_dollar(view: CardView) -> CardFinding:
    """A `$…$` span that is read as math but looks like it was meant as money.

    `$` opens math only before a non-space and closes it only after a non-space and not before
    a digit (pandoc's rule), so "$4 to $5" stays text. But "$5 and $x^2$" is the math
    "5 and $x^2". Write the literal dollar as `\\$` (`&#36;` works in every YAML quoting
    style), or the math with `\\(…\\)`.
    """
    from ..text import ambiguous_dollars

    for field in (view.front_field, "answer", "why"):
        text = view.card.front if field == view.front_field else getattr(view.card, field)
        for span in ambiguous_dollars(text or "")[:1]:
            yield field, f"'${span}$' is read as math; was a dollar sign meant?"


@rule(
    "CD118",
    "answer-in-title",
    scope="card",
    fires_when="the answer's content words are all in the concept's title or aliases",
    fix="ask something the card's own header does not give away",
    principle="effortful prompts (Matuschak)",
)
def answer_in_title(view: CardView) -> CardFinding:
    """An answer the front of the card already shows: every front names the concept (its title
    and aliases), so an answer made of those words is read, not recalled ("What does the k-means
    update move each centre to?" → "The mean", on a card headed "k-means").
    """
    if view.cloze or not view.names:
        return
    answer_stems = content_stems(view.answer)
    if answer_stems and len(answer_stems) <= 3 and answer_stems <= content_stems(view.names):
        yield "answer", "the answer is in the concept's title or aliases, shown on the front"


_OPEN_EXAMPLE = re.compile(
    r"(name|state|mention) (one|an?|any)\b(?! (single|specific|particular)\b)"
    r"|give (one|an?) (example|instance)\b|give one\b"
    r"|(what|which) is (one|an?) (example|instance|case)\b"
)
_NARROWED = re.compile(r"\b(that|which|who|whose|where|when|whereby|besides|other than|except)\b")
_ALTERNATIVES = re.compile(
    r"\b(e\.g|for example|for instance|such as|any of|one of|among others|others|also|either)\b"
)


@rule(
    "CD119",
    "open-example",
    scope="card",
    fires_when='"Name one …" with many right answers, none acknowledged',
    fix="narrow the prompt to one right answer, or say in 'why' which other answers count",
    principle="consistent prompts (Matuschak)",
)
def open_example(view: CardView) -> CardFinding:
    """An open "Name one …" prompt that many answers fit, with nothing saying which count.

    The learner recalls a different right answer than the one on the back and cannot grade
    themselves. Narrow the prompt until one answer fits, or keep it open and say in `why`
    that others count (e.g. "Any of bagging, pruning or a depth limit").
    """
    if view.cloze or not _OPEN_EXAMPLE.match(view.prompt):
        return
    opener_end = _OPEN_EXAMPLE.match(view.prompt).end()  # type: ignore[union-attr]
    if _NARROWED.search(view.prompt, opener_end):
        return
    around = f"{view.answer_plain} {plain(view.card.why or '')}".lower()
    if not _ALTERNATIVES.search(around):
        yield "prompt", "open prompt: many answers are right, and nothing says which count"


@rule(
    "CD111",
    "few-angles",
    scope="concept",
    fires_when="a concept has fewer than 3 cards or fewer than 3 kinds",
    fix="add cards of other kinds (contrast, failure, consequence ...)",
    principle="many angles on one idea (Matuschak, Nielsen)",
)
def few_angles(concept: Concept) -> ConceptFinding:
    """A concept seen from fewer than three angles (cards or kinds).

    One card per idea makes an orphan fact; understanding is the web of angles on it.
    """
    cards = concept.spec.cards
    kinds = {c.kind for c in cards}
    if len(cards) < 3 or len(kinds) < 3:
        yield (
            ("id",),
            f"{len(cards)} cards of {len(kinds)} kinds; see the idea from at least 3 angles",
        )


@rule(
    "CD112",
    "no-mechanism",
    scope="concept",
    fires_when="a concept has no `mechanism` card",
    fix="add a 'mechanism' card asking why the idea works",
    principle="understanding needs the why",
)
def no_mechanism(concept: Concept) -> ConceptFinding:
    """A concept with no card asking why it works.

    Knowing what an idea does without knowing why it works is exactly the mechanical knowledge
    these decks exist to go beyond.
    """
    if "mechanism" not in {c.kind for c in concept.spec.cards}:
        yield ("id",), "no 'mechanism' card: nothing asks why the idea works"


@rule(
    "CD116",
    "unused-figure",
    scope="concept",
    fires_when="a figure is defined but no card shows it",
    fix="show it on a card (figure: or prompt_figure:) or delete it",
    principle="every picture teaches something",
)
def unused_figure(concept: Concept) -> ConceptFinding:
    """A figure that no card of its concept shows.

    It is never rendered or shipped, so it is either a card the author forgot to write or code
    left behind; either way the concept does not read as its author thinks.
    """
    used = {n for c in concept.spec.cards for n in (c.figure, c.prompt_figure) if n}
    for name in concept.spec.figures:
        if name not in used:
            yield ("figures", name), f"figure '{name}' is not shown by any card"


@rule(
    "CD100",
    "unexplained-suppression",
    scope="suppression",
    fires_when="a `lint: ignore` entry has no reason or an unknown code",
    fix='add the reason: ignore: {CODE: "why it does not apply"}',
    principle="suppressions must say why",
)
def unexplained_suppression(spec: LintSpec) -> Iterator[tuple[str, str]]:
    """A suppression without a reason, or of a rule that does not exist.

    A silenced warning with no reason looks like a mistake to the next author, who cannot tell
    whether the rule was wrong here or simply in the way.
    """
    from ..errors import did_you_mean

    for code, reason in spec.ignore.items():
        if code not in RULES:
            yield code, f"unknown lint rule '{code}'{did_you_mean(code, RULES)}"
        elif not (reason or "").strip():
            yield code, f"suppression of {code} gives no reason"


def _and_question(prompt: str) -> bool:
    """A prompt ending in '... and why/how/...?' within its last sentence."""
    text = prompt.rstrip()
    if not text.endswith("?"):
        return False
    body = text[:-1]
    last = body[max(body.rfind("."), body.rfind("?")) + 1 :]
    return re.search(rf"(?<!\S)and\s+{_QUESTION_WORDS}\b", last) is not None


_TOKEN = re.compile(r"[\w'-]+|[^\w\s'-]")


def _is_word(token: str) -> bool:
    return token[0].isalnum() or token[0] in "_'-"


def _offers_its_answer(prompt: str, answer: str) -> bool:
    """An 'A or B?' prompt whose answer opens with one of the options it offered: the word
    before 'or' (a comma may sit between) and up to two content words of the four after it."""
    tokens = _TOKEN.findall(prompt)
    offered: set[str] = set()
    for i, token in enumerate(tokens):
        if token != "or" or i == 0:
            continue
        before = tokens[i - 1] if tokens[i - 1] != "," else (tokens[i - 2] if i > 1 else ",")
        after = []
        for following in tokens[i + 1 : i + 5]:
            if not _is_word(following):
                break
            after.append(following)
        if not _is_word(before) or not after:
            continue
        kept = [w for w in after if w not in STOPWORDS][:2]
        offered |= {stem(w) for w in [before, *kept] if w not in STOPWORDS}
    if not offered:
        return False
    opening = [stem(w) for w in words(answer)[:5] if w.lower() not in STOPWORDS][:2]
    return any(w in offered for w in opening)


def _enumerated_items(answer: str) -> int:
    """How many items an answer lists: bullets, or short comma-separated phrases closed by an
    'and'/'or' item ("A, B, C and D"). A phrase that opens with 'and' or is long is a clause,
    not an item, and ends the list."""
    bullets = re.findall(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+", answer, re.M)
    if len(bullets) > 1:
        return len(bullets)
    segments = [
        s.split() for s in re.split(r"[,;]", plain(answer)) if s.strip() and s.strip() != "MATH"
    ]

    def joined(segment: list[str]) -> bool:
        return "and" in segment or "or" in segment

    # run[j]: how many segments up to j in a row could be list items (short, not opening a clause)
    run, most = 0, 0
    for segment in segments:
        if joined(segment) and len(segment) <= 8:
            items = (1 if segment[0] in ("and", "or") else 2) + run
            most = max(most, items)
        item_like = segment[0] not in ("and", "or") and len(segment) <= (
            5 if joined(segment) else 3
        )
        run = run + 1 if item_like else 0
    return most
