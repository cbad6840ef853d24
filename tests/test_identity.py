"""Deck identity through change: a machine-independent, merge-friendly lock; renames that keep
history; retirement instead of silent deletion; and no silent disaster when the lock is lost."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from generator import ContentError, build, check
from generator.package import guid
from tests.conftest import Anki

PCA = Path("linear-algebra") / "pca.yaml"


def _edit(source: Path, old: str, new: str, file: Path = PCA) -> None:
    path = source / file
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _lock(source: Path) -> dict[str, dict]:
    lines = (source / "conceptdeck.lock").read_text().splitlines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    return {r["note"]: r for r in records if "note" in r}


def _build(source: Path, out: Path, cache: Path, now: int = 1_800_000_000):
    return build(source, out, cache_dir=cache, jobs=1, now=now)


# --- 1. The lock is a function of the sources only -------------------------------------------


def _reencode_cache(cache: Path) -> int:
    """Re-encode every cached figure the way another Pillow or matplotlib might: the same
    picture, other bytes. The entries stay valid (resealed), so a build takes them as if this
    machine had rendered them."""
    from PIL import Image

    count = 0
    for entry in cache.rglob("*.bin"):
        key = entry.stem
        png = entry.read_bytes()[32:]
        image = Image.open(io.BytesIO(png)).convert("RGB")
        out = io.BytesIO()
        image.quantize(64, method=Image.Quantize.FASTOCTREE).save(out, format="PNG")
        data = out.getvalue()
        assert data != png
        seal = hashlib.sha256(key.encode() + b"\0" + data).digest()
        entry.write_bytes(seal + data)
        count += 1
    return count


def test_other_encoder_bytes_change_neither_lock_nor_notes_nor_media_names(
    deck_copy, tmp_path, anki: Anki
):
    """What another machine (another matplotlib or Pillow) gets: other PNG bytes for the same
    pictures. The lock stays byte-identical, no note changes, media keep their names, and a
    learner who imported the first build gets no update (they keep the picture they have)."""
    source = deck_copy("valid")
    cache = tmp_path / "cache"
    first = _build(source, tmp_path / "a.apkg", cache)
    lock = (source / "conceptdeck.lock").read_bytes()
    anki.import_apkg(first.output)

    assert _reencode_cache(cache) == 4
    (source / "conceptdeck.lock").write_bytes(lock)
    second = _build(source, tmp_path / "b.apkg", cache, now=1_900_000_000)
    assert second.changed_notes == 0 and second.figures.cached == 4
    assert (source / "conceptdeck.lock").read_bytes() == lock
    assert first.output.read_bytes() != second.output.read_bytes(), "other media bytes"
    assert _media_names(first.output) == _media_names(second.output)
    log = anki.import_apkg(second.output)
    assert not log.new and not log.updated and not log.conflicting


def _media_names(apkg: Path) -> list[str]:
    import zipfile

    with zipfile.ZipFile(apkg) as archive:
        return sorted(json.loads(archive.read("media")).values())


def test_lock_does_not_depend_on_the_deck_path_or_a_build_that_changed_nothing(deck_copy, tmp_path):
    source = deck_copy("valid")
    _build(source, tmp_path / "a.apkg", tmp_path / "cache")
    lock = (source / "conceptdeck.lock").read_bytes()
    moved = tmp_path / "elsewhere" / "deck"
    shutil.copytree(source, moved)
    again = _build(moved, tmp_path / "b.apkg", tmp_path / "cache", now=1_999_999_999)
    assert again.changed_notes == 0 and (moved / "conceptdeck.lock").read_bytes() == lock


def test_crlf_checkouts_hash_figure_code_the_same(deck_copy, tmp_path):
    source = deck_copy("valid")
    _build(source, tmp_path / "a.apkg", tmp_path / "cache")
    lock = (source / "conceptdeck.lock").read_bytes()
    module = source / "figures.py"
    module.write_bytes(module.read_bytes().replace(b"\n", b"\r\n"))
    again = _build(source, tmp_path / "b.apkg", tmp_path / "cache", now=1_999_999_999)
    assert again.changed_notes == 0 and (source / "conceptdeck.lock").read_bytes() == lock


def test_changing_a_figures_inputs_changes_its_notes(deck_copy, tmp_path):
    source = deck_copy("valid")
    _build(source, tmp_path / "a.apkg", tmp_path / "cache")
    _edit(source, "args: {n: 150}", "args: {n: 90}")
    again = _build(source, tmp_path / "b.apkg", tmp_path / "cache", now=1_900_000_000)
    assert again.changed_notes == 2  # both cards that show the figure


# --- 2. Merge-friendly --------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )


def _branches(tmp_path: Path, deck_copy, union: bool) -> tuple[Path, Path, dict, dict]:
    """A repo whose two branches each edit one of two cards that sit next to each other in the
    lock, each built and committed; returns the repo, the deck and each branch's lock."""
    repo = tmp_path / "repo"
    repo.mkdir()
    source = deck_copy("valid", "repo/deck")
    if union:
        (repo / ".gitattributes").write_text("conceptdeck.lock merge=union\n")
    cache = tmp_path / "cache"
    _git(repo, "init", "-q", "-b", "main")
    _build(source, tmp_path / "0.apkg", cache)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")

    _git(repo, "checkout", "-qb", "one")
    _edit(
        source, "answer: The directions along which", "answer: Exactly the directions along which"
    )
    _build(source, tmp_path / "1.apkg", cache, now=1_800_000_100)
    _git(repo, "commit", "-qam", "one")
    one = _lock(source)

    _git(repo, "checkout", "-q", "main")
    _git(repo, "checkout", "-qb", "two")
    _edit(source, "answer: Otherwise the first", "answer: If not, the first")
    _build(source, tmp_path / "2.apkg", cache, now=1_800_000_200)
    _git(repo, "commit", "-qam", "two")
    two = _lock(source)
    return repo, source, one, two


