"""The figure engine: deterministic, cached, parallel, and honest about failures."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from generator import build, contact_sheet
from generator.figures import render_figures
from generator.pipeline import load_deck


def _render(deck, **options):
    rendered = render_figures(deck, **options)
    return rendered.placed, rendered.media, rendered.report


def test_renders_are_byte_identical_without_cache(deck_copy):
    deck = load_deck(deck_copy("valid"))
    _, first, _ = _render(deck, cache_dir=None, jobs=1)
    _, second, _ = _render(deck, cache_dir=None, jobs=1)
    assert first == second and len(first) == 4
    assert all(data.startswith(b"\x89PNG") and b"matplotlib" not in data for data in first.values())


def test_parallel_render_equals_serial(deck_copy):
    deck = load_deck(deck_copy("valid"))
    _, serial, _ = _render(deck, cache_dir=None, jobs=1)
    _, parallel, report = _render(deck, cache_dir=None, jobs=2)
    assert parallel == serial and report.rendered == 4


def test_changing_one_figures_args_rerenders_only_that_figure(deck_copy, tmp_path):
    source = deck_copy("valid")
    cache = tmp_path / "cache"
    first = build(source, tmp_path / "a.apkg", cache_dir=cache, jobs=1)
    assert (first.figures.rendered, first.figures.cached) == (4, 0)
    again = build(source, tmp_path / "b.apkg", cache_dir=cache, jobs=1)
    assert (again.figures.rendered, again.figures.cached) == (0, 4)
    yaml_file = source / "optimisation" / "gradient-descent.yaml"
    yaml_file.write_text(yaml_file.read_text().replace("args: {rate: 0.9}", "args: {rate: 0.5}"))
    changed = build(source, tmp_path / "c.apkg", cache_dir=cache, jobs=1)
    assert (changed.figures.rendered, changed.figures.cached) == (2, 2), (
        "both variants of one figure"
    )


def test_editing_one_figure_function_rerenders_and_renames_only_its_figure(deck_copy, tmp_path):
    source = deck_copy("valid")
    cache = tmp_path / "cache"
    first = build(source, tmp_path / "a.apkg", cache_dir=cache, jobs=1)
    module = source / "figures.py"
    module.write_text(module.read_text().replace('color="C1")', 'color="C2")'))
    again = build(source, tmp_path / "b.apkg", cache_dir=cache, jobs=1)
    assert (again.figures.rendered, again.figures.cached) == (2, 2)
    assert again.changed_notes == 1, "only the card showing the redrawn figure"
    assert first.changed_notes == 8
    media = {n.split("-light-")[0]: n for n in _media_names(again.output) if "-light-" in n}
    before = {n.split("-light-")[0]: n for n in _media_names(tmp_path / "a.apkg") if "-light-" in n}
    assert media["fixture-gradient-descent-zigzag"] != before["fixture-gradient-descent-zigzag"], (
        "new code drawn"
    )
    assert media["fixture-pca-spread"] == before["fixture-pca-spread"], "same picture, same name"


def test_editing_code_shared_by_figures_rerenders_all_of_them(deck_copy, tmp_path):
    source = deck_copy("valid")
    cache = tmp_path / "cache"
    build(source, tmp_path / "a.apkg", cache_dir=cache, jobs=1)
    module = source / "figures.py"
    module.write_text(module.read_text() + "\n\nSHARED_CONSTANT = 3\n")
    again = build(source, tmp_path / "b.apkg", cache_dir=cache, jobs=1)
    assert again.figures.rendered == 4, "module-level code may be used by any figure"


def _media_names(apkg) -> list[str]:
    import json
    import zipfile

    with zipfile.ZipFile(apkg) as archive:
        return list(json.loads(archive.read("media")).values())


def test_warm_build_does_not_import_matplotlib(deck_copy, tmp_path):
    source = deck_copy("valid")
    cache = tmp_path / "cache"
    build(source, tmp_path / "a.apkg", cache_dir=cache, jobs=1)
    script = textwrap.dedent(
        f"""
        import sys
        from generator import build
        result = build({str(source)!r}, {str(tmp_path / "b.apkg")!r}, cache_dir={str(cache)!r}, jobs=1)
        assert result.figures.rendered == 0, result.figures
        print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'PIL')))
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_a_failing_figure_is_reported_and_the_others_still_render(deck_copy):
    deck = load_deck(deck_copy("broken/figure-raises"))
    placed, _, report = _render(deck, cache_dir=None, jobs=1)
    assert list(placed) == [("alpha", "good")]
    (problem,) = report.problems
    assert str(problem.where).endswith("alpha.yaml:9:5")
    assert "figures.py:12" in problem.message and "IndexError" in problem.message


