"""The `conceptdeck` command: options, help text, and one call into the library per command.

Errors become messages and exit codes in exactly one place, `_Boundary.invoke`: the project's
own `ConceptdeckError`s are explained (1 for problems in the sources or the files, 2 for usage
errors), Ctrl-C prints one line, and anything else is a bug and shows its traceback. Findings go
to stdout, one per line (`path:line:col: CODE message`), so they can be piped; summaries and
progress go to stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import pipeline
from .errors import ConceptdeckError, ContentError, Diagnostic, UsageError
from .files import DECK_FILE


class _Boundary(click.Group):
    """The one place errors become messages and exit codes."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ConceptdeckError as exc:
            if ctx.params.get("debug"):
                raise
            if isinstance(exc, ContentError):
                _report(exc.diagnostics, ctx.meta.get("format", "text"))
                found = f"Found {_summary(exc.diagnostics)}{_nothing_written(ctx)}."
                click.secho(found, fg="red", err=True)
            else:
                click.secho(f"error: {exc}", fg="red", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            if ctx.params.get("debug"):
                raise
            click.secho(f"Interrupted{_nothing_written(ctx)}.", fg="red", err=True)
            ctx.exit(130)


def _nothing_written(ctx: click.Context) -> str:
    """Said after a failure of a command that writes: its earlier output is untouched."""
    return "; nothing was written" if ctx.meta.get("writes") else ""


def _summary(diagnostics: list[Diagnostic]) -> str:
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    return (
        ", ".join(
            f"{n} {word}{'s' if n != 1 else ''}"
            for n, word in ((errors, "error"), (warnings, "warning"))
            if n
        )
        or "no problems"
    )


def _report(diagnostics: list[Diagnostic], fmt: str) -> None:
    """Findings on stdout: one line each, or a JSON list for editors and CI."""
    if fmt == "json":
        from .lint import RULES

        rows = []
        for d in diagnostics:
            row = d.as_json()
            if d.code in RULES:
                row |= {"rule": RULES[d.code].name, "principle": RULES[d.code].principle}
            rows.append(row)
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for d in sorted(diagnostics):
        click.echo(d.format())


def _deck_root(path: Path) -> Path:
    """The deck a path belongs to: the folder itself, or the nearest parent with a deck.yaml."""
    if path.is_dir() or not path.exists():
        return path
    if (root := _deck_of_file(path)) is not None:
        return root
    raise UsageError(f"{path} is not inside a deck folder (no {DECK_FILE} in its parents)")


def _deck_of_file(path: Path) -> Path | None:
    return next((p for p in path.resolve().parents if (p / DECK_FILE).is_file()), None)


_SITE_OPTION = click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("preview"),
    show_default=True,
    help="Folder for the site.",
)
SOURCE = click.argument(
    "source",
    type=click.Path(path_type=Path),
    default=pipeline.DEFAULT_SOURCE,
    required=False,
)


def _format_option(help_text: str):
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help=help_text,
    )


def _render_options(function):
    function = click.option(
        "--no-cache", is_flag=True, help="Render every figure afresh and store nothing."
    )(function)
    function = click.option(
        "--cache-dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=pipeline.DEFAULT_CACHE,
        show_default=True,
        help="Where rendered figures are kept between builds.",
    )(function)
    function = click.option(
        "-j",
        "--jobs",
        type=click.IntRange(min=0),
        default=0,
        help="Processes rendering figures (default: one per core).",
    )(function)
    function = click.option("-q", "--quiet", is_flag=True, help="No progress bar.")(function)
    return function


def _build(
    source: Path,
    output: Path | None,
    quiet: bool,
    jobs: int,
    cache_dir: Path | None,
    strict: bool = False,
) -> pipeline.BuildResult:
    """`build` with a progress bar on a terminal: what `build` and `push` both run."""
    with _Progress(quiet) as progress:
        return pipeline.build(
            _deck_root(source),
            output,
            cache_dir=cache_dir,
            jobs=jobs,
            progress=progress,
            strict=strict,
        )


def _push_options(function):
    function = click.option(
        "--collection",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Import into this collection.anki2 while Anki is closed, instead of through"
        " AnkiConnect.",
    )(function)
    function = click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        default=30.0,
        show_default=True,
        help="Seconds to wait for each answer from AnkiConnect.",
    )(function)
    function = click.option("--key", help="AnkiConnect's API key, if its configuration sets one.")(
        function
    )
    function = click.option(
        "--url",
        default="http://127.0.0.1:8765",
        show_default=True,
        help="Where AnkiConnect listens.",
    )(function)
    return function


