"""How far each workload's answer moves with its uncertain assumptions: one tornado per workload.

Every factor has a documented range, the catalog parameters
``sensitivity_<factor>_low`` and ``_high``. The workload is sized again with
that one assumption at each end and everything else at its base, and the
answer is the one the workload asks for: days on a given accelerator count,
or accelerators for a deadline or a serving demand (a given count serving a
demand answers in tokens per second). Bars are ordered by their swing
``|answer(high) - answer(low)|``, widest first.

==================  =========================  =====================================================
factor              applies to                 the assumption at an end
==================  =========================  =====================================================
mfu                 training                   MFU (modelled or given) x multiplier, at every count searched
goodput             training                   goodput x multiplier, at most 1, at every count searched
ep_overlap          training, MoE              ``training_ep_overlap`` set to the value (0 none, 1 full)
expert_imbalance    training, MoE              ``training_expert_imbalance`` set to the value
prompt_tokens       inference                  mean prompt x multiplier
output_tokens       inference                  mean output x multiplier
==================  =========================  =====================================================

An end that cannot be sized (a latency target out of reach, nothing fits in
memory) is reported as ``None`` with the reason, not dropped.
"""

from __future__ import annotations

from collections.abc import Callable

from rackforge.catalog import Catalog
from rackforge.errors import InputError
from rackforge.scenario import Scenario, Workload
from rackforge.sizing.compute import size_workload
from rackforge.sizing.inference import request_of
from rackforge.sizing.result import Bar, Tornado, WorkloadSizing

Resize = Callable[[float], WorkloadSizing]


def metric_of(w: Workload) -> str:
    """What the workload asks: ``days``, ``accelerators`` or ``tokens_per_second``."""
    if w.type == "training":
        return "days" if w.accelerators is not None else "accelerators"
    return "tokens_per_second" if w.accelerators is not None else "accelerators"


def _answer(s: WorkloadSizing, metric: str) -> float:
    value = {"days": s.days, "tokens_per_second": s.tokens_per_second, "accelerators": s.accelerators}[metric]
    return float(value or 0.0)


def _bar(factor: str, unit: str, ends: tuple[float, float], resize: Resize, metric: str) -> Bar:
    answers: list[float | None] = []
    notes: list[str] = []
    for x in ends:
        try:
            answers.append(_answer(resize(x), metric))
        except InputError as exc:
            answers.append(None)
            notes.append(exc.problems[0].what)
    return Bar(factor, unit, ends[0], ends[1], answers[0], answers[1], "; ".join(notes))


def _ends(catalog: Catalog, factor: str, scale: float | None = None, cap: float = float("inf")) -> tuple[float, float]:
    """The factor's range: the parameters themselves, or ``scale`` times them (at most ``cap``)."""
    lo, hi = catalog.param(f"sensitivity_{factor}_low"), catalog.param(f"sensitivity_{factor}_high")
    return (lo, hi) if scale is None else (min(cap, scale * lo), min(cap, scale * hi))


def _field(w: Workload, catalog: Catalog, index: int, name: str) -> Resize:
    """Size ``w`` with its field ``name`` set to x."""

    def resize(x: float) -> WorkloadSizing:
        return size_workload(w.model_copy(update={name: x}), catalog, index)

    return resize


def _param(w: Workload, catalog: Catalog, index: int, name: str) -> Resize:
    """Size ``w`` with the catalog parameter ``name`` set to x."""

    def resize(x: float) -> WorkloadSizing:
        return size_workload(w, catalog.with_values({name: x}, f"sensitivity: {name} at an end of its range"), index)

    return resize


def _scaled(w: Workload, catalog: Catalog, index: int, name: str, base: float) -> Resize:
    """Size ``w`` with the multiplier ``name`` set so that the quantity at ``base`` becomes x, at every count."""

    def resize(x: float) -> WorkloadSizing:
        return _param(w, catalog, index, name)(x / base)

    return resize


def _training_bars(w: Workload, base: WorkloadSizing, catalog: Catalog, index: int, metric: str) -> list[Bar]:
    goodput = base.goodput or 1.0
    bars = [
        _bar("mfu", "MFU", _ends(catalog, "mfu", base.mfu, 1.0),
             _scaled(w, catalog, index, "training_mfu_scale", base.mfu), metric),
        _bar("goodput", "fraction", _ends(catalog, "goodput", goodput, 1.0),
             _scaled(w, catalog, index, "training_goodput_scale", goodput), metric),
    ]  # fmt: skip
    if (w.model.experts or 1) > 1:
        for factor in ("ep_overlap", "expert_imbalance"):
            name = f"training_{factor}"
            bars.append(_bar(factor, name, _ends(catalog, factor), _param(w, catalog, index, name), metric))
    return bars


def _inference_bars(w: Workload, catalog: Catalog, index: int, metric: str) -> list[Bar]:
    request = request_of(w, catalog)
    bars = []
    for factor, base in (("prompt_tokens", request.prompt_tokens), ("output_tokens", request.output_tokens)):
        bars.append(_bar(factor, "tokens", _ends(catalog, factor, base), _field(w, catalog, index, factor), metric))
    return bars


def workload_tornado(w: Workload, base: WorkloadSizing, catalog: Catalog, index: int) -> Tornado:
    """The tornado of workload ``index`` around its sized ``base``."""
    metric = metric_of(w)
    if w.type == "training":
        bars = _training_bars(w, base, catalog, index, metric)
    else:
        bars = _inference_bars(w, catalog, index, metric)
    return Tornado(w.name, metric, _answer(base, metric), tuple(sorted(bars, key=lambda b: -b.swing)))


def sensitivity(scenario: Scenario, catalog: Catalog, sized: tuple[WorkloadSizing, ...]) -> tuple[Tornado, ...]:
    """One tornado per workload of ``scenario`` around its sizing in ``sized`` (same order)."""
    return tuple(
        workload_tornado(w, s, catalog, i) for i, (w, s) in enumerate(zip(scenario.workloads, sized, strict=True))
    )
