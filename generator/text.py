"""Turning the Markdown-with-math an author writes into the HTML Anki shows.

Two things make this more than a call to a Markdown library. Math must reach Anki as `\\(...\\)`
and `\\[...\\]` (the only delimiters its MathJax knows), but Markdown eats backslashes, so math
spans are cut out first and put back, HTML-escaped, afterwards. And whatever HTML an author types
is shown as text, never executed by a card.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from .errors import Diagnostic
from .schema import gap_tokens, unclosed_gaps

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from .lock import Release
    from .memo import Memo
    from .schema import CardSpec, DeckSpec
    from .validation import Concept, Deck
    from .yaml_source import YamlFile


@cache
def _markdown_it() -> MarkdownIt:
    """CommonMark with tables and strikethrough; raw HTML is escaped, never passed through."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


_PLACEHOLDER = "\ue000{}\ue001"
_PLACEHOLDER_RE = re.compile("\ue000(\\d+)\ue001")
_SINGLE_PARAGRAPH = re.compile(r"\A<p>((?:(?!<p>).)*)</p>\n?\Z", re.S)


class TextError(ValueError):
    """Text that cannot become a card; `offset` is where in the text the problem starts."""

    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset = offset


class MathError(TextError):
    """Unbalanced or unsafe math."""


_OPENERS = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"))
_ANKI = {"$": ("\\(", "\\)"), "\\(": ("\\(", "\\)"), "$$": ("\\[", "\\]"), "\\[": ("\\[", "\\]")}

# Where math could open or close: `$`, or a backslash pair.
_DELIMITER = re.compile(r"\\[$\\()\[\]]|\$")
# TeX commands that would make a card load something, link to a script, or restyle the page.
_UNSAFE_TEX = re.compile(r"\\(href|url|style|class|cssId|data|require|unicode|html)(?![A-Za-z])")


def split_math(text: str) -> list[tuple[str, str, str]]:
    """Split into (opener, content, closer) pieces as written: opener '' is prose.

    `$...$` is math only when it looks like math, by the rule pandoc uses: the opening `$` is
    followed by a non-space, the closing `$` follows a non-space and is not followed by a digit.
    So "$4 to $5" stays prose, and a `$` with no closing partner is a literal dollar sign.
    `$$`, `\\(` and `\\[` always open math and must be closed.
    """
    pieces: list[tuple[str, str, str]] = []
    closers = _dollar_closers(text)
    prose_start = 0
    position = 0
    while match := _DELIMITER.search(text, position):
        i = match.start()
        if match.group() in ("\\$", "\\\\"):
            position = i + 2
            continue
        if match.group() == "$" and not text.startswith("$$", i):
            end = _next(closers, i + 1)
            if end < 0 or i + 1 >= len(text) or text[i + 1].isspace():
                position = i + 1  # a literal dollar sign
                continue
            if _unbalanced_brace(text, i + 1, end) is not None:
                position = i + 1  # TeX braces always balance: this `$` is a dollar sign
                continue
            pieces.append(("", text[prose_start:i], ""))
            pieces.append(("$", _safe(text, i + 1, end), "$"))
            position = prose_start = end + 1
            continue
        for opener, closer in _OPENERS:
            if text.startswith(opener, i):
                end = text.find(closer, i + len(opener))
                if end < 0:
                    raise MathError(
                        i, f"math opened with '{opener}' is never closed with '{closer}'"
                    )
                if (brace := _unbalanced_brace(text, i + len(opener), end)) is not None:
                    raise MathError(brace, f"unmatched '{text[brace]}' in math")
                pieces.append(("", text[prose_start:i], ""))
                pieces.append((opener, _safe(text, i + len(opener), end), closer))
                position = prose_start = end + len(closer)
                break
        else:
            if match.group() in ("\\)", "\\]"):
                raise MathError(i, f"'{match.group()}' closes math that was never opened")
            position = i + 2
    pieces.append(("", text[prose_start:], ""))
    return [p for p in pieces if p[0] or p[1]]


_BRACE = re.compile(r"\\.|[{}]", re.S)


def _unbalanced_brace(text: str, start: int, end: int) -> int | None:
    """Where braces between `start` and `end` stop balancing (`\\{` and `\\}` are characters,
    not braces), or None. Unbalanced math is a MathJax error in the card, and in a cloze it is
    how a span of math swallows the `}}` that closes a gap."""
    opened: list[int] = []
    for token in _BRACE.finditer(text, start, end):
        if token.group() == "{":
            opened.append(token.start())
        elif token.group() == "}":
            if not opened:
                return token.start()
            opened.pop()
    return opened[0] if opened else None


def _unsafe_message(command: str) -> str:
    return f"math may not use \\{command}: cards load nothing and run nothing"


