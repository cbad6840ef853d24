"""The authoring loop: init, the preview site in a real browser, watch, and the CLI conventions
editors and pre-commit rely on."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, Anki, copy_deck

# --- a real browser, and Anki's own MathJax ---------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> list[str]:
    """Debian's chromium, headless. CI installs it; elsewhere the browser tests skip without it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed: apt-get install chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return [
        path,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]


@pytest.fixture(scope="session")
def anki_mathjax(request: pytest.FixtureRequest) -> Path:
    """The MathJax that Anki desktop ships, from the `aqt` wheel of the installed Anki version,
    downloaded once into pytest's cache: cards are measured with the renderer learners get."""
    from importlib.metadata import version

    cache = Path(request.config.cache.mkdir("anki-mathjax"))
    target = cache / version("anki") / "mathjax"
    if not (target / "tex-chtml-full.js").is_file():
        wheels = cache / "wheels"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--quiet",
                "-d",
                str(wheels),
                f"aqt=={version('anki')}",
            ],
            check=True,
        )
        (wheel,) = wheels.glob(f"aqt-{version('anki')}-*.whl")
        prefix = "_aqt/data/web/js/vendor/mathjax/"
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if name.startswith(prefix) and not name.endswith("/"):
                    out = target / name[len(prefix) :]
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(archive.read(name))
    return target


