"""The file format: what an author may write in `deck.yaml` and in a concept file.

The pydantic models are the single source of truth for the format: they validate, they produce
the JSON Schema editors use for completion (with a description for every field and card kind),
and their field lists drive "did you mean". Friendly messages for our own value types (ids,
tags, web addresses) live on the types themselves; `problems_from` only formats pydantic's
structural errors (unknown and missing keys, wrong types) into located diagnostics. Checks that
need more than one file live in `validation`.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .errors import Diagnostic, did_you_mean
from .yaml_source import Key, YamlFile

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
TAG_PATTERN = r"^[^\s\"]+$"
URL_PATTERN = r"^https?://\S+$"


def _slug(value: str) -> str:
    if not re.fullmatch(SLUG_PATTERN, value):
        suggestion = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "my-id"
        raise PydanticCustomError(
            "slug",
            "'{value}' is not a valid id: use lowercase letters, digits and single hyphens,"
            " e.g. '{suggestion}'",
            {"value": value, "suggestion": suggestion},
        )
    return value


def _tag(value: str) -> str:
    if not re.fullmatch(TAG_PATTERN, value):
        raise PydanticCustomError(
            "tag", "tag '{value}' must not contain spaces or quotes", {"value": value}
        )
    return value


def _url(value: str) -> str:
    if not re.fullmatch(URL_PATTERN, value):
        raise PydanticCustomError(
            "url",
            "'{value}' is not a web address: it must start with http:// or https://",
            {"value": value},
        )
    return value


Slug = Annotated[
    str, AfterValidator(_slug), WithJsonSchema({"type": "string", "pattern": SLUG_PATTERN})
]
Tag = Annotated[
    str, AfterValidator(_tag), WithJsonSchema({"type": "string", "pattern": TAG_PATTERN})
]
Url = Annotated[
    str, AfterValidator(_url), WithJsonSchema({"type": "string", "pattern": URL_PATTERN})
]
Text = Annotated[str, StringConstraints(min_length=1)]


def _deck_name(value: str) -> str:
    parts = value.split("::")
    if not value.strip() or any(not p.strip() for p in parts):
        raise PydanticCustomError(
            "deck_name",
            "'{value}' is not a deck name: parts separated by '::' must not be empty",
            {"value": value},
        )
    return value


DeckName = Annotated[
    str, AfterValidator(_deck_name), WithJsonSchema({"type": "string", "minLength": 1})
]

# What a good card of each kind asks, with an example: the schema's descriptions, the README's
# table of kinds and the `init` template all come from here.
KIND_GUIDE: dict[str, tuple[str, str]] = {
    "attribute": (
        "what is always or never true of the idea: what it keeps, discards or assumes",
        "What does PCA keep when it drops dimensions? → The directions of greatest spread.",
    ),
    "contrast": (
        "how it differs from its nearest neighbour",
        "What does t-SNE preserve that PCA does not? → Local neighbourhoods.",
    ),
    "mechanism": (
        "why it works (every concept needs one)",
        "Why does backprop need the chain rule? → The loss reaches early weights only through later layers.",
    ),
    "consequence": (
        "what follows if something changes",
        "What happens to gradient descent if the learning rate is far too large? → It overshoots and diverges.",
    ),
    "failure": (
        "when the mental model misleads",
        "When does PCA mislead? → When the structure is curved or the important direction varies little.",
    ),
    "diagnostic": (
        "what to suspect on seeing a symptom",
        "Training loss falls while validation loss rises: what is happening? → Overfitting.",
    ),
    "example": (
        "an instance of the idea, or the category it belongs to, narrowed to one right answer",
        "Which regulariser sets some weights exactly to zero? → The L1 penalty (lasso).",
    ),
    "essence": (
        "the core reason in one sentence",
        "In one sentence, what makes v an eigenvector of A? → A only stretches v along its own line.",
    ),
    "visual": (
        "reading a picture (figure on the front) or picturing one (figure on the back)",
        "(a zig-zag descent path) Why does gradient descent zig-zag here? → The bowl is elongated.",
    ),
    "cloze": (
        "a key statement with a gap, written {{c1::hidden part}}",
        "PCA's first component points along the direction of {{c1::greatest variance}}.",
    ),
}
Kind = Literal[
    "attribute",
    "contrast",
    "mechanism",
    "consequence",
    "failure",
    "diagnostic",
    "example",
    "essence",
    "visual",
    "cloze",
]
KINDS: tuple[str, ...] = typing.get_args(Kind)
CORE_KINDS = ("attribute", "contrast", "mechanism", "consequence", "failure")
CLOZE_RE = re.compile(r"\{\{c([1-9]\d*)::")  # Anki numbers gaps from 1; c0 makes no card
GAP_TOKEN = re.compile(r"\{\{c(\d+)::|\}\}")


def gap_tokens(text: str) -> Iterator[tuple[re.Match[str], str]]:
    """Each `{{cN::` and `}}` in `text` with the part Anki's cloze parser gives it: "open" (a
    gap opens), "close" (the innermost open gap closes) or "text" (a `}}` outside any gap)."""
    depth = 0
    for token in GAP_TOKEN.finditer(text):
        if token.group(1) is not None:
            depth += 1
            yield token, "open"
        elif depth:
            depth -= 1
            yield token, "close"
        else:
            yield token, "text"


def unclosed_gaps(text: str) -> list[int]:
    """Where each cloze gap that is never closed opens. Anki shows a card with an unclosed gap
    as an error page, so such text never ships."""
    opened: list[int] = []
    for token, part in gap_tokens(text):
        if part == "open":
            opened.append(token.start())
        elif part == "close":
            opened.pop()
    return opened


_KIND_SCHEMA = {
    "type": "string",
    "enum": list(KINDS),
    "description": "The angle the card takes on the idea: "
    + "; ".join(f"{k}: {asks}" for k, (asks, _) in KIND_GUIDE.items())
    + ".",
    "enumDescriptions": [f"{asks}. Example: {example}" for asks, example in KIND_GUIDE.values()],
}
assert set(KIND_GUIDE) == set(KINDS)


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class DeckSpec(_Spec):
    """`deck.yaml`: the deck's name, identity and the notes it has retired."""

    name: DeckName = Field(description="Anki deck name; concepts go into subdecks below it.")
    id: Slug = Field(
        description="Namespace of every note's identity. Never change it once the deck is shared."
    )
    description: str = Field("", description="Markdown shown in Anki's deck overview.")
    version: str = Field("", description="The deck's version, e.g. 1.2.0; set by `release`.")
    author: str = Field("", description="Who wrote the deck; shown in Anki's deck overview.")
    license: str = Field("", description="The deck's license, e.g. CC-BY-4.0.")
    order_subdecks: bool = Field(
        False,
        description="Number the subdecks in the order their prerequisites need (1 Basics, 2 ...),"
        " because Anki introduces new cards subdeck by subdeck, in alphabetical order.",
    )
    retired: list[Text] = Field(
        default_factory=list,
        description="Published notes taken out of the deck: 'concept/card', or 'concept' for all"
        " its cards. They are shipped once more, tagged conceptdeck::retired, so learners can"
        " delete them.",
    )