def test_two_branches_editing_adjacent_cards_merge_cleanly(deck_copy, tmp_path):
    repo, source, one, two = _branches(tmp_path, deck_copy, union=True)
    merged = _git(repo, "merge", "-q", "one", "-m", "merge")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    assert "CONFLICT" not in merged.stdout

    result = _build(source, tmp_path / "m.apkg", tmp_path / "cache", now=1_800_000_300)
    lock = _lock(source)
    assert lock["pca/keeps-variance"]["mod"] == one["pca/keeps-variance"]["mod"] == 1_800_000_100
    assert lock["pca/needs-centering"]["mod"] == two["pca/needs-centering"]["mod"] == 1_800_000_200
    assert result.changed_notes == 0, "both edits were already stamped on their branches"
    check(source)  # the repaired lock reads cleanly
    assert "<<<<<<<" not in (source / "conceptdeck.lock").read_text()


def test_a_lock_with_conflict_markers_is_repaired_by_the_next_build(deck_copy, tmp_path):
    repo, source, _, _ = _branches(tmp_path, deck_copy, union=False)
    merged = _git(repo, "merge", "one", "-m", "merge")
    assert "CONFLICT (content): Merge conflict in deck/conceptdeck.lock" in merged.stdout
    assert "<<<<<<<" in (source / "conceptdeck.lock").read_text()

    result = _build(source, tmp_path / "m.apkg", tmp_path / "cache", now=1_800_000_300)
    lock = _lock(source)
    assert lock["pca/keeps-variance"]["mod"] == 1_800_000_100
    assert lock["pca/needs-centering"]["mod"] == 1_800_000_200
    assert any("repaired conceptdeck.lock" in n for n in result.notices)
    assert "<<<<<<<" not in (source / "conceptdeck.lock").read_text()


