r"""Math on the site may use only the notation's symbols: find the math, and the symbols it uses.

What counts as a *symbol*: a quantity written as one letter, that is a Latin letter (``k``, ``C``),
a Greek letter (``\delta``, ``\ell``) or a decorated letter (``\hat{k}``, ``\mathcal{L}``,
``\mathbf{x}``), with an optional subscript. A symbol is defined when the notation
(:mod:`solutions.notation`) declares it, or declares it as an index letter (:data:`INDICES`).
A subscript is then either one the notation gives that letter (``i_D``, ``C_{\mathrm{in}}``,
``r_{\ell-1}``) or an *index*: digits, index letters, other notation symbols, punctuation and text
labels (``x_{12}``, ``\delta_{rc}``, ``k_L``, ``W_{3\mathrm{D}}``). Everything else in math is
allowed: digits, operators and relations (``+``, ``\times``, ``\le``), functions and delimiters
(``\max``, ``\lfloor``, ``\frac``, ``\partial``, ``\sum``), text (``\text{...}``, ``\mathrm{...}``,
``\operatorname{...}``), environments, and ``[[name]]`` placeholders (values from the code).
Superscripts are exponents and are read as math. A source's own letters, quoted to map them to
ours, are declared in the exercise's ``source_notation:`` and allowed in that exercise only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from solutions.notation import INDICES, NOTATION

__all__ = ["MathSpan", "Use", "markdown_math", "math_spans", "prose_only", "undefined_symbols"]

GREEK = frozenset(
    [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "varepsilon",
        "zeta",
        "eta",
        "theta",
        "vartheta",
        "iota",
        "kappa",
        "lambda",
        "mu",
        "nu",
        "xi",
        "pi",
        "varpi",
        "rho",
        "varrho",
        "sigma",
        "varsigma",
        "tau",
        "upsilon",
        "phi",
        "varphi",
        "chi",
        "psi",
        "omega",
        "Gamma",
        "Delta",
        "Theta",
        "Lambda",
        "Xi",
        "Pi",
        "Sigma",
        "Upsilon",
        "Phi",
        "Psi",
        "Omega",
        "ell",
    ]
)
_DECORATIONS = frozenset(
    [
        "hat",
        "widehat",
        "bar",
        "overline",
        "tilde",
        "widetilde",
        "vec",
        "dot",
        "ddot",
        "mathcal",
        "mathbf",
        "boldsymbol",
        "mathbb",
        "mathit",
        "mathscr",
        "mathfrak",
        "bm",
    ]
)
_TEXT = frozenset(
    [
        "text",
        "mathrm",
        "textrm",
        "textbf",
        "textit",
        "texttt",
        "mathsf",
        "operatorname",
        "mbox",
        "begin",
        "end",
        "label",
        "tag",
    ]
)
_PLACEHOLDER = re.compile(r"\[\[[^\]]*\]\]")


@dataclass(frozen=True)
class Use:
    """One symbol written in math: its base letter and its subscript (LaTeX, "" for none)."""

    base: str
    subscript: str

    def __str__(self) -> str:
        if not self.subscript:
            return self.base
        sub = self.subscript if len(self.subscript) == 1 else f"{{{self.subscript}}}"
        return f"{self.base}_{sub}"


@dataclass(frozen=True)
class MathSpan:
    """A piece of math and the 1-based line it starts on."""

    tex: str
    line: int


def _group(tex: str, start: int) -> tuple[str, int]:
    """The argument at ``start`` (a braced group or one token) and the index after it."""
    while start < len(tex) and tex[start] == " ":
        start += 1
    if start >= len(tex):
        return "", start
    if tex[start] == "{":
        depth = 0
        for n in range(start, len(tex)):
            if tex[n] == "{" and (n == 0 or tex[n - 1] != "\\"):
                depth += 1
            elif tex[n] == "}" and tex[n - 1] != "\\":
                depth -= 1
                if depth == 0:
                    return tex[start + 1 : n], n + 1
        return tex[start + 1 :], len(tex)
    if tex[start] == "\\":
        match = re.match(r"\\([A-Za-z]+|.)", tex[start:])
        assert match is not None
        return match.group(0), start + match.end()
    return tex[start], start + 1


def _symbols(tex: str) -> Iterator[Use]:
    """Every symbol written in ``tex``, with its subscript; operators' subscripts are read as math."""
    tex = _PLACEHOLDER.sub("0", tex)
    n = 0
    while n < len(tex):
        char = tex[n]
        base = None
        if char == "\\":
            match = re.match(r"\\([A-Za-z]+|.)", tex[n:])
            assert match is not None
            name, n = match.group(1), n + match.end()
            if name in _TEXT:
                _, n = _group(tex, n)
            elif name in _DECORATIONS:
                argument, n = _group(tex, n)
                if re.fullmatch(r"[A-Za-z]|\\[A-Za-z]+", argument.strip()):
                    base = f"\\{name}{{{argument.strip()}}}"
                else:
                    yield from _symbols(argument)
            elif name in GREEK:
                base = f"\\{name}"
        elif char.isascii() and char.isalpha():
            base, n = char, n + 1
        else:
            n += 1
        if base is None:
            continue
        subscript = ""
        rest = tex[n:]
        stripped = rest.lstrip(" ")
        if stripped.startswith("_"):
            subscript, n = _group(tex, n + len(rest) - len(stripped) + 1)
        yield Use(base, subscript.strip())


