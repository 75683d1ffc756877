"""Build-time KaTeX rendering: single formulas, arithmatex pages, mkdocs-jupyter pages, vendored assets.

Everything runs the real vendored KaTeX through mini-racer; the notebook tests use real nbconvert and
mkdocs-jupyter output.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import markdown
import pytest
from pymdownx.arithmatex import arithmatex_fenced_format

from solutions.render.katex import (
    KATEX_VERSION,
    MathRenderError,
    render_arithmatex_html,
    render_dollar_math_in_notebook_html,
    render_tex,
)

ROOT = Path(__file__).resolve().parents[2]
CSS_DIR = ROOT / "docs" / "assets" / "katex"
JS_DIR = ROOT / "solutions" / "render" / "vendor" / "katex"

# Tags that make a browser fetch something, and their URL attribute.
_FETCHING_TAG = re.compile(r"<(script|link|img|iframe|source|embed|object)\b[^>]*>", re.I)
_URL_ATTR = re.compile(r"""\b(?:src|href|data)\s*=\s*["']([^"']*)["']""", re.I)


def offsite_fetches(html: str) -> list[str]:
    """Tags in ``html`` whose src/href leaves the site (canonical/prev/next links excepted)."""
    found = []
    for match in _FETCHING_TAG.finditer(html):
        tag = match[0]
        if match[1].lower() == "link" and not re.search(r'rel="[^"]*(stylesheet|preload|icon)', tag):
            continue
        for url in _URL_ATTR.findall(tag):
            if url.startswith("//") or (re.match(r"[a-z][a-z0-9+.-]*:", url, re.I) and not url.startswith("data:")):
                found.append(tag)
        if match[1].lower() == "script" and re.search(r'\bsrc=""', tag):
            found.append(tag)
    return found


def arithmatex(text: str, **config: object) -> str:
    """Real Python-Markdown + pymdownx.arithmatex (generic) output for ``text``."""
    return markdown.markdown(
        textwrap.dedent(text),
        extensions=["pymdownx.arithmatex", "pymdownx.superfences"],
        extension_configs={
            "pymdownx.arithmatex": {"generic": True, **config},
            "pymdownx.superfences": {
                "custom_fences": [
                    {
                        "name": "math",
                        "class": "arithmatex",
                        "format": arithmatex_fenced_format(mode="generic"),
                    }
                ]
            },
        },
    )


# --------------------------------------------------------------------------------------------------
# render_tex


def test_inline_formula_is_katex_html_with_mathml() -> None:
    out = render_tex("x^2 + y^2", display=False)
    assert 'class="katex"' in out
    assert "katex-display" not in out
    assert "<math" in out  # htmlAndMathml: screen readers get MathML
    assert '<annotation encoding="application/x-tex">x^2 + y^2</annotation>' in out


def test_display_formula_has_katex_display() -> None:
    out = render_tex(r"\sum_{i=1}^n i", display=True)
    assert out.startswith('<span class="katex-display">')
    assert 'display="block"' in out


@pytest.mark.parametrize(
    "tex",
    [
        r"\frac{i + 2p - k}{s}",
        r"\left\lfloor \frac{i + 2p - k}{s} \right\rfloor + 1",
        r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}",
        r"\begin{aligned} o &= \lfloor 15.5 \rfloor + 1 \\ &= 16 \end{aligned}",
        r"\operatorname{RF}_\ell = \operatorname{RF}_{\ell-1} + (k_\ell - 1) \prod_{j<\ell} s_j",
        r"C_{\text{out}} \times C_{\text{in}} \times k_h \times k_w",
        "3 × 3 ≤ 5 − 1",
    ],
)
@pytest.mark.parametrize("display", [False, True])
def test_constructs_render(tex: str, display: bool) -> None:
    out = render_tex(tex, display=display)
    assert 'class="katex-html"' in out
    assert "katex-error" not in out


def test_bad_tex_raises_naming_the_tex() -> None:
    with pytest.raises(MathRenderError) as caught:
        render_tex(r"\frac{1}{", display=False)
    error = caught.value
    assert isinstance(error, ValueError)
    assert r"\frac{1}{" in str(error)
    assert "KaTeX parse error" in str(error)
    assert error.tex == r"\frac{1}{"


@pytest.mark.parametrize("tex", [r"\undefinedmacro x", r"x % y", r"\begin{bmatrix} 1 \end{pmatrix}", "é"])
def test_errors_and_strict_mode_raise(tex: str) -> None:
    with pytest.raises(MathRenderError, match="KaTeX"):
        render_tex(tex, display=True)


def test_macros() -> None:
    out = render_tex(r"\RR^n", display=False, macros={r"\RR": r"\mathbb{R}"})
    assert "mathbb" in out
    with pytest.raises(MathRenderError):
        render_tex(r"\RR^n", display=False)


def test_gdef_does_not_leak_between_formulas() -> None:
    render_tex(r"\gdef\leak{L} \leak", display=False)
    with pytest.raises(MathRenderError):
        render_tex(r"\leak", display=False)


# --------------------------------------------------------------------------------------------------
# render_arithmatex_html

PAGE = r"""
    Inline $o = \left\lfloor \frac{i + 2p - k}{s} \right\rfloor + 1$, $a<b \& c>d$ and \(x^2\).

    $$
    \frac{a}{b} < c
    $$

    \[
    y = \operatorname{conv}(x)
    \]

    \begin{align}
    a &= b \\
    c &= d
    \end{align}

    ```math
    \begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}
    ```

    - item with $\text{stride } s$
