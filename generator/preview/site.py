"""`conceptdeck preview`: the deck as a static web site, every card as Anki shows it.

An index by subdeck and concept, and a page per concept with its intuition, its figures and
every card, front and back, in frames that stand in for Anki's reviewer, light or dark, at phone
or desktop width, with the lint warnings next to the cards they concern. The same site doubles
as a shareable page of the deck (with a download link to the package, when there is one).
Nothing is written to the deck: no lock, no package.
"""

from __future__ import annotations

import html
import importlib.util
import json
import os
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Diagnostic
from ..files import atomic_write
from ..pipeline import DEFAULT_CACHE, DEFAULT_SOURCE, Compiled, compile_deck, default_output
from .cards import CardSides, anki_renderer, render_notes

if TYPE_CHECKING:
    from ..figures import FigureMedia
    from ..figures.pool import ProgressFn

MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml-full.js"


@dataclass(frozen=True)
class Site:
    """A written preview: where its index is, what it shows, and how math is typeset."""

    index: Path
    concepts: int
    cards: int
    warnings: int
    mathjax: str  # where MathJax comes from: a local copy, or the CDN
    renderer: str  # "Anki's backend" or "conceptdeck's template renderer"


def preview(
    root: Path = DEFAULT_SOURCE,
    out_dir: Path = Path("preview"),
    *,
    cache_dir: Path | None = DEFAULT_CACHE,
    jobs: int = 0,
    progress: ProgressFn | None = None,
    package: Path | None = None,
) -> Site:
    """Write the site for the deck at `root` into `out_dir`; raises ContentError on errors."""
    root, out_dir = Path(root), Path(out_dir)
    package = package or default_output(root)
    compiled = compile_deck(
        root, out_dir / "unused.apkg", cache_dir=cache_dir, jobs=jobs, progress=progress
    )
    renderer = anki_renderer()
    cards = (renderer or render_notes)(compiled.planned, compiled.media)
    mathjax = _mathjax(out_dir)
    write_site(out_dir, compiled, cards, mathjax, package if package.is_file() else None)
    return Site(
        index=out_dir / "index.html",
        concepts=len(compiled.prepared.deck.concepts),
        cards=sum(len(sides) for sides in cards.values()),
        warnings=len(compiled.prepared.warnings),
        mathjax=mathjax.label,
        renderer="Anki's backend" if renderer else "conceptdeck's template renderer",
    )


@dataclass(frozen=True)
class MathJax:
    """How pages load MathJax: the script tags, and a label saying from where."""

    head: str
    label: str


def _mathjax(out_dir: Path) -> MathJax:
    """Anki's MathJax 3 configuration, loaded from a local copy when one is installed (Anki's
    own, from the `aqt` package; a folder named by CONCEPTDECK_MATHJAX; jupyter-server-mathjax's
    MathJax 2), else from the CDN. Without it, math shows as TeX and the page still works."""
    local = _local_mathjax()
    if local is not None:
        folder, version = local
        target = out_dir / "mathjax"
        _copy_once(folder, target)
        if version == 2:
            return MathJax(
                "<script>window.MathJax={AuthorInit:function(){}};</script>"
                '<script src="../mathjax/MathJax.js?config=TeX-AMS_HTML"></script>'
                "<script>MathJax.Hub&&MathJax.Hub.Config({tex2jax:{inlineMath:[['\\\\(','\\\\)']],"
                "displayMath:[['\\\\[','\\\\]']],processEscapes:false}});</script>",
                f"local MathJax 2 ({folder})",
            )
        script = next(n for n in ("tex-chtml-full.js", "tex-chtml.js") if (folder / n).is_file())
        return MathJax(
            _mathjax3_config("../mathjax") + f'<script src="../mathjax/{script}"></script>',
            f"local MathJax 3 ({folder})",
        )
    return MathJax(
        _mathjax3_config("https://cdn.jsdelivr.net/npm/mathjax@3/es5")
        + f'<script async src="{MATHJAX_CDN}"></script>',
        "MathJax 3 from the jsDelivr CDN (install Anki's aqt package, or set CONCEPTDECK_MATHJAX, to work offline)",
    )


