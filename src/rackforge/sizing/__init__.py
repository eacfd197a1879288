"""Sizing stage: workloads and explicit clusters -> accelerators, systems, racks, fabric, power.

Entry point :func:`size`; the maths of each step is in the docstrings of
:mod:`~rackforge.sizing.compute`, :mod:`~rackforge.sizing.fabric` and
:mod:`~rackforge.sizing.site`.
"""

from __future__ import annotations

from rackforge.catalog import Catalog
from rackforge.scenario import Scenario
from rackforge.sizing.compute import size_workload
from rackforge.sizing.result import FabricSizing, PowerSizing, RampPoint, SiteSizing, Sizing, WorkloadSizing
from rackforge.sizing.site import size_site, systems_by_site

__all__ = ["FabricSizing", "PowerSizing", "RampPoint", "SiteSizing", "Sizing", "WorkloadSizing", "size"]


def size(scenario: Scenario, catalog: Catalog) -> Sizing:
    """Size every workload, then every site."""
    workloads = tuple(size_workload(w, catalog) for w in scenario.workloads)
    per_site = systems_by_site(scenario, workloads)
    sites = tuple(size_site(s, per_site[s.name], catalog) for s in scenario.sites)
    return Sizing(workloads, sites)
