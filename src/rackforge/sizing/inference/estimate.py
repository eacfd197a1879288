"""Serving throughput per accelerator: choose the replica and batch, report what they deliver.

For every qualifying tensor-parallel group (:mod:`.replica`) the batch choice
(:mod:`.batch`) finds the throughput-optimal batch within the latency targets;
the group with the most output tokens per second *per accelerator* wins (ties
go to the smaller group). With a latency target the result is scaled by the
online utilization: a server fed random arrivals keeps headroom to hold its
percentile latencies, which an offline batch job does not need.

The fleet for a demand of ``D`` generated tokens per second is
``ceil(D / (x·t))·t`` accelerators for ``x`` tokens/s per accelerator on groups
of ``t`` (:func:`fleet_accelerators`), rounded up to whole systems by the caller.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from rackforge.catalog import Catalog, System
from rackforge.errors import InputError, KeyPath
from rackforge.scenario.models import ModelShape
from rackforge.sizing.inference.batch import Limit, OperatingPoint, Request, best_point, floor_latencies
from rackforge.sizing.inference.device import device_of, vendor_derate
from rackforge.sizing.inference.kvcache import kv_bytes_per_token, reserved_context_tokens
from rackforge.sizing.inference.params import InferenceParams
from rackforge.sizing.inference.replica import candidate_replicas
from rackforge.sizing.inference.roofline import Replica, lone_prefill_s
from rackforge.sizing.inference.shape import resolve_dims

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InferenceEstimate:
    """What one serving replica delivers, per accelerator.

    Attributes
    ----------
    tokens_per_second_per_accelerator
        Generated (output) tokens per second per accelerator, prefill time included.
    replica_accelerators
        Accelerators in one tensor-parallel replica.
    batch
        Concurrent sequences decoded per step.
    decode_step_ms
        Mean decode step time, the mean time per output token (ms).
    tpot_ms
        Time per output token at the latency percentile, the step times the
        tail factor (ms); this is what ``workload.tpot_ms`` is held to.
    ttft_ms
        Time to first token at the latency percentile, prefill queueing
        included (ms); this is what ``workload.ttft_ms`` is held to.
    kv_bytes_per_token
        KV-cache bytes per token of context for the whole model (B).
    weights_gb_per_replica
        Weight bytes of one replica (GB, 1e9 B).
    bound
        ``"memory"`` or ``"compute"``: which roof limits the decode step.
    shape_derived
        Whether layers, width and heads were derived from the parameter count.
    prompt_tokens, output_tokens
        The mean request the point was modelled for (tokens).
    lengths
        Where those lengths came from: ``"given"`` by the workload, or the
        traffic profile that filled them (``"chat profile"``, ...).
    limited_by
        What stops the batch from growing: ``"kv_cache"``, ``"max_batch"``
        (the engine's), ``"tpot"``, ``"ttft"``, ``"tpot_and_ttft"`` (the
        targets the next batch would miss) or ``"throughput"``.
    """

    tokens_per_second_per_accelerator: float
    replica_accelerators: int
    batch: int
    decode_step_ms: float
    ttft_ms: float
    tpot_ms: float
    kv_bytes_per_token: float
    weights_gb_per_replica: float
    bound: str
    shape_derived: bool = False
    prompt_tokens: float = 0.0
    output_tokens: float = 0.0
    lengths: str = "given"
    limited_by: Limit = "kv_cache"


def estimate_serving(
    model: ModelShape,
    precision: str,
    system: System,
    request: Request,
    catalog: Catalog,
    key: KeyPath = (),
    tensor_parallel: int | None = None,
) -> InferenceEstimate:
    """Best replica and batch for ``model`` at ``precision`` on ``system`` (see the module docstring).

    ``tensor_parallel`` pins the group size instead of searching the qualifying ones.
    """
    params = InferenceParams.from_catalog(catalog)
    acc = catalog.accelerators[system.accelerator]
    device = device_of(acc, precision, params, key, vendor_derate(catalog, acc.vendor))
    dims = resolve_dims(model, params)
    if dims.derived:
        log.info("shape derived from %.3g parameters: %d layers, d_model %d", model.active, dims.layers, dims.d_model)
    reserved = reserved_context_tokens(request.prompt_tokens, request.output_tokens, params.kv_reserved_output_fraction)
    replicas = candidate_replicas(device, dims, params, system, reserved, key, tensor_parallel)
    points = [p for p in (best_point(r, request) for r in replicas) if p is not None]
    if not points:
        raise _unreachable(replicas, request, key)
    best = max(points, key=lambda p: (p.tokens_per_s / p.replica.tp, -p.replica.tp))
    scale = params.online_utilization if request.online else 1.0
    return _result(best, scale, kv_bytes_per_token(dims, device.kv_bytes), request)


def fleet_accelerators(estimate: InferenceEstimate, tokens_per_second: float) -> int:
    """``ceil(D/(x·t))·t``: whole replicas covering a demand of ``D`` output tokens per second."""
    t = estimate.replica_accelerators
    per_replica = estimate.tokens_per_second_per_accelerator * t
    return math.ceil(tokens_per_second / per_replica) * t


def _result(point: OperatingPoint, scale: float, kv_per_token: float, request: Request) -> InferenceEstimate:
    r = point.replica
    return InferenceEstimate(
        tokens_per_second_per_accelerator=point.tokens_per_s * scale / r.tp, replica_accelerators=r.tp,
        batch=point.batch, decode_step_ms=point.step_s * 1e3, ttft_ms=point.ttft_s * 1e3, tpot_ms=point.tpot_s * 1e3,
        kv_bytes_per_token=kv_per_token, weights_gb_per_replica=r.weight_bytes / 1e9, bound=point.bound,
        shape_derived=r.dims.derived, prompt_tokens=request.prompt_tokens, output_tokens=request.output_tokens,
        lengths=request.lengths, limited_by=point.limited_by,
    )  # fmt: skip


def _unreachable(replicas: list[Replica], request: Request, key: KeyPath) -> InputError:
    """The target even ``B = 1`` on the fastest replica misses, with the best value it reaches."""
    floors = [floor_latencies(r, request) for r in replicas]
    fastest = min(range(len(floors)), key=lambda i: floors[i][0])
    best_tpot = floors[fastest][0]
    if request.tpot_s is not None and best_tpot > request.tpot_s:
        return InputError.one(
            (*key, "tpot_ms"),
            f"time per output token of {request.tpot_s * 1e3:,.1f} ms is out of reach: the best is "
            f"{best_tpot * 1e3:,.1f} ms (batch 1 on {replicas[fastest].tp} accelerators)",
            f"set tpot_ms to at least {math.ceil(best_tpot * 1e3)}, or use faster accelerators or a smaller model",
        )
    ttft = request.ttft_s or 0.0
    usable = [i for i, f in enumerate(floors) if request.tpot_s is None or f[0] <= request.tpot_s]
    best = min(usable, key=lambda i: floors[i][1])
    best_ttft = floors[best][1]
    prefill = lone_prefill_s(replicas[best], request.prompt_tokens)
    return InputError.one(
        (*key, "ttft_ms"),
        f"time to first token of {ttft * 1e3:,.0f} ms is out of reach: the best is {best_ttft * 1e3:,.0f} ms at "
        f"batch 1 on {replicas[best].tp} accelerators, {prefill * 1e3:,.0f} ms of it the prompt's own prefill and "
        f"{(best_ttft - prefill) * 1e3:,.0f} ms waiting behind other prompts at the server's load",
        f"set ttft_ms to at least {math.ceil(best_ttft * 1e3)}, shorten prompt_tokens, or use faster accelerators",
    )