def _mathjax3_config(path: str) -> str:
    """The configuration Anki gives MathJax: \\(…\\) and \\[…\\] only, with the noerrors and
    mathtools packages."""
    config = {
        "tex": {
            "inlineMath": [["\\(", "\\)"]],
            "displayMath": [["\\[", "\\]"]],
            "processEscapes": False,
            "processEnvironments": False,
            "processRefs": False,
            "packages": {"[+]": ["noerrors", "mathtools"], "[-]": ["textmacros"]},
        },
        "loader": {"load": ["[tex]/noerrors", "[tex]/mathtools"], "paths": {"mathjax": path}},
    }
    return f"<script>window.MathJax={json.dumps(config)};</script>"


def _local_mathjax() -> tuple[Path, int] | None:
    named = os.environ.get("CONCEPTDECK_MATHJAX")
    if named and Path(named).is_dir():
        return Path(named), 3
    spec = importlib.util.find_spec("_aqt")
    if spec and spec.submodule_search_locations:
        folder = Path(next(iter(spec.submodule_search_locations))) / "data/web/js/vendor/mathjax"
        if (folder / "tex-chtml-full.js").is_file():
            return folder, 3
    spec = importlib.util.find_spec("jupyter_server_mathjax")
    if spec and spec.submodule_search_locations:
        folder = Path(next(iter(spec.submodule_search_locations))) / "static"
        if (folder / "MathJax.js").is_file():
            return folder, 2
    return None


def _copy_once(source: Path, target: Path) -> None:
    marker = target / ".source"
    if marker.is_file() and marker.read_text() == str(source):
        return
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    marker.write_text(str(source))


def write_site(
    out_dir: Path,
    compiled: Compiled,
    cards: dict[str, list[CardSides]],
    mathjax: MathJax,
    package: Path | None,
) -> None:
    """Write index.html, a page per concept, the assets and the media."""
    deck = compiled.prepared.deck
    for name, data in compiled.media.items():
        target = out_dir / "media" / name
        if not target.is_file() or target.stat().st_size != len(data):
            atomic_write(target, data)
    assets = resources.files("generator.preview").joinpath("assets")
    for name in ("site.css", "site.js"):
        atomic_write(out_dir / name, assets.joinpath(name).read_bytes())
    from ..package import note_types

    atomic_write(out_dir / "card.css", note_types()["prompt"].css.encode("utf-8"))
    download = ""
    if package is not None:
        shutil.copyfile(package, out_dir / package.name)
        download = f'<a href="{html.escape(package.name)}" download>Download {html.escape(package.name)}</a>'

    by_file: dict[str, list[Diagnostic]] = {}
    for warning in compiled.prepared.warnings:
        by_file.setdefault(warning.where.path, []).append(warning)

    shown: dict[str, list[FigureMedia]] = {}  # each concept's figures, in name order
    for (concept_id, _), media in sorted(compiled.figures.items()):
        shown.setdefault(concept_id, []).append(media)
    intuitions: dict[str, str] = {}
    for text in compiled.prepared.text.cards:
        intuitions.setdefault(text.concept.id, text.intuition)

    subdecks: dict[str, list[str]] = {}
    for concept in deck.concepts:
        subdeck = concept.deck_name.split("::", 1)[1] if "::" in concept.deck_name else ""
        warnings = by_file.get(concept.file.display, [])
        count = len(concept.spec.cards)
        flag = f' <span class="cd-warn">{len(warnings)} lint</span>' if warnings else ""
        subdecks.setdefault(subdeck, []).append(
            f'<li><a href="c/{concept.id}.html">{html.escape(concept.spec.title)}</a>'
            f' <span class="cd-count">{count} cards</span>{flag}</li>'
        )
        page = _concept_page(
            deck.spec.name,
            concept,
            intuitions.get(concept.id, ""),
            shown.get(concept.id, []),
            cards,
            warnings,
            mathjax,
        )
        atomic_write(out_dir / "c" / f"{concept.id}.html", page.encode("utf-8"))

    sections = "".join(
        f'<section class="cd-subdeck"><h2>{html.escape(name or deck.spec.name)}</h2>'
        f'<ul class="cd-concepts">{"".join(items)}</ul></section>'
        for name, items in subdecks.items()
    )
    total = sum(len(s) for s in cards.values())
    body = (
        f'<div class="cd-overview">{compiled.description}</div>'
        f"<p>{len(deck.concepts)} concepts, {total} cards. {download}</p>{sections}"
    )
    atomic_write(out_dir / "index.html", _page(deck.spec.name, body, "", prefix="").encode())


