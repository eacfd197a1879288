"""Throughput of a replica at each batch size, and the batch that serves best within the targets.

Throughput
----------
A request costs its prefill ``p = prefill(prompt)`` and ``O`` decode steps,
each shared by the ``B`` sequences in flight. Over a long run a replica
completing ``R`` requests per second spends ``R·p`` seconds per second on
prefill and ``R·O·s(B)/B`` on decode, so ``R·(p + O·s(B)/B) = 1`` and the
replica generates::

    X(B) = R·O = 1 / (p/O + s(B)/B)        output tokens per second

Latency
-------
Targets are percentiles (``q``, 0.99 as in MLPerf). Each of the ``B``
sequences gains one token per engine iteration, and the iterations also
carry the prefill work of newly admitted requests (chunked or interleaved),
so the mean time per output token is ``B/X(B) = s(B) + p·B/O``, not the bare
decode step. MLPerf server logs agree: H100 Llama-2-70B ran a mean TPOT of
155 ms at 2,701 tokens/s per GPU, i.e. about 840 sequences per 2-GPU
replica, the KV-cache bound. A tail factor ``γ`` turns the mean into the
percentile (p99/mean is 1.1-1.4 in the MLPerf logs)::

    tpot_q = γ·B/X(B)

Time to first token is the prefill of the prompt alone, plus the wait behind
other prefills, plus one decode step. A server admits requests at a share
``u`` of the throughput it could sustain, so the prefill work is a queue with
mean service ``p`` busy ``ρ = u·(p/O)·X(B)``. Prompt lengths vary, with
squared coefficient of variation ``c²`` of the service time; the
Pollaczek-Khinchine mean wait of this M/G/1 queue is
``ρ·p·(1 + c²)/(2(1 − ρ))``. Taking the wait as zero with probability
``1 − ρ`` and exponential otherwise gives the percentile::

    W_q    = p·(1 + c²)/(2(1 − ρ)) · ln(ρ/(1 − q))      (0 when ρ ≤ 1 − q)
    ttft_q = prefill_lone + W_q + s(B)

Both latencies grow with ``B``, so ``B = 1`` bounds what a replica can reach.

Choice
------
Among ``B ≤ B_max`` meeting ``tpot_q ≤ tpot_target`` and ``ttft_q ≤
ttft_target`` (each only when given) take the ``B`` with the largest
``X(B)``; without targets this is the offline (maximum-throughput) operating
point, and latencies are reported as if it were served online.

What stops the batch there is reported (``limited_by``): the KV cache
(``B_max``), the engine's largest batch, or the target the next batch would
miss (``tpot``, ``ttft`` or both). ``X`` never falls with ``B``, so nothing
else can; a flat ``X`` at the top is ``throughput``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from rackforge.sizing.inference.kvcache import mean_context_tokens
from rackforge.sizing.inference.roofline import FloatArray, Replica, decode_times, lone_prefill_s, prefill_s

Limit = Literal["kv_cache", "max_batch", "tpot", "ttft", "tpot_and_ttft", "throughput"]
"""What can stop the batch from growing (see the module docstring)."""


@dataclass(frozen=True)
class Request:
    """The traffic and its targets (tokens; seconds, ``None`` when not set) and where its lengths came from."""

    prompt_tokens: float
    output_tokens: float
    tpot_s: float | None
    ttft_s: float | None
    lengths: str = "given"

    @property
    def context_tokens(self) -> float:
        """Mean cache length over a sequence's decode life, ``prompt + output/2``."""
        return mean_context_tokens(self.prompt_tokens, self.output_tokens)

    @property
    def online(self) -> bool:
        """Whether a latency target is set (a server rather than an offline batch job)."""
        return self.tpot_s is not None or self.ttft_s is not None


@dataclass(frozen=True)
class Curve:
    """Throughput and latency of one replica at ``B = 1 .. B_max`` (tokens/s; s)."""

    batch: FloatArray
    step_s: FloatArray
    compute_s: FloatArray
    memory_s: FloatArray
    tpot_s: FloatArray
    ttft_s: FloatArray
    tokens_per_s: FloatArray


