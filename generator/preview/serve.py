"""`conceptdeck watch`: the preview on localhost, rebuilt on every save, reloaded in the browser.

The watcher polls the deck's own files (the same fingerprint the up-to-date check uses), waits
until they stop changing for a moment, rebuilds the site incrementally (figures come from the
cache; only what changed is drawn) and bumps a version the open pages poll for, so they reload.
A build that fails leaves the last good site in place: its errors show in the page and in the
terminal, and the next save tries again. With `push`, every good build also goes into Anki.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..errors import ConceptdeckError, ContentError
from ..uptodate import fingerprint
from .site import preview


@dataclass
class _Status:
    version: int = 0
    errors: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"version": self.version, "errors": self.errors}).encode()


class _Handler(SimpleHTTPRequestHandler):
    status: _Status

    def do_GET(self) -> None:
        if self.path.startswith("/__conceptdeck/status"):
            body = self.status.as_json()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal is for what the author needs to know."""


def watch(
    root: Path,
    out_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    cache_dir: Path | None,
    jobs: int = 0,
    after_build: Callable[[], str] | None = None,
    say: Callable[[str], None] = print,
    ready: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
    interval: float = 0.3,
) -> None:
    """Serve the preview of `root` and rebuild it whenever the deck's files change, until Ctrl-C
    (or `stop` is set). `after_build` runs after each good build (e.g. push into Anki)."""
    stop = stop or threading.Event()
    status = _Status()
    out_dir.mkdir(parents=True, exist_ok=True)

    def rebuild() -> None:
        start = time.monotonic()
        try:
            site = preview(root, out_dir, cache_dir=cache_dir, jobs=jobs)
            extra = after_build() if after_build else ""
        except ContentError as exc:
            text = "\n".join(d.format() for d in exc.diagnostics)
            with status.lock:
                status.errors = text
                status.version += 1
            say(
                f"{text}\nFound {len(exc.diagnostics)} problems; the page shows the last good build."
            )
            return
        except ConceptdeckError as exc:
            with status.lock:
                status.errors = str(exc)
                status.version += 1
            say(f"error: {exc}")
            return
        with status.lock:
            status.errors = ""
            status.version += 1
        took = time.monotonic() - start
        say(f"Rebuilt in {took:.1f} s: {site.concepts} concepts, {site.cards} cards{extra}.")

    handler = partial(type("Handler", (_Handler,), {"status": status}), directory=str(out_dir))
    server = ThreadingHTTPServer((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://{host}:{server.server_address[1]}/index.html"
    try:
        seen = fingerprint(root)
        rebuild()
        say(f"Serving {url} (Ctrl-C to stop); rebuilding on every save.")
        if ready:
            ready(url)
        while not stop.wait(interval):
            current = fingerprint(root)
            if current == seen:
                continue
            while not stop.wait(interval):  # wait until the editor has finished saving
                settled = fingerprint(root)
                if settled == current:
                    break
                current = settled
            seen = current
            rebuild()
    finally:
        server.shutdown()
        server.server_close()