"""


@pytest.mark.parametrize("smart_dollar", [True, False])
def test_arithmatex_page_renders_every_formula(smart_dollar: bool) -> None:
    source = arithmatex(PAGE, smart_dollar=smart_dollar)
    assert source.count('class="arithmatex"') == 8  # the fixture exercises every arithmatex form
    out = render_arithmatex_html(source, where="docs/page.md")
    assert "\\(" not in out and "\\)" not in out
    assert "\\[" not in out and "\\]" not in out
    assert out.count('<span class="arithmatex katex-rendered"><span class="katex">') == 4
    # Display formulas scroll when too wide, so their element takes the keyboard focus.
    assert out.count('<div class="arithmatex katex-rendered" tabindex="0"><span class="katex-display">') == 4
    # arithmatex's HTML escapes were undone before KaTeX saw the TeX (and KaTeX re-escaped them).
    assert '<annotation encoding="application/x-tex">a&lt;b \\&amp; c&gt;d</annotation>' in out
    assert render_arithmatex_html(out) == out  # idempotent


def test_arithmatex_leaves_code_alone() -> None:
    source = arithmatex(
        """
        Text $x$.

        ```
        $code$ \\(not\\)
        ```

        `$inline$`
        """
    )
    out = render_arithmatex_html(source)
    assert "<code>$code$ \\(not\\)\n</code>" in out
    assert "<code>$inline$</code>" in out
    assert out.count("katex-rendered") == 1


def test_arithmatex_error_names_page_and_tex() -> None:
    source = arithmatex(r"Broken $\frac{1}{2$ here.")
    with pytest.raises(MathRenderError) as caught:
        render_arithmatex_html(source, where="docs/seminar1/ex2.md")
    message = str(caught.value)
    assert message.startswith("docs/seminar1/ex2.md: ")
    assert r"\frac{1}{2" in message


def test_arithmatex_mathjax_mode_is_refused() -> None:
    source = markdown.markdown(
        "Text $x$.", extensions=["pymdownx.arithmatex"], extension_configs={"pymdownx.arithmatex": {}}
    )
    with pytest.raises(MathRenderError, match="generic: true"):
        render_arithmatex_html(source, where="docs/a.md")


# --------------------------------------------------------------------------------------------------
# render_dollar_math_in_notebook_html, on real nbconvert output (mkdocs-jupyter's converter)


@pytest.fixture(scope="module")
def notebook_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    import nbformat
    from mkdocs_jupyter.convert import nb2html

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(
            "# Title\n\nInline $x^2$, display\n\n$$\n\\frac{a}{b} < c\n$$\n\n"
            "and \\begin{align} a &= b \\\\ c &= d \\end{align}.\n\n"
            "Costs \\\\$5 (written `\\\\$`), `$code$` stays.\n\n```\n$fenced$\n```"
        ),
        nbformat.v4.new_code_cell(
            'print("$p$")',
            outputs=[
                nbformat.v4.new_output("stream", name="stdout", text="$stream$\n"),
                nbformat.v4.new_output("display_data", data={"text/markdown": "$output$", "text/plain": "<Markdown>"}),
            ],
        ),
    ]
    path = tmp_path_factory.mktemp("nb") / "nb.ipynb"
    nbformat.write(nb, path)
    return nb2html(str(path), include_requirejs=True)


def test_notebook_markdown_cell_math_renders(notebook_html: str) -> None:
    out = render_dollar_math_in_notebook_html(notebook_html, where="nb.ipynb")
    annotations = re.findall(r'<annotation encoding="application/x-tex">(.*?)</annotation>', out, re.S)
    assert [a.strip() for a in annotations] == [
        "x^2",
        "\\frac{a}{b} &lt; c",
        "\\begin{align} a &amp;= b \\\\ c &amp;= d \\end{align}",
    ]
    assert "Costs $5 (written <code>\\\\$</code>)" in out
    assert "<code>$code$</code>" in out
    assert "$fenced$" in out


def test_notebook_code_cells_and_outputs_untouched(notebook_html: str) -> None:
    out = render_dollar_math_in_notebook_html(notebook_html)
    assert '"$p$"' in out  # code cell source (highlighted and in the copy buffer)
    assert "$stream$" in out  # stream output
    assert "$output$" in out  # text/markdown output of a code cell
    assert out.count("katex-rendered") == 3


def test_notebook_offsite_loaders_removed(notebook_html: str) -> None:
    assert offsite_fetches(notebook_html)  # precondition: nbconvert did emit CDN scripts
    assert "cdnjs.cloudflare.com" in notebook_html
    out = render_dollar_math_in_notebook_html(notebook_html)
    assert offsite_fetches(out) == []
    assert "cdnjs" not in out
    assert "mathjax" not in out.lower()
    assert "document.addEventListener('clipboard-copy'" in out  # local inline scripts stay


def markdown_cell(paragraph: str) -> str:
    """The shape of a markdown cell in mkdocs-jupyter's HTML, holding one paragraph."""
    return (
        '<div class="jp-Cell jp-MarkdownCell jp-Notebook-cell"><div class="jp-InputArea">'
        '<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput">'
        f"<p>{paragraph}</p></div></div></div>"
    )