def _pusher(url: str, key: str | None, timeout: float, collection: Path | None):
    """A function that pushes a built package, through AnkiConnect or into a collection file."""
    from . import push

    def send(package: Path, deck_name: str) -> push.PushResult:
        if collection is not None:
            return push.push_to_collection(package, collection)
        return push.push_to_anki(package, deck_name, url=url, key=key, timeout=timeout)

    return send


class _Progress:
    """A progress bar on stderr while figures render, when stderr is a terminal."""

    def __init__(self, quiet: bool):
        self.enabled = not quiet and sys.stderr.isatty()
        self.bar = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Rendering figures", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done
        if done >= total:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@click.group(cls=_Boundary, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--debug", is_flag=True, help="Show a traceback instead of a message when something fails."
)
@click.version_option(package_name="conceptdeck")
def cli(debug: bool) -> None:
    """Compile intuition-first concepts written in YAML into Anki decks."""


@cli.command()
@SOURCE
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the .apkg [default: dist/<deck id>.apkg].",
)
@click.option("--strict", is_flag=True, help="Fail on lint warnings too.")
@_render_options
@click.pass_context
def build(
    ctx: click.Context,
    source: Path,
    output: Path | None,
    strict: bool,
    quiet: bool,
    jobs: int,
    cache_dir: Path,
    no_cache: bool,
) -> None:
    """Build SOURCE (default: concepts) into an Anki package.

    The package is written atomically: a failed build leaves any earlier one untouched. Note
    modification times are kept in SOURCE/conceptdeck.lock; commit it with the deck.
    """
    ctx.meta["writes"] = True
    result = _build(source, output, quiet, jobs, None if no_cache else cache_dir, strict)
    for notice in result.notices:
        click.secho(f"note: {notice}", fg="yellow", err=True)
    if result.warnings:
        click.secho(
            f"{len(result.warnings)} lint warnings (run 'conceptdeck check {source}' to see them)",
            fg="yellow",
            err=True,
        )
    fig = result.figures
    counts = (
        f"{result.concepts} concepts, {result.notes} notes, {result.cards} cards,"
        f" {fig.figures} figures"
    )
    if result.up_to_date:
        click.echo(
            f"{result.output} is up to date ({_size(result.size)}): {counts}; nothing changed"
            " since the last build."
        )
        return
    click.echo(
        f"Built {result.output} ({_size(result.size)}): {counts} ({fig.rendered} rendered,"
        f" {fig.cached} cached, {_size(fig.media_bytes)} of media);"
        f" {result.changed_notes} notes new or changed."
    )


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Exit 1 on lint warnings, not only on errors.")
@_format_option("Output format; json is for editors and CI.")
@click.option(
    "--select",
    default="",
    metavar="CODES",
    help="Only these lint rules (comma-separated codes or prefixes).",
)
@click.option(
    "--ignore",
    default="",
    metavar="CODES",
    help="Skip these lint rules (comma-separated codes or prefixes).",
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=pipeline.DEFAULT_CACHE,
    show_default=True,
    help="Where what each file taught the last run is kept, so edits re-check only themselves.",
)
@click.option("--no-cache", is_flag=True, help="Check every file afresh and keep nothing.")
@click.pass_context
def check(
    ctx: click.Context,
    paths: tuple[Path, ...],
    strict: bool,
    fmt: str,
    select: str,
    ignore: str,
    cache_dir: Path,
    no_cache: bool,
) -> None:
    """Validate and lint decks without writing anything (default: concepts).

    PATHS are deck folders or files inside decks (as editors and pre-commit pass them); for
    files, findings are reported for those files, and errors anywhere in their deck. Everything
    `build` checks is checked, except that figure functions are not run.
    """
    from .lint import RuleSelection

    ctx.meta["format"] = fmt
    rules = RuleSelection.parse(select, ignore)
    targets: dict[Path, set[str] | None] = {}
    for path in paths or (pipeline.DEFAULT_SOURCE,):
        if path.is_file() and len(paths) > 1 and _deck_of_file(path) is None:
            continue  # pre-commit passes every changed file; those of no deck are not ours
        root = _deck_root(path)
        if path.is_file():
            shown = targets.setdefault(root, set())
            if shown is not None:
                shown.add(str(path.resolve()))
        else:
            targets[root] = None
    findings: list[Diagnostic] = []
    for root, files in targets.items():
        warnings = pipeline.check(root, rules=rules, cache_dir=None if no_cache else cache_dir)
        if files is not None:
            warnings = [w for w in warnings if str(Path(w.where.path).resolve()) in files]
        findings += warnings
    _report(findings, fmt)
    names = ", ".join(str(p) for p in paths) or str(pipeline.DEFAULT_SOURCE)
    click.echo(
        f"{names}: no errors, {_summary(findings).replace('no problems', '0 warnings')}.", err=True
    )
    if strict and findings:
        ctx.exit(1)


