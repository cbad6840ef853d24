"""What earlier runs learned about each file, kept so an edit re-does only the work it touched.

A 10,000-card deck is 1,500 concept files; an author edits one. Parsing, validating, linting
and rendering the text of the other 1,499 again would cost seconds for nothing. The memo keeps,
per concept file and keyed by a hash of its bytes, what each stage made of it; a stage asks for
its result first and stores it when it had to do the work. Cross-file work (links, identities,
deck-wide lint rules) always runs, on the remembered pieces.

The memo lives in the cache folder next to the figure cache, as one file per deck, and carries
a fingerprint of conceptdeck's code and libraries: any change there starts it afresh. Like the
figure cache it is an optimisation: an unreadable or unwritable memo costs time, never a build.
Only results without problems are kept, so an author sees every error again on every run.
"""

from __future__ import annotations

import hashlib
import pickle
import zlib
from pathlib import Path
from typing import Any

from .environment import code_hash, environment
from .errors import FileAccessError
from .files import atomic_write


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


SHARDS = 16  # an edit rewrites one shard per stage, not the whole memo


class Memo:
    """Per-file stage results, read from and written back to a folder in the cache."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder
        self.version = f"{code_hash()}|{environment()}"
        self.entries: dict[tuple[str, str], tuple[str, Any]] = {}  # (stage, file) → (hash, value)
        self.used: set[tuple[str, str]] = set()
        self.dirty: set[str] = set()  # shards to write back
        if folder is None or not folder.is_dir():
            return
        for path in sorted(folder.glob("*.pickle")):
            try:
                version, entries = pickle.loads(path.read_bytes())
            except (OSError, EOFError, pickle.PickleError, ValueError, TypeError, AttributeError):
                continue  # a damaged shard is ignored and rewritten
            if version != self.version:
                continue
            self.entries.update(entries)  # a shard holds the keys _shard() files under it

    @classmethod
    def for_deck(cls, cache_dir: Path | None, root: Path) -> Memo:
        """The memo of the deck at `root`, or one that remembers nothing without a cache."""
        if cache_dir is None:
            return cls()
        name = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:20]
        return cls(Path(cache_dir) / "memo" / name)

    def get(self, stage: str, file: str, content: str) -> Any | None:
        """The result `stage` stored for `file` when its content hashed to `content`."""
        key = (stage, file)
        found = self.entries.get(key)
        if found is not None and found[0] == content:
            self.used.add(key)
            return found[1]
        return None

    def put(self, stage: str, file: str, content: str, value: Any) -> None:
        key = (stage, file)
        self.entries[key] = (content, value)
        self.used.add(key)
        self.dirty.add(_shard(key))

    def save(self) -> None:
        """Write back the shards that changed, forgetting files this run did not see (best
        effort: a memo that cannot be written costs the next run time, nothing else)."""
        if self.folder is None:
            return
        for key in set(self.entries) - self.used:
            self.dirty.add(_shard(key))
            del self.entries[key]
        shards: dict[str, dict] = {shard: {} for shard in self.dirty}
        for key, value in self.entries.items():
            if (shard := _shard(key)) in shards:
                shards[shard][key] = value
        for shard, kept in sorted(shards.items()):
            try:
                data = pickle.dumps((self.version, kept), protocol=pickle.HIGHEST_PROTOCOL)
                atomic_write(self.folder / f"{shard}.pickle", data)
            except FileAccessError:
                return
        self.dirty.clear()


def _shard(key: tuple[str, str]) -> str:
    stage = "".join(c if c.isalnum() else "-" for c in key[0])
    return f"{stage}-{zlib.crc32(key[1].encode()) % SHARDS:02d}"
