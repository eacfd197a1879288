"""Every candidate parallel layout of one workload on n accelerators, as parallel numpy arrays.

A layout is ``(t, p, d, e, m, v, r)``: tensor, pipeline, data and expert
parallel degrees, microbatch sequences, interleaved pipeline chunks and the
recompute mode ``r`` (0 none, 1 selective, 2 full). The rules:

* ``t`` divides the attention heads and the scale-up domain, and t and the KV
  heads divide one another (Megatron's query-group rule);
* ``p <= L``, the smallest p for each stage size or a divisor of n: the
  slowest stage holds ``ceil(L/p)`` layers, and a larger p with the same stage
  only adds bubble, in-flight activations and fewer replicas unless it leaves
  fewer accelerators idle; ``v`` divides the stage
  (``v <= training_max_interleave``; 1 for pipelines without interleaving);
* ``e`` divides the experts and ``t·d`` (the expert-parallel group is drawn
  from the tensor and data ranks, Megatron-Core's parallel folding);
* ``d`` is the largest count with ``t·p·d <= n``, ``d <= B`` and ``t·d`` a
  multiple of e: accelerators left over are idle (see
  :mod:`~rackforge.sizing.training.search`), so every layout possible on n
  accelerators is possible on more;
* ``m`` is a power of two with ``d·m <= B`` (B the global batch in
  sequences), and each replica runs ``M = round(B/(d·m)) >= 1`` microbatches;
  the batch actually run is ``d·m·M`` sequences.

Fields given in ``workload.parallelism`` pin the matching degree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from rackforge.scenario.models import Parallelism
from rackforge.sizing.training.shape import Shape

IntArray = NDArray[np.int64]
RECOMPUTE = ("none", "selective", "full")
MICROBATCHES = tuple(2**k for k in range(11))
CHUNKS = (1, 2, 3, 4, 6, 8)


@dataclass(frozen=True)
class Layouts:
    """Candidate layouts, one per index of the equally long integer arrays."""

    t: IntArray
    p: IntArray
    d: IntArray
    e: IntArray
    m: IntArray
    v: IntArray
    r: IntArray
    microbatches: IntArray
    stage_layers: IntArray
    idle: IntArray

    def __len__(self) -> int:
        return int(self.t.size)

    def take(self, index: NDArray[np.bool_] | IntArray) -> Layouts:
        """The layouts selected by a boolean mask or an index array."""
        return Layouts(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


def divisors(n: int) -> list[int]:
    """Positive divisors of n, ascending."""
    return [k for k in range(1, n + 1) if n % k == 0]


def tensor_options(shape: Shape, scale_up: int, given: int | None) -> list[int]:
    """Tensor-parallel degrees allowed by the heads, the KV heads and the scale-up domain."""
    kv = shape.kv_heads
    ok = [t for t in divisors(shape.heads) if scale_up % t == 0 and (kv % t == 0 or t % kv == 0)]
    return [t for t in ok if t == given] if given else ok


def pipeline_options(layers: int, n: int) -> list[int]:
    """The smallest p for each stage size ``ceil(L/p)``, plus the divisors of n (which leave no one idle)."""
    return [p for p in range(1, layers + 1) if p == 1 or -(-layers // p) < -(-layers // (p - 1)) or n % p == 0]


def _expand(rows: dict[str, IntArray], name: str, options: list[int]) -> dict[str, IntArray]:
    """Every row of ``rows`` once per value of ``options`` under the new column ``name``."""
    k = len(options)
    out = {key: np.repeat(col, k) for key, col in rows.items()}
    size = next(iter(rows.values())).size
    out[name] = np.tile(np.asarray(options, dtype=np.int64), size)
    return out


def _keep(rows: dict[str, IntArray], mask: NDArray[np.bool_]) -> dict[str, IntArray]:
    return {key: col[mask] for key, col in rows.items()}


def pinned_problem(shape: Shape, n: int, scale_up: int, given: Parallelism) -> tuple[str, str, str] | None:
    """``(field, what, fix)`` for the first pinned degree that no layout can have, or ``None``."""
    t, p, e, v = given.tensor, given.pipeline, given.expert, given.interleave
    if t and t not in tensor_options(shape, scale_up, None):
        what = f"tensor {t} must divide the {shape.heads} heads and the scale-up domain of {scale_up}"
        return "tensor", what, "use a divisor of both, with the KV heads dividing it or it dividing them"
    if p and p > shape.layers:
        return "pipeline", f"{p} stages for {shape.layers} layers", f"use at most {shape.layers} stages"
    if e and shape.experts % e:
        return "expert", f"expert {e} does not divide the {shape.experts} experts", "use a divisor of the experts"
    if e and t and p and n // (t * p) // (e // math.gcd(e, t)) == 0:
        what = f"an expert group of {e} needs more than the {n // (t * p) * t} tensor x data ranks of a stage"
        return "expert", what, "use a smaller expert degree or more accelerators"
    stage = -(-shape.layers // p) if p else None
    if v and stage is not None and stage % v:
        what = f"interleave {v} does not divide the {stage}-layer stage ({shape.layers} layers over {p} stages)"
        return "interleave", what, "use a divisor of the stage's layers"
    return None


def enumerate_layouts(
    shape: Shape, n: int, batch: int, scale_up: int, given: Parallelism | None, max_chunks: int = CHUNKS[-1]
) -> Layouts:
    """All layouts of ``shape`` on ``n`` accelerators for a batch of ``batch`` sequences."""
    g = given or Parallelism()
    rows = {"t": np.asarray(tensor_options(shape, scale_up, g.tensor), dtype=np.int64)}
    rows = _expand(rows, "p", [g.pipeline] if g.pipeline else pipeline_options(shape.layers, n))
    rows = _expand(rows, "e", [g.expert] if g.expert else divisors(shape.experts))
    rows = _keep(rows, shape.experts % rows["e"] == 0)
    fold = rows["e"] // np.gcd(rows["e"], rows["t"])
    rows["d"] = np.minimum(n // np.maximum(rows["t"] * rows["p"], 1), batch) // fold * fold
    keep = (rows["d"] >= 1) & (rows["p"] <= shape.layers)
    rows = _keep(rows, (keep & (rows["d"] == g.data)) if g.data else keep)
    rows = _expand(rows, "m", [g.microbatch] if g.microbatch else list(MICROBATCHES))
    rows = _keep(rows, rows["d"] * rows["m"] <= batch)
    rows["stage_layers"] = -(-shape.layers // rows["p"])
    rows = _expand(rows, "v", [g.interleave] if g.interleave else [v for v in CHUNKS if v <= max_chunks])
    rows = _keep(rows, (rows["stage_layers"] % rows["v"] == 0) & ((rows["v"] == 1) | (rows["p"] > 1)))
    rows = _expand(rows, "r", [RECOMPUTE.index(g.recompute)] if g.recompute else [0, 1, 2])
    rows["microbatches"] = np.maximum(np.rint(batch / np.maximum(rows["d"] * rows["m"], 1)), 1).astype(np.int64)
    rows["idle"] = n - rows["t"] * rows["p"] * rows["d"]
    return Layouts(**rows)