def test_a_hand_damaged_lock_line_is_refused_with_what_to_do(deck_copy, tmp_path, run):
    source = deck_copy("valid")
    _build(source, tmp_path / "a.apkg", tmp_path / "cache")
    lock = source / "conceptdeck.lock"
    lines = lock.read_text().splitlines()
    lines[5] = lines[5][:20]
    lock.write_text("\n".join(lines) + "\n")
    result = run("check", source)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "deck/conceptdeck.lock:6:1: damaged lock line" in result.stdout
    assert "git checkout -- deck/conceptdeck.lock" in result.stdout


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        "null",
        '{"entries": null}',
        '{"format": 1, "entries": {"a/b": ["1732710001:ab", 1e400]}}',
        '{"note": "a/b", "type": "prompt", "mod": 99999999999999999999}',
    ],
)
def test_a_lock_of_the_wrong_shape_is_a_located_error(deck_copy, run, text):
    source = deck_copy("valid")
    (source / "conceptdeck.lock").write_text(text + "\n")
    result = run("build", source, "-q", "-j", "1")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "deck/conceptdeck.lock:1:1:" in result.stdout or "conceptdeck.lock:" in result.stdout


# --- 3. Renames keep history; 4. deletions are explicit -------------------------------------------


def test_renaming_a_card_and_a_concept_keeps_every_learners_history(
    deck_copy, tmp_path, anki: Anki, figure_cache
):
    source = deck_copy("valid")
    v1 = _build(source, tmp_path / "v1.apkg", figure_cache)
    anki.import_apkg(v1.output)
    assert anki.review_all("Fixture Deck") >= 8
    schedule, history = anki.schedule(), anki.revlog()

    _edit(source, "  - id: keeps-variance\n", "  - id: keeps-spread\n    was: keeps-variance\n")
    _edit(source, "id: pca\n", "id: principal-components\nwas: pca\n")
    _edit(
        source,
        "related: [pca]",
        "related: [principal-components]",
        Path("optimisation") / "gradient-descent.yaml",
    )
    v2 = _build(source, tmp_path / "v2.apkg", figure_cache, now=1_900_000_000)

    log = anki.import_apkg(v2.output)
    assert not log.new and not log.conflicting
    assert anki.col.note_count() == 8
    assert anki.schedule() == schedule and anki.revlog() == history
    lock = _lock(source)
    assert lock["principal-components/keeps-spread"]["identity"] == "pca/keeps-variance"
    assert "pca/keeps-variance" not in lock
    again = _build(source, tmp_path / "v3.apkg", figure_cache, now=1_950_000_000)
    assert again.changed_notes == 0, "a rename settles: the next build changes nothing"


def test_related_links_to_a_renamed_concept_say_what_it_became(deck_copy, tmp_path, run):
    source = deck_copy("valid")
    _build(source, tmp_path / "v1.apkg", tmp_path / "cache")
    _edit(source, "id: pca\n", "id: principal-components\nwas: pca\n")
    result = run("check", source)
    assert result.exit_code == 1
    assert "unknown concept 'pca' in related; 'pca' was renamed to 'principal-components'" in (
        result.stdout
    )


def test_deleting_a_published_card_is_an_error_naming_it(deck_copy, tmp_path, run):
    source = deck_copy("valid")
    assert run("build", source, "-o", tmp_path / "v1.apkg", "-q", "-j", "1").exit_code == 0
    earlier = (tmp_path / "v1.apkg").read_bytes()
    text = (source / PCA).read_text()
    start, end = text.index("  - id: curved-structure"), text.index("  - id: picture-axis")
    (source / PCA).write_text(text[:start] + text[end:])

    for command in (["check", source], ["build", source, "-o", tmp_path / "v1.apkg", "-q"]):
        result = run(*command)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "published card 'pca/curved-structure' is missing from the sources" in result.stdout
        assert "(it was in deck/linear-algebra/pca.yaml)" in result.stdout
        assert "adding 'pca/curved-structure' to retired: in deck.yaml" in result.stdout
    assert (tmp_path / "v1.apkg").read_bytes() == earlier


