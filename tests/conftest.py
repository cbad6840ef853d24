"""Shared helpers: copies of fixture decks, the CLI runner, and Anki's own backend."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


@pytest.fixture(scope="session")
def figure_cache(request: pytest.FixtureRequest) -> Path:
    """A figure cache kept between test runs (in pytest's cache folder): entries are keyed by
    everything that decides their bytes and verified on every read, so reuse is safe."""
    return Path(request.config.cache.mkdir("conceptdeck-figures"))


def copy_deck(name: str, target: Path) -> Path:
    """A copy of a fixture deck (or of the bundled library, `concepts`) without its lock."""
    source = REPO / "concepts" if name == "concepts" else FIXTURES / name
    shutil.copytree(
        source, target, ignore=shutil.ignore_patterns("conceptdeck.lock", "__pycache__")
    )
    return target


@pytest.fixture
def deck_copy(tmp_path: Path):
    """Copy a fixture deck into tmp_path so builds can write its lock without touching git."""

    def copy(name: str, dest: str = "deck") -> Path:
        return copy_deck(name, tmp_path / dest)

    return copy


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run the CLI in tmp_path (so dist/ and the cache land there) and return click's Result."""
    monkeypatch.chdir(tmp_path)

    def invoke(*args: object, input: str | None = None):
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, input=input)

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
        self.reopen()  # the note-type cache goes stale after an import
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

    def review_all(self, deck: str, limit: int = 1000) -> int:
        """Answer every due card of `deck` 'Good' through the real scheduler."""
        self.col.decks.select(self.col.decks.id_for_name(deck))
        reviewed = 0
        while reviewed < limit and (card := self.col.sched.getCard()) is not None:
            card.start_timer()
            self.col.sched.answerCard(card, 3)
            reviewed += 1
        return reviewed

    def schedule(self) -> dict[int, tuple]:
        rows = self.col.db.all(
            "select id, nid, type, queue, due, ivl, factor, reps, lapses from cards"
        )
        return {row[0]: tuple(row[1:]) for row in rows}

    def revlog(self) -> list:
        return self.col.db.all("select id, cid, ease, ivl from revlog order by id")

    def close(self) -> None:
        self.col.close()


@pytest.fixture
def anki(tmp_path: Path):
    collection = Anki(tmp_path / "anki")
    yield collection
    collection.close()


def _hypothesis_profiles() -> None:
    """`pytest` runs a few hundred generated examples; `--hypothesis-profile=long` many more."""
    from hypothesis import HealthCheck, settings

    common = {"suppress_health_check": [HealthCheck.too_slow], "deadline": None}
    settings.register_profile("default", max_examples=150, **common)
    settings.register_profile("long", max_examples=2_000, **common)


_hypothesis_profiles()
