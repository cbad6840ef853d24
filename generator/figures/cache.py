"""The figure cache: rendered PNGs kept between builds, verified every time they are used.

Each entry is stored under its cache key with a digest of the key and the bytes in front, so a
damaged, truncated or swapped file is noticed, thrown away and rendered again instead of being
shipped. The cache is an optimisation: a folder that cannot be read or written costs time and a
warning, never a failed build.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

_DIGEST = 32


class FigureCache:
    """A folder of verified entries, or nothing at all when `folder` is None."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) if folder else None
        self.notices: list[str] = []
        self.repaired = 0

    def get(self, key: str) -> bytes | None:
        """The PNG stored under `key` if it is there and intact."""
        if self.folder is None:
            return None
        path = self._path(key)
        try:
            stored = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            self._give_up(f"cannot read it ({exc.strerror or exc})")
            return None
        digest, data = stored[:_DIGEST], stored[_DIGEST:]
        if digest != _seal(key, data):
            self.repaired += 1
            path.unlink(missing_ok=True)
            return None
        return data

    def put(self, key: str, data: bytes) -> None:
        """Store an entry; on any failure stop using the cache for this build and say so."""
        if self.folder is None:
            return
        path = self._path(key)
        tmp = path.with_name(f".{key}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(_seal(key, data) + data)
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            self._give_up(f"cannot write to it ({exc.strerror or exc})")

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.bin"

    def _give_up(self, reason: str) -> None:
        self.notices.append(
            f"figure cache {self.folder}: {reason}; continuing without a cache (figures are"
            " rendered afresh)"
        )
        self.folder = None


def _seal(key: str, data: bytes) -> bytes:
    return hashlib.sha256(key.encode() + b"\0" + data).digest()
