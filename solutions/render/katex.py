"""Render TeX to static HTML with KaTeX at build time, so the site needs no JavaScript for maths.

KaTeX itself (``vendor/katex/katex.min.js``, re-vendored by ``scripts/vendor_katex.sh``) runs in one
V8 isolate through mini-racer, created on first use. The output is KaTeX's ``htmlAndMathml``: the
HTML is what readers see (styled by ``docs/assets/katex/katex.min.css``), the MathML is what screen
readers read. Every formula is parsed with ``throwOnError`` and ``strict: "error"``, so anything
KaTeX would render wrongly, or LaTeX would reject (a stray ``%`` that comments out the rest of a
formula, accented letters in maths mode), stops the build with :class:`MathRenderError`.

Two page-level passes find the maths:

* :func:`render_arithmatex_html` for Markdown pages, whose maths ``pymdownx.arithmatex`` (with
  ``generic: true``) has wrapped as ``<span class="arithmatex">\\(...\\)</span>`` and
  ``<div class="arithmatex">\\[...\\]</div>``;
* :func:`render_dollar_math_in_notebook_html` for mkdocs-jupyter pages, whose markdown cells keep the
  raw ``$...$``, ``$$...$$`` and ``\\begin{env}...\\end{env}`` that nbconvert passes through for
  MathJax. It also removes the scripts and links that would fetch anything from another host.

Both wrap each formula in an element with the classes ``arithmatex katex-rendered``; a display
formula's element is focusable (``tabindex="0"``), because it scrolls when wider than the column.
"""

from __future__ import annotations

import atexit
import functools
import html as html_lib
import re
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "KATEX_VERSION",
    "MathRenderError",
    "render_arithmatex_html",
    "render_dollar_math_in_notebook_html",
    "render_tex",
]

KATEX_VERSION = "0.19.1"
"""The vendored KaTeX (npm ``katex``); ``scripts/vendor_katex.sh`` keeps this in step."""

_KATEX_JS = Path(__file__).with_name("vendor") / "katex" / "katex.min.js"
_OUTPUT = "htmlAndMathml"
_RENDERED_CLASS = "katex-rendered"
_TIMEOUT_SEC = 10.0

# Returns {"html": ...} or {"error": ...}, so a KaTeX error reaches Python as KaTeX's own message
# rather than as a V8 stack dump. `macros` arrives as a fresh object on every call, so a \gdef in one
# formula cannot leak into the next.
_GLUE_JS = """
var __cnnRenderTex = function (tex, displayMode, output, macros) {
  try {
    return {html: katex.renderToString(tex, {
      displayMode: displayMode, output: output, throwOnError: true, strict: "error", macros: macros
    })};
  } catch (e) {
    return {error: (e && e.message !== undefined) ? String(e.message) : String(e)};
  }
};
"""


class MathRenderError(ValueError):
    """A formula could not be rendered.

    The message names the page (``where``, when known), the TeX exactly as given, and KaTeX's
    own explanation, e.g. ``docs/ex1.md: cannot render inline math `\\frac{1}{`: KaTeX parse
    error: Unexpected end of input ...``. The TeX is quoted verbatim, between backquotes.
    """

    def __init__(self, tex: str, reason: str, *, display: bool = False, where: str = "") -> None:
        self.tex = tex
        self.reason = reason
        self.display = display
        self.where = where
        prefix = f"{where}: " if where else ""
        kind = "display" if display else "inline"
        super().__init__(f"{prefix}cannot render {kind} math `{tex}`: {reason}")

    def at(self, where: str) -> MathRenderError:
        """The same error, located at ``where`` (a page path)."""
        return MathRenderError(self.tex, self.reason, display=self.display, where=where)


# --------------------------------------------------------------------------------------------------
# One formula


