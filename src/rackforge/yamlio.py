"""Read a YAML file into plain Python data and a locator of its keys.

The locator answers "where in the file is this key path?" so that every error,
wherever it is found (schema, cross-reference, catalog, sizing), can point at a
line and column.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from rackforge.errors import InputError, KeyPath, Problem

PARSED_TEXTS = 64
MAX_VALUES = 1_000_000
SCENARIO_START = "write a scenario with at least `name`, `start` and `sites`"


@dataclass(frozen=True)
class Locator:
    """Maps key paths of a loaded YAML document to 1-based (line, column)."""

    tree: Any

    def __call__(self, key: KeyPath) -> tuple[int, int]:
        node, pos = self.tree, (0, 0)
        for part in key:
            found = _child_position(node, part)
            if found is None:
                break
            pos, node = found
        return pos[0] + 1, pos[1] + 1


def _child_position(node: Any, part: str | int) -> tuple[tuple[int, int], Any] | None:
    if isinstance(node, CommentedMap) and part in node:
        return tuple(node.lc.key(part)), node[part]
    if isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
        return tuple(node.lc.item(part)), node[part]
    return None


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that keeps an impossible date (``2027-13-45``) as its text.

    The schema then rejects the text where a date is expected, with its key path
    and line, instead of the YAML library failing without either.
    """

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        try:
            return super().construct_yaml_timestamp(node, values)
        except (ValueError, OverflowError):
            return str(node.value)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    return yaml


class _TooLargeError(Exception):
    """The document expands (through aliases) to more than :data:`MAX_VALUES` values."""


def plain(node: Any, budget: list[int] | None = None) -> Any:
    """Convert ruamel's round-trip containers and scalars to built-in types.

    ``budget`` (a one-element list) counts down the containers and values still allowed; aliases of
    aliases can make a small file expand exponentially, so past :data:`MAX_VALUES` this stops.
    """
    budget = [MAX_VALUES] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLargeError
    if isinstance(node, dict):
        return {plain(k, budget): plain(v, budget) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v, budget) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, dt.datetime):
        return node
    if isinstance(node, dt.date):
        return dt.date(node.year, node.month, node.day)
    return node


@functools.lru_cache(maxsize=PARSED_TEXTS)
def _parse(text: str) -> Any:
    """The round-trip tree of ``text``, kept for the last :data:`PARSED_TEXTS` texts.

    Parsing dominates loading (the built-in catalog takes about a second); a process that loads
    several scenarios (tests, the API, a sweep) parses each distinct text once. The tree is only
    read: :func:`plain` copies it and :class:`Locator` looks positions up in it.
    """
    return _yaml().load(text)


def read_yaml(path: str | Path, empty_fix: str = SCENARIO_START) -> tuple[Any, Locator]:
    """Load ``path`` and return ``(data, locator)``; ``empty_fix`` says what an empty file should hold.

    Raises
    ------
    InputError
        The file is missing, a directory, unreadable, empty or not YAML.
    """
    name = str(path)
    return read_yaml_text(_read_text(Path(path), name), name, empty_fix)


def read_yaml_text(text: str, name: str, empty_fix: str = SCENARIO_START) -> tuple[Any, Locator]:
    """:func:`read_yaml` of ``text`` received under the label ``name`` (a request body, say)."""
    if not text.strip():
        raise InputError.one((), "the file is empty", empty_fix, name)
    tree, data = _parsed(text, name)
    return data, Locator(tree)


def parse_yaml(text: str, name: str) -> Any:
    """The plain data of YAML ``text`` (``None`` when empty); a problem is an input error placed in ``name``."""
    return _parsed(text, name)[1]


def _parsed(text: str, name: str) -> tuple[Any, Any]:
    """The round-trip tree of ``text`` and its plain data, every YAML problem as a located input error."""
    try:
        tree = _parse(text)
        return tree, plain(tree)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = f"not valid YAML: {exc.problem or exc.context}"
        raise InputError(Problem((), what, "fix the YAML syntax at this position", name, line, col)) from None
    except YAMLError as exc:
        raise InputError.one((), f"not valid YAML: {exc}", "save the file as YAML text", name) from None
    except RecursionError:
        what = "the YAML nests too deeply (or an alias refers to itself)"
        raise InputError.one((), what, "write plain nested mappings and lists", name) from None
    except _TooLargeError:
        what = f"the YAML expands to more than {MAX_VALUES:,} values (aliases of aliases?)"
        raise InputError.one((), what, "write the values out instead of nesting aliases", name) from None


def _read_text(path: Path, name: str) -> str:
    if not path.exists():
        raise InputError.one((), "no such file", "check the path and the current directory", name)
    if path.is_dir():
        raise InputError.one((), "this is a directory, not a file", "give the path of a .yaml file", name)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.one((), f"cannot read the file ({exc.strerror})", "check its permissions", name) from None
    if (wide := _utf16_or_32(raw)) is not None:
        raise InputError.one((), f"the file is {wide} text", "save it as UTF-8", name)
    if b"\x00" in raw:
        raise InputError.one((), "not a text file (it has NUL bytes)", "give a YAML text file", name)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.one((), f"not UTF-8 text (byte {exc.start})", "save the file as UTF-8 YAML", name) from None


_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


def _utf16_or_32(raw: bytes) -> str | None:
    """``"UTF-16"`` or ``"UTF-32"`` when ``raw`` starts with that byte-order mark, or, without one, when
    its NUL bytes fall on every second (fourth) byte as in ASCII text stored that way; else ``None``."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    head = raw[:4096]
    if len(head) < 4 or b"\x00" not in head:
        return None
    if sum(all(b == 0 for b in head[k::4]) for k in range(4)) == 3:
        return "UTF-32"
    if all(b == 0 for b in head[1::2]) or all(b == 0 for b in head[0::2]):
        return "UTF-16"
    return None


def edited(text: str, values: Sequence[tuple[KeyPath, Any]]) -> str:
    """``text`` with the value at each key path replaced (comments and layout kept); a path that does not
    exist raises ``KeyError`` with the part that is missing."""
    yaml = _yaml()
    doc = yaml.load(text)
    for path, value in values:
        parent, last = _walk_to(doc, path)
        parent[last] = value
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def _walk_to(doc: Any, path: KeyPath) -> tuple[Any, str | int]:
    """The container holding the last key of ``path`` and that key; a missing step raises ``KeyError``
    (a missing last key of a mapping is added). A text key in a list names the item with that ``name``."""
    node = doc
    for depth, part in enumerate(path):
        if isinstance(node, list) and isinstance(part, str):
            part = next((i for i, x in enumerate(node) if isinstance(x, dict) and x.get("name") == part), part)
        last = depth == len(path) - 1
        found = isinstance(node, dict) and (part in node or (last and isinstance(part, str)))
        found |= isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node)
        if not found:
            raise KeyError(path[: depth + 1])
        if last:
            return node, part
        node = node[part]
    raise KeyError(path)
