"""The text the lint rules look at: prose without markup, split into words and stems.

Every helper runs in time linear in its input. Cards are short, but a linter that a 20,000-
character word can stall for a minute is a linter an author has to work around, so nothing here
uses a pattern that can backtrack over its input more than a bounded number of times.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..text import MathError, split_math

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'-]*|\d+(?:\.\d+)?")
_CLOZE_HEAD = re.compile(r"\{\{c\d+::")
_MARKUP = re.compile(r"[*_`#>\[\]]")
STOPWORDS = frozenset(
    """a an the of to in on at for from by with without into onto over under as is are was were be been being
    it its this that these those they them their there here and or but not no nor so than then too very
    what which who whom whose when where why how do does did done doing has have had having can could will
    would should shall may might must if else also just only more most less least such any all each every some
    one's i you we he she his her our your my me us about between through during before after above below up
    down out off again further once same other own both few many much because since so
    toward towards""".split()  # noqa: SIM905
)


def cloze_parts(text: str) -> tuple[str, list[str]]:
    """The text with every {{cN::gap::hint}} replaced by its gap, and the gaps themselves."""
    out, gaps, i = [], [], 0
    while (start := text.find("{{c", i)) >= 0:
        head = _CLOZE_HEAD.match(text, start, start + 12)
        if head is None:
            out.append(text[i : start + 3])
            i = start + 3
            continue
        end = text.find("}}", head.end())
        if end < 0:
            break
        gap = text[head.end() : end].split("::")[0]
        out += [text[i:start], gap]
        gaps.append(gap)
        i = end + 2
    out.append(text[i:])
    return "".join(out), gaps


@lru_cache(maxsize=1 << 16)
def plain(text: str) -> str:
    """Text without math, cloze markup or Markdown punctuation: what word-level rules look at."""
    text, _ = cloze_parts(text)
    try:
        pieces = split_math(text)
    except MathError:
        pieces = [("", text, "")]
    text = "".join(" MATH " if opener else content for opener, content, _ in pieces)
    return _MARKUP.sub("", text).strip()


def words(text: str) -> list[str]:
    return _WORD.findall(plain(text))


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    word = word.lower().strip("'")
    for suffix in ("ing", "es", "ed", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=1 << 16)
def content_words(text: str) -> tuple[str, ...]:
    """Stems of the meaningful words, hyphenated compounds split, in order."""
    parts = (p for w in words(text) for p in w.split("-"))
    return tuple(
        stem(p) for p in parts if p.lower() not in STOPWORDS and len(p) > 2 and p != "MATH"
    )


def content_stems(text: str) -> set[str]:
    return set(content_words(text))


_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e|etc|vs|v|cf|approx|Fig|Eq|Mr|Mrs|Dr|St|No)\.|\b[A-Z]\.")
_SENTENCE_END = re.compile(r"[.!?](?:\s+|$)(?=[A-Z(\d])")


def sentences(text: str) -> int:
    body = _ABBREVIATION.sub("", plain(text))
    return 1 + len(_SENTENCE_END.findall(body.strip()))


def normalise(prompt: str) -> str:
    return " ".join(w.lower() for w in words(prompt))