def _dom(chromium: list[str], url: str, tmp_path: Path, width: int = 1200) -> str:
    out = subprocess.run(
        [
            *chromium,
            f"--user-data-dir={tmp_path / 'chrome'}",
            f"--window-size={width},2000",
            "--virtual-time-budget=15000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


# --- init ----------------------------------------------------------------------------------------


def test_init_makes_a_deck_that_checks_strictly_builds_and_imports(run, tmp_path, anki: Anki):
    result = run("init", "econ", "--name", "Economics")
    assert result.exit_code == 0, result.output
    deck = tmp_path / "econ"
    for name in (".gitignore", ".gitattributes", ".pre-commit-config.yaml", "README.md"):
        assert (deck / name).is_file(), name
    assert "conceptdeck.lock merge=union" in (deck / ".gitattributes").read_text()
    assert "dist/" in (deck / ".gitignore").read_text()
    assert run("check", "--strict", deck).exit_code == 0
    built = run("build", deck, "-q")
    assert built.exit_code == 0, built.output
    log = anki.import_apkg(tmp_path / "dist" / "economics.apkg")
    assert len(log.new) == 6
    kinds = {c.note()["Kind"] for c in anki.cards()}
    assert {"attribute", "contrast", "mechanism", "consequence", "failure"} <= kinds


def test_init_never_overwrites(run, tmp_path):
    (tmp_path / "econ").mkdir()
    (tmp_path / "econ" / "README.md").write_text("mine")
    result = run("init", "econ", "--name", "Economics")
    assert result.exit_code == 1 and "not overwriting anything" in result.stderr
    assert (tmp_path / "econ" / "README.md").read_text() == "mine"
    assert not (tmp_path / "econ" / "deck.yaml").exists()


def test_the_pre_commit_hook_checks_the_changed_files(run, tmp_path):
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text()
    assert "entry: conceptdeck check" in hooks and "pass_filenames: true" in hooks
    run("init", "econ", "--name", "Economics")
    (tmp_path / "unrelated.yaml").write_text("not: a deck\n")
    concept = tmp_path / "econ" / "basics" / "mean-and-median.yaml"
    result = run("check", "--strict", concept, tmp_path / "unrelated.yaml")
    assert result.exit_code == 0, result.output
    concept.write_text(
        concept.read_text().replace("answer: The size of extreme values.", "answer: Yes.")
    )
    result = run("check", "--strict", concept)
    assert result.exit_code == 1 and "CD104" in result.stdout
    assert result.stdout.startswith("econ/basics/mean-and-median.yaml:")


# --- preview -------------------------------------------------------------------------------------


def test_preview_shows_every_card_front_and_back_in_a_browser(
    run, deck_copy, tmp_path, chromium, figure_cache
):
    source = deck_copy("valid")
    result = run("preview", source, "-o", tmp_path / "site", "-q", "--cache-dir", figure_cache)
    assert result.exit_code == 0, result.output
    assert not (source / "conceptdeck.lock").exists(), "preview writes nothing into the deck"
    index = _dom(chromium, (tmp_path / "site" / "index.html").as_uri(), tmp_path)
    assert "Principal component analysis" in index and "Gradient descent" in index
    shown = set()
    for page in sorted((tmp_path / "site" / "c").glob("*.html")):
        dom = _dom(chromium, page.as_uri(), tmp_path)
        shown |= set(re.findall(r'data-card="([^"]+)"', dom))
        assert 'class="card card1' in dom
    expected = {
        f"{key}#1-{side}"
        for key in (
            "pca/keeps-variance",
            "pca/first-component",
            "pca/needs-centering",
            "pca/curved-structure",
            "pca/picture-axis",
            "gradient-descent/zigzag",
            "gradient-descent/large-rate",
            "gradient-descent/convexity",
        )
        for side in ("front", "back")
    }
    assert shown == expected


def test_preview_renders_cards_exactly_as_anki(deck_copy, tmp_path, figure_cache):
    """The template renderer used when Anki's backend is not installed gives Anki's own HTML,
    card for card, on the bundled deck and the fixture (clozes, hints, math, figures)."""
    from generator.pipeline import compile_deck
    from generator.preview.cards import anki_renderer, render_notes

    for name in ("valid", "concepts"):
        source = copy_deck(name, tmp_path / name)
        compiled = compile_deck(source, tmp_path / "x.apkg", cache_dir=figure_cache)
        ours = render_notes(compiled.planned, compiled.media)
        anki = anki_renderer()(compiled.planned, compiled.media)
        assert ours == anki


def test_no_formula_overflows_a_phone_screen(tmp_path, chromium, anki_mathjax, figure_cache):
    """Every card of the bundled deck (with its widest formulas), typeset by Anki's MathJax at
    390 px: nothing is wider than the card; long formulas scroll inside themselves."""
    from generator.preview.site import preview

    source = copy_deck("concepts", tmp_path / "concepts")
    os.environ["CONCEPTDECK_MATHJAX"] = str(anki_mathjax)
    try:
        site = preview(source, tmp_path / "site", cache_dir=figure_cache)
    finally:
        del os.environ["CONCEPTDECK_MATHJAX"]
    assert "local MathJax 3" in site.mathjax
    typeset = 0
    for page in sorted((tmp_path / "site" / "c").glob("*.html")):
        dom = _dom(chromium, page.as_uri() + "?measure&width=phone&theme=light", tmp_path, 390)
        assert 'data-measured="1"' in dom, page.name
        overflow = json.loads(
            re.search(r'data-overflow="([^"]*)"', dom).group(1).replace("&quot;", '"')
        )
        assert overflow == [], f"{page.name}: {overflow}"
        typeset += int(re.search(r'data-math="(\d+)"', dom).group(1))
    assert typeset > 100, "MathJax really typeset the formulas"


def test_a_long_inline_formula_fits_a_phone(tmp_path, chromium, anki_mathjax, run):
    run("init", "econ", "--name", "Economics")
    concept = tmp_path / "econ" / "basics" / "mean-and-median.yaml"
    formula = r"\(\operatorname{Var}(X+Y) = \operatorname{Var}(X) + \operatorname{Var}(Y) + 2\operatorname{Cov}(X,Y)\)"
    concept.write_text(
        concept.read_text().replace(
            "answer: The size of extreme values.",
            f"answer: 'The size of extreme values, as in {formula}.'",
        )
    )
    os.environ["CONCEPTDECK_MATHJAX"] = str(anki_mathjax)
    try:
        assert run("preview", tmp_path / "econ", "-o", tmp_path / "site", "-q").exit_code == 0
    finally:
        del os.environ["CONCEPTDECK_MATHJAX"]
    page = tmp_path / "site" / "c" / "mean-and-median.html"
    dom = _dom(chromium, page.as_uri() + "?measure&width=phone", tmp_path, 390)
    assert 'data-overflow="[]"' in dom and int(re.search(r'data-math="(\d+)"', dom).group(1)) == 1


def test_cloze_backs_have_one_rule_between_answer_and_context():
    from generator.package import note_types

    css = note_types()["cloze"].css
    assert "#answer + .cd-context { border-top: none;" in css


# --- watch ---------------------------------------------------------------------------------------


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def test_watch_rebuilds_on_save_and_shows_errors_without_stopping(
    deck_copy, tmp_path, figure_cache
):
    from generator.preview.serve import watch

    source = deck_copy("valid")
    stop, urls, said = threading.Event(), [], []
    thread = threading.Thread(
        target=watch,
        args=(source, tmp_path / "site"),
        kwargs={
            "port": 0,
            "cache_dir": figure_cache,
            "jobs": 1,
            "say": said.append,
            "ready": urls.append,
            "stop": stop,
            "interval": 0.1,
        },
        daemon=True,
    )
    thread.start()
    try:
        _until(lambda: urls, "the server started")
        base = urls[0].rsplit("/", 1)[0]
        page = f"{base}/c/pca.html"
        assert "What does PCA keep" in _get(page)
        first = json.loads(_get(f"{base}/__conceptdeck/status"))

        pca = source / "linear-algebra" / "pca.yaml"
        pca.write_text(pca.read_text().replace("What does PCA keep", "What does PCA retain"))
        _until(lambda: "What does PCA retain" in _get(page), "the page changed after a save")
        assert json.loads(_get(f"{base}/__conceptdeck/status"))["version"] > first["version"]

        pca.write_text(pca.read_text().replace("kind: attribute", "kind: atribute"))
        _until(lambda: json.loads(_get(f"{base}/__conceptdeck/status"))["errors"], "errors shown")
        status = json.loads(_get(f"{base}/__conceptdeck/status"))
        assert "did you mean 'attribute'" in status["errors"]
        assert "What does PCA retain" in _get(page), "the last good site stays up"
        assert any("did you mean 'attribute'" in line for line in said)

        pca.write_text(pca.read_text().replace("kind: atribute", "kind: attribute"))
        _until(lambda: not json.loads(_get(f"{base}/__conceptdeck/status"))["errors"], "fixed")
    finally:
        stop.set()
        thread.join(20)
    assert not thread.is_alive()


def _until(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting until {what}")


# --- CLI conventions -------------------------------------------------------------------------------


def test_figures_writes_what_renders_and_reports_what_fails(deck_copy, run, tmp_path):
    source = deck_copy("broken/figure-raises")
    result = run("figures", source, "-o", tmp_path / "out", "-q", "-j", "1", "--no-cache")
    assert result.exit_code == 1 and "'broken_curve' failed" in result.stdout
    assert (
        len(list((tmp_path / "out").glob("*.png"))) == 2
        and (tmp_path / "out" / "index.html").is_file()
    )


def test_check_warns_about_figures_no_card_shows(deck_copy, run):
    source = deck_copy("valid")
    pca = source / "linear-algebra" / "pca.yaml"
    pca.write_text(
        pca.read_text().replace(
            "figures:\n", "figures:\n  spare:\n    plot: cloud\n    alt: A spare picture\n"
        )
    )
    result = run("check", source)
    assert result.exit_code == 0
    assert "CD116 figure 'spare' is not shown by any card" in result.stdout
    assert re.search(r"pca.yaml:11:3: CD116", result.stdout)


def test_findings_go_to_stdout_and_the_summary_to_stderr(deck_copy, run):
    source = deck_copy("valid")
    pca = source / "linear-algebra" / "pca.yaml"
    pca.write_text(
        pca.read_text().replace(
            "prompt: Why must data be centred before PCA?", "prompt: Is PCA centred?"
        )
    )
    result = run("check", source)
    assert [line for line in result.stdout.splitlines() if "CD104" in line]
    assert "1 warning" in result.stderr and "CD104" not in result.stderr


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        (
            "id: alpha\ntitle: Alpha\nintuition: Alpha.\ncards:\n  - id: a\n    kind: mechanism\n"
            "    prompt: Why?\n      answer: Beta.\n",
            "indented more than the key above it",
        ),
        ("id: alpha\ntitle: Alpha: the first\nintuition: Alpha.\n", "quote the value or use '>-'"),
    ],
    ids=["over-indented", "colon-in-value"],
)
def test_yaml_hints_fit_the_mistake(tmp_path, run, text, hint):
    root = tmp_path / "deck"
    root.mkdir()
    (root / "deck.yaml").write_text("name: Edge\nid: edge\n")
    (root / "alpha.yaml").write_text(text)
    result = run("check", root)
    assert result.exit_code == 1 and hint in result.stdout


def test_a_missing_image_says_it_is_missing(tmp_path, run):
    root = tmp_path / "deck"
    root.mkdir()
    (root / "deck.yaml").write_text("name: Edge\nid: edge\n")
    (root / "alpha.yaml").write_text(
        "id: alpha\ntitle: Alpha\nintuition: Alpha.\nfigures:\n  pic: {image: pics/photo.png, alt: A}\n"
        "cards:\n  - {id: a, kind: mechanism, prompt: Why?, answer: Beta., figure: pic}\n"
    )
    result = run("check", root)
    assert "image 'pics/photo.png' not found" in result.stdout
    assert "hidden" not in result.stdout
