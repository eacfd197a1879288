"""Compare two scenarios and their runs: what changed in the inputs, and what it did to the plan.

:func:`diff` takes each side's label, scenario document (YAML text or parsed mapping) and result document
(``plan.json``, or ``None``) and returns a :class:`Diff`: the input changes by key path
(:mod:`.changes`) and the deltas of a fixed set of planner KPIs (:mod:`.metrics`, :mod:`.kpis`). Its
``to_dict()`` is the document of ``rackforge scenario diff A B --json`` and ``GET /api/v1/compare``.
Everything here works on plain documents, so stored runs compare as well as fresh ones.

>>> from rackforge.compare import input_changes
>>> [c.path for c in input_changes("sites: [{name: a, pue: 1.2}]", "sites: [{name: a, pue: 1.3}]")]
['sites[a].pue']
"""

from rackforge.compare.changes import Change, ChangeKind, Document, input_changes, load_document
from rackforge.compare.document import Diff, Side, diff
from rackforge.compare.kpis import DeltaKind, KpiDelta, kpi_deltas
from rackforge.compare.metrics import METRICS, TOP_GROUPS, Metric, Unit, read_kpis
from rackforge.compare.values import Json

__all__ = [
    "METRICS",
    "TOP_GROUPS",
    "Change",
    "ChangeKind",
    "DeltaKind",
    "Diff",
    "Document",
    "Json",
    "KpiDelta",
    "Metric",
    "Side",
    "Unit",
    "diff",
    "input_changes",
    "kpi_deltas",
    "load_document",
    "read_kpis",
]
