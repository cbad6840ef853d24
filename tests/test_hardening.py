"""Hostile and broken input: located errors, no hangs, no explosions, contained figure code.

Each test guards one class of failure an outside reliability probe found; the invariant behind
them all: `build` exits 0 only with a package Anki imports, and otherwise exits 1 with located
errors, leaving earlier output untouched.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HEAD = "id: alpha\ntitle: Alpha\nintuition: Alpha pushes.\n"
CARD = "cards:\n  - {id: why, kind: mechanism, prompt: Why does alpha push?, answer: Beta.}\n"


def _deck(tmp_path: Path, concept: str | bytes, figures: str | None = None) -> Path:
    root = tmp_path / "deck"
    root.mkdir(parents=True, exist_ok=True)
    (root / "deck.yaml").write_text("name: Edge\nid: edge\n")
    data = concept if isinstance(concept, bytes) else concept.encode()
    (root / "alpha.yaml").write_bytes(data)
    if figures:
        (root / "figures.py").write_text(figures)
    return root


def _errors(result) -> list[str]:
    return [line for line in result.stdout.splitlines() if re.match(r"\S+:\d+:\d+: ", line)]


def _refused(result, where: str, message: str) -> None:
    """Exit 1, no traceback, and an error at `where` saying `message` (or one of several, '|')."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert any(
        where in line and any(m in line for m in message.split("|")) for line in _errors(result)
    ), result.output


# --- characters Anki cannot store ------------------------------------------------------------


@pytest.mark.parametrize(
    ("concept", "where", "message"),
    [
        (
            HEAD + 'cards:\n  - {id: why, kind: mechanism, prompt: "Why\\x1f?", answer: B.}\n',
            "alpha.yaml:5:",
            "U+001F (the field separator)",
        ),
        (
            HEAD + 'cards:\n  - {id: why, kind: mechanism, prompt: "Why\\ud800?", answer: B.}\n',
            "alpha.yaml:5:",
            "lone surrogate U+D800|invalid Unicode character escape",
        ),
        ((HEAD + CARD).replace("Beta.", "Be\x07ta."), "alpha.yaml:5:", "U+0007"),
        ((HEAD + CARD).encode().replace(b"Beta.", b"Be\x00ta."), "alpha.yaml:5:", "U+0000 (NUL)"),
        (
            (HEAD + CARD).encode().replace(b"Beta.", b"Be\xfft\xe9a."),
            "alpha.yaml:5:",
            "invalid UTF-8 (byte 0xff)",
        ),
    ],
    ids=["field-separator", "lone-surrogate", "bell", "nul", "bad-utf8"],
)
def test_characters_anki_cannot_store_get_a_located_error(tmp_path, run, concept, where, message):
    root = _deck(tmp_path, concept)
    earlier = tmp_path / "out.apkg"
    earlier.write_bytes(b"an earlier package")
    result = run("build", root, "-o", earlier, "-q")
    _refused(result, where, message)
    assert earlier.read_bytes() == b"an earlier package"


def test_invalid_utf8_is_located_at_its_line_and_column(tmp_path, run):
    root = _deck(tmp_path, (HEAD + CARD).encode().replace(b"Alpha pushes", b"Alpha \xc3pushes"))
    _refused(run("check", root), "alpha.yaml:3:18:", "invalid UTF-8 (byte 0xc3)")


# --- cloze gaps Anki can read --------------------------------------------------------------


CLOZES = {
    "0 {{c1::$}} 0${{c0::}}": ["0 [...] 0$"],  # found by the property test; c0 shows its text
    "$x = {{c1::y}}$ and {{c2::z}}": [r"\(x = [...]\) and z", r"\(x = y\) and [...]"],
    r"{{c1::\(\frac{a}{b^{2}}\)}} is the ratio": ["[...] is the ratio"],
}


