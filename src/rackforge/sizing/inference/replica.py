"""Tensor-parallel groups that can hold the model: the candidates a replica is chosen from.

A candidate group size ``t`` is a power of two no larger than the system's
scale-up domain (tensor parallelism stays inside NVLink / Infinity Fabric,
sizing-methods D5) that divides the query heads when the shape is given. It
qualifies when its usable HBM holds the weights (all parameters, active or
not) plus a minimum KV budget of ``min_batch`` sequences at the reserved
context ``n_res = prompt + φ·output`` (:mod:`.kvcache`)::

    t·M·f ≥ W + min_batch · kv_t · n_res

The smallest qualifying ``t`` usually gives the most tokens per accelerator;
larger ones trade throughput for lower latency, so all are offered to the
batch choice.
"""

from __future__ import annotations

from rackforge.catalog import System
from rackforge.errors import InputError, KeyPath
from rackforge.sizing.inference.device import Device
from rackforge.sizing.inference.kvcache import kv_capacity_bytes, max_batch, replicated_kv_bytes_per_token
from rackforge.sizing.inference.params import InferenceParams
from rackforge.sizing.inference.roofline import Replica
from rackforge.sizing.inference.shape import ModelDims


def group_sizes(dims: ModelDims, scale_up_domain: int) -> list[int]:
    """Powers of two up to the scale-up domain (dividing the heads when they are given)."""
    sizes, t = [], 1
    while t <= scale_up_domain:
        if not dims.heads_given or dims.heads % t == 0:
            sizes.append(t)
        t *= 2
    return sizes


def build_replica(tp: int, device: Device, dims: ModelDims, params: InferenceParams, context: float) -> Replica:
    """The replica of ``tp`` accelerators, with its KV capacity turned into a batch bound."""
    weights = dims.parameters * device.weight_bytes
    kv_t = replicated_kv_bytes_per_token(dims, device.kv_bytes, tp)
    capacity = kv_capacity_bytes(tp, device.hbm_bytes, params.hbm_usable_fraction, weights)
    return Replica(tp, device, dims, params, weights, kv_t, max_batch(capacity, kv_t, context))


def candidate_replicas(
    device: Device,
    dims: ModelDims,
    params: InferenceParams,
    system: System,
    context: float,
    key: KeyPath,
    tensor_parallel: int | None = None,
) -> list[Replica]:
    """Every qualifying replica, smallest first; an InputError when none holds the model.

    ``tensor_parallel`` (the workload's ``parallelism.tensor``) pins the group size.
    """
    if tensor_parallel is not None:
        return [_pinned(tensor_parallel, device, dims, params, system, context, key)]
    replicas = [build_replica(t, device, dims, params, context) for t in group_sizes(dims, system.scale_up_domain)]
    fitting = [r for r in replicas if r.batch_max >= params.min_batch]
    if not fitting:
        raise _does_not_fit(device, dims, params, system, context, key)
    return fitting


def _pinned(
    tp: int, device: Device, dims: ModelDims, params: InferenceParams, system: System, context: float, key: KeyPath
) -> Replica:
    """The replica of exactly ``tp`` accelerators, or an InputError naming ``parallelism.tensor``."""
    where = (*key, "parallelism", "tensor")
    if tp > system.scale_up_domain or (dims.heads_given and dims.heads % tp):
        raise InputError.one(
            where,
            f"tensor parallelism {tp} must divide the {dims.heads} heads and fit the {system.id} scale-up domain "
            f"of {system.scale_up_domain}",
            f"use one of {', '.join(map(str, group_sizes(dims, system.scale_up_domain)))}",
        )
    replica = build_replica(tp, device, dims, params, context)
    if replica.batch_max < params.min_batch:
        weights_gb = replica.weight_bytes / 1e9
        raise InputError.one(
            where,
            f"{tp} x {device.hbm_bytes / 1e9:,.0f} GB of HBM cannot hold {weights_gb:,.0f} GB of weights and a KV "
            f"cache for {params.min_batch} sequences",
            "raise parallelism.tensor or remove it to let rackforge choose",
        )
    return replica


def _does_not_fit(
    device: Device, dims: ModelDims, params: InferenceParams, system: System, context: float, key: KeyPath
) -> InputError:
    """Weights too big for the scale-up domain, or weights fit but the cache for ``min_batch`` does not."""
    domain = system.scale_up_domain
    weights_gb = dims.parameters * device.weight_bytes / 1e9
    hbm_gb = device.hbm_bytes / 1e9
    usable_gb = domain * hbm_gb * params.hbm_usable_fraction
    if weights_gb < usable_gb:
        kv_gb = params.min_batch * context * replicated_kv_bytes_per_token(dims, device.kv_bytes, domain) / 1e9
        return InputError.one(
            (*key, "prompt_tokens"),
            f"a KV cache for {params.min_batch} sequences of {context:,.0f} tokens needs {kv_gb:,.0f} GB, more than "
            f"the {usable_gb - weights_gb:,.0f} GB one {system.id} scale-up domain has left beside "
            f"{weights_gb:,.0f} GB of weights",
            "shorten prompt_tokens or output_tokens, or use a system with a larger scale-up domain",
        )
    return InputError.one(
        (*key, "model", "parameters"),
        f"weights need {weights_gb:,.0f} GB, more than the {domain} x {hbm_gb:,.0f} GB of HBM in one {system.id} "
        f"scale-up domain can hold ({params.hbm_usable_fraction:.0%} usable, the rest is workspace)",
        "use a system with a larger scale-up domain, fp8 precision, or a smaller model",
    )