class SourceRef(_Spec):
    """A book section, paper or article a learner can go to for more."""

    title: Text = Field(description="What to read, e.g. 'Bishop, PRML §12.1'.")
    url: Url | None = Field(None, description="A web address for it, if there is one.")


class FigureSpec(_Spec):
    """A picture: drawn by a `@figure` function (`plot`) or a static image file (`image`)."""

    plot: str | None = Field(
        None, description="Name of a @figure function in the deck's .py files."
    )
    args: dict[str, Any] = Field(
        default_factory=dict, description="Keyword arguments for the function."
    )
    image: str | None = Field(
        None, description="Path of an image file (PNG, JPEG, GIF, WebP), relative to the concept."
    )
    alt: Text = Field(description="What the picture shows, for screen readers and as a caption.")
    shape: Literal["wide", "square"] = Field("wide", description="Aspect ratio of a drawn figure.")

    @model_validator(mode="after")
    def _plot_or_image(self) -> FigureSpec:
        if (self.plot is None) == (self.image is None):
            raise PydanticCustomError(
                "plot_or_image",
                "a figure needs exactly one of 'plot' (a function) or 'image' (a file)",
            )
        return self


class LintSpec(_Spec):
    """Lint suppressions: `ignore: {CD107: "why this rule does not apply here"}`."""

    ignore: dict[str, str | None] = Field(
        default_factory=dict, description="Rule code → the reason it does not apply."
    )


