"""Markdown with math: what authors type and the HTML Anki gets."""

from __future__ import annotations

import re

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


@pytest.mark.parametrize(
    ("source", "html"),
    [
        # A `$` inside a gap never pairs with one outside it: the gap keeps its `}}`.
        ("0 {{c1::$}} 0${{c0::}}", "0 {{c1::$}} 0${{c0::}}"),
        ("{{c1::$5}} or {{c2::$x}}$", "{{c1::$5}} or {{c2::$x}}$"),
        # A gap inside math stays a gap (Anki hides it inside MathJax); TeX's `}}` does not.
        ("$x = {{c1::y}}$ and {{c2::z}}", r"\(x = {{c1::y}}\) and {{c2::z}}"),
        (r"{{c1::\(\frac{a}{b^{2}} = {{c2::c}}\)}}", r"{{c1::\(\frac{a}{b^{2} } = {{c2::c}}\)}}"),
        ("a }} outside any gap is text: {{c1::x}}", "a }} outside any gap is text: {{c1::x}}"),
    ],
)
def test_cloze_gaps_reach_anki_as_written(source, html):
    """Anki reads `{{cN::` as opening a gap and `}}` as closing the innermost open one; math
    never moves those edges."""
    assert markdown(source, cloze=True) == html


@pytest.mark.parametrize(
    ("source", "offset", "message"),
    [
        ("keeps {{c1::variance", 6, "never closed: end it with '}}'"),
        ("{{c1::x}} and {{c2::y", 14, "never closed: end it with '}}'"),
        (r"see {{c1::\(\frac{a}{b^{2}}\)", 4, "a '}}' inside math does not close a gap"),
        (r"{{c1::\(x}} + y\)", 9, "unmatched '}' in math"),
    ],
)
def test_a_gap_left_open_is_an_error_at_its_opening(source, offset, message):
    from generator.text import TextError

    with pytest.raises(TextError, match=re.escape(message)) as info:
        markdown(source, cloze=True)
    assert info.value.offset == offset


@pytest.mark.parametrize(
    ("source", "html"),
    [(r"\(\{x\}\)", r"\(\{x\}\)"), ("$5} and $6", "$5} and $6")],
)
def test_braces_in_math_balance_or_the_dollar_is_a_dollar(source, html):
    assert markdown(source) == html
    with pytest.raises(MathError, match=re.escape("unmatched '{' in math")):
        markdown(r"\(\frac{1\)")


@pytest.mark.parametrize("source", [r"a \(b", r"a \[b", "a $$b$", r"a \) b", r"a b\]"])
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


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("It rose from $4 to $5.", "It rose from $4 to $5."),
        ("$20,000 and $30,000", "$20,000 and $30,000"),
        ("costs $5", "costs $5"),
        ("a $x$ b", r"a \(x\) b"),
        (
            "$x$5 is not math: the closer is followed by a digit",
            "$x$5 is not math: the closer is followed by a digit",
        ),
        ("$ x$ is not math: space after the opener", "$ x$ is not math: space after the opener"),
        ("$x $ is not math: space before the closer", "$x $ is not math: space before the closer"),
        (r"escaped \$x\$ stays text", "escaped $x$ stays text"),
        ("an entity &#36;5 works in any YAML quoting", "an entity $5 works in any YAML quoting"),
        ("$$x$$ is display math", r"\[x\] is display math"),
        ("price $5 and $x^2$", r"price \(5 and $x^2\)"),  # pandoc reads it so; check warns
    ],
)
def test_dollars_are_math_only_when_they_look_like_math(source, html):
    """pandoc's rule: `$` opens before a non-space; `$` closes after a non-space and not before
    a digit; anything else is a literal dollar sign."""
    assert markdown(source) == html


@pytest.mark.parametrize(
    ("source", "command"),
    [
        (r"\(\href{javascript:alert(1)}{x}\)", "href"),
        (r"$\style{color:red}{x}$", "style"),
        (r"\[\require{action}\]", "require"),
        (r"\(\class{a}{b}\)", "class"),
    ],
)
def test_math_that_could_load_or_run_anything_is_refused(source, command):
    with pytest.raises(MathError, match=rf"math may not use \\{command}"):
        markdown(source)


def test_markdown_images_are_refused_but_links_stay_links():
    from generator.text import TextError

    with pytest.raises(TextError, match="Markdown image"):
        markdown("see ![pixel](http://example.com/p.png)")
    assert markdown("[a link](https://example.com)") == '<a href="https://example.com">a link</a>'
    assert "javascript:" not in markdown("[x](javascript:alert(1))").replace("[x](javascript", "")