def test_every_cloze_that_builds_shows_its_gaps_in_anki(tmp_path, run, anki):
    """Math next to, around or inside gaps never moves a gap's edges: Anki finds every gap and
    shows no error page (an unclosed gap is one, and used to ship)."""
    import json

    cards = "".join(
        f"  - {{id: c{i}, kind: cloze, text: {json.dumps(text)}}}\n"
        for i, text in enumerate(CLOZES)
    )
    root = _deck(tmp_path, HEAD + "cards:\n" + cards)
    result = run("build", root, "-o", tmp_path / "out.apkg", "-q")
    assert result.exit_code == 0, result.output
    anki.import_apkg(tmp_path / "out.apkg")
    fronts = []
    for card in anki.cards():
        question, answer = card.question(), card.answer()
        assert "errors.html" not in question + answer, question
        front = re.search(r'<div class="cd-prompt">(.*?)</div>', question, re.S).group(1)
        fronts.append(re.sub(r"<[^>]+>", "", front).strip())
    assert sorted(fronts) == sorted(f for shown in CLOZES.values() for f in shown)

    gap_left_open = HEAD + 'cards:\n  - {id: c, kind: cloze, text: "keeps {{c1::variance"}\n'
    _refused(run("check", _deck(tmp_path, gap_left_open)), "alpha.yaml:5:", "never closed")


# --- reads that are bounded and stay inside the deck --------------------------------------------


