"""The planner KPIs a comparison reads from a result document (``plan.json``), and where each comes from.

================================  ===========  ===============================================================
metric                            unit         ``plan.json`` keys read
================================  ===========  ===============================================================
``sizing.accelerators``           count        sum of ``sizing.sites[].accelerators``
``sizing.it_mw``                  MW           sum of ``sizing.sites[].power.it_mw``
``sizing.facility_mw``            MW           sum of ``sizing.sites[].power.facility_mw``
``bom.total_cost_usd``            US$          ``bom.total_cost_usd`` (catalog prices, duties apart)
``bom.cost_by_family``            US$          ``bom.cost_by_family``, one KPI per product family
``bom.duties_usd``                US$          ``bom.tariffs.total_usd``
``bom.domestic_share``            share        ``bom.domestic_content[].share``, one per ``product/year``
``supply.on_time_share``          share        ``supply.kpis.on_time_share``, one per wave (``site week W``)
``supply.cost_usd``               US$          ``supply.kpis.cost_usd.total``, else ``supply.objective``
``supply.units_late``             unit-weeks   ``supply.kpis.units_late``
``schedule.makespan``             weeks        ``schedule.makespan``
``schedule.weeks_late``           weeks        Σ max(0, ``schedule.project_finish[p]`` − due week of ``p``)
``risk.group_rei``                index        ``risk.groups[].rei``
``risk.group_ttr_loss_usd``       US$          ``risk.groups[].ttr_loss``
``risk.group_tts_weeks``          weeks        ``risk.groups[].tts`` (``null``: survives indefinitely)
``risk.flagged``                  count        ``flagged`` of ``risk.nodes[]`` and ``risk.groups[]``
``risk.on_time``                  probability  ``risk.on_time.waves[].on_time``, one per wave ``name``
================================  ===========  ===============================================================

The supply cost falls back on the objective only when the plan's KPIs lack a cost breakdown. The weeks
late need the scenario document (its ``projects[].due_week``; a project without one adds 0). The group
metrics (factories, suppliers, lanes) cover the :data:`TOP_GROUPS` worst by REI of A and of B; the TTR loss
is the cost of the demand lost over the recovery. ``risk.flagged`` counts the nodes and groups that run
short before they recover.

A stage missing from a document (no ``schedule`` without projects, no ``supply`` without facilities, no
``risk`` without a plan), a plan without KPIs,  or a value that is not a number, yields no KPI: it is absent,
never zero.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from rackforge.compare.values import is_number

TOP_GROUPS = 5
"""How many of the worst factories, suppliers and lanes (by REI) of each document are compared."""


class Unit(StrEnum):
    """The unit of a KPI's value; :attr:`relative` says whether a relative change means something."""

    USD = "US$"
    MW = "MW"
    COUNT = "count"
    SHARE = "share"
    PROBABILITY = "probability"
    WEEKS = "weeks"
    UNIT_WEEKS = "unit-weeks"
    INDEX = "index"

    @property
    def relative(self) -> bool:
        """Amounts (money, power, counts, weeks) change relatively; shares, probabilities and indices
        change in points."""
        return self not in (Unit.SHARE, Unit.PROBABILITY, Unit.INDEX)


@dataclass(frozen=True)
class Metric:
    """One KPI of the catalogue: its id, label and unit (per-item metrics have one KPI per item)."""

    id: str
    label: str
    unit: Unit


METRICS = {
    m.id: m
    for m in (
        Metric("sizing.accelerators", "accelerators", Unit.COUNT),
        Metric("sizing.it_mw", "IT power", Unit.MW),
        Metric("sizing.facility_mw", "facility power", Unit.MW),
        Metric("bom.total_cost_usd", "hardware cost (BOM)", Unit.USD),
        Metric("bom.cost_by_family", "BOM cost", Unit.USD),
        Metric("bom.duties_usd", "duties (tariffs)", Unit.USD),
        Metric("bom.domestic_share", "domestic share", Unit.SHARE),
        Metric("supply.on_time_share", "on-time share", Unit.SHARE),
        Metric("supply.cost_usd", "supply cost", Unit.USD),
        Metric("supply.units_late", "units late", Unit.UNIT_WEEKS),
        Metric("schedule.makespan", "development makespan", Unit.WEEKS),
        Metric("schedule.weeks_late", "development weeks late", Unit.WEEKS),
        Metric("risk.group_rei", "REI", Unit.INDEX),
        Metric("risk.group_ttr_loss_usd", "cost of loss over TTR", Unit.USD),
        Metric("risk.group_tts_weeks", "TTS", Unit.WEEKS),
        Metric("risk.flagged", "short before recovery", Unit.COUNT),
        Metric("risk.on_time", "P(on time)", Unit.PROBABILITY),
    )
}
"""The KPI catalogue in display order, by id."""

GROUP_METRICS = ("risk.group_rei", "risk.group_ttr_loss_usd", "risk.group_tts_weeks")


@dataclass(frozen=True)
class Reading:
    """One KPI's value in one document; ``item`` names the family, wave, product/year or group of a
    per-item metric; ``value`` may be ``math.inf`` (a TTS of a group that survives indefinitely)."""

    metric: str
    item: str | None
    value: float

    @property
    def key(self) -> str:
        """``metric`` or ``metric[item]``, unique in a document."""
        return self.metric if self.item is None else f"{self.metric}[{self.item}]"


