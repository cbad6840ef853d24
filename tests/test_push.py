"""`push`: into a closed collection with Anki's backend, and into a running Anki through
AnkiConnect.

AnkiConnect is an add-on inside Anki desktop and cannot run here, so these tests talk to a
protocol-level stand-in: a small HTTP server that speaks AnkiConnect's JSON protocol (API
version 6, the `key` field, `result`/`error` replies) for the actions push uses, executing them
against a real collection with Anki's own backend. Its `importPackage` uses the backend's
importer, as the add-on's does where Anki still ships its older Python importer.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.package import guid
from tests.conftest import Anki


class AnkiConnectStandIn:
    """Serves AnkiConnect's protocol on 127.0.0.1 over a real collection."""

    def __init__(self, anki: Anki, key: str | None = None):
        self.anki, self.key = anki, key
        self.version = 6
        self.legacy_importer_missing = False  # as on Anki 26.09: importPackage fails
        self.hang = False
        self.calls: list[str] = []
        self.lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                reply = standin.handle(body)
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, body: dict) -> dict:
        action, params = body.get("action"), body.get("params", {})
        self.calls.append(action)
        if self.hang:
            time.sleep(5)
        if self.key is not None and body.get("key") != self.key:
            return {"result": None, "error": "valid api key must be provided"}
        try:
            with self.lock:
                return {"result": getattr(self, f"action_{action}")(**params), "error": None}
        except Exception as exc:  # the add-on turns every exception into an error reply
            return {"result": None, "error": str(exc)}

    def action_version(self) -> int:
        return self.version

    def action_findNotes(self, query: str) -> list[int]:
        return list(self.anki.col.find_notes(query))

    def action_notesInfo(self, notes: list[int]) -> list[dict]:
        infos = []
        for note_id in notes:
            note = self.anki.col.get_note(note_id)
            infos.append(
                {
                    "noteId": note.id,
                    "mod": note.mod,
                    "tags": note.tags,
                    "modelName": note.note_type()["name"],
                    "fields": dict(note.items()),
                }
            )
        return infos

    def action_importPackage(self, path: str) -> bool:
        if self.legacy_importer_missing:
            raise ModuleNotFoundError("No module named 'anki.importing'")
        self.anki.import_apkg(Path(path))
        return True

    def action_guiImportFile(self, path: str) -> None:
        self.gui_import = path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def standin(anki: Anki):
    server = AnkiConnectStandIn(anki)
    yield server
    server.close()


def _edit(source: Path) -> None:
    pca = source / "linear-algebra" / "pca.yaml"
    pca.write_text(
        pca.read_text().replace(
            "answer: The directions along which", "answer: Exactly the directions along which"
        )
    )


def _learner_round(anki: Anki) -> tuple[dict, list]:
    assert anki.review_all("Fixture Deck") >= 8
    return anki.schedule(), anki.revlog()


def test_push_into_a_closed_collection_updates_in_place_and_keeps_history(
    deck_copy, run, tmp_path, anki: Anki, figure_cache
):
    source = deck_copy("valid")
    collection = anki.path
    anki.close()
    first = run("push", source, "--collection", collection, "-q", "--cache-dir", figure_cache)
    assert first.exit_code == 0, first.output
    assert "8 new, 0 updated, 0 unchanged" in first.stdout

    anki.reopen()
    schedule, history = _learner_round(anki)
    mine = anki.note_by_guid(guid("fixture", "gradient-descent/large-rate"))
    mine["Why"] = "My own note."
    anki.col.update_note(mine)
    anki.close()

    _edit(source)
    second = run("push", source, "--collection", collection, "-q", "--cache-dir", figure_cache)
    assert second.exit_code == 0, second.output
    assert "0 new, 1 updated, 7 unchanged" in second.stdout

    anki.reopen()
    assert anki.col.note_count() == 8 and anki.schedule() == schedule and anki.revlog() == history
    assert (
        anki.note_by_guid(guid("fixture", "gradient-descent/large-rate"))["Why"] == "My own note."
    )
    by_hand = anki.import_apkg(tmp_path / "dist" / "fixture.apkg")
    assert not by_hand.new and not by_hand.conflicting, "the shared package finds the same notes"


def test_push_refuses_a_collection_that_anki_has_open(deck_copy, run, anki: Anki, figure_cache):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys,time\nfrom anki.collection import Collection\n"
            f"c = Collection({str(anki.path)!r}); print('open', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    anki.close()
    try:
        assert holder.stdout.readline().strip() == "open"
        result = run(
            "push", deck_copy("valid"), "--collection", anki.path, "-q", "--cache-dir", figure_cache
        )
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "is open in Anki (it is locked): close Anki first" in result.stderr
    finally:
        holder.kill()
        holder.communicate()
    anki.reopen()
    assert anki.col.note_count() == 0, "nothing was written"