def test_a_card_removed_and_restored_unchanged_keeps_its_stamp(deck_copy, tmp_path, run):
    source = deck_copy("valid")
    _build(source, tmp_path / "v1.apkg", tmp_path / "cache")
    before = _lock(source)
    text = (source / PCA).read_text()
    start, end = text.index("  - id: curved-structure"), text.index("  - id: picture-axis")
    (source / PCA).write_text(text[:start] + text[end:])
    with pytest.raises(ContentError):
        _build(source, tmp_path / "v2.apkg", tmp_path / "cache", now=1_900_000_000)
    (source / PCA).write_text(text)
    again = _build(source, tmp_path / "v3.apkg", tmp_path / "cache", now=1_950_000_000)
    assert again.changed_notes == 0 and _lock(source) == before


def test_retiring_a_card_ships_it_once_more_tagged_with_a_notice(
    deck_copy, tmp_path, anki: Anki, figure_cache
):
    source = deck_copy("valid")
    v1 = _build(source, tmp_path / "v1.apkg", figure_cache)
    anki.import_apkg(v1.output)
    text = (source / PCA).read_text()
    start, end = text.index("  - id: curved-structure"), text.index("  - id: picture-axis")
    (source / PCA).write_text(text[:start] + text[end:])
    (source / "deck.yaml").write_text(
        (source / "deck.yaml").read_text() + "retired: [pca/curved-structure]\n"
    )
    v2 = _build(source, tmp_path / "v2.apkg", figure_cache, now=1_900_000_000)
    assert v2.changed_notes == 1

    log = anki.import_apkg(v2.output)
    assert not log.new and len(log.updated) == 1 and not log.conflicting
    note = anki.note_by_guid(guid("fixture", "pca/curved-structure"))
    assert "conceptdeck::retired" in note.tags
    card = note.cards()[0]
    assert "retired from its deck" in card.question()
    assert anki.col.find_notes("tag:conceptdeck::retired") == [note.id]
    assert _lock(source)["pca/curved-structure"]["retired"] is True
    third = _build(source, tmp_path / "v3.apkg", figure_cache, now=1_950_000_000)
    assert third.changed_notes == 0, "a retired note changes once"


def test_retiring_a_whole_concept_retires_all_its_cards(deck_copy, tmp_path, figure_cache):
    source = deck_copy("valid")
    _build(source, tmp_path / "v1.apkg", figure_cache)
    (source / PCA).unlink()
    _edit(source, "related: [pca]", "related: []", Path("optimisation") / "gradient-descent.yaml")
    (source / "deck.yaml").write_text((source / "deck.yaml").read_text() + "retired: [pca]\n")
    v2 = _build(source, tmp_path / "v2.apkg", figure_cache, now=1_900_000_000)
    lock = _lock(source)
    assert sorted(k for k, r in lock.items() if r.get("retired")) == [
        "pca/curved-structure",
        "pca/first-component",
        "pca/keeps-variance",
        "pca/needs-centering",
        "pca/picture-axis",
    ]
    # Five retired notes, and the three of gradient-descent whose related line changed.
    assert v2.notes == 8 and v2.changed_notes == 8


# --- 5. check refuses what build refuses --------------------------------------------------------


def _delete_card(source: Path) -> None:
    text = (source / PCA).read_text()
    start, end = text.index("  - id: curved-structure"), text.index("  - id: picture-axis")
    (source / PCA).write_text(text[:start] + text[end:])


