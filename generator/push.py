"""`conceptdeck push`: a built deck straight into Anki, with the identity a shared package has.

Notes must arrive with exactly the GUIDs the `.apkg` carries, so that a learner who later imports
a released package gets updates in place, never duplicates. AnkiConnect's `addNotes` cannot set
a GUID, so push never uses it: it hands Anki the package itself.

- Into a running Anki, through the AnkiConnect add-on (API version 6): its `importPackage` action
  with the package's path. AnkiConnect runs that on Anki's older Python importer, which Anki
  removed in 26.09; where the action fails for that reason, push asks AnkiConnect to open Anki's
  own import dialog on the package (`guiImportFile`) instead, and the author confirms it there.
- Into a collection file while Anki is closed, with Anki's own backend (`--collection`), using
  the import options a learner gets by default. Anki's backend refuses a collection that Anki
  has open, and imports in one transaction, so the file is never left half-written.

Either way push reports what changed (new, updated, unchanged notes) and every failure clearly.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import AnkiError

DEFAULT_URL = "http://127.0.0.1:8765"
API_VERSION = 6
TIMEOUT = 30.0  # seconds for each request; an import of a large deck takes a few


@dataclass(frozen=True)
class PushResult:
    """What a push did."""

    where: str
    new: int
    updated: int
    unchanged: int
    confirm_in_anki: bool = False  # Anki's import dialog was opened; counts come after

    def __str__(self) -> str:
        if self.confirm_in_anki:
            return (
                f"opened Anki's import dialog on the package in {self.where}: click Import there"
                " (this AnkiConnect cannot import on its own with this Anki)"
            )
        return f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged in {self.where}"


class AnkiConnect:
    """A client for the AnkiConnect add-on's JSON protocol, with a timeout on every request."""

    def __init__(self, url: str = DEFAULT_URL, key: str | None = None, timeout: float = TIMEOUT):
        self.url, self.key, self.timeout = url, key, timeout

    def call(self, action: str, **params: Any) -> Any:
        body: dict[str, Any] = {"action": action, "version": API_VERSION, "params": params}
        if self.key is not None:
            body["key"] = self.key
        request = urllib.request.Request(
            self.url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                reply = json.loads(response.read().decode("utf-8"))
        except TimeoutError as exc:
            raise AnkiError(
                f"Anki did not answer within {self.timeout:g} s at {self.url} ({action}): is a"
                " dialog open in Anki?"
            ) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise AnkiError(
                    f"Anki did not answer within {self.timeout:g} s at {self.url} ({action})"
                ) from exc
            raise AnkiError(
                f"cannot reach Anki at {self.url} ({exc.reason}): start Anki with the AnkiConnect"
                " add-on (code 2055492159), or push into a closed collection with --collection"
            ) from exc
        except (ValueError, OSError) as exc:
            raise AnkiError(f"{self.url} did not answer like AnkiConnect ({exc})") from exc
        if not isinstance(reply, dict) or set(reply) != {"result", "error"}:
            raise AnkiError(
                f"{self.url} did not answer like AnkiConnect API version {API_VERSION}: is the"
                " add-on up to date?"
            )
        if reply["error"] is not None:
            message = str(reply["error"])
            if "api key" in message.lower():
                raise AnkiError(
                    f"AnkiConnect refused the key ({message}): pass the key set in its"
                    " configuration with --key"
                )
            raise _Refused(action, message)
        return reply["result"]


class _Refused(AnkiError):
    def __init__(self, action: str, message: str):
        self.action, self.message = action, message
        super().__init__(f"AnkiConnect refused {action}: {message}")


def push_to_anki(
    package: Path,
    deck_name: str,
    *,
    url: str = DEFAULT_URL,
    key: str | None = None,
    timeout: float = TIMEOUT,
) -> PushResult:
    """Import `package` into the Anki that AnkiConnect at `url` serves."""
    anki = AnkiConnect(url, key, timeout)
    version = anki.call("version")
    if not isinstance(version, int) or version < API_VERSION:
        raise AnkiError(
            f"AnkiConnect at {url} speaks API version {version}; push needs {API_VERSION}:"
            " update the add-on (Tools → Add-ons → Check for updates)"
        )
    before = _mod_times(anki, deck_name)
    try:
        anki.call("importPackage", path=str(Path(package).resolve()))
    except _Refused as refused:
        if "importing" not in refused.message and "AnkiPackageImporter" not in refused.message:
            raise
        anki.call("guiImportFile", path=str(Path(package).resolve()))
        return PushResult(url, 0, 0, 0, confirm_in_anki=True)
    after = _mod_times(anki, deck_name)
    return _compare(url, before, after)


def _mod_times(anki: AnkiConnect, deck_name: str) -> dict[int, int]:
    """Note id → modification time of the deck's notes (and its subdecks')."""
    ids = anki.call("findNotes", query=f'"deck:{_quote(deck_name)}"')
    if not ids:
        return {}
    infos = anki.call("notesInfo", notes=ids)
    return {info["noteId"]: info.get("mod", 0) for info in infos if info}


def _quote(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"').replace("*", "\\*").replace("_", "\\_")


def _compare(where: str, before: dict[int, int], after: dict[int, int]) -> PushResult:
    new = sum(1 for note in after if note not in before)
    updated = sum(1 for note, mod in after.items() if note in before and before[note] != mod)
    return PushResult(where, new, updated, len(after) - new - updated)


def push_to_collection(package: Path, collection: Path) -> PushResult:
    """Import `package` into the collection file at `collection` while Anki is closed."""
    from .collection import backend, import_package

    collection = Path(collection)
    if not collection.is_file():
        raise AnkiError(
            f"{collection} is not an Anki collection file (Anki keeps it as collection.anki2 in"
            " your profile folder)"
        )
    module = backend()
    from anki.errors import DBError

    try:
        col = module.Collection(str(collection))
    except DBError as exc:
        raise AnkiError(
            f"{collection} is open in Anki (it is locked): close Anki first, or push into the"
            " running Anki through AnkiConnect (push without --collection)"
        ) from exc
    try:
        counts = import_package(col, package)
    finally:
        col.close()
    return PushResult(str(collection), counts.new, counts.updated, counts.unchanged)
