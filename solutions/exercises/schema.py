"""Schemas of the data files, and validation that reports every problem with its line.

Problems are reported as ``file:line: field: what is wrong, what is expected``, all at once, so a
contributor fixes a data file in one pass.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

__all__ = [
    "FILL_IN",
    "DataFileError",
    "Problem",
    "duplicate_key_problems",
    "load_yaml",
    "placeholder_problems",
    "validate",
]

_ROOT = Path(__file__).resolve().parents[2]  # the repository: problems name files from here
FILL_IN = "FILL IN"
"""The marker of a template field still to be filled in; ``check`` and the build reject it anywhere."""

_ID = "^[a-z][a-z0-9_]*$"
_TEXT = {"type": "string", "minLength": 1}
_VALUE: dict[str, Any] = {}  # givens and source answers: any YAML value


def _text(description: str) -> dict[str, Any]:
    return {**_TEXT, "description": description}


ERRATUM = {
    "type": "object",
    "required": ["about", "claim", "correction"],
    "additionalProperties": False,
    "properties": {
        "about": {"type": "string", "pattern": _ID, "description": "the key of the wrong answer under source:"},
        "claim": _text("what the source states, in one line"),
        "correction": _text("what is right, and why"),
    },
}

CORRECTION = {
    "type": "object",
    "required": ["about", "claim", "correction", "reference"],
    "additionalProperties": False,
    "properties": {
        "about": {"type": "string", "pattern": _ID, "description": "a short id of the statement (its anchor)"},
        "claim": _text("what the source states, in one line"),
        "correction": _text("what is right, and why"),
        "reference": _text("where a reader can check the correction: a paper, a book's section"),
    },
}

PART = {
    "type": "object",
    "required": ["title", "question"],
    "additionalProperties": False,
    "properties": {
        "label": _text("the label the source prints, such as Q.1.a (only for a set without a manifest)"),
        "title": _text("a short title of the part"),
        "givens": {"type": "object", "description": "the part's numbers, by name (name: value)"},
        "question": _text("the question, restated in your own words"),
        "answer": _text("the answer's reasoning, in your own words"),
        "source": {
            "type": "object",
            "propertyNames": {"pattern": _ID},
            "description": "the source's answers as it gives them, keyed like the solution's w.result(...)",
        },
        "errata": {"type": "array", "items": ERRATUM, "description": "source answers found wrong"},
        "corrections": {
            "type": "array",
            "items": CORRECTION,
            "description": "source statements found wrong that no computation can check (history, naming)",
        },
    },
}

ATTRIBUTION = {
    "type": "object",
    "required": ["authors"],
    "additionalProperties": False,
    "properties": {
        "authors": {
            "type": "array",
            "items": _TEXT,
            "minItems": 1,
            "description": "who wrote the exercise (for a set of this project's own exercises)",
        },
        "note": _text("where the idea comes from, or anything else a reader should know"),
    },
}

EXERCISE = {
    "type": "object",
    "required": ["title", "parts"],
    "additionalProperties": False,
    "properties": {
        "label": _text("the exercise's label, such as Exercise 1 (only for a set without a manifest)"),
        "title": _text("the exercise's title"),
        "intro": _text("context shared by the parts, in your own words"),
        "attribution": ATTRIBUTION,
        "source_notation": {
            "type": "object",
            "additionalProperties": _TEXT,
            "description": "the source's own symbols quoted in the prose (LaTeX: what it is in our notation)",
        },
        "givens": {"type": "object", "description": "numbers shared by every part, by name"},
        "parts": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": _ID},
            "additionalProperties": PART,
            "description": "the parts, keyed by id (q1a, q1b, ...)",
        },
    },
}

MANIFEST_EXERCISE = {
    "type": "object",
    "required": ["label", "parts"],
    "additionalProperties": False,
    "properties": {
        "label": _text("the exercise's label in the source, such as Exercise 1"),
        "parts": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": _ID},
            "additionalProperties": _TEXT,
            "description": "part id: the label the source prints (q1a: Q.1.a)",
        },
    },
}

SET = {
    "type": "object",
    "required": ["title", "short_title", "order", "attribution"],
    "additionalProperties": False,
    "properties": {
        "title": _text("the set's title"),
        "short_title": _text("a short title for the navigation"),
        "order": {"type": "integer", "minimum": 1, "description": "the set's place among the sets (1, 2, ...)"},
        "description": _text("what the source covers, in a few sentences"),
        "attribution": {
            "type": "object",
            "required": ["document", "authors"],
            "additionalProperties": False,
            "description": "where the exercises come from",
            "properties": {
                "document": _text("the source document's title, as it gives it"),
                "course": _text("the course"),
                "institution": _text("the institution"),
                "term": {"type": ["string", "integer"], "description": "the term or year"},
                "authors": {
                    "type": "array",
                    "items": _TEXT,
                    "minItems": 1,
                    "description": "the authors, as the document names them",
                },
                "source_file": _text("the file the source was read from"),
                "note": _text("anything a reader should know about the source"),
            },
        },
        "manifest": {
            "type": "object",
            "propertyNames": {"pattern": _ID},
            "additionalProperties": MANIFEST_EXERCISE,
            "description": "every exercise and part of the source, in its order (omit for this project's own)",
        },
    },
}


@dataclass(frozen=True)
class Problem:
    """One problem in a data file."""

    path: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        path = (
            self.path.relative_to(_ROOT) if self.path.is_absolute() and self.path.is_relative_to(_ROOT) else self.path
        )
        return f"{path}:{self.line}: {self.field or '(top)'}: {self.message}"


class DataFileError(ValueError):
    """A data file has problems; ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def _line_of(node: yaml.Node | None, path: list[Any], *, key: bool = False) -> int:
    """1-based line of the node at ``path`` (of its key if ``key``), or of the deepest parent found."""
    line = 1 if node is None else node.start_mark.line + 1
    for step in path:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == str(step):
                    line = key_node.start_mark.line + 1
                    node = value_node
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            return line
    if not key and node is not None:
        line = node.start_mark.line + 1 if not isinstance(node, yaml.ScalarNode) or not path else line
    return line


