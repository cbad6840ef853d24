"""What no single file can know: that the files of a deck, together, make a deck.

`validate` checks the links between files (unique ids, `related` and `requires` links, figure
references against the functions the `.py` files define, images inside the deck that really are
images) and returns the `Deck` every later stage works with, resolved once here so no later stage
re-checks or re-resolves anything, or every problem it found.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from .authoring import RESERVED_PARAMS
from .errors import Diagnostic, FileAccessError, Where, did_you_mean
from .figure_functions import FigureFunction
from .files import IMAGE_LIMIT, IMAGE_SUFFIXES, read_bounded, refusal, skipped
from .memo import Memo
from .schema import CLOZE_RE, ConceptSpec, DeckSpec, FigureSpec, parse, unclosed_gaps
from .source import Source
from .yaml_source import Key, YamlFile

IMAGE_PIXELS = 25_000_000  # a bigger image is a mistake or a decompression bomb
IMAGE_FORMATS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}


@dataclass(frozen=True)
class StaticImage:
    """An image file a concept names, read and checked once."""

    path: Path
    data: bytes
    suffix: str  # e.g. ".png", checked against the file's real format


@dataclass(frozen=True)
class Concept:
    """A validated concept with the file it came from (for positions) and its Anki deck."""

    spec: ConceptSpec
    file: YamlFile
    deck_name: str
    images: dict[str, StaticImage] = field(default_factory=dict)  # figure name → image

    @property
    def id(self) -> str:
        return self.spec.id

    def where(self, *key: str | int, of_key: bool = False) -> Where:
        return self.file.where(key, of_key=of_key)


@dataclass(frozen=True)
class Deck:
    """A validated deck: everything later stages need, nothing they must re-check."""

    spec: DeckSpec
    file: YamlFile
    root: Path
    concepts: tuple[Concept, ...]
    functions: dict[str, FigureFunction]

    @property
    def title_of(self) -> dict[str, str]:
        return {c.spec.id: c.spec.title for c in self.concepts}


def validate(source: Source, memo: Memo | None = None) -> tuple[Deck | None, list[Diagnostic]]:
    """Check every file and the links between them; return the deck (if usable) and all problems.

    With a memo, a concept file whose bytes validated before is not validated again.
    """
    problems = list(source.problems)
    deck_spec = parse(DeckSpec, source.deck, problems) if source.deck else None

    concepts: list[Concept] = []
    seen: dict[str, Concept] = {}
    broken = set(source.unparsed_ids)  # ids of files with errors: links to them are not unknown
    for file in source.concepts:
        spec = memo.get("spec", file.display, file.digest) if memo else None
        if spec is None:
            before = len(problems)
            spec = parse(ConceptSpec, file, problems)
            if memo is not None and spec is not None and len(problems) == before:
                memo.put("spec", file.display, file.digest, spec)
        if spec is None:
            if isinstance(file.data, dict) and isinstance(file.data.get("id"), str):
                broken.add(file.data["id"])
            continue
        deck_name = _deck_name(deck_spec.name if deck_spec else "", source.root, file, spec)
        images = _images(spec, file, source, problems)
        concept = Concept(spec, file, deck_name, images)
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
        problems += _links(concept, "related", seen, broken)
        problems += _links(concept, "requires", seen, broken)
        for name, fig in concept.spec.figures.items():
            if fig.plot is not None:
                problems += _drawn_figure(concept, name, fig, source.functions)
        file = concept.file
        if memo is None or memo.get("clean", file.display, file.digest) is None:
            own = _cards(concept) + _placeholders(concept, file.data, ())
            problems += own
            if memo is not None and not own:
                memo.put("clean", file.display, file.digest, True)
    problems += _prerequisite_cycles(seen)

    if deck_spec is None or any(p.severity == "error" for p in problems):
        return None, problems
    assert source.deck is not None
    ordered, order_problems = learning_order(concepts, deck_spec.name, deck_spec.order_subdecks)
    if order_problems:
        return None, problems + order_problems
    deck = Deck(deck_spec, source.deck, source.root, tuple(ordered), source.functions)
    return deck, problems


def learning_order(
    concepts: list[Concept], root_name: str, number: bool
) -> tuple[list[Concept], list[Diagnostic]]:
    """The concepts in the order learners should meet them: every concept after the concepts it
    requires, otherwise in file order.

    Anki introduces new cards in their package order within a deck but, with its default
    options, walks subdecks one after another in alphabetical order. So within a subdeck the
    order follows `requires`, and with `order_subdecks` the subdecks are numbered in an order
    that puts prerequisites first (a prerequisite may then come from an earlier subdeck only).
    """
    ids = {c.id: c for c in concepts}
    top = {c.id: _subdeck(c.deck_name, root_name) for c in concepts}
    problems: list[Diagnostic] = []
    subdecks = list(dict.fromkeys(top.values()))
    if number:
        after = {d: set() for d in subdecks}  # subdeck → subdecks that must come before it
        for c in concepts:
            for other in c.spec.requires:
                if other in ids and top[other] != top[c.id]:
                    after[top[c.id]].add(top[other])
        subdecks, cycle = _topological(subdecks, after)
        if cycle:
            where = next(c for c in concepts if top[c.id] == cycle[0]).where("requires")
            problems.append(
                Diagnostic(
                    where,
                    "with order_subdecks, prerequisites must lead from earlier subdecks to later"
                    f" ones, but subdecks {' and '.join(repr(d) for d in cycle)} require each other",
                )
            )
            return concepts, problems
    width = len(str(len(subdecks)))
    rank = {d: i for i, d in enumerate(subdecks)}
    ordered: list[Concept] = []
    for d in subdecks:
        members = [c.id for c in concepts if top[c.id] == d]
        before = {m: {o for o in ids[m].spec.requires if o in ids and top[o] == d} for m in members}
        sequence, _ = _topological(members, before)  # cycles were refused above
        for m in sequence:
            concept = ids[m]
            if number and d:
                name = f"{root_name}::{rank[d] + 1:0{width}d} {d}"
                rest = concept.deck_name[len(root_name) + 2 + len(d) :]
                concept = replace(concept, deck_name=name + rest)
            ordered.append(concept)
    return ordered, problems


def _subdeck(deck_name: str, root_name: str) -> str:
    """The top-level subdeck below the deck's own name ('' for the deck itself)."""
    rest = deck_name[len(root_name) + 2 :] if deck_name.startswith(root_name + "::") else ""
    return rest.split("::")[0]


