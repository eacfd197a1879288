"""Sizing validation table: every calibration case of the reference, published vs predicted.

Rows come from three sources: the fabric switch and cable tables of the DGX
SuperPOD reference architectures (exact counts expected), the training cases
(``validation_training.rows``) and the inference cases
(``validation_inference.rows``). Run with ``make bench`` or directly.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rackforge.catalog import load_catalog
from rackforge.scenario import Scenario
from rackforge.sizing import size

Row = tuple[str, str, float, float]

H100 = [(1, 31, 8, 4, 252, 256), (2, 63, 16, 8, 508, 512), (3, 95, 24, 16, 764, 768), (4, 127, 32, 16, 1020, 1024)]
B300 = [(1, 64, 16, 8, 512, 512), (2, 128, 32, 16, 1024, 1024), (4, 256, 64, 32, 2048, 2048),
        (8, 512, 128, 64, 4096, 4096), (16, 1024, 256, 128, 8192, 8192)]  # fmt: skip


def fabric_of(system: str, count: int, **fabric: object):  # type: ignore[no-untyped-def]
    scenario = Scenario.model_validate({
        "name": "v", "start": dt.date(2027, 1, 4),
        "clusters": [{"name": "c", "site": "s", "system": system, "count": count}],
        "sites": [{"name": "s", "fabric": fabric}],
    })  # fmt: skip
    return size(scenario, load_catalog()).sites[0].fabric


def fabric_rows() -> list[Row]:
    """SuperPOD H100 (Table 4, UFM ports included) and B300 Spectrum-X twin-plane (Table 3)."""
    rows: list[Row] = []
    for name, table, system, kw in (
        ("SuperPOD H100", H100, "dgx-h100", {"switch": "qm9700", "appliance_ports": 4}),
        ("SuperPOD B300 Spectrum-X", B300, "dgx-b300", {"switch": "sn5600", "planes": 2}),
    ):
        for su, nodes, leaf, spine, nl, ls in table:
            f = fabric_of(system, nodes, **kw)
            case = f"{name} {su} SU"
            rows += [(case, "leaf switches", leaf, f.leaf), (case, "spine switches", spine, f.spine),
                     (case, "node-leaf cables", nl, f.node_leaf), (case, "leaf-spine cables", ls, f.leaf_spine)]  # fmt: skip
    f = fabric_of("dgx-h100", 512, switch="qm9700")
    rows += [
        ("scaling book 4,096 GPUs", "spine switches", 128, f.spine),
        ("scaling book 4,096 GPUs", "core switches", 64, f.core),
    ]
    return rows


def all_rows() -> list[Row]:
    """Fabric rows plus whichever model validations are present."""
    rows = fabric_rows()
    for module in ("validation_training", "validation_inference"):
        try:
            rows += __import__(module).rows()
        except ModuleNotFoundError:
            print(f"({module} not present)")
    return rows


def main() -> None:
    rows = all_rows()
    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  {'metric':<22} {'published':>14} {'predicted':>14} {'error':>8}")
    for case, metric, published, predicted in rows:
        error = (predicted - published) / published if published else 0.0
        print(f"{case:<{width}}  {metric:<22} {published:>14,.4g} {predicted:>14,.4g} {error:>+8.1%}")


if __name__ == "__main__":
    main()
