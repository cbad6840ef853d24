"""What an author may write, and the check that what they wrote means something.

The pydantic models are the single source of truth for the file format: they validate, they
produce the JSON Schema editors use for completion, and their field lists drive "did you mean".
`validate` then checks what no single file can know (unique ids, `related` links, figure
references against the functions the `.py` files define) and returns the `Deck` the rest of the
pipeline works with, or every problem it found.
"""

from __future__ import annotations

import json
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from .diagnostics import Diagnostic, Where, did_you_mean
from .source import RESERVED_PARAMS, Key, PlotFunction, Source, YamlFile

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1)]
Tag = Annotated[str, StringConstraints(pattern=r"^[^\s\"]+$")]
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
CLOZE_RE = re.compile(r"\{\{c([1-9]\d*)::")  # Anki numbers gaps from 1; c0 makes no card


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class DeckSpec(_Spec):
    """`deck.yaml`: the deck's name and identity."""

    name: Text = Field(description="Anki deck name; concepts go into subdecks below it.")
    id: Slug = Field(
        description="Namespace of every note's identity. Never change it once the deck is shared."
    )
    description: str = Field("", description="Markdown shown in Anki's deck overview.")
    version: str = Field("", description="The deck's version, e.g. 0.1.0.")
    author: str = ""
    license: str = ""
    retired: list[Text] = Field(
        default_factory=list,
        description="Published notes ('concept/card') or whole concepts ('concept') taken out of the deck.",
    )


class SourceRef(_Spec):
    """A book section, paper or article a learner can go to for more."""

    title: Text
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None


class FigureSpec(_Spec):
    """A picture: drawn by a `@figure` function (`plot`) or a static image file (`image`)."""

    plot: str | None = Field(
        None, description="Name of a @figure function in the deck's .py files."
    )
    args: dict[str, Any] = Field(
        default_factory=dict, description="Keyword arguments for the function."
    )
    image: str | None = Field(
        None, description="Path of an image file, relative to the concept file."
    )
    alt: Text = Field(description="What the picture shows, for screen readers and as a caption.")
    shape: Literal["wide", "square"] = Field("wide", description="Aspect ratio of a drawn figure.")

    @model_validator(mode="after")
    def _plot_or_image(self) -> FigureSpec:
        if (self.plot is None) == (self.image is None):
            raise ValueError(
                "a figure needs exactly one of 'plot' (a function) or 'image' (a file)"
            )
        return self


class LintSpec(_Spec):
    """Per-card lint suppressions: `ignore: {CD107: "why this rule does not apply here"}`."""

    ignore: dict[str, str | None] = Field(default_factory=dict)


class CardSpec(_Spec):
    """One card. Prompt/answer for every kind except `cloze`, which has `text` with {{c1::gaps}}."""

    id: Slug = Field(description="Unique in the concept. Never change it once the deck is shared.")
    kind: Kind
    prompt: Text | None = None
    answer: Text | None = None
    text: Text | None = Field(None, description="Cloze text, e.g. 'PCA keeps {{c1::variance}}'.")
    why: Text | None = Field(None, description="Why the answer holds; shown after it.")
    figure: Slug | None = Field(None, description="A figure of the concept shown on the back.")
    prompt_figure: Slug | None = Field(None, description="A figure shown on the front, as the cue.")
    tags: list[Tag] = Field(default_factory=list)
    lint: LintSpec | None = None
    was: Slug | list[Slug] | None = Field(None, description="Earlier id(s) of this card.")

    @model_validator(mode="after")
    def _shape_fits_kind(self) -> CardSpec:
        if self.kind == "cloze":
            if self.text is None:
                raise ValueError("a cloze card needs 'text' with at least one {{c1::...}} gap")
            if self.prompt is not None or self.answer is not None:
                raise ValueError("a cloze card has 'text', not 'prompt'/'answer'")
        else:
            missing = [k for k in ("prompt", "answer") if getattr(self, k) is None]
            if missing:
                raise ValueError(
                    f"a {self.kind} card needs {' and '.join(repr(m) for m in missing)}"
                )
            if self.text is not None:
                raise ValueError("'text' is only for cloze cards; use 'prompt' and 'answer'")
        return self


