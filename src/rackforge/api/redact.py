"""What one organization keeps from another: its supplier prices, facility costs and labour (and freight
rates and its own catalog prices), and every figure of a plan computed from them.

A reader of another organization's shared scenario gets the YAML with those values replaced by
:data:`HIDDEN`, and the plan, the run's key figures and a comparison with those figures ``null``; each
response lists the key paths it hid. Which paths are confidential is the table below, one pattern per
figure, ``*`` standing for any key or list position; a pattern that ends at a mapping or list hides every
number under it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rackforge.compare import Diff

Pattern = tuple[str, ...]
HIDDEN = "hidden"

SCENARIO_KEYS: tuple[Pattern, ...] = (
    ("suppliers", "*", "offers", "*", "price_usd"),
    ("facilities", "*", "build_cost_usd"),
    ("facilities", "*", "labour_hours"),
    ("lanes", "*", "cost_per_unit_usd"),
    ("catalog", "*", "*", "unit_cost_usd"),
)
"""Scenario keys the owner keeps: prices, build costs, labour, freight, catalog prices of its own."""

PLAN_FIGURES: tuple[Pattern, ...] = (
    ("supply", "objective"),
    ("supply", "bound"),
    ("supply", "kpis", "cost_usd"),
    ("supply", "kpis", "imports_by_country_usd"),
    ("supply", "kpis", "labour_hours"),
    ("supply", "purchases", "*", "unit_price_usd"),
    ("supply", "purchases", "*", "duty_usd"),
    ("supply", "exceptions", "*", "value_late_usd"),
    ("supply", "exceptions", "*", "sentence"),
    ("reconciliation",),
    ("risk", "nodes", "*", "ttr_loss"),
    ("risk", "nodes", "*", "strategic_stock_cost"),
    ("risk", "groups", "*", "ttr_loss"),
    ("risk", "groups", "*", "strategic_stock_cost"),
    ("risk", "concentration", "sole_sources", "*", "spend_usd"),
    ("risk", "concentration", "sole_sources", "*", "bom_cost_usd"),
    ("risk", "concentration", "families", "*", "spend_usd"),
    ("risk", "concentration", "families", "*", "suppliers", "*", "usd"),
    ("risk", "concentration", "families", "*", "countries", "*", "usd"),
    ("risk", "concentration", "countries", "*", "usd"),
    ("risk", "concentration", "regimes", "*", "usd"),
    ("risk", "concentration", "losses", "*", "value_usd"),
)
"""Plan figures priced with the supply plan's own prices and costs: hidden whenever the plan is another's."""

CATALOG_PRICED: tuple[Pattern, ...] = (
    ("bom", "total_cost_usd"),
    ("bom", "lines", "*", "unit_cost_usd"),
    ("bom", "lines", "*", "extended_cost_usd"),
    ("bom", "tariffs"),
    ("bom", "top_level", "*", "unit_cost_usd"),
    ("bom", "cost_by_family"),
    ("bom", "cost_by_site"),
    ("bom", "cost_by_week"),
    ("bom", "unit_cost_by_item"),
    ("sizing", "sites", "*", "fabric", "media", "*", "cost_usd"),
    ("sizing", "sites", "*", "storage", "media", "*", "cost_usd"),
)
"""Plan figures priced from the catalog: public, unless the scenario prices parts in its own ``catalog:``."""

FIGURE_COLUMNS = {"supply_cost_usd": PLAN_FIGURES, "bom_cost_usd": CATALOG_PRICED, "duties_usd": CATALOG_PRICED}
"""The run's money figures (store columns) and the table that hides each."""

METRICS = {"supply.cost_usd": PLAN_FIGURES, "risk.group_ttr_loss_usd": PLAN_FIGURES,
           "bom.total_cost_usd": CATALOG_PRICED, "bom.cost_by_family": CATALOG_PRICED,
           "bom.duties_usd": CATALOG_PRICED}  # fmt: skip
"""The comparison's money metrics (:data:`rackforge.compare.METRICS`) and the table that hides each."""


CHARTS = {"cost": CATALOG_PRICED, "weekly": CATALOG_PRICED, "treemap": CATALOG_PRICED, "resilience": PLAN_FIGURES}
"""The report figures drawn from money figures (their hover text or their values), and the table that hides
each: another organization's reader does not get them."""


def hidden_charts(scenario: Mapping[str, Any]) -> set[str]:
    """The figures withheld from other organizations for this scenario document."""
    hide = set(plan_patterns(scenario))
    return {name for name, table in CHARTS.items() if set(table) <= hide}


def hides(owner: str, share_costs: bool, reader: str) -> bool:
    """Whether a version of ``owner``'s hides its confidential figures from ``reader``'s organization: always,
    unless the owner shared them (``share_costs``) or it is the reader's own."""
    return owner != reader and not share_costs


def prices_own_parts(scenario: Mapping[str, Any]) -> bool:
    """Whether the scenario document prices parts in its own ``catalog:`` section."""
    return any(True for _ in _matches(scenario, ("catalog", "*", "*", "unit_cost_usd")))


def plan_patterns(scenario: Mapping[str, Any]) -> tuple[Pattern, ...]:
    """The plan figures hidden from other organizations for this scenario document."""
    return PLAN_FIGURES + (CATALOG_PRICED if prices_own_parts(scenario) else ())


def redact_document(doc: Any, patterns: tuple[Pattern, ...]) -> tuple[Any, list[str]]:
    """A copy of the JSON document ``doc`` with every value a pattern names set to ``None`` (every number
    under it when it names a mapping or list), and the key paths hidden (dotted, list positions as numbers)."""
    out = copy.deepcopy(doc)
    hidden: list[str] = []
    for pattern in patterns:
        for parent, key, path in list(_matches(out, pattern)):
            parent[key] = _hidden(parent[key])
            hidden.append(".".join(path))
    return out, hidden


