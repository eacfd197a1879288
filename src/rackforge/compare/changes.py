"""Input changes: every key that differs between two scenario documents, by key path.

Mappings are compared key by key. A list whose items are all mappings with a unique text ``name`` (on
both sides) is matched by name, so reordering it changes nothing and a renamed item is one removal and
one addition; its items are written ``sites[building-a]``. Any other list is compared position by
position, its items written ``sites.0.waves.1``. Both documents are compared in JSON form (a stored version
keeps its document so; :func:`rackforge.compare.values.to_json`), so a date equals its ISO text, as it does to
the scenario's schema. Scalars follow :func:`rackforge.compare.values.same` (``1`` equals ``1.0``). A key or
item on one side only is one change holding its whole value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from rackforge.compare.values import Json, same, to_json
from rackforge.errors import InputError

Document = Mapping[str, Any] | str
"""A scenario document: its parsed YAML mapping (or its JSON form), or its YAML text."""

SortKey = tuple[tuple[int, int | str], ...]
Found = Iterator[tuple[SortKey, "Change"]]


class ChangeKind(StrEnum):
    """What happened to a key path from A to B."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class Change:
    """One changed key path: ``old`` is ``None`` when added, ``new`` is ``None`` when removed (both are
    JSON-ready copies of the YAML values, whole mappings or lists where a whole item came or went)."""

    path: str
    kind: ChangeKind
    old: Json = None
    new: Json = None

    def to_dict(self) -> dict[str, Json]:
        """``{"path", "kind", "old", "new"}``."""
        return {"path": self.path, "kind": str(self.kind), "old": self.old, "new": self.new}


def load_document(doc: Document, label: str = "<input>") -> Mapping[str, Any]:
    """The mapping of ``doc`` in JSON form (:func:`~rackforge.compare.values.to_json`), parsed first when it
    is YAML text (empty text is an empty mapping). A file and a stored version's JSON document of the same
    text give the same mapping, so either side of a comparison may be either.

    Raises
    ------
    InputError
        The text is not YAML, or its top level is not a mapping; ``label`` names it.
    """
    from rackforge.yamlio import parse_yaml

    data = parse_yaml(doc, label) if isinstance(doc, str) else doc
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        what = f"the top level is a {type(data).__name__}, not a mapping"
        raise InputError.one((), what, "give a scenario document (`name:`, `start:`, `sites:` ...)", label)
    found = to_json(data)
    assert isinstance(found, dict)
    return found


def input_changes(a: Document, b: Document, label_a: str = "A", label_b: str = "B") -> tuple[Change, ...]:
    """Every change from scenario document ``a`` to ``b``, sorted by key path (list positions as numbers).

    Raises
    ------
    InputError
        Either text is not a YAML mapping (see :func:`load_document`); the labels name them.
    """
    found = _walk((), "", load_document(a, label_a), load_document(b, label_b))
    return tuple(change for _, change in sorted(found, key=lambda kc: kc[0]))


def _walk(key: SortKey, path: str, a: Any, b: Any) -> Found:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        yield from _mappings(key, path, a, b)
    elif isinstance(a, list) and isinstance(b, list):
        yield from _lists(key, path, a, b)
    elif isinstance(a, Mapping | list) or isinstance(b, Mapping | list) or not same(a, b):
        yield key, Change(path, ChangeKind.CHANGED, to_json(a), to_json(b))


def _mappings(key: SortKey, path: str, a: Mapping[Any, Any], b: Mapping[Any, Any]) -> Found:
    names = {str(k): k for k in b} | {str(k): k for k in a}
    for name, k in names.items():
        yield from _pair((*key, (1, name)), f"{path}.{name}" if path else name, a, b, k)


def _lists(key: SortKey, path: str, a: list[Any], b: list[Any]) -> Found:
    if _named(a) and _named(b):
        by_a, by_b = {x["name"]: x for x in a}, {x["name"]: x for x in b}
        for name in by_a | by_b:
            yield from _pair((*key, (1, name)), f"{path}[{name}]", by_a, by_b, name)
        return
    by_a, by_b = dict(enumerate(a)), dict(enumerate(b))
    for i in range(max(len(a), len(b))):
        yield from _pair((*key, (0, i)), f"{path}.{i}" if path else str(i), by_a, by_b, i)


def _pair(key: SortKey, path: str, a: Mapping[Any, Any], b: Mapping[Any, Any], k: Any) -> Found:
    """The change of entry ``k`` of containers ``a`` and ``b`` (either may lack it)."""
    if k not in b:
        yield key, Change(path, ChangeKind.REMOVED, old=to_json(a[k]))
    elif k not in a:
        yield key, Change(path, ChangeKind.ADDED, new=to_json(b[k]))
    else:
        yield from _walk(key, path, a[k], b[k])


def _named(items: list[Any]) -> bool:
    """Whether every item is a mapping with a text ``name`` and no name repeats."""
    names = [x.get("name") if isinstance(x, Mapping) else None for x in items]
    return all(isinstance(n, str) for n in names) and len(set(names)) == len(names)
