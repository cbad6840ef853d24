"""Skipping a build whose inputs are exactly those of the last one, the way `make` skips a
fresh target.

The record of the last build (kept in the cache folder) holds a fingerprint of everything the
build read: the deck's own files (concept and deck YAML, figure modules, images), the lock,
conceptdeck's code, Python and the libraries. When the fingerprint and the options match and the
output is still exactly as that build left it, its result is returned at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

from .environment import code_hash, environment
from .errors import FileAccessError
from .files import LOCK_FILE, LOCK_LIMIT, atomic_write, deck_files, read_bounded


def fingerprint(root: Path) -> str:
    """A hash of the deck's files, conceptdeck's code and the environment. Taken before the
    build reads anything, so an edit made during a build is never missed. Only files that belong
    to the deck are read, each bounded; images are fingerprinted by size and modification time."""
    digest = hashlib.sha256(f"{environment()}|{code_hash()}".encode())
    root = Path(root)
    if not root.is_dir():
        return ""
    files = deck_files(root)
    for problem in files.problems:
        digest.update(str(problem).encode())
    paths = [p for p in (files.deck, *files.concepts, *files.modules) if p is not None]
    try:
        for path in paths:
            digest.update(f"{path.relative_to(root)}\0".encode() + read_bounded(path) + b"\0")
        for image in files.images:
            info = image.stat()
            digest.update(
                f"{image.relative_to(root)}\0{info.st_size}\0{info.st_mtime_ns}\0".encode()
            )
    except (FileAccessError, OSError):
        return ""  # the build itself reports what cannot be read
    return digest.hexdigest()


def _record_path(cache_dir: Path, root: Path, options: dict[str, Any]) -> Path:
    key = json.dumps([str(root.resolve()), options], sort_keys=True).encode()
    return cache_dir / "builds" / f"{hashlib.sha256(key).hexdigest()[:20]}.json"


def _lock_digest(root: Path) -> str:
    try:
        return hashlib.sha256(read_bounded(root / LOCK_FILE, LOCK_LIMIT)).hexdigest()
    except FileAccessError:
        return ""


def read_record(
    cache_dir: Path, root: Path, options: dict[str, Any], inputs: str
) -> dict[str, Any] | None:
    """The last build's record for this deck and these options, if it read these same inputs,
    the lock is as it left it, and its output is still in place, untouched."""
    if not inputs:
        return None
    try:
        record = json.loads(_record_path(cache_dir, root, options).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict):
        return None
    if record.pop("inputs", None) != inputs or record.pop("lock", None) != _lock_digest(root):
        return None
    if record.pop("output_stat", None) != _stat(Path(str(record.get("output")))):
        return None
    return record


def write_record(
    cache_dir: Path, root: Path, options: dict[str, Any], inputs: str, record: dict[str, Any]
) -> None:
    """Best effort: a build whose record cannot be written simply is not skipped next time."""
    if not inputs:
        return
    data = record | {
        "inputs": inputs,
        "lock": _lock_digest(root),
        "output_stat": _stat(Path(record["output"])),
    }
    with contextlib.suppress(FileAccessError):
        atomic_write(_record_path(cache_dir, root, options), json.dumps(data).encode())


def _stat(path: Path) -> list[int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns]