def _deck_with_function(deck_copy, body: str):
    source = deck_copy("broken/figure-raises")
    (source / "figures.py").write_text(
        "from generator import figure\n\n\n@figure\ndef fine_curve(ax):\n    ax.plot([0, 1])\n\n\n"
        + body
    )
    return load_deck(source)


def test_a_figure_that_draws_nothing_is_an_error(deck_copy):
    deck = _deck_with_function(deck_copy, "@figure\ndef broken_curve(ax):\n    ax.set_title('')\n")
    _, _, report = _render(deck, cache_dir=None, jobs=1)
    assert "drew nothing" in report.problems[0].message


def test_a_figure_that_takes_too_long_is_stopped(deck_copy, monkeypatch):
    from generator.figures import style

    monkeypatch.setattr(style, "TIMEOUT_SECONDS", 1)
    deck = _deck_with_function(
        deck_copy, "@figure\ndef broken_curve(ax):\n    import time\n    time.sleep(5)\n"
    )
    _, _, report = _render(deck, cache_dir=None, jobs=1)
    assert "took longer than 1 s" in report.problems[0].message


def test_static_image_is_packaged_once(deck_copy, tmp_path):
    source = deck_copy("valid")
    (source / "linear-algebra" / "photo.png").write_bytes(_png())
    pca = source / "linear-algebra" / "pca.yaml"
    pca.write_text(
        pca.read_text()
        .replace("figures:\n", "figures:\n  photo:\n    image: photo.png\n    alt: A photo\n")
        .replace("    why: Spread is", "    prompt_figure: photo\n    why: Spread is")
    )
    placed, media, _ = _render(load_deck(source), cache_dir=None, jobs=1)
    photo = placed[("pca", "photo")]
    assert (
        photo.light == photo.dark and photo.light.endswith(".png") and media[photo.light] == _png()
    )


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


def test_figures_command_writes_a_contact_sheet(deck_copy, run, tmp_path):
    result = run(
        "figures", deck_copy("valid"), "-o", tmp_path / "sheet", "--only", "pca/*", "-j", "1", "-q"
    )
    assert result.exit_code == 0, result.output
    pngs = sorted(p.name for p in (tmp_path / "sheet").glob("*.png"))
    assert len(pngs) == 2 and any("-light-" in p for p in pngs) and any("-dark-" in p for p in pngs)
    index = (tmp_path / "sheet" / "index.html").read_text()
    assert all(p in index for p in pngs) and "pca/spread" in index


def test_library_figures_function_matches_the_command(deck_copy, tmp_path):
    written, report = contact_sheet(deck_copy("valid"), tmp_path / "out", cache_dir=None, jobs=1)
    assert report.figures == 2 and len(written) == 5


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_build_cli_accepts_jobs_and_no_cache(deck_copy, run, jobs):
    result = run("build", deck_copy("valid"), "-j", jobs, "--no-cache", "-q")
    assert result.exit_code == 0 and "4 rendered, 0 cached" in result.stdout


def test_house_style_helpers_draw_without_importing_pyplot():
    from matplotlib.figure import Figure

    from generator import arrow, bare

    ax = Figure().add_subplot()
    arrow(ax, (0, 0), (1, 1), "C1", lw=3)
    bare(ax)
    (annotation,) = ax.texts
    assert annotation.xy == (1, 1) and annotation.arrow_patch.get_linewidth() > 0
    assert not ax.get_xticks().size and not any(s.get_visible() for s in ax.spines.values())