class ConceptSpec(_Spec):
    """One concept file: an idea, its mental model, its figures and the cards that test it."""

    id: Slug = Field(description="Unique in the deck. Never change it once the deck is shared.")
    title: Text
    intuition: Text = Field(description="The mental model in one to three sentences.")
    aliases: list[Text] = Field(default_factory=list)
    tags: list[Tag] = Field(default_factory=list)
    related: list[Slug] = Field(default_factory=list, description="Ids of other concepts.")
    requires: list[Slug] = Field(
        default_factory=list, description="Ids of concepts to learn before this one."
    )
    was: Slug | list[Slug] | None = Field(None, description="Earlier id(s) of this concept.")
    sources: list[SourceRef] = Field(default_factory=list)
    deck: str | None = Field(
        None, description="Subdeck below the deck's name, e.g. 'Linear Algebra'."
    )
    figures: dict[Slug, FigureSpec] = Field(default_factory=dict)
    cards: list[CardSpec] = Field(min_length=1)
    lint: LintSpec | None = Field(
        None, description="Concept-wide lint suppressions, each with a reason."
    )


@dataclass(frozen=True)
class Concept:
    """A validated concept with the file it came from (for positions) and its Anki deck."""

    spec: ConceptSpec
    file: YamlFile
    deck_name: str

    def where(self, *key: str | int, of_key: bool = False) -> Where:
        return self.file.where(key, of_key=of_key)


@dataclass(frozen=True)
class Deck:
    """A validated deck: everything later stages need, nothing they must re-check."""

    spec: DeckSpec
    file: YamlFile
    root: Path
    concepts: tuple[Concept, ...]
    plots: dict[str, PlotFunction]

    @property
    def title_of(self) -> dict[str, str]:
        return {c.spec.id: c.spec.title for c in self.concepts}


def validate(source: Source) -> tuple[Deck | None, list[Diagnostic]]:
    """Check every file and the links between them; return the deck (if usable) and all problems."""
    problems = list(source.problems)
    deck_spec = _parse(DeckSpec, source.deck, problems) if source.deck else None

    concepts: list[Concept] = []
    seen: dict[str, Concept] = {}
    broken = set(source.unparsed_ids)  # ids of files with errors: links to them are not unknown
    for file in source.concepts:
        spec = _parse(ConceptSpec, file, problems)
        if spec is None:
            if isinstance(file.data, dict) and isinstance(file.data.get("id"), str):
                broken.add(file.data["id"])
            continue
        deck_name = _deck_name(deck_spec.name if deck_spec else "", source.root, file, spec)
        concept = Concept(spec, file, deck_name)
        if spec.id in seen:
            problems.append(
                Diagnostic(
                    concept.where("id"),
                    f"concept id '{spec.id}' is already used by {seen[spec.id].file.display}",
                )
            )
            continue
        seen[spec.id] = concept
        concepts.append(concept)

    for concept in concepts:
        problems += _check_concept(concept, seen, broken, source)
    problems += _check_requires(concepts, seen, broken)

    if deck_spec is None or any(p.severity == "error" for p in problems):
        return None, problems
    assert source.deck is not None
    return Deck(deck_spec, source.deck, source.root, tuple(concepts), source.plots), problems


def _check_concept(
    concept: Concept, concepts: dict[str, Concept], broken: set[str], source: Source
) -> list[Diagnostic]:
    spec, problems = concept.spec, []
    for i, other in enumerate(spec.related):
        if other == spec.id:
            problems.append(
                Diagnostic(concept.where("related", i), "a concept cannot be related to itself")
            )
        elif other not in concepts and other not in broken:
            problems.append(
                Diagnostic(
                    concept.where("related", i),
                    f"unknown concept '{other}' in related{did_you_mean(other, concepts)}",
                )
            )
    card_ids: dict[str, int] = {}
    for i, card in enumerate(spec.cards):
        if card.id in card_ids:
            problems.append(
                Diagnostic(
                    concept.where("cards", i, "id"),
                    f"card id '{card.id}' is already used by card {card_ids[card.id] + 1} of this concept",
                )
            )
        card_ids.setdefault(card.id, i)
        for key in ("figure", "prompt_figure"):
            name = getattr(card, key)
            if name is not None and name not in spec.figures:
                known = ", ".join(spec.figures) or "none defined"
                problems.append(
                    Diagnostic(
                        concept.where("cards", i, key),
                        f"unknown figure '{name}'{did_you_mean(name, spec.figures)} (figures: {known})",
                    )
                )
        if card.kind == "cloze" and card.text and not CLOZE_RE.search(card.text):
            problems.append(
                Diagnostic(
                    concept.where("cards", i, "text"),
                    "cloze text has no gap: mark one like {{c1::the hidden part}}",
                )
            )
    for name, fig in spec.figures.items():
        problems += _check_figure(concept, name, fig, source)
    problems += _placeholders(concept, concept.file.data, ())
    return problems