def _concept_page(
    deck_name, concept, intuition: str, shown: list[FigureMedia], cards, warnings, mathjax: MathJax
) -> str:
    spec = concept.spec
    starts = [(concept.where("cards", i).line, card.id) for i, card in enumerate(spec.cards)]
    lint: dict[str, list[Diagnostic]] = {}
    page_level = []
    for warning in warnings:
        before = [card_id for line, card_id in starts if line <= warning.where.line]
        if before and warning.code not in ("CD111", "CD112"):
            lint.setdefault(before[-1], []).append(warning)
        else:
            page_level.append(warning)
    figures = "".join(
        f'<figure><img class="cd-light" src="../media/{html.escape(m.light)}" alt="{html.escape(m.alt)}">'
        f'<img class="cd-dark" src="../media/{html.escape(m.dark)}" alt="{html.escape(m.alt)}">'
        f"<figcaption>{html.escape(m.alt)}</figcaption></figure>"
        for m in shown
    )
    notes = []
    for card in spec.cards:
        key = f"{concept.id}/{card.id}"
        sides = "".join(
            f'<div class="cd-side"><span>{label}{f" (card {s.ordinal})" if len(cards[key]) > 1 else ""}</span>'
            f'<div class="cd-frame" data-card="{html.escape(key)}#{s.ordinal}-{label.lower()}">'
            f'<div class="card card{s.ordinal}">{_media_urls(content)}</div></div></div>'
            for s in cards[key]
            for label, content in (("Front", s.front), ("Back", s.back))
        )
        found = lint.get(card.id, [])
        items = "".join(f"<li>{html.escape(w.format())}</li>" for w in found)
        notes.append(
            f'<section class="cd-note" id="{html.escape(card.id)}">'
            f"<h3>{html.escape(card.kind)} <code>{html.escape(key)}</code></h3>"
            f'<div class="cd-sides">{sides}</div>'
            + (f'<ul class="cd-lint cd-warn">{items}</ul>' if items else "")
            + "</section>"
        )
    top = "".join(f"<li>{html.escape(w.format())}</li>" for w in page_level)
    body = (
        f"<h2>{html.escape(spec.title)}</h2>"
        f'<div class="cd-intuition-box">{intuition}</div>'
        + (f'<ul class="cd-lint cd-warn">{top}</ul>' if top else "")
        + f'<div class="cd-figures">{figures}</div>'
        + "".join(notes)
    )
    return _page(f"{spec.title} · {deck_name}", body, mathjax.head, prefix="../")


def _media_urls(content: str) -> str:
    """Card HTML names media files bare, as Anki's media folder has them; the site keeps them
    in media/."""
    import re

    return re.sub(r'(<img[^>]*\bsrc=")(?!https?:|data:|\.\./)', r"\1../media/", content)


def _page(title: str, body: str, head: str, *, prefix: str) -> str:
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        f'<link rel=stylesheet href="{prefix}card.css"><link rel=stylesheet href="{prefix}site.css">'
        f"{head}</head><body>"
        f'<header class="cd-site"><h1><a href="{prefix}index.html">{html.escape(title)}</a></h1>'
        '<button id="cd-theme" type="button">Dark</button>'
        '<button id="cd-width" type="button">Desktop width</button></header>'
        f'<main>{body}</main><div id="cd-errors" class="cd-errors" hidden></div>'
        f'<script src="{prefix}site.js"></script></body></html>'
    )