def test_up_to_date_build_loads_no_heavy_library(deck_copy, tmp_path):
    """`from generator import figure` in figure modules, and a build with nothing to do, stay
    cheap: neither needs matplotlib, pydantic, markdown-it or genanki."""
    source = deck_copy("valid")
    build(source, tmp_path / "a.apkg", cache_dir=tmp_path / "cache", jobs=1)
    script = textwrap.dedent(
        f"""
        import sys
        from generator import build, figure
        result = build({str(source)!r}, {str(tmp_path / "a.apkg")!r}, cache_dir={str(tmp_path / "cache")!r})
        assert result.up_to_date
        heavy = ("matplotlib", "pydantic", "markdown_it", "genanki", "numpy")
        print(sorted(m for m in sys.modules if m.split(".")[0] in heavy))
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def _two_folder_deck(root):
    """Two folders whose figure modules each import their own `helpers.py`."""
    root.mkdir()
    (root / "deck.yaml").write_text("name: Helpers\nid: helpers\n")
    for folder in ("a", "b"):
        (root / folder).mkdir(parents=True)
        (root / folder / "helpers.py").write_text('COLOR = "C1"\n')
        (root / folder / "figures.py").write_text(
            "from helpers import COLOR\n\nfrom generator import figure\n\n\n"
            f"@figure\ndef line_{folder}(ax):\n    ax.plot([0, 1], [0, 1], color=COLOR)\n"
        )
        (root / folder / f"{folder}.yaml").write_text(
            f"id: {folder}\ntitle: {folder}\nintuition: An idea.\n"
            f"figures:\n  line:\n    plot: line_{folder}\n    alt: A line\n"
            "cards:\n  - {id: why, kind: mechanism, prompt: Why?, answer: Because., figure: line}\n"
        )


def test_editing_a_helper_module_rerenders_only_its_figures_and_folders_never_mix(tmp_path):
    root = tmp_path / "deck"
    _two_folder_deck(root)
    cache = tmp_path / "cache"
    _, first, report = _render(load_deck(root), cache_dir=cache, jobs=1)
    assert report.rendered == 4
    (root / "b" / "helpers.py").write_text('COLOR = "C2"\n')
    placed, second, report = _render(load_deck(root), cache_dir=cache, jobs=1)
    assert (report.rendered, report.cached) == (2, 2), "only b's figure re-renders"
    a_light, b_light = second[placed[("a", "line")].light], second[placed[("b", "line")].light]
    assert a_light != b_light, "each folder draws with its own helpers.py"
    assert a_light in first.values() and b_light not in first.values()


def test_a_users_matplotlibrc_does_not_change_figures(deck_copy, tmp_path):
    source = deck_copy("valid")
    _, here, _ = _render(load_deck(source), cache_dir=None, jobs=1)
    config = tmp_path / "mplconfig"
    config.mkdir()
    (config / "matplotlibrc").write_text(
        "font.family: serif\nlines.linewidth: 10\naxes.facecolor: red\n"
    )
    script = textwrap.dedent(
        f"""
        from generator.figures import render_figures
        from generator.pipeline import load_deck
        media = render_figures(load_deck({str(source)!r}), cache_dir=None, jobs=1).media
        print(sorted(media))
        """
    )
    env = {**__import__("os").environ, "MPLCONFIGDIR": str(config)}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(sorted(here))


def test_a_figure_that_exits_or_prints_is_contained(deck_copy, capfd):
    deck = _deck_with_function(
        deck_copy,
        "@figure\ndef broken_curve(ax):\n    print('noise')\n    import sys\n    sys.exit(0)\n",
    )
    _, _, report = _render(deck, cache_dir=None, jobs=1)
    assert "SystemExit" in report.problems[0].message
    assert "noise" not in capfd.readouterr().out