def _quick(command: list[str], cwd: Path, seconds: float = 60) -> subprocess.CompletedProcess:
    """Run the CLI in a subprocess: a hang fails the test instead of the suite."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=seconds,
    )


def test_special_files_and_links_out_of_the_deck_are_never_read(tmp_path):
    root = _deck(tmp_path, HEAD + CARD)
    (root / "zeros.bin").symlink_to("/dev/zero")  # not part of the deck: never read
    os.mkfifo(root / "pipe")  # likewise
    (root / "notes").mkdir()
    os.mkfifo(root / "notes" / "fifo.yaml")
    (root / "zero.yaml").symlink_to("/dev/zero")
    outside = tmp_path / "outside.yaml"
    outside.write_text(HEAD.replace("alpha", "beta") + CARD)
    (root / "linked.yaml").symlink_to(outside)

    for command in (["check", "deck"], ["build", "deck", "-o", "out.apkg", "-q"]):
        out = _quick(command, tmp_path)
        assert out.returncode == 1 and "Traceback" not in out.stderr
        assert "deck/notes/fifo.yaml:1:1: not a regular file" in out.stdout
        assert "deck/zero.yaml:1:1: a link to outside the deck folder" in out.stdout
        assert "deck/linked.yaml:1:1: a link to outside the deck folder" in out.stdout
        assert "zeros.bin" not in out.stdout and "pipe" not in out.stdout.replace("fifo", "")


def test_unreferenced_special_files_do_not_stop_a_build(tmp_path):
    root = _deck(tmp_path, HEAD + CARD)
    (root / "zeros.bin").symlink_to("/dev/zero")
    os.mkfifo(root / "pipe")
    for _ in range(2):  # the second run goes through the up-to-date check
        out = _quick(["build", "deck", "-o", "out.apkg", "-q", "--cache-dir", "c"], tmp_path)
        assert out.returncode == 0, out.stdout + out.stderr


def test_alias_bombs_in_keys_and_huge_text_are_refused_quickly(tmp_path, run):
    levels = ["&a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"&a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    bomb = "? [" + ", ".join(levels) + "]\n: value\n"  # the whole bomb inside one key
    _refused(run("check", _deck(tmp_path / "k", bomb)), "alpha.yaml:1:", "a key must be plain text")
    long_answer = HEAD + CARD.replace("Beta.", "B" * 30_000)
    _refused(
        run("check", _deck(tmp_path / "t", long_answer)),
        "alpha.yaml:5:",
        "text of 30,000 characters; the limit is 20,000",
    )
    strings = "\n".join(
        f"s{i}: &s{i} "
        + ("[" + ", ".join([f"*s{i - 1}"] * 8) + "]" if i else "'" + "x" * 10_000 + "'")
        for i in range(6)
    )
    _refused(
        run("check", _deck(tmp_path / "e", strings + "\n")),
        "alpha.yaml:",
        "too much text: aliases expand to over 5,000,000 characters",
    )
    huge = HEAD + CARD + "# " + "x" * 2_100_000 + "\n"
    _refused(run("check", _deck(tmp_path / "h", huge)), "alpha.yaml:1:1:", "larger than 2 MB")


def test_yaml_merge_keys_work_and_own_keys_override_them(tmp_path, run):
    concept = HEAD + (
        "cards:\n"
        "  - &base {id: why, kind: mechanism, prompt: Why does alpha push?, answer: Beta.}\n"
        "  - <<: *base\n    id: keeps\n    kind: attribute\n    prompt: What does alpha keep?\n"
    )
    result = run("check", _deck(tmp_path, concept))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "text",
    [
        "x" * 20_000,
        "word or " * 2_500 + "?",
        "and why " * 2_500 + "?",
        "{{c1::" * 3_000,
        "$a " * 6_000,
        ". " + " " * 19_000 + "x",
        "a, b and c, " * 1_600,
    ],
    ids=["one-long-word", "or-chain", "and-why-chain", "open-clozes", "dollars", "spaces", "lists"],
)
def test_every_lint_rule_stays_fast_on_adversarial_text(tmp_path, text):
    """A guard against super-linear patterns (a 20,000-character word once took 43 s); the
    benchmark measures growth, this only catches a regression by orders of magnitude."""
    import yaml

    from generator import ContentError, check

    cards = [
        {"id": "p", "kind": "attribute", "prompt": text[:19_000], "answer": text[:19_000]},
        {"id": "c", "kind": "cloze", "text": "{{c1::x}} " + text[:19_000]},
    ]
    root = tmp_path / "deck"
    root.mkdir()
    (root / "deck.yaml").write_text("name: Edge\nid: edge\n")
    concept = {"id": "alpha", "title": "Alpha", "intuition": "Alpha.", "cards": cards}
    (root / "alpha.yaml").write_text(yaml.safe_dump(concept))
    start = time.perf_counter()
    with contextlib.suppress(ContentError):  # errors are fine here; only the time matters
        check(root)
    assert time.perf_counter() - start < 10


# --- figure code cannot change where output goes or how the build ends ---------------------------

FIGURES = "from generator import figure\n\n\n@figure\ndef fine(ax):\n    ax.plot([0, 1])\n\n\n"


def _figure_deck(tmp_path: Path, body: str, figures: int = 1) -> Path:
    names = ["fine"] * (figures - 1) + ["hostile"]
    figs = "".join(f"  f{i}: {{plot: {n}, alt: A figure}}\n" for i, n in enumerate(names))
    cards = "".join(
        f"  - {{id: c{i}, kind: visual, prompt: What does figure {i} of alpha show?,"
        f" answer: A line., figure: f{i}}}\n"
        for i in range(figures)
    )
    concept = HEAD + "figures:\n" + figs + "cards:\n" + cards
    concept += "  - {id: why, kind: mechanism, prompt: Why does alpha push?, answer: Beta.}\n"
    return _deck(tmp_path, concept, FIGURES + "@figure\ndef hostile(ax):\n" + body)


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("    import os\n    os._exit(0)\n", "ended its worker process (exit code 0)"),
        (
            "    import ctypes\n    ctypes.string_at(0)\n",
            "ended its worker process (killed by SIGSEGV)",
        ),
        ("    import sys\n    sys.exit(0)\n", "failed at deck/figures.py:12: SystemExit: 0"),
    ],
    ids=["os-exit", "segfault", "sys-exit"],
)
def test_a_figure_that_kills_its_process_is_named_alone(tmp_path, run, jobs, body, message):
    root = _figure_deck(tmp_path, body, figures=6)
    result = run("build", root, "-o", tmp_path / "out.apkg", "-q", "-j", jobs, "--no-cache")
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = _errors(result)
    assert len(errors) == 1, result.output
    assert "figure function 'hostile'" in errors[0] and message in errors[0]
    assert not (tmp_path / "out.apkg").exists()


def test_a_figure_that_changes_directory_cannot_move_the_output(tmp_path, run):
    root = _figure_deck(tmp_path, "    import os\n    os.chdir('/')\n    ax.plot([1, 0])\n")
    result = run("build", root, "-q", "-j", "1", "--no-cache")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dist" / "edge.apkg").is_file() and (root / "conceptdeck.lock").is_file()


def test_a_figure_that_ignores_the_alarm_or_forks_is_stopped_from_outside(tmp_path, monkeypatch):
    from generator.figures import render_figures, style
    from generator.pipeline import load_deck

    monkeypatch.setattr(style, "TIMEOUT_SECONDS", 2)
    pid_file = tmp_path / "child.pid"
    body = (
        "    import os, signal, time\n"
        "    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
        "    if os.fork() == 0:\n"
        f"        open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
        "        time.sleep(60)\n"
        "    time.sleep(60)\n"
    )
    deck = load_deck(_figure_deck(tmp_path, body, figures=2))
    start = time.monotonic()
    report = render_figures(deck, cache_dir=None, jobs=2).report
    assert time.monotonic() - start < 20
    (problem,) = report.problems
    assert "'hostile' took longer than 2 s and was stopped" in problem.message
    child = int(pid_file.read_text())
    assert _gone(child), "what the figure started was stopped with it"


def _gone(pid: int, seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if Path(f"/proc/{pid}/stat").is_file() and " Z " in Path(f"/proc/{pid}/stat").read_text():
            return True  # a zombie waiting for init: it no longer runs
        time.sleep(0.05)
    return False


def _slow_build(tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    pid_file = tmp_path / "worker.pid"
    body = f"    import os, time\n    open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
    body += "    time.sleep(60)\n"
    _figure_deck(tmp_path, body, figures=2)
    build = subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "deck", "-o", "out.apkg", "-q", "--no-cache"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not pid_file.is_file() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the figure never started"
        time.sleep(0.05)
    return build, pid_file


def test_killing_the_build_leaves_no_worker_running(tmp_path):
    build, pid_file = _slow_build(tmp_path)
    build.kill()
    build.communicate(timeout=30)
    assert _gone(int(pid_file.read_text()))


def test_ctrl_c_prints_one_line_and_stops_the_workers(tmp_path):
    build, pid_file = _slow_build(tmp_path)
    build.send_signal(signal.SIGINT)
    out, err = build.communicate(timeout=30)
    assert build.returncode == 130
    assert err.strip() == "Interrupted; nothing was written.", err
    assert "Traceback" not in out + err
    assert _gone(int(pid_file.read_text()))
    assert not (tmp_path / "out.apkg").exists()


# --- the figure cache serves only what it stored ---------------------------------------------------


def test_damaged_or_swapped_cache_entries_are_rendered_again(deck_copy, tmp_path):
    from generator import build

    source = deck_copy("valid")
    cache = tmp_path / "cache"
    first = build(source, tmp_path / "a.apkg", cache_dir=cache, jobs=1)
    entries = sorted(cache.rglob("*.bin"))
    assert len(entries) == 4
    entries[0].write_bytes(entries[0].read_bytes()[:-10])  # truncated
    a, b = entries[1].read_bytes(), entries[2].read_bytes()
    entries[1].write_bytes(b)  # swapped
    entries[2].write_bytes(a)
    again = build(source, tmp_path / "b.apkg", cache_dir=cache, jobs=1)
    assert again.figures.rendered == 3 and again.figures.cached == 1
    assert "3 damaged figure cache entries were rendered again" in again.figures.notices
    assert again.output.read_bytes() == first.output.read_bytes()


def test_an_unusable_cache_folder_degrades_to_no_cache_with_a_warning(deck_copy, tmp_path, run):
    source = deck_copy("valid")
    (tmp_path / "blocker").write_text("a file where the cache's parent folder should be")
    cache = tmp_path / "blocker" / "cache"
    result = run("build", source, "-o", tmp_path / "out.apkg", "-q", "--cache-dir", cache)
    assert result.exit_code == 0, result.output
    assert "continuing without a cache" in result.stderr


# --- images are real, bounded images -----------------------------------------------------------


def _png(size: tuple[int, int] = (4, 4)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, format="PNG")
    return out.getvalue()


def _bomb() -> bytes:
    """A valid PNG header claiming 100,000 × 100,000 pixels, in a few hundred bytes."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 100))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.png", b"just some text", "is not an image Pillow can read"),
        ("broken.png", _png()[:40], "is damaged|is not an image Pillow can read"),
        ("bomb.png", _bomb(), "has more pixels than the limit of 25,000,000"),
        ("script.py", b"print(1)", "must be a PNG, JPEG, GIF or WebP file"),
        ("page.html", b"<script>x</script>", "must be a PNG, JPEG, GIF or WebP file"),
        ("photo.jpg", _png(), "is a PNG file named .jpg; rename it to .png"),
    ],
    ids=["text", "truncated", "decompression-bomb", "python", "html", "wrong-suffix"],
)
def test_only_real_bounded_images_are_accepted(tmp_path, run, name, data, message):
    concept = (
        HEAD
        + f"figures:\n  pic: {{image: {name}, alt: A picture}}\n"
        + CARD.replace("answer: Beta.}", "answer: Beta., figure: pic}")
    )
    root = _deck(tmp_path, concept)
    (root / name).write_bytes(data)
    _refused(run("check", root), "alpha.yaml:5:", message)


