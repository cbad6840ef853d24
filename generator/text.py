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

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from .schema import CardSpec
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


class MathError(ValueError):
    """Unbalanced math delimiters; `offset` is where in the text the unmatched one starts."""

    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset = offset


_OPENERS = (
    ("$$", "$$", "\\[", "\\]"),
    ("\\[", "\\]", "\\[", "\\]"),
    ("\\(", "\\)", "\\(", "\\)"),
    ("$", "$", "\\(", "\\)"),
)


# Where math could open or close: `$`, or a backslash pair.
_DELIMITER = re.compile(r"\\[$\\()\[\]]|\$")


def split_math(text: str) -> list[tuple[str, str, str]]:
    """Split into (kind, content, closing) pieces: kind '' is prose, else the Anki opener.

    `$` for a literal dollar sign must be written `\\$`, so a lone `$` is reported rather than
    silently shown as text: that is almost always a forgotten closing delimiter.
    """
    pieces: list[tuple[str, str, str]] = []
    prose_start = 0
    position = 0
    while match := _DELIMITER.search(text, position):
        i = match.start()
        if match.group() in ("\\$", "\\\\"):
            position = i + 2
            continue
        for opener, closer, anki_open, anki_close in _OPENERS:
            if text.startswith(opener, i):
                end = _find_closer(text, closer, i + len(opener))
                if end < 0:
                    hint = " (write \\$ for a literal dollar sign)" if opener == "$" else ""
                    raise MathError(
                        i, f"math opened with '{opener}' is never closed with '{closer}'{hint}"
                    )
                pieces.append(("", text[prose_start:i], ""))
                pieces.append((anki_open, text[i + len(opener) : end], anki_close))
                position = prose_start = end + len(closer)
                break
        else:
            if match.group() in ("\\)", "\\]"):
                raise MathError(i, f"'{match.group()}' closes math that was never opened")
            position = i + 2
    pieces.append(("", text[prose_start:], ""))
    return [p for p in pieces if p[0] or p[1]]


def _find_closer(text: str, closer: str, start: int) -> int:
    i = start
    while (i := text.find(closer, i)) >= 0:
        if closer == "$" and text[i - 1] == "\\":
            i += 1  # an escaped dollar inside inline math
            continue
        return i
    return -1


def markdown(text: str, *, cloze: bool = False) -> str:
    """Markdown with math to Anki HTML; a lone paragraph is unwrapped so short answers stay inline."""
    math: list[str] = []
    prose = []
    for opener, content, closer in split_math(text):
        if not opener:
            prose.append(content)
            continue
        body = html.escape(content, quote=False)
        if cloze:
            while "}}" in body:
                body = body.replace("}}", "} }")  # `}}` inside math would close the cloze
        prose.append(_PLACEHOLDER.format(len(math)))
        math.append(f"{opener}{body}{closer}")
    rendered = _render_prose("".join(prose))
    return _PLACEHOLDER_RE.sub(lambda m: math[int(m.group(1))], rendered)


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


def render_text(deck: Deck) -> DeckText:
    """Render every card's text, collecting every math error instead of stopping at the first."""
    cards: list[CardText] = []
    problems: list[Diagnostic] = []
    titles = deck.title_of

    def render(
        file: YamlFile, key: tuple[str | int, ...], value: str | None, cloze: bool = False
    ) -> str:
        if not value:
            return ""
        try:
            return markdown(value, cloze=cloze)
        except MathError as exc:
            problems.append(Diagnostic(file.where(key), f"{exc} (at character {exc.offset + 1})"))
            return ""

    description = render(deck.file, ("description",), deck.spec.description)
    for concept in deck.concepts:
        spec = concept.spec
        title = html.escape(spec.title) + (
            f' <span class="cd-aliases">({html.escape(", ".join(spec.aliases))})</span>'
            if spec.aliases
            else ""
        )
        intuition = render(concept.file, ("intuition",), spec.intuition)
        related = " · ".join(html.escape(titles[r]) for r in spec.related)
        sources = "".join(
            f'<li><a href="{html.escape(s.url)}">{html.escape(s.title)}</a></li>'
            if s.url
            else f"<li>{html.escape(s.title)}</li>"
            for s in spec.sources
        )
        sources = f"<ul>{sources}</ul>" if sources else ""
        for i, card in enumerate(spec.cards):
            cloze = card.kind == "cloze"
            front_key = "text" if cloze else "prompt"
            cards.append(
                CardText(
                    concept=concept,
                    card=card,
                    index=i,
                    front=render(concept.file, ("cards", i, front_key), card.front, cloze),
                    answer=render(concept.file, ("cards", i, "answer"), card.answer),
                    why=render(concept.file, ("cards", i, "why"), card.why),
                    concept_title=title,
                    intuition=intuition,
                    related=related,
                    sources=sources,
                )
            )
    return DeckText(cards, description, problems)