def _topological(items: list[str], after: dict[str, set[str]]) -> tuple[list[str], list[str]]:
    """Items with each one after those it must follow, otherwise in their given order; and, if
    they cannot be ordered, some of the items that require each other (Kahn's algorithm, with
    the earliest ready item first)."""
    import heapq

    index = {item: i for i, item in enumerate(items)}
    missing = {item: len(after[item]) for item in items}
    followers: dict[str, list[str]] = {item: [] for item in items}
    for item in items:
        for before in after[item]:
            followers[before].append(item)
    ready = [index[item] for item in items if not missing[item]]
    heapq.heapify(ready)
    done: list[str] = []
    while ready:
        item = items[heapq.heappop(ready)]
        done.append(item)
        for follower in followers[item]:
            missing[follower] -= 1
            if not missing[follower]:
                heapq.heappush(ready, index[follower])
    if len(done) < len(items):
        stuck = [item for item in items if missing[item]]
        return done + stuck, stuck[:2]
    return done, []


def _links(
    concept: Concept, key: str, concepts: dict[str, Concept], broken: set[str]
) -> list[Diagnostic]:
    """`related` and `requires` name other concepts of the deck."""
    problems = []
    verb = {"related": "be related to", "requires": "require"}[key]
    for i, other in enumerate(getattr(concept.spec, key)):
        if other == concept.spec.id:
            problems.append(Diagnostic(concept.where(key, i), f"a concept cannot {verb} itself"))
        elif other not in concepts and other not in broken:
            renamed = [c.id for c in concepts.values() if other in c.spec.earlier_ids]
            hint = (
                f"; '{other}' was renamed to '{renamed[0]}'"
                if renamed
                else did_you_mean(other, concepts)
            )
            problems.append(
                Diagnostic(concept.where(key, i), f"unknown concept '{other}' in {key}{hint}")
            )
    return problems


def _prerequisite_cycles(concepts: dict[str, Concept]) -> list[Diagnostic]:
    """A concept cannot, through a chain of `requires`, come before itself."""
    problems = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(cid: str, path: list[str]) -> None:
        state[cid] = 1
        for i, other in enumerate(concepts[cid].spec.requires):
            if other not in concepts or other == cid:
                continue
            if state.get(other) == 1:
                cycle = [*path[path.index(other) :], other]
                problems.append(
                    Diagnostic(
                        concepts[cid].where("requires", i),
                        "prerequisites form a cycle: " + " -> ".join(cycle),
                    )
                )
            elif other not in state:
                visit(other, [*path, other])
        state[cid] = 2

    for cid in concepts:
        if cid not in state:
            visit(cid, [cid])
    return problems


def _cards(concept: Concept) -> list[Diagnostic]:
    spec, problems = concept.spec, []
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
        if card.kind == "cloze" and card.text and (problem := _gap_problem(card.text)):
            problems.append(Diagnostic(concept.where("cards", i, "text"), problem))
    return problems


