"""What earlier builds leave behind: the ledger of note times, and a record of the last build.

Anki applies an incoming note only if its modification time is newer than the collection's copy.
Stamping every note with the build time would overwrite a learner's own edits on every re-import;
a fixed time would never update anything. So each note's time changes exactly when its rendered
content does, and that history lives in `conceptdeck.lock`, which maintainers commit with the deck.

The build record (in the cache folder) lets a build whose inputs are byte-for-byte those of the
last one, and whose output is still in place, return at once, the way `make` skips fresh targets.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import ContentError, Diagnostic, Where, display_path

FORMAT = 1


@dataclass(frozen=True)
class Ledger:
    """Per note ("concept/card") or note type: content hash, modification time (seconds), and
    the hash of its inputs (content with figures named by what was drawn, not by their bytes)."""

    entries: Mapping[str, tuple[str, int, str]] = field(default_factory=dict)

    def stamp(self, hashes: Mapping[str, tuple[str, str]], now: int) -> Ledger:
        """A ledger for these (content, inputs) hashes. Unchanged content keeps its time; so does
        content whose inputs are unchanged (the same pictures encoded by another machine), since
        re-stamping it would overwrite learners' edits for nothing. Changed or new content gets
        `now`, or one second past its old time, so two builds in one second still differ."""
        entries = {}
        for key, (digest, inputs) in hashes.items():
            old = self.entries.get(key)
            if old and (old[0] == digest or (inputs and old[2] == inputs)):
                entries[key] = (digest, old[1], inputs)
            else:
                entries[key] = (digest, max(now, old[1] + 1) if old else now, inputs)
        return Ledger(entries)

    def mod(self, key: str) -> int:
        return self.entries[key][1]


def read_ledger(path: Path) -> Ledger:
    """The ledger at `path`, empty when there is none yet."""
    if not path.exists():
        return Ledger()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = {
            k: (str(v[0]), int(v[1]), str(v[2]) if len(v) > 2 else "")
            for k, v in data["entries"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise ContentError(
            [
                Diagnostic(
                    Where(display_path(path)),
                    f"cannot read the ledger ({exc}); restore it from version control",
                )
            ]
        ) from exc
    return Ledger(entries)


def write_ledger(path: Path, ledger: Ledger) -> None:
    """Write atomically, sorted, one entry per line: diffs in version control stay readable."""
    lines = [f"  {json.dumps(k)}: {json.dumps(list(v))}" for k, v in sorted(ledger.entries.items())]
    body = ",\n".join(lines)
    text = f'{{\n "format": {FORMAT},\n "entries": {{\n{body}\n }}\n}}\n'
    atomic_write(path, text.encode("utf-8"))


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` only once the new content is fully on disk: a failed write leaves it intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- the record of the last build ---------------------------------------------------------------


def fingerprint(root: Path) -> str:
    """A hash of everything a build reads except the lock file it writes: every file of the deck
    folder, the generator's own code and templates, Python's and the installed packages' versions.
    Taken before the build reads anything, so an edit made during a build is never missed."""
    digest = hashlib.sha256(sys.version.encode())
    lock = (root / "conceptdeck.lock").resolve()
    for base in (root, Path(__file__).parent):
        for folder, dirs, files in os.walk(base):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
            for name in sorted(files):
                path = Path(folder, name)
                if path.resolve() != lock:
                    digest.update(
                        f"{path.relative_to(base)}\0".encode() + path.read_bytes() + b"\0"
                    )
    spec = importlib.util.find_spec("genanki")  # its folder is where the dependencies live
    if spec and spec.origin:
        site = Path(spec.origin).parent.parent
        digest.update(
            " ".join(sorted(n for n in os.listdir(site) if n.endswith(".dist-info"))).encode()
        )
    return digest.hexdigest()


def _record_path(cache_dir: Path, root: Path, options: dict) -> Path:
    key = json.dumps([str(root.resolve()), options], sort_keys=True).encode()
    return cache_dir / "builds" / f"{hashlib.sha256(key).hexdigest()[:20]}.json"


def _lock_digest(root: Path) -> str:
    try:
        return hashlib.sha256((root / "conceptdeck.lock").read_bytes()).hexdigest()
    except OSError:
        return ""


def read_build_record(cache_dir: Path, root: Path, options: dict, inputs: str) -> dict | None:
    """The last build's record for this deck and these options, if it read these same inputs
    and the lock file is as it left it."""
    try:
        record = json.loads(_record_path(cache_dir, root, options).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.pop("inputs", None) != inputs or record.pop("lock", None) != _lock_digest(root):
        return None
    return record


def write_build_record(
    cache_dir: Path, root: Path, options: dict, inputs: str, record: dict
) -> None:
    """Best effort: a build whose record cannot be written simply is not skipped next time."""
    try:
        data = record | {"inputs": inputs, "lock": _lock_digest(root)}
        atomic_write(_record_path(cache_dir, root, options), json.dumps(data).encode())
    except OSError:
        pass


def output_stat(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_size, info.st_mtime_ns]


def output_unchanged(path: Path, stat: list[int]) -> bool:
    try:
        return output_stat(path) == stat
    except OSError:
        return False
