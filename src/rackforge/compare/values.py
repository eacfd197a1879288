"""Scenario values as the comparison sees them: type-aware equality and JSON-ready copies.

A scenario is read from YAML into mappings, lists and scalars (``bool``, ``int``, ``float``, ``str``,
``None``, ``datetime.date``). Two scalars are the same when they mean the same to the schema: numbers by
value (``1`` and ``1.0`` are equal, two NaNs are equal), everything else by type and value (``True`` is not
``1``, ``"1"`` is not ``1``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any

Json = None | bool | int | float | str | list["Json"] | dict[str, "Json"]
"""A value of a JSON document: what every field of a comparison holds."""


def is_number(value: Any) -> bool:
    """Whether ``value`` is a real number (``int``, ``float``, numpy scalars), not a ``bool``."""
    return isinstance(value, Real) and not isinstance(value, bool)


def same(a: Any, b: Any) -> bool:
    """Whether scalars ``a`` and ``b`` are equal under the rules of the module docstring."""
    if is_number(a) and is_number(b):
        return bool(a == b) or (_nan(a) and _nan(b))
    return type(a) is type(b) and bool(a == b)


def _nan(x: Any) -> bool:
    return isinstance(x, float) and math.isnan(x)


def to_json(value: Any) -> Json:
    """A JSON-ready copy of a YAML value: dates as ISO text, mapping keys as text, numbers as Python
    ``int``/``float`` (``inf`` and ``nan`` as text, which strict JSON cannot hold as numbers), anything
    else as its text."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, Integral) and not isinstance(value, bool):
        return int(value)
    if is_number(value):
        x = float(value)
        return x if math.isfinite(x) else str(x)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