def _field(path: list[Any]) -> str:
    return ".".join(str(step) for step in path)


_KINDS = {int: "an integer", float: "a number", str: "text", list: "a list", dict: "a mapping", bool: "a boolean"}


def _expected(schema: dict[str, Any]) -> str:
    return f" ({schema['description']})" if "description" in schema else ""


def _describe(error: jsonschema.ValidationError) -> list[tuple[list[Any], str]]:
    """(path, message) of each problem in ``error``: what is wrong, and what is expected."""
    path = list(error.absolute_path)
    schema = error.schema
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        properties = schema.get("properties", {})
        allowed = list(properties)
        out = []
        for name in (name for name in error.instance if name not in allowed):
            hint = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
            did_you_mean = f"did you mean {hint[0]!r}? " if hint else ""
            out.append(([*path, name], f"unknown field {name!r}; {did_you_mean}expected one of: {', '.join(allowed)}"))
        return out
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        expected = _expected(schema.get("properties", {}).get(missing, {}))
        return [([*path, missing], f"missing required field; add {missing}:{expected}")]
    if error.validator == "pattern":
        return [(path, f"{error.instance!r} is not a valid id; expected lower-case letters, digits and _")]
    if error.validator == "propertyNames":
        return [(path, f"{error.message}; expected ids of lower-case letters, digits and _, such as q1a")]
    if error.validator == "minLength":
        return [(path, f"is empty; expected text{_expected(schema)}")]
    if error.validator in ("minItems", "minProperties"):
        return [(path, f"is empty; expected at least one entry{_expected(schema)}")]
    if error.validator == "type":
        expected = schema.get("type")
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return [
            (
                path,
                f"{error.instance!r} is {_KINDS.get(type(error.instance), 'a value')}; "
                f"expected {expected}{_expected(schema)}",
            )
        ]
    return [(path, f"{error.message}{_expected(schema)}")]


def load_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Parse a YAML file; a syntax error becomes a :class:`DataFileError` with its line."""
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error)
        context = getattr(error, "context", None)
        what = f"{problem} ({context})" if context else problem
        raise DataFileError(
            [Problem(path, line, "", f"not valid YAML: {what}; expected YAML as in the templates (indent with spaces)")]
        ) from None


def validate(data: Any, node: yaml.Node | None, schema: dict[str, Any], path: Path) -> list[Problem]:
    """Every schema problem of ``data`` (parsed from ``path``), sorted by line."""
    problems = []
    validator = jsonschema.Draft202012Validator(schema)
    for error in validator.iter_errors(data):
        for where, message in _describe(error):
            line = _line_of(node, where, key=True)
            problems.append(Problem(path, line, _field(where), message))
    problems += duplicate_key_problems(node, path)
    return sorted(problems, key=lambda problem: (problem.line, problem.field))


def duplicate_key_problems(node: yaml.Node | None, path: Path, where: tuple[str, ...] = ()) -> list[Problem]:
    """Keys given twice in one mapping (YAML keeps the last silently, losing the first)."""
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    Problem(path, line, _field([*where, key]), f"given twice (first on line {seen[key]}); keep one")
                )
            seen.setdefault(key, line)
            problems += duplicate_key_problems(value_node, path, (*where, key))
    elif isinstance(node, yaml.SequenceNode):
        for n, item in enumerate(node.value):
            problems += duplicate_key_problems(item, path, (*where, str(n)))
    return problems


def placeholder_problems(data: Any, node: yaml.Node | None, path: Path) -> list[Problem]:
    """Every template field still marked FILL IN, with its line and what to write there."""
    problems = []

    def walk(value: Any, where: list[Any]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if FILL_IN in str(key):
                    problems.append(
                        Problem(
                            path, _line_of(node, [*where, key], key=True), _field([*where, key]), _unfilled(str(key))
                        )
                    )
                walk(item, [*where, key])
        elif isinstance(value, list):
            for n, item in enumerate(value):
                walk(item, [*where, n])
        elif isinstance(value, str) and FILL_IN in value:
            problems.append(Problem(path, _line_of(node, where, key=True), _field(where), _unfilled(value)))

    walk(data, [])
    return problems


def _unfilled(text: str) -> str:
    hint = text[text.index(FILL_IN) + len(FILL_IN) :].strip(" :\n")
    return f"not filled in (a template placeholder); expected {hint or 'your text'}"