def read_kpis(result: Mapping[str, Any], scenario: Mapping[str, Any] | None = None) -> dict[str, Reading]:
    """Every KPI of ``result`` by key (``scenario``: its document, for the projects' due weeks)."""
    found = [*_sizing(result), *_bom(result), *_supply(result), *_schedule(result, scenario), *_risk(result)]
    return {r.key: r for r in found}


def worst_groups(result: Mapping[str, Any], n: int = TOP_GROUPS) -> list[str]:
    """The ids of the ``n`` groups (factories, suppliers, lanes) of highest REI, worst first."""
    rei = {str(g.get("id")): _num(g.get("rei")) for g in _dicts(_at(result, "risk", "groups"))}
    known = [(value, gid) for gid, value in rei.items() if value is not None]
    return [gid for _, gid in sorted(known, key=lambda vg: (-vg[0], vg[1]))[:n]]


def _at(doc: Any, *keys: str) -> Any:
    """``doc[k1][k2]...``, or ``None`` where a key or a mapping is missing."""
    for k in keys:
        if not isinstance(doc, Mapping):
            return None
        doc = doc.get(k)
    return doc


def _num(value: Any) -> float | None:
    """``value`` as a float; ``None`` for anything else, NaN included."""
    x = float(value) if is_number(value) else math.nan
    return None if math.isnan(x) else x


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [x for x in value if isinstance(x, Mapping)] if isinstance(value, list) else []


def _one(metric: str, value: Any, item: str | None = None) -> Iterator[Reading]:
    x = _num(value)
    if x is not None:
        yield Reading(metric, item, x)


def _each(metric: str, values: Any) -> Iterator[Reading]:
    if isinstance(values, Mapping):
        for item, value in values.items():
            yield from _one(metric, value, str(item))


def _total(metric: str, sites: list[Mapping[str, Any]], *keys: str) -> Iterator[Reading]:
    values = [_num(_at(s, *keys)) for s in sites]
    if sites and None not in values:
        yield Reading(metric, None, math.fsum(v for v in values if v is not None))


def _sizing(result: Mapping[str, Any]) -> Iterator[Reading]:
    sites = _dicts(_at(result, "sizing", "sites"))
    yield from _total("sizing.accelerators", sites, "accelerators")
    yield from _total("sizing.it_mw", sites, "power", "it_mw")
    yield from _total("sizing.facility_mw", sites, "power", "facility_mw")


def _bom(result: Mapping[str, Any]) -> Iterator[Reading]:
    bom = _at(result, "bom")
    yield from _one("bom.total_cost_usd", _at(bom, "total_cost_usd"))
    yield from _each("bom.cost_by_family", _at(bom, "cost_by_family"))
    yield from _one("bom.duties_usd", _at(bom, "tariffs", "total_usd"))
    for row in _dicts(_at(bom, "domestic_content")):
        yield from _one("bom.domestic_share", row.get("share"), f"{row.get('product')}/{row.get('year')}")


def _supply(result: Mapping[str, Any]) -> Iterator[Reading]:
    kpis = _at(result, "supply", "kpis")
    if not isinstance(kpis, Mapping):
        return
    yield from _each("supply.on_time_share", kpis.get("on_time_share"))
    cost = _num(_at(kpis, "cost_usd", "total"))
    objective = _num(_at(result, "supply", "objective"))
    yield from _one("supply.cost_usd", cost if cost is not None else objective)
    yield from _one("supply.units_late", kpis.get("units_late"))


def _schedule(result: Mapping[str, Any], scenario: Mapping[str, Any] | None) -> Iterator[Reading]:
    schedule = _at(result, "schedule")
    if not isinstance(schedule, Mapping):
        return
    yield from _one("schedule.makespan", schedule.get("makespan"))
    finish = schedule.get("project_finish")
    if scenario is None or not isinstance(finish, Mapping):
        return
    late = []
    for p in _dicts(scenario.get("projects")):
        name = p.get("name")
        due, done = _num(p.get("due_week")), _num(finish.get(name) if isinstance(name, str) else None)
        if due is not None and done is not None:
            late.append(max(0.0, done - due))
    yield Reading("schedule.weeks_late", None, math.fsum(late))


def _risk(result: Mapping[str, Any]) -> Iterator[Reading]:
    risk = _at(result, "risk")
    if not isinstance(risk, Mapping):
        return
    groups = _dicts(risk.get("groups"))
    for g in groups:
        gid = str(g.get("id"))
        yield from _one("risk.group_rei", g.get("rei"), gid)
        yield from _one("risk.group_ttr_loss_usd", g.get("ttr_loss"), gid)
        if "tts" in g:
            yield from _one("risk.group_tts_weeks", math.inf if g["tts"] is None else g["tts"], gid)
    flagged = [x["flagged"] for x in (*_dicts(risk.get("nodes")), *groups) if "flagged" in x]
    if flagged:
        yield Reading("risk.flagged", None, float(sum(f is True for f in flagged)))
    for w in _dicts(_at(risk, "on_time", "waves")):
        yield from _one("risk.on_time", w.get("on_time"), str(w.get("name")))