def redact_yaml(text: str) -> tuple[str, list[str]]:
    """The YAML ``text`` with the values of :data:`SCENARIO_KEYS` replaced by :data:`HIDDEN` (comments and
    layout kept as :func:`rackforge.yamlio.edited` keeps them), and the key paths hidden."""
    from rackforge.yamlio import edited, parse_yaml

    data = parse_yaml(text, "scenario.yaml")
    hidden: list[str] = []
    leaves: list[tuple[tuple[str | int, ...], Any]] = []
    for pattern in SCENARIO_KEYS:
        for parent, key, path in list(_matches(data, pattern)):
            hidden.append(".".join(path))
            leaves += [(p, HIDDEN) for p in _leaf_paths(parent[key], (*_keys(data, path),))]
    return (edited(text, leaves), hidden) if hidden else (text, [])


def _keys(data: Any, path: tuple[str, ...]) -> tuple[str | int, ...]:
    """``path`` with list positions as numbers (what :func:`rackforge.yamlio.edited` walks)."""
    out: list[str | int] = []
    node = data
    for part in path:
        key: str | int = int(part) if isinstance(node, list) else part
        out.append(key)
        node = node[key]
    return tuple(out)


def _leaf_paths(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    """The key paths of every scalar under ``value`` (itself when it is one)."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from _leaf_paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaf_paths(v, (*path, i))
    else:
        yield path


def _matches(node: Any, pattern: Pattern, path: tuple[str, ...] = ()) -> Iterator[tuple[Any, Any, tuple[str, ...]]]:
    """``(container, key, path)`` of every entry of ``node`` the pattern names."""
    if not pattern:
        return
    head, rest = pattern[0], pattern[1:]
    for key, child in _entries(node):
        if head not in ("*", str(key)):
            continue
        here = (*path, str(key))
        if rest:
            yield from _matches(child, rest, here)
        else:
            yield node, key, here


def _entries(node: Any) -> Iterator[tuple[Any, Any]]:
    if isinstance(node, Mapping):
        yield from node.items()
    elif isinstance(node, list):
        yield from enumerate(node)


def _hidden(value: Any) -> Any:
    """What a pattern that names ``value`` leaves of it: ``None`` for a scalar, the structure with every
    number ``None`` for a mapping or list."""
    return _nulled(value) if isinstance(value, Mapping | list) else None


def _nulled(value: Any) -> Any:
    """``value`` with every number ``None`` (text, booleans and structure kept)."""
    if isinstance(value, Mapping):
        return {k: _nulled(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nulled(v) for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return None
    return value


def redact_figures(figures: Mapping[str, Any], scenario: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A run's key figures with the confidential money figures ``None``, and their names."""
    hide = set(plan_patterns(scenario))
    out = dict(figures)
    hidden = [column for column, table in FIGURE_COLUMNS.items() if set(table) <= hide and column in out]
    out.update(dict.fromkeys(hidden))
    return out, [f"figures.{column}" for column in hidden]


def redact_diff(
    diff: Diff, hide_a: bool, hide_b: bool, scenarios: tuple[Mapping[str, Any], ...]
) -> tuple[Diff, list[str]]:
    """``diff`` with another organization's confidential inputs (``hide_a`` for side A, ``hide_b`` for B)
    hidden in its input changes, and its money KPIs of the tables the hidden ``scenarios`` keep ``None``
    on both sides (a delta would give one side from the other); and the key paths hidden."""
    if not (hide_a or hide_b):
        return diff, []
    hidden: list[str] = []
    changes = []
    for change in diff.changes:
        for pattern in SCENARIO_KEYS:
            rest = _inside(_segments(change.path), pattern)
            if rest is not None:
                change = replace(change, old=_hidden_under(change.old, rest), new=_hidden_under(change.new, rest))
                hidden.append(f"changes.{change.path}")
        changes.append(change)
    hide = set().union(*(plan_patterns(s) for s in scenarios))
    kpis = []
    for kpi in diff.kpis or ():
        table = METRICS.get(kpi.metric)
        if table is not None and set(table) <= hide:
            kpi = replace(kpi, old=None, new=None, delta=None, relative=None)
            hidden.append(f"kpis.{kpi.key}")
        kpis.append(kpi)
    return replace(diff, changes=tuple(changes), kpis=None if diff.kpis is None else tuple(kpis)), hidden


def _segments(path: str) -> tuple[str, ...]:
    """The keys of a comparison's key path: ``sites[a].pue`` is ``("sites", "a", "pue")``."""
    out: list[str] = []
    for part in path.split("."):
        name, _, item = part.partition("[")
        out += [name, item.rstrip("]")] if item else [name]
    return tuple(out)


def _inside(segments: tuple[str, ...], pattern: Pattern) -> Pattern | None:
    """What of the value at ``segments`` the pattern hides: the rest of the pattern inside it (empty: all of
    it, the path being at or under what the pattern names), or ``None`` when the pattern misses it."""
    shared = min(len(segments), len(pattern))
    if not all(p in ("*", s) for s, p in zip(segments[:shared], pattern[:shared], strict=True)):
        return None
    return pattern[shared:]


def _hidden_under(value: Any, rest: Pattern) -> Any:
    """``value`` with what ``rest`` names inside it hidden (the whole value when ``rest`` is empty)."""
    if value is None:
        return None
    if not rest:
        return _hidden(value)
    out = copy.deepcopy(value)
    for parent, key, _ in list(_matches(out, rest)):
        parent[key] = _hidden(parent[key])
    return out
