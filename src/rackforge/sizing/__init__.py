"""Sizing stage: workloads and explicit clusters -> accelerators, systems, racks, fabric, power.

Entry point :func:`size`; the maths of each step is in the docstrings of
:mod:`~rackforge.sizing.compute`, :mod:`~rackforge.sizing.fabric` and
:mod:`~rackforge.sizing.site`.
"""

from __future__ import annotations

from rackforge.catalog import BomMatrix, Catalog
from rackforge.scenario import Scenario
from rackforge.sizing.compute import size_workload
from rackforge.sizing.result import (
    Bar,
    Equipment,
    FabricSizing,
    PowerSizing,
    RampPoint,
    SiteSizing,
    Sizing,
    Tornado,
    WorkloadSizing,
)
from rackforge.sizing.sensitivity import sensitivity
from rackforge.sizing.site import size_site, system_kw, systems_by_site

__all__ = [
    "Bar", "Equipment", "FabricSizing", "PowerSizing", "RampPoint", "SiteSizing", "Sizing", "Tornado", "WorkloadSizing",
    "size",
]  # fmt: skip


def size(scenario: Scenario, catalog: Catalog, with_sensitivity: bool = False) -> Sizing:
    """Size every workload, then every site; with ``with_sensitivity`` also each workload's tornado."""
    workloads = tuple(size_workload(w, catalog, i) for i, w in enumerate(scenario.workloads))
    per_site = systems_by_site(scenario, workloads)
    matrix = BomMatrix.of(catalog)
    kw = system_kw(catalog, matrix, matrix.rolled_power())
    sites = tuple(size_site(s, i, per_site[s.name], catalog, kw) for i, s in enumerate(scenario.sites))
    tornadoes = sensitivity(scenario, catalog, workloads) if with_sensitivity else ()
    return Sizing(workloads, sites, tornadoes)