def _unsafe_tex(html_text: str) -> str | None:
    """The first TeX command that could load, link or restyle and that MathJax could reach in
    this HTML (anywhere after a `\\(` or `\\[`), or None. Math spans are checked as they are cut
    out; this catches the other ways to a delimiter: a Markdown-escaped `\\\\(`, or plain text
    such as a title, which MathJax typesets all the same."""
    openers = [i for i in (html_text.find("\\("), html_text.find("\\[")) if i >= 0]
    if openers and (unsafe := _UNSAFE_TEX.search(html_text, min(openers))):
        return unsafe.group(1)
    return None


def _safe(text: str, start: int, end: int) -> str:
    """The math between `start` and `end`, refused if it could load, link or restyle."""
    if unsafe := _UNSAFE_TEX.search(text, start, end):
        raise MathError(
            unsafe.start(),
            _unsafe_message(unsafe.group(1)),
        )
    return text[start:end]


def ambiguous_dollars(text: str) -> list[str]:
    """`$...$` spans read as math that look like they were meant as money ("$5 and $x$" is the
    math "5 and $x"): a number and a space at the start, or a `$` inside."""
    try:
        pieces = split_math(text)
    except TextError:
        return []
    return [
        content
        for opener, content, _ in pieces
        if opener == "$" and ("$" in content or re.match(r"\d[\d.,]*\s", content))
    ]


def _dollar_closers(text: str) -> list[int]:
    """Positions of every `$` that may close inline math: after a non-space that is not a
    backslash, not followed by a digit, and not part of `$$`."""
    found = []
    i = text.find("$", 1)
    while i >= 0:
        before, after = text[i - 1], text[i + 1 : i + 2]
        doubled = before == "$" or after == "$"
        if not before.isspace() and before != "\\" and not after.isdigit() and not doubled:
            found.append(i)
        i = text.find("$", i + 1)
    return found


def _next(positions: list[int], start: int) -> int:
    """The first position at or after `start` (binary search keeps splitting linear)."""
    import bisect

    k = bisect.bisect_left(positions, start)
    return positions[k] if k < len(positions) else -1


def markdown(text: str, *, cloze: bool = False) -> str:
    """Markdown with math to Anki HTML; a lone paragraph is unwrapped so short answers stay inline."""
    math: list[str] = []
    prose = []
    for opener, content, _ in split_math(text):
        if not opener:
            prose.append(content)
            continue
        anki_open, anki_close = _ANKI[opener]
        body = html.escape(content, quote=False)
        if cloze:
            body = _keep_gaps_outside(body)
        prose.append(_PLACEHOLDER.format(len(math)))
        math.append(f"{anki_open}{body}{anki_close}")
    joined = "".join(prose)
    if "![" in joined and _has_image(joined):
        raise TextError(
            text.find("!["),
            "a Markdown image would load from outside the card (a tracking pixel in every"
            " review); show pictures with a figure (figures: with image: or plot:)",
        )
    rendered = _PLACEHOLDER_RE.sub(lambda m: math[int(m.group(1))], _render_prose(joined))
    if command := _unsafe_tex(rendered):
        raise MathError(max(0, text.find("\\" + command)), _unsafe_message(command))
    if cloze:
        _check_gaps(text, rendered)
    return rendered


def _keep_gaps_outside(math: str) -> str:
    """Math for a cloze field: a `}}` that closes a gap opened inside this math stays (Anki
    hides gaps inside MathJax); any other `}}` is TeX and is split so it cannot close a gap."""
    out, i = [], 0
    for token, part in gap_tokens(math):
        out += [math[i : token.start()], "} }" if part == "text" else token.group()]
        i = token.end()
    out.append(math[i:])
    return "".join(out)


def _check_gaps(source: str, rendered: str) -> None:
    """Every gap the author opened must close, in the text as written (validation says so
    first, in a build) and in the HTML Anki gets, where a `}}` inside math closes nothing."""
    if not (unclosed := unclosed_gaps(rendered)):
        return
    if written := unclosed_gaps(source):
        raise TextError(written[0], "this cloze gap is never closed: end it with '}}'")
    # Rendering keeps every opener, in order: the n-th in the HTML is the n-th written.
    nth = [t.start() for t, part in gap_tokens(rendered) if part == "open"].index(unclosed[0])
    opener = [t.start() for t, part in gap_tokens(source) if part == "open"][nth]
    raise TextError(
        opener,
        "this cloze gap is never closed: a '}}' inside math does not close a gap: close it"
        " after the math",
    )


def _has_image(prose: str) -> bool:
    tokens = _markdown_it().parse(prose)
    return any(c.type == "image" for t in tokens for c in (t.children or []))


# Prose with none of Markdown's syntax characters renders to itself, HTML-escaped exactly as
# markdown-it escapes: most short prompts and answers take this path (tested against markdown-it).
_PLAIN_PROSE = re.compile(r"(?!\s|\d+[.)](\s|$)|[-+=>](\s|$)|--)[^\\*_\[\]<>&#`!|~\n\r]*(?<!\s)")


def _render_prose(prose: str) -> str:
    if _PLAIN_PROSE.fullmatch(prose):
        return html.escape(prose, quote=False).replace('"', "&quot;")
    rendered = _markdown_it().render(prose)
    match = _SINGLE_PARAGRAPH.match(rendered)
    return (match.group(1) if match else rendered).strip()


