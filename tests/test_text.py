"""Markdown with math: what authors type and the HTML Anki gets."""

from __future__ import annotations

import pytest

from generator.text import MathError, markdown


@pytest.mark.parametrize(
    ("source", "html"),
    [
        (r"inline \(a_1 + b_1\) math", r"inline \(a_1 + b_1\) math"),
        (r"display \[x^2\] math", r"display \[x^2\] math"),
        (r"dollars $a_1 * b_1 * c$ become MathJax", r"dollars \(a_1 * b_1 * c\) become MathJax"),
        (r"$$\sum_i x_i$$", r"\[\sum_i x_i\]"),
        (r"less \(a < b\) than", r"less \(a &lt; b\) than"),
        (r"costs \$5 and \$10", "costs $5 and $10"),
        ("**bold** and _it_", "<strong>bold</strong> and <em>it</em>"),
        ("<b>raw</b> html", "&lt;b&gt;raw&lt;/b&gt; html"),
        ("one\n\ntwo", "<p>one</p>\n<p>two</p>"),
    ],
)
def test_markdown_and_math(source, html):
    assert markdown(source) == html


def test_math_inside_cloze_never_closes_the_cloze_early():
    assert markdown(r"{{c1::\(\frac{1}{x^{2}}\)}}", cloze=True) == r"{{c1::\(\frac{1}{x^{2} }\)}}"


@pytest.mark.parametrize("source", [r"a \(b", r"a \[b", "a $b", "a $$b$", r"a \) b", r"a b\]"])
def test_unbalanced_math_is_an_error(source):
    with pytest.raises(MathError):
        markdown(source)


def test_error_says_where_in_the_text():
    with pytest.raises(MathError) as info:
        markdown(r"fine \(x\) then \(broken")
    assert info.value.offset == 16


def test_plain_prose_shortcut_matches_markdown_it_on_the_bundled_deck():
    """The fast path for syntax-free prose must give exactly what markdown-it gives."""
    import yaml
    from markdown_it import MarkdownIt

    from tests.conftest import REPO

    reference = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    extra = ['He said "no".', "x - y", "1. first", "- item", "  indented", "a  b", "Tom's 3 cats."]
    samples = [
        s
        for f in (REPO / "concepts").rglob("*.yaml")
        for s in strings(yaml.safe_load(f.read_text()))
        if "$" not in s and "\\" not in s and "{{" not in s
    ]
    for prose in samples + extra:
        rendered = reference.render(prose)
        body = (
            rendered[3:-5]
            if rendered.count("<p>") == 1 and rendered.startswith("<p>")
            else rendered
        )
        assert markdown(prose) == body.strip(), prose
    assert len(samples) > 300
