"""Reading a deck folder: its YAML files with positions, and the figure functions its modules
define. Nothing is judged here beyond "can it be read"; validation gives it meaning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import Diagnostic, FileAccessError, Where, display_path
from .figure_functions import FigureFunction, scan
from .files import DECK_FILE, DeckFiles, deck_files, read_bounded
from .memo import Memo
from .yaml_source import YamlFile, read_yaml


@dataclass(frozen=True)
class Source:
    """Everything read from a deck folder, before any validation of meaning."""

    root: Path
    files: DeckFiles
    deck: YamlFile | None
    concepts: tuple[YamlFile, ...]
    functions: dict[str, FigureFunction]
    problems: tuple[Diagnostic, ...]
    unparsed_ids: frozenset[str] = frozenset()  # `id:` lines of files with YAML errors


def load(root: Path, memo: Memo | None = None) -> Source:
    """Read `deck.yaml`, every concept file and every figure module of the deck at `root`."""
    root = Path(root)
    if not root.is_dir():
        problems = [Diagnostic(Where(display_path(root)), "deck folder not found")]
        empty = DeckFiles(root, None, (), (), (), ())
        return Source(root, empty, None, (), {}, tuple(problems))
    files = deck_files(root)
    problems = list(files.problems)

    deck = None
    if files.deck is not None:
        deck = read_yaml(files.deck, display_path(files.deck), problems)
    else:
        problems.append(
            Diagnostic(
                Where(display_path(root / DECK_FILE)),
                f"missing {DECK_FILE}: every deck folder needs one at its root",
                hint="it names the deck and its id, e.g. 'name: My Deck' and 'id: my-deck'",
            )
        )

    concepts, unparsed_ids = [], set()
    for path in files.concepts:
        parsed = read_yaml(path, display_path(path), problems, memo)
        if parsed is not None:
            concepts.append(parsed)
        else:  # its problems are reported; still learn its id, so links to it are not unknown too
            unparsed_ids.update(_id_line(path))

    functions: dict[str, FigureFunction] = {}
    for path in files.modules:
        for function in scan(path, problems):
            if function.name in functions:
                first = functions[function.name]
                problems.append(
                    Diagnostic(
                        function.where,
                        f"figure function '{function.name}' is also defined at {first.where}",
                    )
                )
            else:
                functions[function.name] = function
    return Source(
        root, files, deck, tuple(concepts), functions, tuple(problems), frozenset(unparsed_ids)
    )


def _id_line(path: Path) -> set[str]:
    try:
        text = read_bounded(path).decode("utf-8", "replace")
    except FileAccessError:  # the file's own problem is already reported
        return set()
    found = re.search(r"^id:\s*['\"]?([a-z0-9-]+)", text, re.M)
    return set(found.groups()) if found else set()