@dataclass(frozen=True)
class CardText:
    """The rendered text of one card and of its concept: everything but the figures."""

    concept: Concept
    card: CardSpec
    index: int
    front: str  # prompt, or cloze text
    answer: str
    why: str
    concept_title: str
    intuition: str
    related: str
    sources: str


@dataclass(frozen=True)
class DeckText:
    """Every card's text and the deck's description, or the problems that stopped them."""

    cards: list[CardText]
    description: str
    problems: list[Diagnostic]


def render_text(deck: Deck, memo: Memo | None = None) -> DeckText:
    """Render every card's text, collecting every math error instead of stopping at the first.

    With a memo, a concept file whose bytes rendered before without problems is not rendered
    again; only its `related` line, which names other concepts, is made afresh.
    """
    cards: list[CardText] = []
    problems: list[Diagnostic] = []
    titles = deck.title_of
    description = _render(deck.file, ("description",), deck.spec.description, problems)
    for concept in deck.concepts:
        rendered = memo.get("text", concept.file.display, concept.file.digest) if memo else None
        if rendered is None:
            before = len(problems)
            rendered = _concept_text(concept, problems)
            if memo is not None and len(problems) == before:
                memo.put("text", concept.file.display, concept.file.digest, rendered)
        title, intuition, sources, sides = rendered
        related = " · ".join(html.escape(titles[r]) for r in concept.spec.related)
        for i, (card, (front, answer, why)) in enumerate(
            zip(concept.spec.cards, sides, strict=True)
        ):
            cards.append(
                CardText(concept, card, i, front, answer, why, title, intuition, related, sources)
            )
    return DeckText(cards, description, problems)


def _render(
    file: YamlFile,
    key: tuple[str | int, ...],
    value: str | None,
    problems: list[Diagnostic],
    cloze: bool = False,
) -> str:
    if not value:
        return ""
    try:
        return markdown(value, cloze=cloze)
    except TextError as exc:
        problems.append(Diagnostic(file.where(key), f"{exc} (at character {exc.offset + 1})"))
        return ""


def _concept_text(
    concept: Concept, problems: list[Diagnostic]
) -> tuple[str, str, str, list[tuple[str, str, str]]]:
    """A concept's title, intuition and sources as HTML, and each card's front, answer and why."""
    spec, file = concept.spec, concept.file
    plain = [(("title",), spec.title)] + [(("aliases", i), a) for i, a in enumerate(spec.aliases)]
    plain += [(("sources", i, "title"), s.title) for i, s in enumerate(spec.sources)]
    for key, value in plain:
        if command := _unsafe_tex(value):  # escaping HTML cannot add or remove TeX
            problems.append(Diagnostic(file.where(key), _unsafe_message(command)))
    title = html.escape(spec.title) + (
        f' <span class="cd-aliases">({html.escape(", ".join(spec.aliases))})</span>'
        if spec.aliases
        else ""
    )
    intuition = _render(file, ("intuition",), spec.intuition, problems)
    sources = "".join(
        f'<li><a href="{html.escape(s.url)}">{html.escape(s.title)}</a></li>'
        if s.url
        else f"<li>{html.escape(s.title)}</li>"
        for s in spec.sources
    )
    sides = []
    for i, card in enumerate(spec.cards):
        sides.append(
            (
                _render(
                    file, ("cards", i, card.front_key), card.front, problems, card.kind == "cloze"
                ),
                _render(file, ("cards", i, "answer"), card.answer, problems),
                _render(file, ("cards", i, "why"), card.why, problems),
            )
        )
    return title, intuition, f"<ul>{sources}</ul>" if sources else "", sides


def deck_description(
    spec: DeckSpec, description: str, release: Release | None, version: str = ""
) -> str:
    """The deck's overview in Anki: the author's description, then the version, author and
    license, and what the latest release changed (with the tag that finds those cards)."""
    from .lock import change_summary

    version = version or spec.version
    facts = [f"Version {html.escape(version)}" if version else ""]
    facts += [f"by {html.escape(spec.author)}" if spec.author else ""]
    facts += [f"license {html.escape(spec.license)}" if spec.license else ""]
    lines = [" · ".join(f for f in facts if f)]
    if release is not None:
        summary = (
            change_summary(release.added, release.updated, release.renamed, release.retired)
            or "no card changes"
        )
        among = (
            " — among them " + ", ".join(html.escape(t) for t in release.titles)
            if release.titles
            else ""
        )
        lines.append(
            f"What changed in {html.escape(release.version)} ({html.escape(release.date)}):"
            f" {summary}{among}. To see those cards, search"
            f" <code>tag:conceptdeck::release::{html.escape(release.version)}</code>."
        )
    footer = "".join(f"<p>{line}</p>" for line in lines if line)
    if not footer:
        return description
    return f'{description}<div class="cd-deck-facts">{footer}</div>'
