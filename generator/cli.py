"""The `conceptdeck` command: options, help text, and one call into the library per command.

Errors become messages and exit codes in exactly one place (`_Group.invoke`): 1 for problems in
the sources, 2 for usage errors (click's own), and a traceback only with `--debug`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import pipeline
from .diagnostics import ContentError, Diagnostic

SOURCE = click.argument(
    "source",
    type=click.Path(path_type=Path, file_okay=False),
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


def _cache_options(function):
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
        help="Processes rendering figures (default: all cores).",
    )(function)
    function = click.option("-q", "--quiet", is_flag=True, help="No progress bar.")(function)
    return function


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        debug = ctx.params.get("debug", False)
        try:
            return super().invoke(ctx)
        except ContentError as exc:
            if debug:
                raise
            _print_problems(exc.diagnostics)
            errors = sum(d.severity == "error" for d in exc.diagnostics)
            warnings = len(exc.diagnostics) - errors
            summary = ", ".join(
                f"{n} {word}{'s' if n != 1 else ''}"
                for n, word in ((errors, "error"), (warnings, "warning"))
                if n
            )
            wrote = (
                "; nothing was written" if ctx.invoked_subcommand in {"build", "figures"} else ""
            )
            click.secho(f"Found {summary}{wrote}.", fg="red", err=True)
            ctx.exit(1)
        except (OSError, ValueError) as exc:
            if debug:
                raise
            click.secho(f"error: {exc}", fg="red", err=True)
            ctx.exit(1)


def _print_problems(diagnostics: list[Diagnostic]) -> None:
    for d in sorted(diagnostics):
        click.echo(d.format(), err=True)


def _json(diagnostics: list[Diagnostic]) -> str:
    """Findings for editors and CI, each lint finding with its rule's name and principle."""
    from .lint import RULES

    rows = []
    for d in diagnostics:
        row = d.as_json()
        if d.code in RULES:
            row |= {"rule": RULES[d.code].name, "principle": RULES[d.code].principle}
        rows.append(row)
    return json.dumps(rows, indent=2, ensure_ascii=False)


def _progress(quiet: bool):
    """A progress callback drawing a bar on a terminal; None when quiet or not a TTY."""
    if quiet or not sys.stderr.isatty():
        return None
    state: dict[str, object] = {}

    def update(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = click.progressbar(length=total, label="Rendering figures", file=sys.stderr)
            bar.__enter__()
            state["bar"], state["done"] = bar, 0
        bar.update(done - state["done"])  # type: ignore[attr-defined,operator]
        state["done"] = done
        if done >= total:
            bar.__exit__(None, None, None)  # type: ignore[attr-defined]

    return update


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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
@_cache_options
def build(
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
    result = pipeline.build(
        source,
        output,
        cache_dir=None if no_cache else cache_dir,
        jobs=jobs,
        progress=_progress(quiet),
        strict=strict,
    )
    if result.warnings:
        click.secho(
            f"{len(result.warnings)} lint warnings (run 'conceptdeck check {source}' to see them)",
            fg="yellow",
            err=True,
        )
    fig = result.figures
    counts = f"{result.concepts} concepts, {result.notes} notes, {result.cards} cards, {fig.figures} figures"
    if result.up_to_date:
        click.echo(
            f"{result.output} is up to date ({_size(result.size)}): {counts}; nothing changed since the last build."
        )
        return
    click.echo(
        f"Built {result.output} ({_size(result.size)}): {counts} ({fig.rendered} rendered,"
        f" {fig.cached} cached, {_size(fig.media_bytes)} of media); {result.changed_notes} notes new or changed."
    )


@cli.command()
@SOURCE
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
def check(source: Path, strict: bool, fmt: str, select: str, ignore: str) -> None:
    """Validate and lint SOURCE (default: concepts) without writing anything.

    Figure functions are not run; `build` and `figures` run them.
    """
    from .lint import RuleSelection

    rules = RuleSelection.parse(select, ignore)
    try:
        warnings = pipeline.check(source, rules=rules)
    except ContentError as exc:
        if fmt == "json":
            click.echo(_json(exc.diagnostics))
            sys.exit(1)
        raise
    if fmt == "json":
        click.echo(_json(warnings))
    else:
        _print_problems(warnings)
        click.echo(
            f"{source}: no errors, {len(warnings)} warning{'s' if len(warnings) != 1 else ''}.",
            err=bool(warnings),
        )
    if strict and warnings:
        sys.exit(1)


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
@_cache_options
def figures(
    source: Path,
    out_dir: Path,
    only: str | None,
    quiet: bool,
    jobs: int,
    cache_dir: Path,
    no_cache: bool,
) -> None:
    """Render the figures of SOURCE, light and dark, with a contact sheet to look at them."""
    written, report = pipeline.contact_sheet(
        source,
        out_dir,
        only=only,
        cache_dir=None if no_cache else cache_dir,
        jobs=jobs,
        progress=_progress(quiet),
    )
    click.echo(
        f"Wrote {report.figures} figures ({len(written) - 1} files) to {out_dir}; open {out_dir / 'index.html'}"
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
    try:
        path = pipeline.new_concept(concept_id, folder, title)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="ID") from exc
    click.echo(f"Wrote {path}; replace its TODOs, then run 'conceptdeck check'.")


@cli.command()
@click.argument("which", type=click.Choice(["concept", "deck"]), default="concept")
def schema(which: str) -> None:
    """Print the JSON Schema of a concept file (default) or of deck.yaml, for editor support."""
    from .schema import json_schemas

    click.echo(json.dumps(json_schemas()[which], indent=2))


@cli.command()
@SOURCE
@_format_option("Output format.")
def stats(source: Path, fmt: str) -> None:
    """Cards by kind, figures and missing core kinds per concept, and deck totals."""
    rows = pipeline.stats(source)
    if fmt == "json":
        click.echo(json.dumps([row.__dict__ for row in rows], indent=2))
        return
    from .schema import KINDS

    kinds = sorted({k for row in rows for k in row.kinds}, key=KINDS.index)
    width = max([len(r.id) for r in rows] + [7])
    short = {k: k[:4] for k in kinds}
    click.echo(
        f"{'concept':<{width}}  cards  "
        + " ".join(f"{short[k]:>4}" for k in kinds)
        + "  figs  missing"
    )
    for row in rows:
        counts = " ".join(f"{row.kinds.get(k, 0) or '.':>4}" for k in kinds)
        click.echo(
            f"{row.id:<{width}}  {row.cards:>5}  {counts}  {row.figures:>4}  {', '.join(row.missing) or '-'}"
        )
    totals = {k: sum(r.kinds.get(k, 0) for r in rows) for k in kinds}
    click.echo(
        f"{'total':<{width}}  {sum(r.cards for r in rows):>5}  "
        + " ".join(f"{totals[k]:>4}" for k in kinds)
        + f"  {sum(r.figures for r in rows):>4}  {sum(1 for r in rows if r.missing)} concepts missing a core kind"
    )
    click.echo(f"{len(rows)} concepts; kinds: " + ", ".join(f"{short[k]}={k}" for k in kinds))


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{n / 1000:.0f} kB"


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="conceptdeck")