@cli.command()
@SOURCE
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("figures-out"),
    show_default=True,
    help="Folder for the images and index.html.",
)
@click.option(
    "--only",
    metavar="PATTERN",
    help="Only figures matching a glob on 'concept/figure' or the figure name, e.g. 'pca/*'.",
)
@_render_options
def figures(
    source: Path,
    out_dir: Path,
    only: str | None,
    quiet: bool,
    jobs: int,
    cache_dir: Path,
    no_cache: bool,
) -> None:
    """Render the figures of SOURCE, light and dark, with a contact sheet to look at them.

    Figures that render are written even when others fail; the failures are reported (exit 1).
    """
    with _Progress(quiet) as progress:
        written, report = pipeline.contact_sheet(
            _deck_root(source),
            out_dir,
            only=only,
            cache_dir=None if no_cache else cache_dir,
            jobs=jobs,
            progress=progress,
        )
    click.echo(
        f"Wrote {report.figures} figures ({len(written) - 1} files) to {out_dir};"
        f" open {out_dir / 'index.html'}"
    )


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), default=Path("."))
@click.option("--name", required=True, help="The deck's name in Anki, e.g. 'Economics'.")
@click.option("--id", "deck_id", help="The deck's id, a slug [default: from the name].")
def init(folder: Path, name: str, deck_id: str | None) -> None:
    """Start a new deck in FOLDER (default: here), ready for git.

    Writes deck.yaml, an example concept (with a figure and a card of each core kind, clean
    under `check --strict`) and its figure module, .gitignore, the .gitattributes the lock
    needs to merge, a .pre-commit-config.yaml snippet and a short README. Never overwrites.
    """
    from .scaffold import init_deck

    written = init_deck(folder, name, deck_id)
    click.echo(f"Wrote {len(written)} files to {folder}: start with {written[1]}.")
    click.echo(f"Next: conceptdeck check --strict {folder} && conceptdeck watch {folder}")


@cli.command()
@SOURCE
@_SITE_OPTION
@_render_options
def preview(
    source: Path, out_dir: Path, quiet: bool, jobs: int, cache_dir: Path, no_cache: bool
) -> None:
    """Write a static site showing every card of SOURCE exactly as Anki renders it.

    Front and back, light and dark (following the system, with a toggle), at phone and desktop
    width, with an index by subdeck and concept, each concept's intuition and figures, and the
    lint warnings next to their cards. Math uses a local MathJax when one is installed (Anki's
    own, from the `aqt` package, or a folder named by CONCEPTDECK_MATHJAX), else the CDN.
    Writes nothing into the deck.
    """
    from .preview.site import preview as write_preview

    with _Progress(quiet) as progress:
        site = write_preview(
            _deck_root(source),
            out_dir,
            cache_dir=None if no_cache else cache_dir,
            jobs=jobs,
            progress=progress,
        )
    click.echo(
        f"Wrote {site.index}: {site.concepts} concepts, {site.cards} cards,"
        f" {site.warnings} lint warnings; cards rendered by {site.renderer}; math: {site.mathjax}."
    )


@cli.command()
@SOURCE
@_SITE_OPTION
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 to serve the preview on (0: any free port).",
)
@click.option(
    "--push", "push_too", is_flag=True, help="Also build and push into Anki on every save."
)
@_push_options
@_render_options
def watch(
    source: Path,
    out_dir: Path,
    port: int,
    push_too: bool,
    url: str,
    key: str | None,
    timeout: float,
    collection: Path | None,
    quiet: bool,
    jobs: int,
    cache_dir: Path,
    no_cache: bool,
) -> None:
    """Serve the preview of SOURCE on localhost and rebuild it on every save.

    Open the printed address: the page reloads after each rebuild. Errors show in the page and
    here, and the watcher keeps going. With --push, each good build is also built into dist/
    and pushed into Anki (through AnkiConnect, or --collection). Ctrl-C stops it.
    """
    from .preview.serve import watch as serve

    root = _deck_root(source)
    cache = None if no_cache else cache_dir
    after_build = None
    if push_too:
        send = _pusher(url, key, timeout, collection)

        def after_build() -> str:
            result = pipeline.build(root, cache_dir=cache, jobs=jobs)
            return f"; pushed: {send(result.output, result.deck_name)}"

    serve(
        root,
        out_dir,
        port=port,
        cache_dir=cache,
        jobs=jobs,
        after_build=after_build,
        say=lambda text: click.echo(text, err=True),
    )