# --- the error boundary ----------------------------------------------------------------------------


def test_errors_writing_say_which_path_and_why(deck_copy, tmp_path, run):
    source = deck_copy("valid")
    (tmp_path / "blocker").write_text("a file, not a folder")
    result = run("build", source, "-o", tmp_path / "blocker" / "out.apkg", "-q")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith("error: ") and "blocker/out.apkg" in result.stderr


def test_symlinked_output_and_lock_are_written_through(deck_copy, tmp_path, run):
    source = deck_copy("valid")
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "out.apkg").symlink_to(real / "deck.apkg")
    (real / "lock").write_text("")
    (source / "conceptdeck.lock").symlink_to(real / "lock")
    result = run("build", source, "-o", tmp_path / "out.apkg", "-q")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.apkg").is_symlink() and (real / "deck.apkg").stat().st_size > 1000
    assert (source / "conceptdeck.lock").is_symlink() and "pca/" in (real / "lock").read_text()


def test_a_bug_is_not_dressed_up_as_a_message(deck_copy, monkeypatch):
    """Only the project's own errors become messages; anything else is a bug with a traceback."""
    from click.testing import CliRunner

    import generator.text
    from generator.cli import cli

    def broken(*args):
        raise ValueError("a bug")

    monkeypatch.setattr(generator.text, "render_text", broken)
    result = CliRunner().invoke(cli, ["check", str(deck_copy("valid"))])
    assert isinstance(result.exception, ValueError) and result.exit_code == 1


