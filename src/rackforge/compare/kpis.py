"""KPI deltas: each planner KPI of :mod:`rackforge.compare.metrics` in result A and in result B.

For a KPI in both documents, ``delta = new - old`` and, where the unit is an amount (money, power, counts,
weeks) and ``old`` is not zero, ``relative = delta / |old|``; shares and probabilities change in points
(``delta`` alone). Two values within a relative 1e-9 of each other are unchanged. A KPI in one document
only is ``added`` (B only) or ``removed`` (A only), with no delta.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from rackforge.compare.metrics import GROUP_METRICS, METRICS, TOP_GROUPS, Reading, Unit, read_kpis, worst_groups
from rackforge.compare.values import Json

REL_TOL = 1e-9


class DeltaKind(StrEnum):
    """How a KPI differs from A to B."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class KpiDelta:
    """One KPI in A (``old``) and B (``new``); ``None`` where a document lacks it; ``math.inf`` for a time
    to survive that never ends. ``item`` names the family, wave, ``product/year`` or group of a per-item
    metric (``None`` for a total)."""

    metric: str
    item: str | None
    label: str
    unit: Unit
    kind: DeltaKind
    old: float | None
    new: float | None
    delta: float | None
    relative: float | None

    @property
    def key(self) -> str:
        """``metric`` or ``metric[item]``."""
        return self.metric if self.item is None else f"{self.metric}[{self.item}]"

    @property
    def stage(self) -> str:
        """The result stage the KPI comes from (``sizing``, ``bom``, ``supply``, ``schedule``, ``risk``)."""
        return self.metric.split(".", 1)[0]

    def to_dict(self) -> dict[str, Json]:
        """JSON-ready: values that are not finite (an indefinite TTS) become ``null`` like absent ones."""
        return {
            "key": self.key,
            "metric": self.metric,
            "item": self.item,
            "stage": self.stage,
            "label": self.label,
            "unit": str(self.unit),
            "kind": str(self.kind),
            "old": _finite(self.old),
            "new": _finite(self.new),
            "delta": _finite(self.delta),
            "relative": _finite(self.relative),
        }


def kpi_deltas(
    result_a: Mapping[str, Any],
    result_b: Mapping[str, Any],
    scenario_a: Mapping[str, Any] | None = None,
    scenario_b: Mapping[str, Any] | None = None,
    top: int = TOP_GROUPS,
) -> tuple[KpiDelta, ...]:
    """Every KPI of either result document, in catalogue order (items in order of appearance, A first;
    groups worst first); the risk groups are the ``top`` worst of A and of B. The scenario documents
    supply the projects' due weeks for ``schedule.weeks_late``."""
    a, b = read_kpis(result_a, scenario_a), read_kpis(result_b, scenario_b)
    keep = set(worst_groups(result_a, top)) | set(worst_groups(result_b, top))
    either = {k: a.get(k) or b[k] for k in {**a, **b}}
    rank, order = _item_ranks(a, b), list(METRICS)
    kept = [k for k, r in either.items() if r.metric not in GROUP_METRICS or r.item in keep]
    kept.sort(key=lambda k: (order.index(either[k].metric), rank[either[k].item]))
    return tuple(_delta(a.get(k), b.get(k)) for k in kept)


def _item_ranks(a: dict[str, Reading], b: dict[str, Reading]) -> dict[str | None, tuple[float, int]]:
    """Items in order of first appearance; groups by their worse REI of A and B first."""
    rei: dict[str | None, float] = {}
    order: dict[str | None, int] = {}
    for r in (*a.values(), *b.values()):
        order.setdefault(r.item, len(order))
        if r.metric == "risk.group_rei":
            rei[r.item] = max(rei.get(r.item, -math.inf), r.value)
    return {item: (-rei.get(item, 0.0), i) for item, i in order.items()}


def _delta(a: Reading | None, b: Reading | None) -> KpiDelta:
    r = a or b
    assert r is not None
    m = METRICS[r.metric]
    label = m.label if r.item is None else f"{m.label}: {r.item}"
    old, new = (a.value if a else None), (b.value if b else None)
    delta = relative = None
    if old is None or new is None:
        kind = DeltaKind.ADDED if old is None else DeltaKind.REMOVED
    else:
        same = old == new or math.isclose(old, new, rel_tol=REL_TOL, abs_tol=0.0)
        kind = DeltaKind.UNCHANGED if same else DeltaKind.CHANGED
        if math.isfinite(old) and math.isfinite(new):
            delta = 0.0 if same else new - old
            relative = delta / abs(old) if m.unit.relative and old != 0 else None
    return KpiDelta(r.metric, r.item, label, m.unit, kind, old, new, delta, relative)


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None