class CardSpec(_Spec):
    """One card. Prompt/answer for every kind except `cloze`, which has `text` with {{c1::gaps}}."""

    id: Slug = Field(description="Unique in the concept. Never change it once the deck is shared.")
    kind: Annotated[Kind, WithJsonSchema(_KIND_SCHEMA)]
    prompt: Text | None = Field(None, description="The question, in Markdown with math.")
    answer: Text | None = Field(None, description="A phrase or one sentence.")
    text: Text | None = Field(None, description="Cloze text, e.g. 'PCA keeps {{c1::variance}}'.")
    why: Text | None = Field(None, description="Why the answer holds; shown after it.")
    figure: Slug | None = Field(None, description="A figure of the concept shown on the back.")
    prompt_figure: Slug | None = Field(None, description="A figure shown on the front, as the cue.")
    tags: list[Tag] = Field(default_factory=list, description="Extra Anki tags for this card.")
    lint: LintSpec | None = Field(None, description="Lint suppressions for this card.")
    was: Slug | list[Slug] | None = Field(
        None,
        description="The card's earlier id(s): renaming keeps the note's identity and history.",
    )

    @model_validator(mode="after")
    def _shape_fits_kind(self) -> CardSpec:
        if self.kind == "cloze":
            if self.text is None:
                raise PydanticCustomError(
                    "cloze_shape", "a cloze card needs 'text' with at least one {{c1::...}} gap"
                )
            if self.prompt is not None or self.answer is not None:
                raise PydanticCustomError(
                    "cloze_shape", "a cloze card has 'text', not 'prompt'/'answer'"
                )
        else:
            missing = [k for k in ("prompt", "answer") if getattr(self, k) is None]
            if missing:
                raise PydanticCustomError(
                    "card_shape",
                    "a {kind} card needs {missing}",
                    {"kind": self.kind, "missing": " and ".join(repr(m) for m in missing)},
                )
            if self.text is not None:
                raise PydanticCustomError(
                    "card_shape", "'text' is only for cloze cards; use 'prompt' and 'answer'"
                )
        return self

    @property
    def front(self) -> str:
        """The text on the front: the prompt, or the cloze text."""
        return (self.text if self.kind == "cloze" else self.prompt) or ""

    @property
    def front_key(self) -> str:
        """The key the front is written under: `text` for a cloze, `prompt` otherwise."""
        return "text" if self.kind == "cloze" else "prompt"

    @property
    def earlier_ids(self) -> tuple[str, ...]:
        return _as_tuple(self.was)


class ConceptSpec(_Spec):
    """One concept file: an idea, its mental model, its figures and the cards that test it."""

    id: Slug = Field(description="Unique in the deck. Never change it once the deck is shared.")
    title: Text = Field(description="The idea's name, shown on every card.")
    intuition: Text = Field(description="The mental model in one to three sentences.")
    aliases: list[Text] = Field(default_factory=list, description="Other names, e.g. PCA.")
    tags: list[Tag] = Field(default_factory=list, description="Anki tags for every card.")
    related: list[Slug] = Field(default_factory=list, description="Ids of related concepts.")
    requires: list[Slug] = Field(
        default_factory=list,
        description="Ids of concepts to learn first: their new cards are introduced before these.",
    )
    sources: list[SourceRef] = Field(default_factory=list, description="Where to read more.")
    deck: DeckName | None = Field(
        None, description="Subdeck below the deck's name, e.g. 'Linear Algebra'."
    )
    figures: dict[Slug, FigureSpec] = Field(
        default_factory=dict, description="Figures by name: drawn by a function or an image file."
    )
    cards: list[CardSpec] = Field(min_length=1, description="The cards, each from one angle.")
    lint: LintSpec | None = Field(
        None, description="Concept-wide lint suppressions, each with a reason."
    )
    was: Slug | list[Slug] | None = Field(
        None,
        description="The concept's earlier id(s): renaming keeps every card's identity and history.",
    )

    @property
    def earlier_ids(self) -> tuple[str, ...]:
        return _as_tuple(self.was)


