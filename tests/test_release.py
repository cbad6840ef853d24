"""Releases: diff, release, changelog, tags and deck description, verify, against Anki's backend."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from generator.package import guid
from tests.conftest import Anki

PCA = Path("linear-algebra") / "pca.yaml"
GD = Path("optimisation") / "gradient-descent.yaml"


def _edit(source: Path, file: Path, old: str, new: str) -> None:
    text = (source / file).read_text()
    assert old in text, old
    (source / file).write_text(text.replace(old, new, 1))


def _second_version(source: Path) -> None:
    """Edit two answers, add a card, rename one and retire one."""
    _edit(
        source,
        PCA,
        "answer: The directions along which",
        "answer: Exactly the directions along which",
    )
    _edit(source, GD, "answer: It overshoots the minimum", "answer: It jumps past the minimum")
    _edit(source, PCA, "  - id: picture-axis\n", "  - id: axis-picture\n    was: picture-axis\n")
    text = (source / PCA).read_text()
    start, end = text.index("  - id: curved-structure"), text.index("  - id: axis-picture")
    (source / PCA).write_text(text[:start] + text[end:])
    (source / "deck.yaml").write_text(
        (source / "deck.yaml").read_text() + "retired: [pca/curved-structure]\n"
    )
    (source / GD).write_text(
        (source / GD).read_text() + "  - id: small-rate\n    kind: consequence\n"
        "    prompt: What happens to gradient descent when the learning rate is far too small?\n"
        "    answer: It creeps along in many tiny steps, each barely lowering the loss.\n"
    )


def test_a_release_reaches_learners_with_its_changes_tagged_and_described(
    deck_copy, run, tmp_path, anki: Anki, figure_cache
):
    source = deck_copy("valid")
    cache = ("--cache-dir", figure_cache, "-q")
    first = run("release", source, "--version", "1.0.0", *cache)
    assert first.exit_code == 0, first.output
    v1 = tmp_path / "dist" / "fixture-1.0.0.apkg"
    assert v1.is_file() and "Verified: 8 notes, 8 cards" in first.stdout
    assert "version: 1.0.0" in (source / "deck.yaml").read_text()
    assert (source / "CHANGELOG.md").read_text().startswith("# Changelog\n\n## 1.0.0 — ")

    anki.import_apkg(v1)
    assert anki.review_all("Fixture Deck") >= 8
    schedule, history = anki.schedule(), anki.revlog()
    release_one = set(anki.col.find_notes("tag:conceptdeck::release::1.0.0"))
    assert len(release_one) == 8

    _second_version(source)
    shown = run("diff", source, "--format", "json")
    assert shown.exit_code == 0, shown.output
    changes = json.loads(shown.stdout)
    assert [c["key"] for c in changes["added"]] == ["gradient-descent/small-rate"]
    assert sorted(c["key"] for c in changes["updated"]) == [
        "gradient-descent/large-rate",
        "pca/keeps-variance",
    ]
    assert [(c["from"], c["to"]) for c in changes["renamed"]] == [
        ("pca/picture-axis", "pca/axis-picture")
    ]
    assert [c["key"] for c in changes["retired"]] == ["pca/curved-structure"]
    assert changes["added"][0]["title"] == "Gradient descent"
    assert changes["added"][0]["prompt"].startswith("What happens to gradient descent")

    second = run("release", source, "--bump", "minor", *cache)
    assert second.exit_code == 0, second.output
    v2 = tmp_path / "dist" / "fixture-1.1.0.apkg"
    assert (
        "over the previous release: 1 new, 3 updated, 5 unchanged, 0 conflicting" in second.stdout
    )

    log = anki.import_apkg(v2)
    assert len(log.new) == 1 and len(log.updated) == 3 and not log.conflicting
    tagged = {
        anki.col.get_note(n).guid for n in anki.col.find_notes("tag:conceptdeck::release::1.1.0")
    }
    assert tagged == {
        guid("fixture", key)
        for key in (
            "gradient-descent/small-rate",
            "gradient-descent/large-rate",
            "pca/keeps-variance",
            "pca/curved-structure",
        )
    }, "the release tag is on exactly the notes it added or changed"
    assert all(anki.schedule()[card] == state for card, state in schedule.items())
    assert anki.revlog() == history

    description = anki.col.decks.by_name("Fixture Deck")["desc"]
    assert "Version 1.1.0" in description and "by conceptdeck tests" in description
    assert "license CC-BY-4.0" in description
    assert "1 new, 2 updated, 1 renamed, 1 retired" in description
    assert "tag:conceptdeck::release::1.1.0" in description

    changelog = (source / "CHANGELOG.md").read_text()
    assert changelog.index("## 1.1.0") < changelog.index("## 1.0.0")
    entry = changelog[changelog.index("## 1.1.0") : changelog.index("## 1.0.0")]
    assert "### Linear Algebra" in entry and "### Optimisation" in entry and "### Retired" in entry
    assert (
        "**Renamed:** Principal component analysis — `pca/picture-axis` → `pca/axis-picture`"
        in entry
    )
    assert "**New:** Gradient descent — What happens to gradient descent when" in entry

    assert run("diff", source, "--format", "json").stdout.count('"key"') == 0
    ok = run("verify", v2, "--previous", v1)
    assert ok.exit_code == 0, ok.output
    assert "over the previous release: 1 new, 3 updated, 5 unchanged, 0 conflicting" in ok.stdout


def test_verify_fails_on_a_package_with_a_missing_media_file(
    deck_copy, run, tmp_path, figure_cache
):
    source = deck_copy("valid")
    assert (
        run(
            "build", source, "-o", tmp_path / "good.apkg", "-q", "--cache-dir", figure_cache
        ).exit_code
        == 0
    )
    broken = tmp_path / "broken.apkg"
    with zipfile.ZipFile(tmp_path / "good.apkg") as old, zipfile.ZipFile(broken, "w") as new:
        names = json.loads(old.read("media"))
        dropped = names.pop("0")
        for item in old.infolist():
            if item.filename != "0":
                new.writestr(
                    item, old.read(item.filename) if item.filename != "media" else json.dumps(names)
                )
    result = run("verify", broken)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"a card shows {dropped}, which the package does not contain" in result.stdout
    assert run("verify", tmp_path / "good.apkg").exit_code == 0


def test_a_version_not_after_the_last_is_refused(deck_copy, run, figure_cache):
    source = deck_copy("valid")
    assert (
        run("release", source, "--version", "1.2.0", "-q", "--cache-dir", figure_cache).exit_code
        == 0
    )
    _second_version(source)
    for version in ("1.1.9", "1.2.0"):
        result = run("release", source, "--version", version, "-q")
        assert result.exit_code == 2 and "Traceback" not in result.output
    assert (
        "not after the last release, 1.2.0" in run("release", source, "--version", "1.1.9").stderr
    )
    assert (
        "1.2.0 is already released and the sources changed"
        in run("release", source, "--version", "1.2.0").stderr
    )


def test_releasing_the_last_version_again_rebuilds_it_byte_for_byte(
    deck_copy, run, tmp_path, figure_cache
):
    """How CI rebuilds a tagged release from the committed deck, deck.yaml and lock."""
    source = deck_copy("valid")
    assert (
        run("release", source, "--version", "1.0.0", "-q", "--cache-dir", figure_cache).exit_code
        == 0
    )
    package = tmp_path / "dist" / "fixture-1.0.0.apkg"
    first = package.read_bytes()
    lock = (source / "conceptdeck.lock").read_bytes()
    package.unlink()
    again = run("release", source, "--version", "1.0.0", "-q", "--cache-dir", figure_cache)
    assert again.exit_code == 0, again.output
    assert package.read_bytes() == first and (source / "conceptdeck.lock").read_bytes() == lock
    assert (source / "CHANGELOG.md").read_text().count("## 1.0.0") == 1


def test_a_deck_with_errors_or_strict_warnings_is_not_released(deck_copy, run, tmp_path):
    source = deck_copy("valid")
    _edit(source, PCA, "kind: attribute\n", "kind: atribute\n")
    result = run("release", source, "--version", "1.0.0", "-q")
    assert result.exit_code == 1 and "did you mean 'attribute'" in result.stdout
    assert (
        not (tmp_path / "dist").exists() and "version: 0.1.0" in (source / "deck.yaml").read_text()
    )

    source = deck_copy("valid", "second")
    _edit(source, PCA, "prompt: Why must data be centred before PCA?", "prompt: Is PCA centred?")
    result = run("release", source, "--version", "1.0.0", "-q", "--strict")
    assert result.exit_code == 1 and "CD104" in result.stdout
    assert not (source / "CHANGELOG.md").exists()


def test_a_lock_older_than_deck_yaml_is_refused_with_the_fix(deck_copy, run, figure_cache):
    """A co-author released 1.1.0 but did not commit its lock: building on the old lock would
    stamp notes wrongly for every learner of 1.1.0."""
    source = deck_copy("valid")
    assert (
        run("release", source, "--version", "1.0.0", "-q", "--cache-dir", figure_cache).exit_code
        == 0
    )
    _edit(source, Path("deck.yaml"), "version: 1.0.0", "version: 1.1.0")
    for command in ("check", "build"):
        result = run(command, source)
        assert result.exit_code == 1
        assert "deck.yaml says version 1.1.0, but conceptdeck.lock's last release is 1.0.0" in (
            result.stdout
        )


def test_release_workflow_builds_and_attaches_the_package():
    import yaml

    from tests.conftest import REPO

    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "release.yml").read_text())
    trigger = workflow.get("on") or workflow.get(True)
    assert trigger["push"]["tags"] == ["v*"]
    steps = workflow["jobs"]["release"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert 'pip install -e ".[test]"' in runs and "pytest" in runs
    assert re.search(r"conceptdeck release concepts --version \"?\$\{GITHUB_REF_NAME#v\}\"?", runs)
    upload = next(step for step in steps if "softprops/action-gh-release" in step.get("uses", ""))
    assert "dist/*.apkg" in upload["with"]["files"]
    assert workflow["permissions"]["contents"] == "write"