def test_notebook_error_names_page() -> None:
    with pytest.raises(MathRenderError, match=r"^nb\.py: .*`\\frac\{1\}\{`"):
        render_dollar_math_in_notebook_html(markdown_cell("bad $\\frac{1}{$ here"), where="nb.py")


@pytest.mark.parametrize("paragraph", ["$5 and $6", "costs $5", "$5 and $6, $n$ items", "$a$ $"])
def test_notebook_unpaired_dollar_raises(paragraph: str) -> None:
    # nbconvert turns \$5 into $5, so a stray dollar is an author error, not silent maths.
    with pytest.raises(MathRenderError, match="unpaired"):
        render_dollar_math_in_notebook_html(markdown_cell(paragraph), where="nb.py")


def test_notebook_escaped_dollar_is_literal() -> None:
    out = render_dollar_math_in_notebook_html(markdown_cell("\\$5 and \\$6, $n$ items, $a \\$ b$"))
    assert out.count("katex-rendered") == 2
    assert "<p>$5 and $6, <span" in out
    assert '<annotation encoding="application/x-tex">a \\$ b</annotation>' in out


# --------------------------------------------------------------------------------------------------
# A real mkdocs build with mkdocs-jupyter and a jupytext percent-format notebook

NOTEBOOK_PY = """\
# %% [markdown]
# # Output size
#
# For input $i$ the output is
#
# $$
# o = \\left\\lfloor \\frac{i + 2p - k}{s} \\right\\rfloor + 1
# $$

# %%
label = "$not math$"
print(label)
"""

HOOK = """\
from mkdocs.plugins import event_priority
from solutions.render.katex import render_arithmatex_html, render_dollar_math_in_notebook_html


@event_priority(-100)  # after the search plugin has indexed the TeX source
def on_page_context(context, page, config, nav):
    where = page.file.src_uri
    if where.endswith((".py", ".ipynb")):
        page.content = render_dollar_math_in_notebook_html(page.content, where=where)
    else:
        page.content = render_arithmatex_html(page.content, where=where)
    return context
"""