def _as_tuple(was: str | list[str] | None) -> tuple[str, ...]:
    return () if was is None else (was,) if isinstance(was, str) else tuple(was)


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schemas for editors: one for `deck.yaml`, one for concept files."""
    return {
        "deck": DeckSpec.model_json_schema(),
        "concept": ConceptSpec.model_json_schema(),
    }


# --- pydantic's structural errors as messages an author can act on --------------------------


M = typing.TypeVar("M", bound=BaseModel)


def parse(model: type[M], file: YamlFile, problems: list[Diagnostic]) -> M | None:
    """The file's data as `model`, or None with every problem appended, each at its place."""
    if not isinstance(file.data, dict):
        what = "empty" if file.data is None else f"a {type(file.data).__name__}"
        problems.append(
            Diagnostic(
                file.where(), f"expected a mapping of keys to values, but the file is {what}"
            )
        )
        return None
    try:
        return model.model_validate(file.data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            problems.append(_message(model, file, error))
        return None


_OWN_TYPES = {"slug", "tag", "url", "deck_name", "plot_or_image", "cloze_shape", "card_shape"}
_EXPECTED = {"string_type": "text", "dict_type": "a mapping", "list_type": "a list"}


def _message(model: type[BaseModel], file: YamlFile, error: Any) -> Diagnostic:
    loc: Key = tuple(error["loc"])
    kind, value = error["type"], error.get("input")
    where = file.where(loc)
    name = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[")
    if kind in _OWN_TYPES:
        return Diagnostic(where, error["msg"])
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _fields_at(model, loc[:-1])
        return Diagnostic(
            file.where(loc, of_key=True),
            f"unknown key '{key}'{did_you_mean(key, allowed)} (allowed: {', '.join(allowed)})",
        )
    if kind == "missing":
        parent = ".".join(str(p) for p in loc[:-1])
        inside = f" in {parent}" if parent else ""
        return Diagnostic(file.where(loc[:-1]), f"missing required key '{loc[-1]}'{inside}")
    if kind == "literal_error":
        choices = typing.get_args(_annotation_at(model, loc)) or ()
        hint = did_you_mean(str(value), choices)
        return Diagnostic(
            where, f"'{value}' is not a valid {name}{hint} (one of: {', '.join(choices)})"
        )
    if kind in {"string_type", "dict_type", "list_type", "model_type"}:
        quote = " (quote it to make it text)" if kind == "string_type" and value is not None else ""
        expected = _EXPECTED.get(kind, "a mapping")
        return Diagnostic(where, f"{name} should be {expected}, not {_describe(value)}{quote}")
    if kind == "string_too_short":
        return Diagnostic(where, f"{name} must not be empty")
    if kind == "too_short":
        return Diagnostic(where, f"{name} must not be empty: a concept needs at least one card")
    return Diagnostic(where, f"{name}: {error['msg']}")


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (the value is empty)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (YAML reads yes/no/true/false as a boolean)"
    return f"{type(value).__name__} {value!r}"


def _annotation_at(model: type[BaseModel], loc: Key) -> Any:
    """The type annotation for the value at `loc`, walking through nested models, lists and dicts."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        else:
            args = typing.get_args(current)
            current = args[-1] if args else None
    return _unwrap(current)


def _unwrap(tp: Any) -> Any:
    """Strip Optional[...] and Annotated[...] to the type that matters."""
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(options) != 1:
                return tp
            tp = options[0]
        else:
            return tp


def _fields_at(model: type[BaseModel], loc: Key) -> list[str]:
    target = _annotation_at(model, loc)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return list(target.model_fields)
    return []
