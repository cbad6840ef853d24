"""Starting new work: `conceptdeck init` writes a deck folder ready for git, and `conceptdeck
new` a concept skeleton an author fills in.

`init`'s example concept passes `check --strict`, so a new author starts from something that
builds and shows each core kind of card. `new`'s TODO placeholders are errors for `check` and
`build` until replaced, so a half-written concept cannot slip into a deck. Neither ever
overwrites a file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import FileAccessError, UsageError
from .schema import CORE_KINDS, SLUG_PATTERN

_QUESTIONS = {
    "attribute": ("what-it-keeps", "What is always true of {title}?", "one phrase"),
    "contrast": (
        "versus-neighbour",
        "What does {title} capture that its nearest neighbour does not?",
        "one phrase",
    ),
    "mechanism": ("why-it-works", "Why does {title} work?", "one sentence"),
    "consequence": ("if-it-changes", "What happens to {title} if ...?", "one sentence"),
    "failure": ("when-it-misleads", "When does {title} give a wrong picture?", "one sentence"),
}


def new_concept(concept_id: str, folder: Path, title: str | None = None) -> Path:
    """Write `folder/<id>.yaml` with one card of each core kind; never overwrites a file."""
    if not re.fullmatch(SLUG_PATTERN, concept_id):
        raise UsageError(
            f"'{concept_id}' is not a valid concept id: use lowercase letters, digits and hyphens"
        )
    path = Path(folder) / f"{concept_id}.yaml"
    title = title or concept_id.replace("-", " ").capitalize()
    function = concept_id.replace("-", "_") + "_picture"

    def quote(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML scalar

    cards = ""
    for kind in CORE_KINDS:
        card_id, question, answer = _QUESTIONS[kind]
        cards += (
            f"  - id: {card_id}\n    kind: {kind}\n"
            f"    prompt: {quote('TODO: ' + question.format(title=title))}\n"
            f"    answer: {quote('TODO: ' + answer)}\n"
        )
    text = (
        f"id: {concept_id}\n"
        f"title: {quote(title)}\n"
        "intuition: >-\n  TODO: the mental model in one to three sentences.\n"
        "related: []\n"
        'sources:\n  - {title: "TODO: a textbook section, paper or article"}\n'
        "figures:\n"
        "  main:\n"
        f"    plot: {function}  # define it with @figure in a .py file next to this one\n"
        '    alt: "TODO: what the picture shows"\n'
        f"cards:\n{cards}"
    )
    write_new(path, text)
    return path


def write_new(path: Path, text: str) -> None:
    """Create a file that must not exist yet: an author's work is never overwritten."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError as exc:
        raise FileAccessError(path, "already exists; not overwriting it") from exc
    except OSError as exc:
        raise FileAccessError.from_os(path, exc, "write it") from exc


def init_deck(folder: Path, name: str, deck_id: str | None = None) -> list[Path]:
    """Write a new deck folder; refuse, writing nothing, if any of its files exists already."""
    deck_id = deck_id or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "my-deck"
    if not re.fullmatch(SLUG_PATTERN, deck_id):
        raise UsageError(
            f"'{deck_id}' is not a valid deck id: use lowercase letters, digits and hyphens"
        )
    if not name.strip() or "::" in name:
        raise UsageError("the deck name must not be empty or contain '::'")
    files = {
        "deck.yaml": _DECK_YAML.format(name=json.dumps(name, ensure_ascii=False), id=deck_id),
        "basics/mean-and-median.yaml": _asset("mean-and-median.yaml"),
        "basics/figures.py": _asset("figures.py"),
        ".gitignore": _asset("gitignore"),
        ".gitattributes": _asset("gitattributes"),
        ".pre-commit-config.yaml": _asset("pre-commit-config.yaml"),
        "README.md": _asset("README.md").replace("{name}", name).replace("{id}", deck_id),
    }
    existing = [folder / n for n in files if (folder / n).exists()]
    if existing:
        names = ", ".join(str(p) for p in existing)
        raise FileAccessError(folder, f"already has {names}; not overwriting anything")
    written = []
    for relative, text in files.items():
        write_new(folder / relative, text)
        written.append(folder / relative)
    return written


def _asset(name: str) -> str:
    from importlib import resources

    return resources.files("generator").joinpath("new_deck", name).read_text(encoding="utf-8")


_DECK_YAML = """\
name: {name}
id: {id}   # the identity of every note: never change it once the deck is shared
description: |
  What this deck is for, in a sentence or two (Markdown).
version: 0.1.0   # set by `conceptdeck release`
author: ""
license: CC-BY-4.0
"""