def test_killed_builds_leave_the_earlier_package_and_lock_whole(deck_copy, tmp_path, figure_cache):
    """SIGKILL and SIGINT at moments spread over a build: every file is either as it was or
    as a complete build writes it, and the next build succeeds."""
    import random

    from generator import build

    source = deck_copy("concepts")
    out = tmp_path / "deck.apkg"
    build(source, out, cache_dir=figure_cache)
    old = {"apkg": out.read_bytes(), "lock": (source / "conceptdeck.lock").read_bytes()}
    first = sorted(source.rglob("*.yaml"))[1]
    first.write_text(first.read_text().replace("answer: ", "answer: Changed, ", 1))
    rng = random.Random(7)
    command = [
        sys.executable,
        "-m",
        "generator",
        "build",
        str(source),
        "-o",
        str(out),
        "-q",
        "--cache-dir",
        str(figure_cache),
    ]
    for attempt in range(6):
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.05, 1.5))
        process.send_signal(signal.SIGKILL if attempt % 2 else signal.SIGINT)
        _, err = process.communicate(timeout=60)
        assert b"Traceback" not in err
        for name, path in (("apkg", out), ("lock", source / "conceptdeck.lock")):
            data = path.read_bytes()
            if data != old[name]:
                old[name] = data  # a build got as far as replacing it: the new file is whole
                if name == "apkg":
                    import zipfile

                    assert zipfile.ZipFile(path).testzip() is None
    final = build(source, out, cache_dir=figure_cache)
    assert final.notes > 300
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
