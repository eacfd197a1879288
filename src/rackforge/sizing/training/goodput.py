"""Goodput: the share of wall-clock time a training job makes progress.

Failures arrive at ``n·λ`` per hour (λ per accelerator-hour, data), so the
job's mean time between interruptions is ``M = 1/(n·λ)``. A checkpoint of the
model state (``b_ckpt`` bytes per parameter) is written at ``n·w`` B/s
(``w`` the storage write bandwidth per accelerator), taking ``C`` hours. With
the Young/Daly interval ``τ = sqrt(2·C·M)`` each failure loses on average half
an interval of work plus the restart time R::

    goodput = (1 - (τ/2 + R)/M) / (1 + C/τ)

clipped to ``[training_goodput_floor, 1]``. It falls as n grows.
"""

from __future__ import annotations

import math

from rackforge.catalog import Catalog
from rackforge.scenario.models import Workload

SECONDS_PER_HOUR = 3600.0


def checkpoint_hours(parameters: float, accelerators: int, catalog: Catalog) -> float:
    """Time to write one checkpoint (h)."""
    p = catalog.param
    bandwidth = accelerators * p("training_checkpoint_write_gbps_per_accelerator") * 1e9
    return parameters * p("training_checkpoint_bytes_per_param") / bandwidth / SECONDS_PER_HOUR


def goodput_for(parameters: float, accelerators: int, catalog: Catalog) -> float:
    """Goodput of a job of ``parameters`` parameters on ``accelerators`` accelerators (fraction)."""
    p = catalog.param
    mtbi = 1.0 / (accelerators * p("training_interruptions_per_accelerator_hour"))
    ckpt = checkpoint_hours(parameters, accelerators, catalog)
    interval = math.sqrt(2.0 * ckpt * mtbi)
    value = (1.0 - (interval / 2.0 + p("training_restart_hours")) / mtbi) / (1.0 + ckpt / interval)
    return min(1.0, max(p("training_goodput_floor"), value))


def training_goodput(workload: Workload, catalog: Catalog, accelerators: int) -> float:
    """Modelled goodput of ``workload`` on ``accelerators`` accelerators (fraction in (0, 1])."""
    return goodput_for(workload.model.parameters, accelerators, catalog)
