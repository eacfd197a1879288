"""Translate pydantic validation errors into located, actionable problems."""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Collection
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from rackforge.errors import KeyPath, Problem

_FIXES = {
    "missing": "add this key",
    "float_parsing": "write a number, e.g. 1.5 or 2e12",
    "float_type": "write a number, e.g. 1.5 or 2e12",
    "finite_number": "write a finite number (not .inf or .nan)",
    "int_parsing": "write a whole number",
    "int_type": "write a whole number",
    "int_from_float": "write a whole number",
    "string_type": "write a text value",
    "bool_parsing": "write true or false",
    "date_from_datetime_parsing": "write a date as YYYY-MM-DD",
    "date_parsing": "write a date as YYYY-MM-DD",
    "date_type": "write a date as YYYY-MM-DD",
    "list_type": "write a list (one `- item` per line)",
    "tuple_type": "write a list (one `- item` per line)",
    "dict_type": "write a mapping of `key: value` lines",
    "model_type": "write a mapping of `key: value` lines",
    "model_attributes_type": "write a mapping of `key: value` lines",
    "date_from_datetime_inexact": "write a date as YYYY-MM-DD",
    "greater_than": "use a larger value",
    "greater_than_equal": "use a larger value",
    "less_than": "use a smaller value",
    "less_than_equal": "use a smaller value",
    "too_short": "add at least one entry",
    "string_too_short": "write a non-empty value",
}

_DATE_KINDS = {"date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}
_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}\b")


def problems_from(exc: ValidationError, model: type[BaseModel], file: str) -> list[Problem]:
    """One :class:`Problem` per pydantic error, without line numbers yet."""
    return [_problem(err, model, file) for err in exc.errors()]


def _problem(err: Any, model: type[BaseModel], file: str) -> Problem:
    loc: KeyPath = tuple(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        return _unknown_key(loc, model, file)
    if kind == "literal_error":
        return _bad_choice(err, loc, file)
    if kind == "value_error":
        message = str(err.get("ctx", {}).get("error", err["msg"]))
        what, _, fix = message.partition("; ")
        return Problem(loc, what, fix or "correct the value", file)
    if kind in _DATE_KINDS and isinstance(err.get("input"), str) and _DATE_LIKE.match(err["input"]):
        return Problem(loc, f"{err['input']} is not a date", _FIXES[kind], file)
    what = (err["msg"][0].lower() + err["msg"][1:]).replace("tuple", "list")
    if kind != "missing":
        what += f" (got {_show(err.get('input'))})"
    return Problem(loc, what, _FIXES.get(kind, "correct the value"), file)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _unknown_key(loc: KeyPath, model: type[BaseModel], file: str) -> Problem:
    known = sorted(fields_at(model, loc[:-1]))
    bad = str(loc[-1])
    close = difflib.get_close_matches(bad, known, n=1, cutoff=0.6)
    fix = f"did you mean `{close[0]}`?" if close else f"remove it; known keys here: {', '.join(known)}"
    return Problem(loc, f"unknown key `{bad}`", fix, file)


def _bad_choice(err: Any, loc: KeyPath, file: str) -> Problem:
    expected = err.get("ctx", {}).get("expected", "")
    choices = [c.strip(" '") for c in expected.replace(" or ", ", ").split(",") if c.strip()]
    got = str(err.get("input"))
    close = difflib.get_close_matches(got, choices, n=1, cutoff=0.5)
    fix = f"did you mean `{close[0]}`?" if close else f"use one of: {', '.join(choices)}"
    return Problem(loc, f"`{got}` is not one of {', '.join(choices)}", fix, file)


def fields_at(model: type[BaseModel], loc: KeyPath) -> set[str]:
    """The field names of the model reached by following ``loc`` from ``model``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        current = _model_in(current.model_fields[part].annotation) if _is_model(current) else None
        if current is None:
            return set()
    return set(current.model_fields) if _is_model(current) else set()


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _model_in(annotation: Any) -> Any:
    """The BaseModel inside ``X``, ``X | None``, ``tuple[X, ...]`` or ``list[X]``."""
    if _is_model(annotation):
        return annotation
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType, tuple, list):
        for arg in get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None


def suggest(bad: str, known: Collection[str], what: str) -> str:
    """A did-you-mean fix for an unknown name, or the list of known names."""
    close = difflib.get_close_matches(bad, list(known), n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    listed = ", ".join(sorted(known)[:12]) or "none defined"
    return f"use one of the {what}: {listed}"
