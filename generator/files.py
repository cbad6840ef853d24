"""Which files make up a deck, and the only ways conceptdeck reads and writes them.

A deck folder is whatever the author keeps next to their concepts, so nothing in it is read
unless it belongs to the deck: `deck.yaml`, concept `*.yaml`, figure `*.py` and the images
concepts name. Links are followed only when they stay inside the deck and end at a regular file;
every read is bounded, so a link to `/dev/zero` or a FIFO can neither exhaust memory nor hang a
build. Writes replace a file only once its new content is complete on disk.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import Diagnostic, FileAccessError, Where, display_path

DECK_FILE = "deck.yaml"
LOCK_FILE = "conceptdeck.lock"
CONCEPT_SUFFIXES = (".yaml", ".yml")
MODULE_SUFFIX = ".py"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")

SOURCE_LIMIT = 2_000_000  # bytes in one YAML or Python file: a concept file is a few kB
IMAGE_LIMIT = 20_000_000  # bytes in one image file
LOCK_LIMIT = 50_000_000  # bytes in the lock: a line per note, ~200 bytes each


@dataclass(frozen=True)
class DeckFiles:
    """The files of a deck folder, each list in a stable order, and the entries that were refused."""

    root: Path
    deck: Path | None
    concepts: tuple[Path, ...]
    modules: tuple[Path, ...]
    images: tuple[Path, ...]  # every image below the root; concepts pick theirs by path
    problems: tuple[Diagnostic, ...]


def skipped(part: str) -> bool:
    """Folders and files conceptdeck never looks into: hidden ones and `_private`/`__pycache__`."""
    return part.startswith((".", "_"))


def deck_files(root: Path) -> DeckFiles:
    """Walk the deck folder once, without following links to folders or leaving the deck."""
    root = Path(root)
    resolved_root = root.resolve()
    concepts, modules, images, problems = [], [], [], []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not skipped(d))
        for name in sorted(names):
            if skipped(name) or name == LOCK_FILE:
                continue
            suffix = Path(name).suffix.lower()
            if suffix not in (*CONCEPT_SUFFIXES, MODULE_SUFFIX, *IMAGE_SUFFIXES):
                continue
            path = Path(folder, name)
            refusal = _refusal(path, resolved_root)
            if refusal:
                if suffix in IMAGE_SUFFIXES:
                    continue  # an image only matters if a concept names it; validation says so
                problems.append(Diagnostic(Where(display_path(path)), refusal))
            elif suffix in CONCEPT_SUFFIXES:
                concepts.append(path)
            elif suffix == MODULE_SUFFIX:
                modules.append(path)
            else:
                images.append(path)
    deck = root / DECK_FILE
    has_deck = deck in concepts
    return DeckFiles(
        root,
        deck if has_deck else None,
        tuple(p for p in concepts if p != deck),
        tuple(modules),
        tuple(images),
        tuple(problems),
    )


def _refusal(path: Path, resolved_root: Path) -> str:
    """Why `path` cannot be read as part of the deck, or '' when it can."""
    try:
        info = path.lstat()
    except OSError:
        return "a file that vanished while the deck was read"
    if stat.S_ISREG(info.st_mode):
        return ""  # found by walking the deck, links to folders never followed: it is inside
    try:
        target = path.resolve(strict=True)
        info = target.stat()
    except (OSError, RuntimeError):  # a dangling link or a link loop
        return "a link that leads nowhere; remove it or point it at a file inside the deck folder"
    if not target.is_relative_to(resolved_root):
        return "a link to outside the deck folder; conceptdeck reads only files inside the deck"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a device, FIFO or socket); conceptdeck reads only regular files"
    return ""


def refusal(path: Path, root: Path) -> str:
    """Why a path named in the sources (an image) cannot be used, or '' when it can."""
    return _refusal(path, root.resolve())


def read_bounded(path: Path, limit: int = SOURCE_LIMIT) -> bytes:
    """The bytes of a regular file of at most `limit` bytes.

    Opened without blocking (a FIFO swapped in after the walk cannot hang the build) and checked
    again once open; raises FileAccessError with the reason otherwise.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise FileAccessError.from_os(path, exc, "read it") from exc
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FileAccessError(path, "not a regular file")
        chunks, size = [], 0
        while chunk := os.read(fd, min(1 << 20, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise FileAccessError(
                    path, f"larger than {limit // 1_000_000} MB, the limit for this kind of file"
                )
        return b"".join(chunks)
    except OSError as exc:
        raise FileAccessError.from_os(path, exc, "read it") from exc
    finally:
        os.close(fd)


def read_source(path: Path, display: str, problems: list[Diagnostic]) -> bytes | None:
    """A source file's bytes, or None with a located problem: one unreadable file must not
    hide the problems of the others."""
    try:
        return read_bounded(path)
    except FileAccessError as exc:
        problems.append(Diagnostic(Where(display), f"cannot read file: {exc.reason}"))
        return None


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` only once the new content is fully on disk: a failed write leaves it intact.

    A symbolic link is written through (its target is replaced and the link stays a link), so a
    deck can keep its output or lock wherever a link points.
    """
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", dir=path.parent)
    except OSError as exc:
        raise FileAccessError.from_os(path, exc, "write it") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise FileAccessError.from_os(path, exc, "write it") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _remove_stale_temporaries(path: Path) -> None:
    """Temporary files left by a write that was killed (`.<name>.<pid>.<random>`), when that
    process is gone: a killed build leaves no litter behind once the next one succeeds."""
    for leftover in path.parent.glob(f".{path.name}.*"):
        pid = leftover.name[len(path.name) + 2 :].split(".")[0]
        if pid.isdigit() and not _alive(int(pid)):
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True
