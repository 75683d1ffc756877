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

__all__ = ["DataFileError", "Problem", "load_yaml", "validate"]

_ID = "^[a-z][a-z0-9_]*$"
_TEXT = {"type": "string", "minLength": 1}
_VALUE: dict[str, Any] = {}  # givens and source answers: any YAML value

ERRATUM = {
    "type": "object",
    "required": ["about", "claim", "correction"],
    "additionalProperties": False,
    "properties": {
        "about": {"type": "string", "pattern": _ID},
        "claim": _TEXT,
        "correction": _TEXT,
    },
}

PART = {
    "type": "object",
    "required": ["title", "question"],
    "additionalProperties": False,
    "properties": {
        "label": _TEXT,
        "title": _TEXT,
        "givens": {"type": "object"},
        "question": _TEXT,
        "answer": _TEXT,
        "source": {"type": "object", "propertyNames": {"pattern": _ID}},
        "errata": {"type": "array", "items": ERRATUM},
    },
}

EXERCISE = {
    "type": "object",
    "required": ["title", "parts"],
    "additionalProperties": False,
    "properties": {
        "title": _TEXT,
        "intro": _TEXT,
        "givens": {"type": "object"},
        "parts": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": _ID},
            "additionalProperties": PART,
        },
    },
}

MANIFEST_EXERCISE = {
    "type": "object",
    "required": ["label", "parts"],
    "additionalProperties": False,
    "properties": {
        "label": _TEXT,
        "parts": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": _ID},
            "additionalProperties": _TEXT,
        },
    },
}

SET = {
    "type": "object",
    "required": ["title", "short_title", "order", "attribution"],
    "additionalProperties": False,
    "properties": {
        "title": _TEXT,
        "short_title": _TEXT,
        "order": {"type": "integer", "minimum": 1},
        "description": _TEXT,
        "attribution": {
            "type": "object",
            "required": ["document", "authors"],
            "additionalProperties": False,
            "properties": {
                "document": _TEXT,
                "course": _TEXT,
                "institution": _TEXT,
                "term": {"type": ["string", "integer"]},
                "authors": {"type": "array", "items": _TEXT, "minItems": 1},
                "source_file": _TEXT,
                "note": _TEXT,
            },
        },
        "manifest": {
            "type": "object",
            "propertyNames": {"pattern": _ID},
            "additionalProperties": MANIFEST_EXERCISE,
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
        return f"{self.path}:{self.line}: {self.field or '(top)'}: {self.message}"


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


def _describe(error: jsonschema.ValidationError) -> tuple[list[Any], str]:
    path = list(error.absolute_path)
    schema = error.schema
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(schema.get("properties", {}))
        extra = [name for name in error.instance if name not in allowed]
        name = extra[0] if extra else "?"
        hint = difflib.get_close_matches(name, allowed, n=1)
        did_you_mean = f" (did you mean {hint[0]!r}?)" if hint else ""
        return [*path, name], f"unknown field{did_you_mean}; expected one of: {', '.join(allowed)}"
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return [*path, missing], f"missing required field; add {missing}: to this mapping"
    if error.validator == "pattern":
        return path, f"{error.instance!r} is not a valid id; expected lower-case letters, digits and _"
    if error.validator == "propertyNames":
        return path, f"{error.message}; ids are lower-case letters, digits and _"
    if error.validator == "type":
        expected = schema.get("type")
        return path, f"{error.instance!r} has the wrong type; expected {expected}"
    return path, error.message


def load_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Parse a YAML file; a syntax error becomes a :class:`DataFileError` with its line."""
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise DataFileError([Problem(path, line, "", f"not valid YAML: {error}")]) from None


def validate(data: Any, node: yaml.Node | None, schema: dict[str, Any], path: Path) -> list[Problem]:
    """Every schema problem of ``data`` (parsed from ``path``), sorted by line."""
    problems = []
    validator = jsonschema.Draft202012Validator(schema)
    for error in validator.iter_errors(data):
        where, message = _describe(error)
        line = _line_of(node, where, key=True)
        problems.append(Problem(path, line, _field(where), message))
    return sorted(problems, key=lambda problem: (problem.line, problem.field))
