"""Inference sizing: serving throughput per accelerator from a prefill/decode roofline.

Entry point :func:`estimate_inference`. The maths lives in the docstrings of
the modules, in pipeline order:

- :mod:`.shape` — model dimensions, given or derived from the parameter count;
- :mod:`.device` — one accelerator's peaks, bandwidths and number formats;
- :mod:`.kvcache` — KV bytes per token and the batch the HBM allows;
- :mod:`.replica` — the tensor-parallel groups that hold the model;
- :mod:`.roofline` — decode-step and prefill times;
- :mod:`.batch` — throughput and latency per batch, and the batch choice;
- :mod:`.estimate` — the best replica, and the fleet for a demand.

Every efficiency and default is a sourced catalog parameter
(``catalog/data/parameters-inference.yaml``); see ``docs/sizing-inference.md``.
"""

from __future__ import annotations

from rackforge.catalog import Catalog
from rackforge.errors import KeyPath
from rackforge.scenario.models import Workload
from rackforge.sizing.inference.batch import Request
from rackforge.sizing.inference.estimate import InferenceEstimate, estimate_serving, fleet_accelerators

__all__ = [
    "InferenceEstimate", "Request", "estimate_inference", "estimate_serving", "fleet_accelerators", "profile_lengths",
    "request_of",
]  # fmt: skip


DEFAULT_PROFILE = "chat"


def profile_lengths(profile: str, catalog: Catalog) -> tuple[float, float]:
    """Mean prompt and output tokens of a traffic profile (``inference_profile_<name>_*`` parameters)."""
    p = catalog.param
    return p(f"inference_profile_{profile}_prompt_tokens"), p(f"inference_profile_{profile}_output_tokens")


def request_of(w: Workload, catalog: Catalog) -> Request:
    """The workload's traffic and targets; omitted lengths come from its profile (chat by default) (tokens, s)."""
    profile = w.profile or DEFAULT_PROFILE
    prompt, output = profile_lengths(profile, catalog)
    given = (w.prompt_tokens is not None, w.output_tokens is not None)
    lengths = {(True, True): "given", (False, False): f"{profile} profile"}.get(
        given, f"{'prompt' if given[0] else 'output'} given, the other from the {profile} profile"
    )
    return Request(
        prompt_tokens=w.prompt_tokens if w.prompt_tokens is not None else prompt,
        output_tokens=w.output_tokens if w.output_tokens is not None else output,
        tpot_s=w.tpot_ms / 1e3 if w.tpot_ms is not None else None,
        ttft_s=w.ttft_ms / 1e3 if w.ttft_ms is not None else None,
        lengths=lengths,
    )


def estimate_inference(workload: Workload, catalog: Catalog, key: KeyPath = ()) -> InferenceEstimate:
    """Tokens per second per accelerator for ``workload`` on its system.

    Parameters
    ----------
    workload
        An inference workload; ``tokens_per_second`` is not used here (the
        caller turns it into accelerators with :func:`fleet_accelerators`).
        ``parallelism.tensor``, when set, pins the replica size.
    catalog
        Hardware records and the ``inference_*`` parameters.
    key
        Key path of the workload in its file, prepended to every problem.

    Raises
    ------
    InputError
        The weights do not fit one scale-up domain (``model.parameters``) or
        the pinned group (``parallelism.tensor``), the
        accelerator lacks the precision (``precision``), or a latency target is
        out of reach even at batch 1 (``tpot_ms`` / ``ttft_ms``).
    """
    system_id = workload.system or catalog.accelerators[workload.accelerator].default_system
    request = request_of(workload, catalog)
    tp = workload.parallelism.tensor if workload.parallelism is not None else None
    system = catalog.systems[system_id]
    return estimate_serving(workload.model, workload.precision, system, request, catalog, key, tp)