def _check_requires(
    concepts: list[Concept], seen: dict[str, Concept], broken: set[str]
) -> list[Diagnostic]:
    problems = []
    for concept in concepts:
        for i, other in enumerate(concept.spec.requires):
            if other == concept.spec.id:
                problems.append(
                    Diagnostic(concept.where("requires", i), "a concept cannot require itself")
                )
            elif other not in seen and other not in broken:
                problems.append(
                    Diagnostic(
                        concept.where("requires", i),
                        f"unknown concept '{other}' in requires{did_you_mean(other, seen)}",
                    )
                )
    state: dict[str, int] = {}

    def visit(cid: str, path: list[str]) -> None:
        state[cid] = 1
        for i, other in enumerate(seen[cid].spec.requires):
            if other not in seen or other == cid:
                continue
            if state.get(other) == 1:
                cycle = [*path[path.index(other) :], other] if other in path else [cid, other]
                problems.append(
                    Diagnostic(
                        seen[cid].where("requires", i),
                        "prerequisites form a cycle: " + " -> ".join(cycle),
                    )
                )
            elif other not in state:
                visit(other, [*path, other])
        state[cid] = 2

    for concept in concepts:
        if concept.spec.id not in state:
            visit(concept.spec.id, [concept.spec.id])
    return problems