@dataclass(frozen=True)
class OperatingPoint:
    """The chosen batch of one replica and what it delivers."""

    replica: Replica
    batch: int
    step_s: float
    tpot_s: float
    ttft_s: float
    tokens_per_s: float
    bound: str
    limited_by: Limit


def curve(replica: Replica, request: Request) -> Curve:
    """``X(B)``, ``s(B)``, ``tpot_q(B)`` and ``ttft_q(B)`` for every batch the replica can hold."""
    prm = replica.params
    top = max(1, min(replica.batch_max, prm.max_batch))
    batch = np.arange(1, top + 1, dtype=np.float64)
    times = decode_times(replica, batch, request.context_tokens)
    p = prefill_s(replica, request.prompt_tokens)
    tokens = 1.0 / (p / request.output_tokens + times.step_s / batch)
    busy = np.minimum(prm.online_utilization * p / request.output_tokens * tokens, 0.999)
    wait = queue_wait_s(p * (1.0 + prm.prefill_service_cv2), busy, prm.latency_percentile)
    ttft = lone_prefill_s(replica, request.prompt_tokens) + wait + times.step_s
    tpot = prm.tpot_tail_factor * batch / tokens
    return Curve(batch, times.step_s, times.compute_s, times.memory_s, tpot, ttft, tokens)


def queue_wait_s(scale_s: float, busy: FloatArray, percentile: float) -> FloatArray:
    """Percentile wait ``a/(2(1 − ρ))·ln(ρ/(1 − q))`` with ``a = p·(1 + c²)``, 0 below ``ρ = 1 − q`` (s)."""
    tail = np.log(np.maximum(busy, 1e-12) / (1.0 - percentile))
    return np.where(tail > 0.0, scale_s / (2.0 * (1.0 - busy)) * tail, 0.0)


def feasible(c: Curve, request: Request) -> npt.NDArray[np.bool_]:
    """Mask of the batches that meet the targets."""
    ok = np.ones(c.batch.shape, dtype=bool)
    if request.tpot_s is not None:
        ok &= c.tpot_s <= request.tpot_s
    if request.ttft_s is not None:
        ok &= c.ttft_s <= request.ttft_s
    return ok


def best_point(replica: Replica, request: Request) -> OperatingPoint | None:
    """The throughput-optimal batch within the targets, or ``None`` when even ``B = 1`` misses."""
    c = curve(replica, request)
    ok = feasible(c, request)
    if not ok.any():
        return None
    i = int(np.argmax(np.where(ok, c.tokens_per_s, -np.inf)))
    bound = "memory" if c.memory_s[i] >= c.compute_s[i] else "compute"
    return OperatingPoint(
        replica=replica, batch=int(c.batch[i]), step_s=float(c.step_s[i]), tpot_s=float(c.tpot_s[i]),
        ttft_s=float(c.ttft_s[i]), tokens_per_s=float(c.tokens_per_s[i]), bound=bound,
        limited_by=_limit(c, request, i, replica),
    )  # fmt: skip


_MISSED: dict[tuple[bool, bool], Limit] = {(True, True): "tpot_and_ttft", (True, False): "tpot", (False, True): "ttft"}
"""The limit named by which targets (TPOT, TTFT) the next batch misses."""


def _limit(c: Curve, request: Request, i: int, replica: Replica) -> Limit:
    """What stops the batch at index ``i``: the cache or engine limit at the top, else the target ``i + 1`` misses."""
    if i + 1 == len(c.batch):
        return "kv_cache" if replica.batch_max <= replica.params.max_batch else "max_batch"
    tpot = request.tpot_s is not None and c.tpot_s[i + 1] > request.tpot_s
    ttft = request.ttft_s is not None and c.ttft_s[i + 1] > request.ttft_s
    return _MISSED.get((tpot, ttft), "throughput")


def floor_latencies(replica: Replica, request: Request) -> tuple[float, float]:
    """``(tpot_q, ttft_q)`` at ``B = 1``: the lowest the replica can reach (s)."""
    c = curve(replica, request)
    return float(c.tpot_s[0]), float(c.ttft_s[0])