def test_push_through_ankiconnect_keeps_the_packages_identity(
    deck_copy, run, tmp_path, anki: Anki, standin, figure_cache
):
    source = deck_copy("valid")
    first = run("push", source, "--url", standin.url, "-q", "--cache-dir", figure_cache)
    assert first.exit_code == 0, first.output
    assert "8 new, 0 updated, 0 unchanged" in first.stdout
    assert "addNotes" not in standin.calls and "importPackage" in standin.calls

    schedule, history = _learner_round(anki)
    _edit(source)
    second = run("push", source, "--url", standin.url, "-q", "--cache-dir", figure_cache)
    assert "0 new, 1 updated, 7 unchanged" in second.stdout
    assert anki.col.note_count() == 8 and anki.schedule() == schedule and anki.revlog() == history
    released = anki.import_apkg(tmp_path / "dist" / "fixture.apkg")
    assert not released.new and not released.conflicting


def test_without_the_old_importer_push_opens_ankis_import_dialog(
    deck_copy, run, standin, figure_cache
):
    standin.legacy_importer_missing = True
    result = run(
        "push", deck_copy("valid"), "--url", standin.url, "-q", "--cache-dir", figure_cache
    )
    assert result.exit_code == 0, result.output
    assert "opened Anki's import dialog" in result.stdout
    assert standin.gui_import.endswith("fixture.apkg")


def test_push_fails_clearly(deck_copy, run, anki: Anki, figure_cache):
    source = deck_copy("valid")
    options = ("-q", "--cache-dir", figure_cache)

    refused = run("push", source, "--url", "http://127.0.0.1:9", *options)
    assert refused.exit_code == 1 and "cannot reach Anki at http://127.0.0.1:9" in refused.stderr

    guarded = AnkiConnectStandIn(anki, key="secret")
    try:
        wrong = run("push", source, "--url", guarded.url, "--key", "nope", *options)
        assert wrong.exit_code == 1 and "AnkiConnect refused the key" in wrong.stderr
        right = run("push", source, "--url", guarded.url, "--key", "secret", *options)
        assert right.exit_code == 0, right.output

        guarded.version = 5
        old = run("push", source, "--url", guarded.url, "--key", "secret", *options)
        assert old.exit_code == 1 and "speaks API version 5; push needs 6" in old.stderr

        guarded.version = 6
        guarded.action_importPackage = lambda path: (_ for _ in ()).throw(OSError("disk full"))
        error = run("push", source, "--url", guarded.url, "--key", "secret", *options)
        assert (
            error.exit_code == 1 and "AnkiConnect refused importPackage: disk full" in error.stderr
        )

        guarded.hang = True
        slow = run(
            "push", source, "--url", guarded.url, "--key", "secret", "--timeout", "0.5", *options
        )
        assert slow.exit_code == 1 and "did not answer within 0.5 s" in slow.stderr
    finally:
        guarded.close()
    assert all("Traceback" not in r.output for r in (refused,))


def test_watch_can_push_every_good_build(
    deck_copy, tmp_path, anki: Anki, standin, figure_cache, monkeypatch
):
    from click.testing import CliRunner

    import generator.preview.serve as serve
    from generator.cli import cli

    source = deck_copy("valid")
    monkeypatch.chdir(tmp_path)
    stop = threading.Event()
    original = serve.watch
    monkeypatch.setattr(serve, "watch", lambda *a, **k: original(*a, **k, stop=stop, interval=0.1))
    arguments = ["watch", str(source), "--port", "0", "--push", "--url", standin.url]
    arguments += ["--cache-dir", str(figure_cache), "-j", "1"]
    results = []
    runner = threading.Thread(
        target=lambda: results.append(CliRunner().invoke(cli, arguments)), daemon=True
    )

    def notes() -> int:
        with standin.lock:  # the stand-in's thread uses (and reopens) the same collection
            return anki.col.note_count()

    def answer() -> str:
        with standin.lock:
            return anki.note_by_guid(guid("fixture", "pca/keeps-variance"))["Answer"]

    runner.start()
    try:
        deadline = time.monotonic() + 60
        while notes() < 8:
            assert time.monotonic() < deadline and runner.is_alive(), results
            time.sleep(0.1)
        _edit(source)
        while "Exactly the directions" not in answer():
            assert time.monotonic() < deadline and runner.is_alive(), results
            time.sleep(0.1)
    finally:
        stop.set()
        runner.join(30)
    assert notes() == 8 and results[0].exit_code == 0, results[0].output