@cli.command()
@click.argument("concept_id", metavar="ID")
@click.option("--title", help="The concept's title [default: from the ID].")
@click.option(
    "--in",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=pipeline.DEFAULT_SOURCE,
    show_default=True,
    help="Folder to write ID.yaml into (its subdeck).",
)
def new(concept_id: str, title: str | None, folder: Path) -> None:
    """Start a concept file from a template with one card of each core kind.

    Its TODO placeholders are errors for `check` and `build` until you replace them, so a
    half-written concept cannot slip into a deck. An existing file is never overwritten.
    """
    from .scaffold import new_concept

    path = new_concept(concept_id, folder, title)
    click.echo(f"Wrote {path}; replace its TODOs, then run 'conceptdeck check'.")


@cli.command()
@click.argument("which", type=click.Choice(["concept", "deck"]), default="concept")
def schema(which: str) -> None:
    """Print the JSON Schema of a concept file (default) or of deck.yaml, for editor support."""
    from .schema import json_schemas

    click.echo(json.dumps(json_schemas()[which], indent=2, ensure_ascii=False))


@cli.command()
@SOURCE
@_format_option("Output format.")
def stats(source: Path, fmt: str) -> None:
    """Cards by kind, figures, missing core kinds and prerequisite depth per concept (in the order
    learners meet them), and deck totals."""
    from .schema import KINDS
    from .stats import stats as deck_stats

    rows = deck_stats(_deck_root(source))
    if fmt == "json":
        click.echo(json.dumps([row.__dict__ for row in rows], indent=2))
        return
    kinds = sorted({k for row in rows for k in row.kinds}, key=KINDS.index)
    width = max([len(r.id) for r in rows] + [7])
    short = {k: k[:4] for k in kinds}
    click.echo(
        f"{'concept':<{width}}  cards  "
        + " ".join(f"{short[k]:>4}" for k in kinds)
        + "  figs  depth  missing"
    )
    for row in rows:
        counts = " ".join(f"{row.kinds.get(k, 0) or '.':>4}" for k in kinds)
        click.echo(
            f"{row.id:<{width}}  {row.cards:>5}  {counts}  {row.figures:>4}  {row.depth:>5}"
            f"  {', '.join(row.missing) or '-'}"
        )
    totals = {k: sum(r.kinds.get(k, 0) for r in rows) for k in kinds}
    click.echo(
        f"{'total':<{width}}  {sum(r.cards for r in rows):>5}  "
        + " ".join(f"{totals[k]:>4}" for k in kinds)
        + f"  {sum(r.figures for r in rows):>4}  {max((r.depth for r in rows), default=0):>5}"
        + f"  {sum(1 for r in rows if r.missing)} concepts missing a core kind"
    )
    click.echo(f"{len(rows)} concepts; kinds: " + ", ".join(f"{short[k]}={k}" for k in kinds))


@cli.command()
@click.argument("code", required=False)
def rule(code: str | None) -> None:
    """Explain a lint rule (e.g. CD107): what it finds, why it matters, how to fix it.

    Without CODE, list every rule.
    """
    from .errors import did_you_mean
    from .lint import RULES

    if code is None:
        for r in sorted(RULES.values(), key=lambda r: r.code):
            click.echo(f"{r.code}  {r.name:<24} {r.fires_when}")
        return
    found = RULES.get(code.upper())
    if found is None:
        raise UsageError(f"unknown lint rule '{code}'{did_you_mean(code.upper(), RULES)}")
    click.echo(f"{found.code} {found.name} ({found.scope})\n\n{found.doc}\n")
    click.echo(f"Fires when: {found.fires_when}\nFix: {found.fix}\nPrinciple: {found.principle}")


