"""Translate pydantic validation errors into located, actionable problems."""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Collection
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin

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
    """One :class:`Problem` per pydantic error, without line numbers yet.

    Key paths lose pydantic's union tags (``after[0].Predecessor.task`` is ``after[0].task``). Where
    a value may take one of several forms (``str | Predecessor``) and the errors of one form reach
    inside the value, only that form's errors are kept: a mapping was meant as that form. A list
    whose items fail is not also reported as too short (pydantic counts only the valid items).
    """
    walked = [(_walk(model, tuple(err["loc"])), err) for err in exc.errors()]
    inside = {(w.loc[: w.union_at], w.union_at): w.tag for w, _ in walked if w.union_at is not None and w.inside}
    kept = [
        (w, err)
        for w, err in walked
        if w.union_at is None or inside.get((w.loc[: w.union_at], w.union_at), w.tag) == w.tag
    ]
    items_failed = {w.loc[:k] for w, _ in kept for k in range(len(w.loc)) if isinstance(w.loc[k], int)}
    return [
        _problem(err, w.loc, model, file)
        for w, err in kept
        if not (err["type"] == "too_short" and w.loc in items_failed)
    ]


@dataclass(frozen=True)
class _Walked:
    """An error location without union tags; ``union_at`` is where the first tag was, ``tag`` its text,
    ``inside`` whether the location goes on past the tagged value."""

    loc: KeyPath
    union_at: int | None = None
    tag: str = ""
    inside: bool = False


def _walk(model: type[BaseModel], loc: KeyPath) -> _Walked:
    """Follow ``loc`` through the annotations of ``model``, dropping union tags and ``[key]`` markers."""
    clean: list[str | int] = []
    ann: Any = model
    union_at, tag, inside = None, "", False
    for part in loc:
        ann = _unwrap(ann)
        if _is_union(ann):
            members = [_unwrap(a) for a in get_args(ann) if a is not type(None)]
            member = _tagged(part, members)
            if member is not _NOT_A_TAG:
                if union_at is None:
                    union_at, tag = len(clean), str(part)
                ann = member
                continue
            ann = next((m for m in members if _is_model(m)), None)
        if part == "[key]":
            continue
        inside = inside or (union_at is not None and len(clean) >= union_at)
        clean.append(part)
        ann = _step(ann, part)
    return _Walked(tuple(clean), union_at, tag, inside)


_NOT_A_TAG = object()
_SCALARS = {"str": str, "int": int, "float": float, "bool": bool}


def _tagged(part: str | int, members: list[Any]) -> Any:
    """The union member ``part`` names as a pydantic tag, ``None`` for an untyped tag, else ``_NOT_A_TAG``."""
    if not isinstance(part, str):
        return _NOT_A_TAG
    for m in members:
        if (_is_model(m) and m.__name__ == part) or _SCALARS.get(part) is m:
            return m
    if part.startswith(("literal[", "constrained-", "function-", "lax-", "strict-")):
        return None
    return _NOT_A_TAG


def _step(ann: Any, part: str | int) -> Any:
    """The annotation one key below ``ann``: a model's field (by alias or name), an item, a value."""
    ann = _unwrap(ann)
    if _is_model(ann):
        fields = {f.alias or name: f for name, f in ann.model_fields.items()}
        return fields[part].annotation if part in fields else None
    args = get_args(ann)
    if get_origin(ann) in (tuple, list) and args:
        return args[0]
    if get_origin(ann) is dict and len(args) == 2:
        return args[1]
    return None


def _unwrap(ann: Any) -> Any:
    return get_args(ann)[0] if get_origin(ann) is Annotated else ann


def _is_union(ann: Any) -> bool:
    return get_origin(ann) in (typing.Union, types.UnionType)


def _problem(err: Any, loc: KeyPath, model: type[BaseModel], file: str) -> Problem:
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
    """The keys (aliases where given) of the model reached by following ``loc`` from ``model``."""
    current: Any = model
    for part in loc:
        current = _model_in(current) if isinstance(part, int) else _model_in(_step(_model_in(current), part))
        if current is None:
            return set()
    current = _model_in(current)
    return {f.alias or name for name, f in current.model_fields.items()} if _is_model(current) else set()


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _model_in(annotation: Any) -> Any:
    """The BaseModel inside ``X``, ``X | None``, ``tuple[X, ...]`` or ``list[X]``."""
    annotation = _unwrap(annotation)
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
