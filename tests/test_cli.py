"""Authoring commands (`new`, `schema`, `stats`) and the CLI's promises about help and exit codes."""

from __future__ import annotations

import json

import pytest

from generator.cli import cli


def test_new_writes_a_template_that_check_rejects_until_filled(run, tmp_path):
    (tmp_path / "concepts").mkdir()
    (tmp_path / "concepts" / "deck.yaml").write_text("name: Mine\nid: mine\n")
    result = run("new", "bayes-rule", "--title", "Bayes' rule", "--in", "concepts/probability")
    assert result.exit_code == 0, result.output
    path = tmp_path / "concepts" / "probability" / "bayes-rule.yaml"
    text = path.read_text()
    for kind in ("attribute", "contrast", "mechanism", "consequence", "failure"):
        assert f"kind: {kind}" in text
    assert 'title: "Bayes\' rule"' in text and "plot: bayes_rule_picture" in text

    check = run("check", "concepts")
    assert check.exit_code == 1
    assert check.stdout.count("placeholder left in") == 13
    assert "unknown figure function 'bayes_rule_picture'" in check.stdout

    again = run("new", "bayes-rule", "--in", "concepts/probability")
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert path.read_text() == text, "an existing file is never overwritten"


def test_new_rejects_a_bad_id_as_a_usage_error(run):
    result = run("new", "Bayes Rule")
    assert result.exit_code == 2 and "not a valid concept id" in result.stderr


@pytest.mark.parametrize("which", ["concept", "deck"])
def test_schema_is_json_schema_editors_can_use(run, which):
    result = run("schema", which)
    schema = json.loads(result.stdout)
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert "id" in schema["required"]
    if which == "concept":
        card = schema["$defs"]["CardSpec"]
        assert "mechanism" in card["properties"]["kind"]["enum"]


def test_every_bundled_and_valid_fixture_file_validates_against_the_schema(run):
    """The JSON Schema editors use accepts every concept and deck file we ship as valid, and
    rejects what validation rejects."""
    import jsonschema
    import yaml

    from tests.conftest import FIXTURES, REPO

    schemas = {w: json.loads(run("schema", w).stdout) for w in ("concept", "deck")}
    files = [*(REPO / "concepts").rglob("*.yaml"), *(FIXTURES / "valid").rglob("*.yaml")]
    assert len(files) > 40
    for path in files:
        which = "deck" if path.name == "deck.yaml" else "concept"
        jsonschema.validate(yaml.safe_load(path.read_text()), schemas[which])
    for broken in ("unknown-key", "bad-slug", "wrong-type", "missing-key"):
        data = yaml.safe_load((FIXTURES / "broken" / broken / "alpha.yaml").read_text())
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(data, schemas["concept"])


def test_stats_counts_cards_kinds_figures_and_missing_kinds(run, deck_copy):
    result = run("stats", deck_copy("valid"))
    assert result.exit_code == 0
    rows = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert rows["pca"].split()[1] == "5" and "contrast, consequence" in rows["pca"]
    assert rows["total"].split()[1] == "8"
    data = json.loads(run("stats", deck_copy("valid", "again"), "--format", "json").stdout)
    pca = next(row for row in data if row["id"] == "pca")
    assert (
        pca["kinds"]["mechanism"] == 1
        and pca["figures"] == 1
        and pca["missing"] == ["contrast", "consequence"]
    )


def test_every_command_and_option_has_help_text():
    for name, command in cli.commands.items():
        assert command.help, name
        for param in command.params:
            if param.param_type_name == "option":
                assert param.help, f"{name} {param.opts}"
    assert all(p.help for p in cli.params if p.param_type_name == "option" and p.name != "version")


def test_python_dash_m_generator_runs_the_cli():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "generator", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "build" in out.stdout and "check" in out.stdout