class _Katex:
    """The lazily created, lock-guarded V8 context holding KaTeX."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ctx: Any = None

    def render(self, tex: str, display: bool, macros: dict[str, str]) -> dict[str, str]:
        with self._lock:
            if self._ctx is None:
                from py_mini_racer import MiniRacer  # imported here: only builds need V8

                ctx = MiniRacer()
                # mini-racer 0.14 can hang the interpreter's exit if a context outlives it.
                atexit.register(ctx.close)
                ctx.eval(_KATEX_JS.read_text(encoding="utf-8"))
                ctx.eval(_GLUE_JS)
                self._ctx = ctx
            return self._ctx.call("__cnnRenderTex", tex, display, _OUTPUT, macros, timeout_sec=_TIMEOUT_SEC)


_KATEX = _Katex()


@functools.lru_cache(maxsize=8192)
def _render_cached(tex: str, display: bool, macros: tuple[tuple[str, str], ...]) -> str:
    result = _KATEX.render(tex, display, dict(macros))
    if "error" in result:
        raise MathRenderError(tex, result["error"], display=display)
    return result["html"]


def render_tex(tex: str, *, display: bool, macros: Mapping[str, str] | None = None) -> str:
    """Render one formula (without delimiters) to KaTeX HTML+MathML.

    ``display`` selects display style (a centred block, ``<span class="katex-display">``).
    ``macros`` maps names to expansions, as KaTeX's option: ``{"\\\\RR": "\\\\mathbb{R}"}``.
    Raises :class:`MathRenderError` if KaTeX cannot render the TeX. Results are cached.
    """
    if not isinstance(tex, str):
        raise TypeError(f"tex must be a str, not {type(tex).__name__}")
    items = tuple(sorted((macros or {}).items()))
    return _render_cached(tex, bool(display), items)


def _wrap(tag: str, attrs: str, tex: str, display: bool, where: str) -> str:
    """KaTeX HTML for ``tex`` inside ``<tag attrs>``, which must carry a class attribute.

    A display formula's element scrolls sideways when the formula is wider than the column, so it
    can take the keyboard focus (``tabindex="0"``), as a scrollable region must.
    """
    try:
        rendered = render_tex(tex, display=display)
    except MathRenderError as error:
        raise error.at(where) from None
    if display and "tabindex=" not in attrs:
        attrs += ' tabindex="0"'
    return f"<{tag}{attrs}>{rendered}</{tag}>"


# --------------------------------------------------------------------------------------------------
# Markdown pages: pymdownx.arithmatex, generic mode

_CLASS_ATTR = re.compile(r'(\sclass=")([^"]*)(")')
_ARITHMATEX_CLASS = r'\sclass="(?:[^"]*\s)?arithmatex(?:\s[^"]*)?"'
# An arithmatex element whose body is plain text (arithmatex escapes <, > and & in the TeX).
_ARITHMATEX_ELEMENT = re.compile(
    rf"<(?P<tag>[A-Za-z][A-Za-z0-9]*)(?P<attrs>[^>]*?{_ARITHMATEX_CLASS}[^>]*)>(?P<body>[^<]*)</(?P=tag)>"
)
_ARITHMATEX_ANY = re.compile(rf"<[A-Za-z][A-Za-z0-9]*[^>]*?{_ARITHMATEX_CLASS}[^>]*>")
_DELIMITERS = {("\\(", "\\)"): False, ("\\[", "\\]"): True}


def _add_rendered_class(attrs: str) -> str:
    return _CLASS_ATTR.sub(lambda m: f"{m[1]}{m[2]} {_RENDERED_CLASS}{m[3]}", attrs, count=1)


def render_arithmatex_html(html: str, *, where: str = "") -> str:
    """Replace every ``pymdownx.arithmatex`` formula in ``html`` with KaTeX HTML.

    Expects arithmatex's generic output with its default wrappers: ``\\(...\\)`` inline (in a
    ``span``) and ``\\[...\\]`` display (in a ``div``; ``$$``, ``\\[``, ``\\begin{env}`` blocks and
    ``math`` fences all come out this way). The element and its attributes stay, with the class
    ``katex-rendered`` added. ``where`` (the page path) prefixes error messages. Raises
    :class:`MathRenderError` when a formula fails or an arithmatex element is not in that form.
    """

    def replace(match: re.Match[str]) -> str:
        body = match["body"].strip()
        for (opening, closing), display in _DELIMITERS.items():
            if body.startswith(opening) and body.endswith(closing) and len(body) >= 4:
                tex = html_lib.unescape(body[2:-2])
                return _wrap(match["tag"], _add_rendered_class(match["attrs"]), tex, display, where)
        raise MathRenderError(
            html_lib.unescape(body),
            "arithmatex element without \\(...\\) or \\[...\\] delimiters "
            "(is pymdownx.arithmatex configured with generic: true and default tex_*_wrap?)",
            where=where,
        )

    result = _ARITHMATEX_ELEMENT.sub(replace, html)
    for match in _ARITHMATEX_ANY.finditer(result):
        if _RENDERED_CLASS not in match[0]:
            raise MathRenderError(
                match[0],
                "arithmatex element that is not plain TeX text "
                "(set generic: true for pymdownx.arithmatex; MathJax-mode script tags are not supported)",
                where=where,
            )
    return result


# --------------------------------------------------------------------------------------------------
# Notebook pages: mkdocs-jupyter / nbconvert HTML

# Tags and comments; attribute values may hold '>' when quoted.
_TOKEN = re.compile(
    r"<!--.*?-->|<![^>]*>|<\?[^>]*>"
    r"|<(?P<close>/)?(?P<name>[A-Za-z][A-Za-z0-9:-]*)(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.S,
)
_ATTR = re.compile(r"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_RAW_TEXT = frozenset({"script", "style", "textarea", "title"})
# Text inside these is never maths.
_LITERAL = frozenset({"code", "pre", "kbd", "samp", "math", "svg"})
# nbconvert's own recognisers (nbconvert.filters.markdown_mistune.MathInlineParser), in its order,
# after an escaped dollar. Its renderer writes the maths back as $$body$$, $body$ and
# \begin{env}body\end{env} with <, > and & escaped. Two changes, so that prose dollars (whose
# backslash mistune drops: \$5 arrives as $5) are not silently taken for maths: an inline body
# holds no unescaped $, and a closing $ followed by a digit does not close. A $ left over raises.
_NB_MATH = re.compile(
    r"(?P<escaped>\\\$)"
    r"|(?<!\\)\$\$(?P<display>.+?)(?<!\\)\$\$"
    r"|(?<![$\\])\$(?P<inline>(?:\\.|[^$\\])+)\$(?!\d)"
    r"|(?P<env>\\begin\{(?P<env_name>[a-z]*\*?)\}.*?\\end\{(?P=env_name)\})",
    re.S,
)
_JS_TYPES = frozenset({"", "text/javascript", "application/javascript", "module", "text/ecmascript"})
_FETCHING_RELS = frozenset(
    {"stylesheet", "preload", "modulepreload", "prefetch", "preconnect", "dns-prefetch", "prerender"}
    | {"icon", "apple-touch-icon", "manifest", "import"}
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# An absolute URL in script text, other than XML namespace names (which are never fetched).
_URL_IN_SCRIPT = re.compile(r"(?:https?:)?//(?!www\.w3\.org/)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/", re.I)


def _attributes(attrs: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for match in _ATTR.finditer(attrs):
        value = next((v for v in match.groups()[1:] if v is not None), "")
        found.setdefault(match[1].lower(), html_lib.unescape(value))
    return found


def _is_offsite(url: str) -> bool:
    """True for URLs that leave the site: another scheme or host. ``data:`` stays on the page."""
    url = url.strip()
    if url.startswith("//") or url.startswith("\\\\"):
        return True
    scheme = _SCHEME.match(url)
    return scheme is not None and scheme[0].lower() not in {"data:", "blob:"}


def _drop_script(attrs: dict[str, str], body: str) -> bool:
    """Whether a ``<script>`` fetches from another host or configures MathJax."""
    script_type = attrs.get("type", "").strip().lower()
    if "mathjax" in script_type:
        return True
    if "src" in attrs:
        # nbconvert writes <script src=""> when the MathJax URL is empty; it does nothing useful.
        return not attrs["src"].strip() or _is_offsite(attrs["src"])
    if script_type.split(";")[0].strip() not in _JS_TYPES:
        return False  # data blocks (application/json, widget state) are not run
    # Inline code that loads from elsewhere (nbconvert's mermaid and widget loaders) or drives MathJax.
    return "MathJax" in body or _URL_IN_SCRIPT.search(body) is not None


def _drop_link(attrs: dict[str, str]) -> bool:
    rels = set(attrs.get("rel", "").lower().split())
    return bool(rels & _FETCHING_RELS) and _is_offsite(attrs.get("href", ""))


def _render_notebook_text(text: str, where: str) -> str:
    parts: list[str] = []
    last = 0

    def prose(end: int) -> None:
        chunk = text[last:end]
        if "$" in chunk:
            raise MathRenderError(
                html_lib.unescape(text).strip(),
                "unpaired $ in a markdown cell; write a literal dollar as \\\\$ in the notebook "
                "(nbconvert drops the backslash of \\$)",
                where=where,
            )
        parts.append(chunk)

    for match in _NB_MATH.finditer(text):
        prose(match.start())
        last = match.end()
        if match["escaped"]:
            parts.append("$")
            continue
        if match["display"] is not None:
            tex, display = match["display"], True
        elif match["inline"] is not None:
            tex, display = match["inline"], False
        else:
            tex, display = match["env"], True
        parts.append(_wrap("span", f' class="arithmatex {_RENDERED_CLASS}"', html_lib.unescape(tex), display, where))
    prose(len(text))
    return "".join(parts)


def _classes(attrs: str) -> frozenset[str]:
    return frozenset(_attributes(attrs).get("class", "").split())


def render_dollar_math_in_notebook_html(html: str, *, where: str = "") -> str:
    """Render the maths of mkdocs-jupyter markdown cells and strip off-site loaders.

    ``html`` is a notebook page (the fragment mkdocs-jupyter puts in ``page.content``, or the whole
    page). Inside ``jp-MarkdownCell`` cells' ``jp-RenderedMarkdown`` output only, and outside
    ``code``/``pre``/``kbd``/``samp``, ``$...$`` becomes inline maths and ``$$...$$`` or a bare
    ``\\begin{env}...\\end{env}`` display maths; ``\\$`` stands for a literal dollar. Code cells
    and their outputs are left alone. Anywhere in ``html``, removes: ``<script>`` elements whose
    ``src`` is empty or off-site, MathJax configuration scripts, inline scripts that load from a
    URL with a host (nbconvert's mermaid loader), and fetching ``<link>`` elements (stylesheet,
    preload, icon, ...) to another host, and nbconvert's MathJax comments.

    Raises :class:`MathRenderError` when a formula fails, or when a ``$`` in a markdown cell pairs
    with nothing: nbconvert drops the backslash of ``\\$``, so a literal dollar must be written
    ``\\\\$`` in the notebook (it reaches this function as ``\\$``). For the same reason
    notebooks need ``$`` delimiters: mistune turns ``\\(x\\)`` into ``(x)``.
    """
    out: list[str] = []
    div_classes: list[frozenset[str]] = []  # classes of the open <div> elements, outermost first
    literal_depth = 0
    position = 0

    def in_markdown_output() -> bool:
        cell = next((i for i, c in enumerate(div_classes) if "jp-MarkdownCell" in c), None)
        return cell is not None and any("jp-RenderedMarkdown" in c for c in div_classes[cell + 1 :])

    def emit_text(text: str) -> None:
        if literal_depth == 0 and ("$" in text or "\\begin{" in text) and in_markdown_output():
            text = _render_notebook_text(text, where)
        out.append(text)

    while True:
        match = _TOKEN.search(html, position)
        if match is None:
            emit_text(html[position:])
            break
        emit_text(html[position : match.start()])
        name = (match["name"] or "").lower()
        end = match.end()
        if not name:  # comment, doctype; nbconvert's "<!-- Load mathjax -->" markers go with the scripts
            if "mathjax" not in match[0].lower():
                out.append(match[0])
        elif match["close"]:
            if name == "div" and div_classes:
                div_classes.pop()
            elif name in _LITERAL and literal_depth:
                literal_depth -= 1
            out.append(match[0])
        elif name in _RAW_TEXT:
            closing = re.compile(rf"</{name}\s*>", re.I).search(html, end)
            end = closing.end() if closing else len(html)
            body = html[match.end() : closing.start() if closing else len(html)]
            if not (name == "script" and _drop_script(_attributes(match["attrs"]), body)):
                out.append(html[match.start() : end])
        elif name == "link":
            if not _drop_link(_attributes(match["attrs"])):
                out.append(match[0])
        else:
            if name == "div":
                div_classes.append(_classes(match["attrs"]))
            elif name in _LITERAL and not match["attrs"].rstrip().endswith("/"):
                literal_depth += 1
            out.append(match[0])
        position = end
    return "".join(out)
