"""Sizing + bill-of-materials time against campus size (accelerators), printed as a table.

Scales the bundled campus by replicating its sites; each measurement is the best
of three runs of ``size`` + ``build_bom`` (catalog and scenario loading excluded).
Targets: sizing + BOM of a 5 GW, two-million-accelerator scenario under 1 s; its
BOM explosion (time-phased, with tariffs and domestic content) under 2 s. The
bundled campus trains a mixture-of-experts model (6 T parameters, 64 experts), so
every copy sizes an MoE layout search; ``+ sens s`` is the sizing with every
workload's sensitivity tornado (``size --sensitivity``, what the plan runs).
"""

from __future__ import annotations

import time

from rackforge.bom import build_bom
from rackforge.cli import bundled_scenario
from rackforge.inputs import load_inputs
from rackforge.scenario import Scenario
from rackforge.sizing import size


def replicated(base: Scenario, copies: int) -> Scenario:
    """``copies`` copies of every site, workload and cluster, renamed apart."""
    sites, workloads, clusters = [], [], []
    for k in range(copies):
        sites += [s.model_copy(update={"name": f"{s.name}-{k}"}) for s in base.sites]
        workloads += [w.model_copy(update={"name": f"{w.name}-{k}", "site": f"{w.site}-{k}"}) for w in base.workloads]
        clusters += [c.model_copy(update={"name": f"{c.name}-{k}", "site": f"{c.site}-{k}"}) for c in base.clusters]
    return base.model_copy(update={"sites": tuple(sites), "workloads": tuple(workloads), "clusters": tuple(clusters)})


def main() -> None:
    inputs = load_inputs(bundled_scenario())
    print(
        f"{'copies':>6} {'sites':>5} {'accelerators':>13} {'facility MW':>12} {'size s':>8} {'bom s':>8} {'total s':>8}"
        f" {'+ sens s':>9}"
    )
    for copies in (1, 2, 5, 10):
        scenario = replicated(inputs.scenario, copies)
        best = (float("inf"), float("inf"))
        for _ in range(3):
            t0 = time.perf_counter()
            sizing = size(scenario, inputs.catalog)
            t1 = time.perf_counter()
            build_bom(sizing, inputs.catalog, scenario.start)
            t2 = time.perf_counter()
            best = min(best, (t1 - t0, t2 - t1), key=sum)
        sens = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            size(scenario, inputs.catalog, with_sensitivity=True)
            sens = min(sens, time.perf_counter() - t0)
        acc = sum(s.accelerators for s in sizing.sites)
        mw = sum(s.power.facility_mw for s in sizing.sites)
        print(
            f"{copies:>6} {len(sizing.sites):>5} {acc:>13,} {mw:>12,.0f} {best[0]:>8.3f} {best[1]:>8.3f} {sum(best):>8.3f}"
            f" {sens:>9.3f}"
        )
    print("targets at ~2 M accelerators / 5 GW: size + bom < 1 s; bom < 2 s")


if __name__ == "__main__":
    main()