@cache
def _defined() -> tuple[frozenset[Use], frozenset[str]]:
    """(symbols with their notation subscripts, letters) that the notation defines."""
    uses: set[Use] = set()
    for entry in NOTATION.values():
        uses.update(_symbols(entry.latex))
    letters = {use.base for use in uses if not use.subscript} | set(INDICES)
    return frozenset(uses), frozenset(letters)


def _index_ok(subscript: str, letters: frozenset[str]) -> bool:
    """A subscript made of digits, index letters, notation letters, punctuation and text labels."""
    for use in _symbols(subscript):
        if use.base not in letters or (use.subscript and not _index_ok(use.subscript, letters)):
            return False
    return True


def undefined_symbols(tex: str, extra: Iterable[str] = ()) -> list[Use]:
    """Symbols of ``tex`` that the notation does not define (``extra``: LaTeX of allowed foreign symbols)."""
    uses, letters = _defined()
    foreign = {use for text in extra for use in _symbols(text)}
    bad = []
    for use in _symbols(tex):
        if use in uses or use in foreign:
            continue
        if use.base in letters and (not use.subscript or _index_ok(use.subscript, letters)):
            continue
        if use not in bad:
            bad.append(use)
    return bad


_FENCE = re.compile(r"^(\s*)(```|~~~)")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_MATH = re.compile(
    r"\$\$(.+?)\$\$|\\\((.+?)\\\)|\\\[(.+?)\\\]|(?<![\\$\w])\$(?![\s$])((?:[^$\n]|\n(?!\s*\n))+?)(?<![\\\s$])\$(?!\w)",
    re.S,
)


def math_spans(text: str, first_line: int = 1) -> list[MathSpan]:
    """The math of a piece of prose: ``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``."""
    spans = []
    for match in _MATH.finditer(text):
        tex = next(group for group in match.groups() if group is not None)
        spans.append(MathSpan(tex, first_line + text.count("\n", 0, match.start())))
    return spans


def markdown_math(markdown: str) -> list[MathSpan]:
    """The math of a Markdown page, outside code blocks, code spans and HTML comments."""
    return math_spans(prose_only(markdown))


def prose_only(markdown: str) -> str:
    """``markdown`` with code blocks, code spans and HTML comments blanked, keeping every line."""
    lines = []
    fence = None
    for line in markdown.splitlines():
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(2)
            lines.append("")
        elif fence is not None:
            if line.strip().startswith(fence):
                fence = None
            lines.append("")
        else:
            lines.append(_CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line))
    text = "\n".join(lines)
    return re.sub(r"<!--.*?-->", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