@cli.command()
@SOURCE
@_format_option("Output format; json lists added, updated, renamed and retired notes.")
def diff(source: Path, fmt: str) -> None:
    """What learners will see if you release SOURCE now, against the last release in its lock.

    Lists the notes a release would add, update, rename or retire (each as concept/card with its
    concept's title and prompt); unchanged notes never appear. Before the first release, every
    note is added. No figure is drawn.
    """
    from .release import diff as deck_diff

    changes = deck_diff(_deck_root(source))
    if fmt == "json":
        data = changes.as_json()
        data.pop("base")
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for label, items in (
        ("added", changes.added),
        ("updated", changes.updated),
        ("renamed", changes.renamed),
        ("retired", changes.retired),
    ):
        for c in items:
            name = f"{c.was} -> {c.key}" if c.was else c.key
            click.echo(f"{label:<8} {name}  ({c.title}) {c.prompt[:70]}".rstrip())
    base = f"since release {changes.base}" if changes.base else "(no release yet)"
    click.echo(f"{changes.counts().capitalize()} {base}.", err=True)


@cli.command()
@SOURCE
@click.option("--version", "version", metavar="X.Y.Z", help="The version to release.")
@click.option(
    "--bump",
    type=click.Choice(["major", "minor", "patch"]),
    help="Release the next major, minor or patch version after the last one.",
)
@click.option("--strict", is_flag=True, help="Refuse to release with lint warnings too.")
@click.option(
    "--dist",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("dist"),
    show_default=True,
    help="Folder for the released package.",
)
@_render_options
@click.pass_context
def release(
    ctx: click.Context,
    source: Path,
    version: str | None,
    bump: str | None,
    strict: bool,
    dist: Path,
    quiet: bool,
    jobs: int,
    cache_dir: Path,
    no_cache: bool,
) -> None:
    """Publish SOURCE as a new version: dist/<deck id>-<version>.apkg, with its CHANGELOG entry.

    Refuses if the deck has errors (or lint warnings, with --strict) or the version is not after
    the last release. Sets `version` in deck.yaml, tags every note the release adds or changes
    with conceptdeck::release::<version>, describes the release in the deck's overview, prepends
    it to CHANGELOG.md next to deck.yaml, and records it in the lock, so the next `diff` starts
    from it. When Anki's backend is installed, the package is verified first (as `verify`).
    Releasing the last version again with unchanged sources rebuilds its package byte for byte.
    """
    from .release import release as publish

    if (version is None) == (bump is None):
        raise click.UsageError("give exactly one of --version X.Y.Z or --bump major|minor|patch")
    ctx.meta["writes"] = True
    result = publish(
        _deck_root(source),
        version=version,
        bump=bump,
        strict=strict,
        dist=dist,
        cache_dir=None if no_cache else cache_dir,
        jobs=jobs,
    )
    click.echo(
        f"Released {result.version}: {result.output} ({result.notes} notes;"
        f" {result.diff.counts()}). Verified: {result.verified}."
    )


@cli.command("push")
@SOURCE
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the .apkg [default: dist/<deck id>.apkg].",
)
@_push_options
@_render_options
@click.pass_context
def push_command(
    ctx: click.Context,
    source: Path,
    output: Path | None,
    url: str,
    key: str | None,
    timeout: float,
    collection: Path | None,
    quiet: bool,
    jobs: int,
    cache_dir: Path,
    no_cache: bool,
) -> None:
    """Build SOURCE (as `build` does) and send it straight into Anki.

    Into a running Anki through the AnkiConnect add-on, or with --collection into a collection
    file while Anki is closed. Either way Anki imports the package itself, so notes keep the
    identity a shared .apkg gives them: importing a released package later updates them in
    place. Your own edits follow the same rules as an import (see README, "Sharing a deck").
    """
    ctx.meta["writes"] = True
    result = _build(source, output, quiet, jobs, None if no_cache else cache_dir)
    pushed = _pusher(url, key, timeout, collection)(result.output, result.deck_name)
    click.echo(f"Pushed {result.output}: {pushed}.")


@cli.command()
@click.argument("package", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--previous",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="The release learners have now: verify PACKAGE as an upgrade over it.",
)
def verify(package: Path, previous: Path | None) -> None:
    """Check PACKAGE with Anki's own backend, as a learner's Anki would import it.

    Imports it into a throw-away collection and renders every card; checks that every picture a
    card shows is in the package and no unused file ships, that no note type is duplicated and no
    note conflicts. With --previous, first imports OLD, studies every card and edits one that
    PACKAGE leaves alone, then imports PACKAGE: reports new, updated, unchanged and conflicting
    notes, and whether any review was lost or the edit overwritten. Exit 1 on any problem.
    Needs the optional 'anki' extra: pip install 'conceptdeck[anki]'.
    """
    from .collection import verify as check_package

    report = check_package(package, previous)
    if report.problems:
        raise ContentError(report.diagnostics(package))
    click.echo(f"{package}: {report.summary()}.")


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{n / 1000:.0f} kB"


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="conceptdeck")
