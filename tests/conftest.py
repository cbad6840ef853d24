"""Shared helpers: copies of fixture decks, the real Anki backend, and the CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


@pytest.fixture
def deck_copy(tmp_path: Path):
    """Copy a fixture deck into tmp_path so builds can write its ledger without touching git."""

    def copy(name: str, dest: str = "deck") -> Path:
        source = REPO / name if name == "concepts" else FIXTURES / name
        target = tmp_path / dest
        shutil.copytree(
            source, target, ignore=shutil.ignore_patterns("conceptdeck.lock", "__pycache__")
        )
        return target

    return copy


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run the CLI in tmp_path (so dist/ and the cache land there) and return click's Result."""
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str):
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return invoke


class Anki:
    """A temporary collection opened with Anki's own backend (the `anki` package)."""

    def __init__(self, folder: Path):
        from anki.collection import Collection

        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "collection.anki2"
        self.col = Collection(str(self.path))

    def import_apkg(self, apkg: Path):
        from anki.collection import ImportAnkiPackageRequest
        from anki.import_export_pb2 import ImportAnkiPackageOptions

        request = ImportAnkiPackageRequest(
            package_path=str(apkg), options=ImportAnkiPackageOptions()
        )
        log = self.col.import_anki_package(request).log
        self.reopen()  # the note-type cache goes stale after an import (ANKI_NOTES.md)
        return log

    def reopen(self) -> None:
        from anki.collection import Collection

        self.col.close()
        self.col = Collection(str(self.path))

    def cards(self, query: str = ""):
        return [self.col.get_card(cid) for cid in sorted(self.col.find_cards(query))]

    def note_by_guid(self, guid: str):
        nid = self.col.db.scalar("select id from notes where guid = ?", guid)
        return self.col.get_note(nid)

    def close(self) -> None:
        self.col.close()


@pytest.fixture
def anki(tmp_path: Path):
    collection = Anki(tmp_path / "anki")
    yield collection
    collection.close()