IDENTITY_RULES = {
    "kind-switch": (
        lambda s: _edit(
            s,
            "  - id: needs-centering\n    kind: mechanism\n    prompt: Why must data be centred before PCA?\n"
            "    answer: Otherwise the first component points at the mean instead of along the spread,"
            " since $x^\\top x$ mixes both.\n",
            "  - id: needs-centering\n    kind: cloze\n    text: Data must be {{c1::centred}} before PCA.\n",
        ),
        "switched between cloze and prompt/answer",
    ),
    "deleted": (_delete_card, "published card 'pca/curved-structure' is missing"),
    "was-in-use": (
        lambda s: _edit(
            s, "  - id: keeps-variance\n", "  - id: keeps-variance\n    was: picture-axis\n"
        ),
        "was: 'picture-axis' is the id of a card of this concept",
    ),
    "was-never-published": (
        lambda s: _edit(
            s, "  - id: keeps-variance\n", "  - id: keeps-spread\n    was: keeps-varience\n"
        ),
        "was: card 'pca/keeps-varience' was never published",
    ),
    "retired-unknown": (
        lambda s: (s / "deck.yaml").write_text(
            (s / "deck.yaml").read_text() + "retired: [pca/curved-structur]\n"
        ),
        "'pca/curved-structur' retires nothing: it is not in conceptdeck.lock; did you mean",
    ),
    "retired-but-present": (
        lambda s: (s / "deck.yaml").write_text(
            (s / "deck.yaml").read_text() + "retired: [pca/curved-structure]\n"
        ),
        "'pca/curved-structure' is retired but still in the sources",
    ),
}


@pytest.mark.parametrize("rule", sorted(IDENTITY_RULES))
@pytest.mark.parametrize("command", ["check", "build"])
def test_check_refuses_what_build_refuses(rule, command, deck_copy, tmp_path, run, figure_cache):
    source = deck_copy("valid")
    assert (
        run(
            "build",
            source,
            "-o",
            tmp_path / "v1.apkg",
            "-q",
            "-j",
            "1",
            "--cache-dir",
            figure_cache,
        ).exit_code
        == 0
    )
    change, message = IDENTITY_RULES[rule]
    change(source)
    args = [command, source, "--strict"]
    args += ["-o", tmp_path / "v2.apkg", "-q"] if command == "build" else []
    result = run(*args)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert message in result.stdout, result.stdout
    assert not (tmp_path / "v2.apkg").exists()


def test_a_retired_card_cannot_come_back(deck_copy, tmp_path, run, figure_cache):
    source = deck_copy("valid")
    _build(source, tmp_path / "v1.apkg", figure_cache)
    text = (source / PCA).read_text()
    _delete_card(source)
    deck_yaml = (source / "deck.yaml").read_text()
    (source / "deck.yaml").write_text(deck_yaml + "retired: [pca/curved-structure]\n")
    _build(source, tmp_path / "v2.apkg", figure_cache, now=1_900_000_000)
    (source / PCA).write_text(text)
    (source / "deck.yaml").write_text(deck_yaml)
    result = run("check", source)
    assert result.exit_code == 1
    assert "'pca/curved-structure' was retired and learners were told to delete it" in result.stdout


# --- 6. A lost lock is never a silent disaster -----------------------------------------------------


def test_a_lost_lock_is_recovered_from_the_last_package(
    deck_copy, tmp_path, anki: Anki, figure_cache
):
    """Deleting the lock (or a co-author building without it) must not re-stamp every note:
    the next import would overwrite learners' own edits on notes the author never touched."""
    source = deck_copy("valid")
    out = tmp_path / "dist" / "fixture.apkg"
    v1 = _build(source, out, figure_cache, now=1_700_000_000)  # before the learner's edit below
    anki.import_apkg(v1.output)
    mine = anki.note_by_guid(guid("fixture", "gradient-descent/large-rate"))
    mine["Why"] = "My own note."
    anki.col.update_note(mine)
    before = _lock(source)

    (source / "conceptdeck.lock").unlink()
    _edit(
        source, "answer: The directions along which", "answer: Exactly the directions along which"
    )
    v2 = build(source, out, cache_dir=figure_cache, jobs=1)
    assert any("took note times from" in n and "(7 unchanged, 1 changed)" in n for n in v2.notices)
    after = _lock(source)
    assert {k: r["mod"] for k, r in after.items() if k != "pca/keeps-variance"} == {
        k: r["mod"] for k, r in before.items() if k != "pca/keeps-variance"
    }
    log = anki.import_apkg(v2.output)
    assert len(log.updated) == 1 and not log.new
    kept = anki.note_by_guid(guid("fixture", "gradient-descent/large-rate"))
    assert kept["Why"] == "My own note."
