"""Load the built-in catalog and apply a scenario's additions and overrides."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from pydantic import ValidationError

from rackforge.catalog import checks
from rackforge.catalog.catalog import Catalog
from rackforge.catalog.models import KINDS, RULES, Item
from rackforge.errors import InputError, KeyPath, Problem
from rackforge.validation import problems_from, suggest
from rackforge.yamlio import read_yaml

Locate = Callable[[KeyPath], tuple[int, int]]
SECTIONS = (*KINDS, *RULES)


@dataclass(frozen=True)
class Origin:
    """Where a record came from, to place its errors."""

    file: str
    locate: Locate
    key: KeyPath


@dataclass
class _Builder:
    """Collects records with their origins; problems accumulate instead of raising early."""

    records: dict[str, dict[str, Any]]
    origins: dict[str, Origin]
    problems: list[Problem]

    def add(self, section: str, entries: Any, origin: Origin, override: bool) -> None:
        if not isinstance(entries, list):
            self.problems.append(
                _place(Problem((), "expected a list of records", "write one `- id: ...` per record"), origin)
            )
            return
        for i, raw in enumerate(entries):
            self._add_one(section, raw, Origin(origin.file, origin.locate, (*origin.key, i)), override)

    def _add_one(self, section: str, raw: Any, origin: Origin, override: bool) -> None:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            self.problems.append(_place(Problem(("id",), "a record needs an `id`", "add `id: my-part`"), origin))
            return
        key = self._existing(section, raw["id"]) if override else f"{section}:{raw['id']}"
        base = self.records.get(key, {}) if override else {}
        if override and "source" not in raw:
            fix = "say where the numbers come from, e.g. `source: lab design review 2026-10`"
            self.problems.append(_place(Problem(("source",), "an added or changed record needs `source`", fix), origin))
        self.records[key] = {**base, **raw}
        self.origins[key] = origin

    def _existing(self, section: str, item_id: str) -> str:
        """The record an override names: same section, or for a part, the item of that id in any item section."""
        key = f"{section}:{item_id}"
        if key in self.records or section != "parts":
            return key
        return next((f"{s}:{item_id}" for s in KINDS if f"{s}:{item_id}" in self.records), key)


def _place(p: Problem, origin: Origin) -> Problem:
    key = origin.key + p.key
    line, col = origin.locate(key)
    return Problem(key, p.what, p.fix, origin.file, line, col)


def _builtin_files() -> list[tuple[str, str]]:
    """``(section, path)`` for every data file; a section may span ``{section}.yaml`` and ``{section}-*.yaml``."""
    root = resources.files("rackforge.catalog") / "data"
    names = sorted(p.name for p in root.iterdir() if p.name.endswith(".yaml"))
    return [(s, str(root / n)) for s in SECTIONS for n in names if n == f"{s}.yaml" or n.startswith(f"{s}-")]


Source = tuple[Mapping[str, Any], str, Locate]


def load_catalog(
    extensions: Mapping[str, Any] | None = None,
    file: str = "<scenario>",
    locate: Locate = lambda key: (1, 1),
    imports: Sequence[Source] = (),
) -> Catalog:
    """Built-in catalog, then ``imports``, then ``extensions`` (a scenario's ``catalog:`` mapping).

    An extension record whose ``id`` exists in its section overrides the given
    keys of the earlier record; a new ``id`` adds a record. Every extension
    record must carry a ``source``. ``imports`` are ``(extension, file, locate)``
    triples from imported ERP files, placed in their own files when wrong.
    """
    builder = _Builder({}, {}, [])
    for section, path in _builtin_files():
        data, loc = read_yaml(path)
        builder.add(section, data, Origin(path, loc, ()), override=False)
    for ext, ext_file, ext_locate in [*imports, (extensions or {}, file, locate)]:
        _extend(builder, ext, ext_file, ext_locate)
    return _validate(builder)


def _extend(builder: _Builder, extensions: Mapping[str, Any], file: str, locate: Locate) -> None:
    for section, entries in extensions.items():
        origin = Origin(file, locate, ("catalog", section))
        if section not in SECTIONS:
            fix = suggest(section, SECTIONS, "catalog sections")
            builder.problems.append(_place(Problem((), f"unknown catalog section `{section}`", fix), origin))
            continue
        builder.add(section, entries, origin, override=True)


def _validate(builder: _Builder) -> Catalog:
    items: dict[str, Item] = {}
    rules: dict[str, dict[str, Any]] = {section: {} for section in RULES}
    for key, raw in builder.records.items():
        section = key.split(":", 1)[0]
        model: type[Any] = RULES.get(section) or KINDS[section]
        origin = builder.origins[key]
        try:
            record = model.model_validate(raw)
        except ValidationError as exc:
            builder.problems += [_place(p, origin) for p in problems_from(exc, model, origin.file)]
            continue
        target: dict[str, Any] = rules[section] if section in RULES else items
        if record.id in target:
            builder.problems.append(
                _place(Problem(("id",), f"id `{record.id}` is used twice", "give each record its own id"), origin)
            )
        target[record.id] = record
    if not builder.problems:
        builder.problems += _integrity(items, builder.origins)
    if builder.problems:
        raise InputError(builder.problems)
    return Catalog.build(items, rules["parameters"], rules["tariffs"], rules["content_rules"])


def _integrity(items: Mapping[str, Item], origins: Mapping[str, Origin]) -> list[Problem]:
    by_id = {key.split(":", 1)[1]: origin for key, origin in origins.items() if key.split(":", 1)[0] in KINDS}
    return [_place(Problem(key, what, fix), by_id[item_id]) for item_id, key, what, fix in checks.check(items)]
