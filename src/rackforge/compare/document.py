"""The comparison of two scenarios and their runs: the document of ``rackforge scenario diff A B --json``
and of ``GET /api/v1/compare``.

``to_dict()`` gives::

    {"a": {"label": str, "scenario": str | null, "stages": [str] | null},
     "b": {...},
     "changes": [{"path": str, "kind": "added|removed|changed", "old": ..., "new": ...}],
     "kpis": [{"key": str, "metric": str, "item": str | null, "stage": str, "label": str, "unit": str,
               "kind": "added|removed|changed|unchanged", "old": float | null, "new": float | null,
               "delta": float | null, "relative": float | null}] | null}

``stages`` lists the result stages of a side (``null`` when no result was given); ``kpis`` is ``null`` when
either result is missing, so only the inputs were compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rackforge.compare.changes import Change, Document, input_changes, load_document
from rackforge.compare.kpis import DeltaKind, KpiDelta, kpi_deltas
from rackforge.compare.values import Json

STAGES = ("sizing", "bom", "schedule", "supply", "risk")
"""The result stages a ``plan.json`` may hold, in pipeline order."""


@dataclass(frozen=True)
class Side:
    """One side of a comparison: the caller's ``label`` (a file, ``NAME@V``, a run id), the scenario's
    ``name``, and the :data:`STAGES` its result holds (``None`` without a result)."""

    label: str
    scenario: str | None
    stages: tuple[str, ...] | None

    def has(self, stage: str) -> bool:
        """Whether this side's result holds ``stage``."""
        return self.stages is not None and stage in self.stages

    def to_dict(self) -> dict[str, Json]:
        """``{"label", "scenario", "stages"}``."""
        stages: Json = None if self.stages is None else list(self.stages)
        return {"label": self.label, "scenario": self.scenario, "stages": stages}


@dataclass(frozen=True)
class Diff:
    """Scenario A against scenario B: the input changes, and the KPI deltas when both results are given
    (``kpis`` is ``None`` otherwise)."""

    a: Side
    b: Side
    changes: tuple[Change, ...]
    kpis: tuple[KpiDelta, ...] | None

    def moved(self) -> tuple[KpiDelta, ...]:
        """The KPIs that differ (changed, added or removed)."""
        return tuple(k for k in self.kpis or () if k.kind != DeltaKind.UNCHANGED)

    def metric(self, metric: str) -> tuple[KpiDelta, ...]:
        """The KPIs of one metric (one per item for a per-item metric)."""
        return tuple(k for k in self.kpis or () if k.metric == metric)

    def to_dict(self) -> dict[str, Json]:
        """The JSON-ready comparison document (see the module docstring)."""
        kpis: Json = None if self.kpis is None else [k.to_dict() for k in self.kpis]
        return {
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "changes": [c.to_dict() for c in self.changes],
            "kpis": kpis,
        }


def diff(
    label_a: str,
    yaml_a: Document,
    result_a: Mapping[str, Any] | None,
    label_b: str,
    yaml_b: Document,
    result_b: Mapping[str, Any] | None,
) -> Diff:
    """Compare scenario A (its YAML text or parsed mapping, and its ``plan.json`` document or ``None``)
    with scenario B.

    Raises
    ------
    InputError
        A YAML text is not a mapping; the labels name the side.
    """
    doc_a, doc_b = load_document(yaml_a, label_a), load_document(yaml_b, label_b)
    both = result_a is not None and result_b is not None
    return Diff(
        a=_side(label_a, doc_a, result_a),
        b=_side(label_b, doc_b, result_b),
        changes=input_changes(doc_a, doc_b, label_a, label_b),
        kpis=kpi_deltas(result_a or {}, result_b or {}, doc_a, doc_b) if both else None,
    )


def _side(label: str, doc: Mapping[str, Any], result: Mapping[str, Any] | None) -> Side:
    name = doc.get("name")
    if not isinstance(name, str) and result is not None:
        scenario = result.get("scenario")
        name = scenario.get("name") if isinstance(scenario, Mapping) else None
    stages = None if result is None else tuple(s for s in STAGES if isinstance(result.get(s), Mapping))
    return Side(label, name if isinstance(name, str) else None, stages)