def build_site(tmp_path: Path, *, hook: bool) -> Path:
    docs = tmp_path / "docs"
    (docs / "assets").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n\nStride $s$ and\n\n$$\n\\frac{1}{2}\n$$\n", encoding="utf-8")
    (docs / "nb.py").write_text(NOTEBOOK_PY, encoding="utf-8")
    config = {
        "site_name": "t",
        "theme": {"name": "material", "font": False},
        "plugins": [{"mkdocs-jupyter": {"include": ["*.py"], "execute": False, "include_requirejs": True}}],
        "markdown_extensions": [{"pymdownx.arithmatex": {"generic": True}}],
        "extra_css": ["assets/katex/katex.min.css"],
    }
    if hook:
        (tmp_path / "hooks.py").write_text(HOOK, encoding="utf-8")
        config["hooks"] = ["hooks.py"]
        config["plugins"].insert(0, "search")
    # mkdocs.yml is a superset of JSON.
    (tmp_path / "mkdocs.yml").write_text(json.dumps(config), encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "--strict"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return tmp_path / "site"


@pytest.mark.build
def test_mkdocs_jupyter_page(tmp_path: Path) -> None:
    site = build_site(tmp_path, hook=False)
    page = (site / "nb" / "index.html").read_text(encoding="utf-8")
    # What mkdocs-jupyter 0.26.3 emits: an empty-src MathJax <script>, its x-mathjax-config, an
    # inline module that imports mermaid from cdnjs, and (include_requirejs) require.js from cdnjs.
    assert '<script src=""> </script>' in page
    assert 'type="text/x-mathjax-config"' in page
    assert "cdnjs.cloudflare.com/ajax/libs/mermaid" in page
    assert "cdnjs.cloudflare.com/ajax/libs/require.js" in page

    out = render_dollar_math_in_notebook_html(page, where="nb.py")
    assert offsite_fetches(out) == []
    assert "cdnjs" not in out and "mathjax" not in out.lower()
    assert out.count("katex-rendered") == 2
    assert '"$not math$"' in out
    assert "../assets/javascripts/bundle." in out  # the theme's own scripts stay


@pytest.mark.build
def test_recommended_hook_end_to_end(tmp_path: Path) -> None:
    site = build_site(tmp_path, hook=True)
    for page in ("index.html", "nb/index.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert offsite_fetches(html) == [], page
        assert html.count("katex-rendered") == 2, page
        assert "\\(" not in html and "\\[" not in html, page
        assert 'href="../assets/katex/katex.min.css"' in html or 'href="assets/katex/katex.min.css"' in html
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(doc["text"] for doc in index["docs"])
    assert "\\frac{1}{2}" in text  # search indexes the TeX source, not KaTeX's spans
    assert "katex" not in text


# --------------------------------------------------------------------------------------------------
# Vendored assets


def test_css_references_only_existing_woff2() -> None:
    css = (CSS_DIR / "katex.min.css").read_text(encoding="utf-8")
    urls = re.findall(r"url\(([^)]*)\)", css)
    assert urls, "no @font-face sources found"
    for url in urls:
        assert re.fullmatch(r"fonts/KaTeX_[A-Za-z0-9-]+\.woff2", url), url
        assert (CSS_DIR / url).is_file(), url
    shipped = {p.name for p in (CSS_DIR / "fonts").iterdir()}
    assert shipped == {url.removeprefix("fonts/") for url in urls}  # woff2 only, none unused
    faces = re.findall(r"@font-face\{[^}]*\}", css)
    assert len(faces) == len(urls)
    assert all("font-display:block" in face for face in faces)
    assert "http" not in css and "//" not in css.split("*/", 1)[1]


def test_vendored_versions_match() -> None:
    css = (CSS_DIR / "katex.min.css").read_text(encoding="utf-8")
    assert css.startswith(f"/* KaTeX {KATEX_VERSION} ")
    js = (JS_DIR / "katex.min.js").read_text(encoding="utf-8")
    assert f'version:"{KATEX_VERSION}"' in js
    for folder in (CSS_DIR, JS_DIR):
        assert "MIT License" in (folder / "LICENSE").read_text(encoding="utf-8")
