"""Starting new work: `conceptdeck new` writes a concept skeleton an author fills in.

Its TODO placeholders are errors for `check` and `build` until replaced, so a half-written
concept cannot slip into a deck.
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