def _placeholders(concept: Concept, value: Any, key: Key) -> list[Diagnostic]:
    """TODO markers left by `conceptdeck new`: a half-written concept must not slip into a build."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _placeholders(concept, v, (*key, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _placeholders(concept, v, (*key, i))]
    if isinstance(value, str) and re.search(r"\bTODO\b", value):
        return [Diagnostic(concept.file.where(key), "placeholder left in: replace the TODO text")]
    return []


def _check_figure(concept: Concept, name: str, fig: FigureSpec, source: Source) -> list[Diagnostic]:
    problems = []
    if fig.image is not None:
        if image_path(source.root, concept.file.path, fig.image) is None:
            problems.append(
                Diagnostic(
                    concept.where("figures", name, "image"),
                    f"image '{fig.image}' must be a relative path to a file inside the deck folder, not in a hidden folder",
                )
            )
        return problems
    assert fig.plot is not None
    try:
        json.dumps(fig.args, allow_nan=False)
    except (TypeError, ValueError) as exc:
        problems.append(
            Diagnostic(
                concept.where("figures", name, "args"),
                f"figure args must be plain numbers, text, true/false, lists or mappings ({exc});"
                " quote dates and other special values",
            )
        )
    plot = source.plots.get(fig.plot)
    if plot is None:
        hint = did_you_mean(fig.plot, source.plots)
        problems.append(
            Diagnostic(
                concept.where("figures", name, "plot"),
                f"unknown figure function '{fig.plot}' (define it with @figure in a .py file in the"
                f" deck folder){hint}",
            )
        )
        return problems
    for arg in fig.args:
        if arg in RESERVED_PARAMS:
            problems.append(
                Diagnostic(
                    concept.where("figures", name, "args", arg, of_key=True),
                    f"'{arg}' is supplied by the figure engine and cannot be set in YAML",
                )
            )
        elif arg not in plot.params and not plot.accepts_any:
            problems.append(
                Diagnostic(
                    concept.where("figures", name, "args", arg, of_key=True),
                    f"{fig.plot}() has no parameter '{arg}'{did_you_mean(arg, plot.params)}"
                    f" (defined at {plot.where})",
                )
            )
    for arg in sorted(plot.required - set(fig.args)):
        problems.append(
            Diagnostic(
                concept.where("figures", name, "plot"),
                f"{fig.plot}() needs argument '{arg}': add it under args (defined at {plot.where})",
            )
        )
    return problems


def image_path(root: Path, concept_file: Path, image: str) -> Path | None:
    """The image file an entry names, or None when it escapes the deck folder or does not exist."""
    parts = PurePosixPath(image).parts
    if (
        PurePosixPath(image).is_absolute()
        or Path(image).is_absolute()
        or any(p.startswith(".") for p in parts)
    ):
        return None  # no escapes with "..", and no hidden folders (builds do not track them)
    path = (concept_file.parent / image).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        return None
    return path


_SMALL_WORDS = {"a", "an", "and", "as", "at", "for", "in", "of", "on", "or", "the", "to", "vs"}


def _title(folder: str) -> str:
    words = folder.replace("_", " ").replace("-", " ").split()
    return " ".join(
        w if i and w in _SMALL_WORDS else w[:1].upper() + w[1:] for i, w in enumerate(words)
    )


def _deck_name(root_name: str, root: Path, file: YamlFile, spec: ConceptSpec) -> str:
    if spec.deck is not None:
        parts = [p.strip() for p in spec.deck.split("::") if p.strip()]
    else:
        parts = [_title(p) for p in file.path.parent.relative_to(root).parts]
    return "::".join([root_name, *parts])


# --- turning pydantic's errors into messages an author can act on --------------------------


M = typing.TypeVar("M", bound=BaseModel)


def _parse(model: type[M], file: YamlFile, problems: list[Diagnostic]) -> M | None:
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
            problems.append(_translate(model, file, error))
        return None


def _translate(model: type[BaseModel], file: YamlFile, error: Any) -> Diagnostic:
    loc: Key = tuple(error["loc"])
    kind, value = error["type"], error.get("input")
    where = file.where(loc)
    name = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[")
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _fields_at(model, loc[:-1])
        where = file.where(loc, of_key=True)
        return Diagnostic(
            where,
            f"unknown key '{key}'{did_you_mean(key, allowed)} (allowed: {', '.join(allowed)})",
        )
    if kind == "missing":
        parent = ".".join(str(p) for p in loc[:-1])
        inside = f" in {parent}" if parent else ""
        return Diagnostic(file.where(loc[:-1]), f"missing required key '{loc[-1]}'{inside}")
    if kind == "string_pattern_mismatch":
        if "Tag" in str(error.get("ctx", {})) or (len(loc) >= 2 and "tags" in loc):
            return Diagnostic(where, f"tag '{value}' must not contain spaces or quotes")
        if loc and loc[-1] == "url":
            return Diagnostic(
                where, f"'{value}' is not a web address: it must start with http:// or https://"
            )
        suggestion = re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")
        return Diagnostic(
            where,
            f"'{value}' is not a valid {name}: use lowercase letters, digits and single hyphens,"
            f" e.g. '{suggestion or 'my-id'}'",
        )
    if kind == "literal_error":
        choices = typing.get_args(_annotation_at(model, loc)) or ()
        hint = did_you_mean(str(value), choices)
        return Diagnostic(
            where, f"'{value}' is not a valid {name}{hint} (one of: {', '.join(choices)})"
        )
    if kind in {"string_type", "dict_type", "list_type", "model_type"}:
        expected = {"string_type": "text", "dict_type": "a mapping", "list_type": "a list"}.get(
            kind, "a mapping"
        )
        return Diagnostic(
            where,
            f"{name} should be {expected}, not {_describe(value)}"
            + (
                " (quote it to make it text)" if kind == "string_type" and value is not None else ""
            ),
        )
    if kind == "string_too_short":
        return Diagnostic(where, f"{name} must not be empty")
    if kind == "too_short":
        return Diagnostic(where, f"{name} must not be empty: a concept needs at least one card")
    if kind == "value_error":
        message = str(error["msg"]).removeprefix("Value error, ")
        return Diagnostic(where, message)
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
            tp = options[0] if len(options) == 1 else tp
            if len(options) != 1:
                return tp
        else:
            return tp


def _fields_at(model: type[BaseModel], loc: Key) -> list[str]:
    target = _annotation_at(model, loc)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return list(target.model_fields)
    return []


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schemas for editors: one for `deck.yaml`, one for concept files."""
    return {
        "deck": DeckSpec.model_json_schema(),
        "concept": ConceptSpec.model_json_schema(),
    }
