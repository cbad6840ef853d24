"""The README keeps step with the code: its command, lint-rule and card-kind tables are checked
against the CLI, the rule registry and the schema (as sqlite-utils checks its docs), and the CI
script runs exactly the README's test command."""

from __future__ import annotations

import re

from generator.cli import cli
from generator.lint import RULES
from generator.schema import KIND_GUIDE
from tests.conftest import REPO

README = (REPO / "README.md").read_text()


def _table(header: str) -> list[list[str]]:
    """The rows of the Markdown table whose header row starts with `header`."""
    lines = README.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        rows.append([c.strip() for c in cells])
    return rows


def test_every_command_is_in_the_readme_table_and_nothing_else():
    documented = [
        re.match(r"`conceptdeck ([a-z-]+)", row[0]).group(1) for row in _table("| command")
    ]
    assert sorted(documented) == sorted(cli.commands), "update the Commands table in README.md"


def test_every_documented_option_exists():
    for row in _table("| command"):
        name = re.match(r"`conceptdeck ([a-z-]+)", row[0]).group(1)
        options = {o for p in cli.commands[name].params for o in p.opts}
        for option in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", row[0] + " " + row[1]):
            if option not in ("-m",):
                assert option in options, f"README mentions {option} for {name}"


def test_the_lint_rule_table_is_the_registry():
    expected = [
        [r.code, r.name, r.fires_when] for r in sorted(RULES.values(), key=lambda r: r.code)
    ]
    table = [[c.replace("\\|", "|") for c in row] for row in _table("| code | name |")]
    rendered = "\n".join(f"| {c} | {n} | {w} |" for c, n, w in expected)
    assert table == expected, f"replace the rule table in README.md with:\n{rendered}"


def test_the_card_kind_table_is_the_schema_guide():
    expected = [[k, asks, example] for k, (asks, example) in KIND_GUIDE.items()]
    rendered = "\n".join(f"| {k} | {a} | {e} |" for k, a, e in expected)
    assert _table("| kind | a good card") == expected, f"replace the kinds table with:\n{rendered}"


def test_ci_runs_the_readme_test_command():
    command = re.search(r"^(pip install -e \"\.\[test\]\" && pytest)", README, re.M).group(1)
    assert command in (REPO / ".ci" / "run").read_text()