def _gap_problem(text: str) -> str | None:
    """What is wrong with a cloze text's gaps as written: none, or one left open."""
    if not CLOZE_RE.search(text):
        return "cloze text has no gap: mark one like {{c1::the hidden part}}"
    if unclosed := unclosed_gaps(text):
        return (
            f"this cloze gap is never closed: end it with '}}}}' (at character {unclosed[0] + 1})"
        )
    return None


def _placeholders(concept: Concept, value: Any, key: Key) -> list[Diagnostic]:
    """TODO markers left by `conceptdeck new`: a half-written concept must not slip into a build."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _placeholders(concept, v, (*key, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _placeholders(concept, v, (*key, i))]
    if isinstance(value, str) and re.search(r"\bTODO\b", value):
        return [Diagnostic(concept.file.where(key), "placeholder left in: replace the TODO text")]
    return []


def _drawn_figure(
    concept: Concept, name: str, fig: FigureSpec, functions: dict[str, FigureFunction]
) -> list[Diagnostic]:
    problems = []
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
    function = functions.get(fig.plot)
    if function is None:
        hint = did_you_mean(fig.plot, functions)
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
        elif arg not in function.params and not function.accepts_any:
            problems.append(
                Diagnostic(
                    concept.where("figures", name, "args", arg, of_key=True),
                    f"{fig.plot}() has no parameter '{arg}'{did_you_mean(arg, function.params)}"
                    f" (defined at {function.where})",
                )
            )
    for arg in sorted(function.required - set(fig.args)):
        problems.append(
            Diagnostic(
                concept.where("figures", name, "plot"),
                f"{fig.plot}() needs argument '{arg}': add it under args (defined at {function.where})",
            )
        )
    return problems


def _images(
    spec: ConceptSpec, file: YamlFile, source: Source, problems: list[Diagnostic]
) -> dict[str, StaticImage]:
    """Each `image:` figure's file, resolved and checked once: inside the deck, a real image."""
    images = {}
    for name, fig in spec.figures.items():
        if fig.image is None:
            continue
        where = file.where(("figures", name, "image"))
        path, problem = _image_path(source.root, file.path, fig.image)
        if path is not None:
            try:
                image = _checked_image(path, read_bounded(path, IMAGE_LIMIT))
            except FileAccessError as exc:
                problem = f"cannot read image '{fig.image}': {exc.reason}"
            else:
                if isinstance(image, str):
                    problem = f"image '{fig.image}' {image}"
                else:
                    images[name] = image
        if problem:
            problems.append(Diagnostic(where, problem))
    return images


def _image_path(root: Path, concept_file: Path, image: str) -> tuple[Path | None, str]:
    """The file an `image:` names, or why it cannot be used."""
    posix = PurePosixPath(image)
    if posix.is_absolute() or Path(image).is_absolute() or ".." in posix.parts:
        return None, f"image '{image}' must be a path relative to the concept file, inside the deck"
    if any(skipped(part) for part in posix.parts):
        return None, (
            f"image '{image}' is in a hidden or '_' folder, which is not part of the deck;"
            " move it to a visible folder"
        )
    if posix.suffix.lower() not in IMAGE_SUFFIXES:
        return None, f"image '{image}' must be a PNG, JPEG, GIF or WebP file"
    path = concept_file.parent / image
    if not path.exists() and not path.is_symlink():
        return None, f"image '{image}' not found (looked for {path.as_posix()})"
    reason = refusal(path, root)
    if reason:
        return None, f"image '{image}' is {reason}"
    return path, ""


def _checked_image(path: Path, data: bytes) -> StaticImage | str:
    """The image if Pillow decodes it as one of the formats every Anki client shows, else why not."""
    import io
    import warnings

    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in IMAGE_FORMATS:
                    return f"is a {image.format} image; use PNG, JPEG, GIF or WebP"
                width, height = image.size
                if width * height > IMAGE_PIXELS:
                    return f"has {width}×{height} pixels; the limit is {IMAGE_PIXELS:,}"
                image.load()
                suffix = IMAGE_FORMATS[image.format]
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return f"has more pixels than the limit of {IMAGE_PIXELS:,}"
    except UnidentifiedImageError:
        return "is not an image Pillow can read"
    except (OSError, ValueError, SyntaxError) as exc:  # Pillow reports damaged data these ways
        return f"is damaged ({exc})"
    if path.suffix.lower() not in (suffix, ".jpeg" if suffix == ".jpg" else suffix):
        return f"is a {suffix[1:].upper()} file named {path.suffix}; rename it to {suffix}"
    return StaticImage(path, data, path.suffix.lower())


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
