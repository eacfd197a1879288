"""Training performance model against published runs: the calibration cases and the hold-outs.

Every row is ``(case, metric, published, predicted)``; no measured throughput is
fed to the model. Calibration rows (the only data the three fitted knobs of
``parameters-training.yaml`` saw) come from sizing-methods B2-B5; hold-out rows
are labelled ``hold-out`` and their sources are listed in docs/sizing-training.md.

Conventions
-----------
- Megatron-LM TFLOP/s per GPU count the recomputed forward pass (their Eq. 3,
  ``F = 96·B·s·l·h²·(1 + s/6h + V/16lh)`` per iteration); the predicted value is
  that F over the predicted step time. Runs without full recompute use the
  72-factor form (no repeated forward).
- GPU-hours are ``n·D/(tokens/s)``: LLaMA-1 and Llama 2 figures are throughput
  derived (LLaMA: 380 tokens/s/GPU x 2048 GPUs reproduces the 65B figure), so
  goodput is excluded there; the hold-out GPU-hours (BLOOM, Falcon, Llama 3) are
  wall-clock, so they divide by the modelled goodput.
- "as run" rows pin the software the run actually used: 2021-22 Megatron and
  DeepSpeed kernels (no FlashAttention, no sequence parallelism), full
  recomputation and, for DeepSpeed's pipeline engine (BLOOM, MT-NLG), no
  interleaving; "planner" rows give only what a planner would (model, count,
  batch, tensor and pipeline degrees) and let the model pick the rest with
  today's defaults.
- The LLaMA-1 and Llama 2 GPU counts are not published except LLaMA 65B
  (2,048 A100); 2,048 is assumed for all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rackforge.catalog import Catalog, load_catalog
from rackforge.scenario.models import Workload
from rackforge.sizing.training import TrainingEstimate, estimate_training

Row = tuple[str, str, float, float]
SECONDS_PER_HOUR = 3600.0
A100_2021 = {"training_flash_attention": 0.0, "training_sequence_parallel": 0.0, "training_pipeline_balance": 0.0}
DEEPSPEED_2021 = {**A100_2021, "training_max_interleave": 1.0}

MEGATRON_TABLE1 = [
    (1.7, 24, 2304, 24, 1, 1, 32, 512, 137), (3.6, 32, 3072, 30, 2, 1, 64, 512, 138),
    (7.5, 32, 4096, 36, 4, 1, 128, 512, 142), (18.4, 48, 6144, 40, 8, 1, 256, 1024, 135),
    (39.1, 64, 8192, 48, 8, 2, 512, 1536, 138), (76.1, 80, 10240, 60, 8, 4, 1024, 1792, 140),
    (145.6, 96, 12288, 80, 8, 8, 1536, 2304, 148), (310.1, 128, 16384, 96, 8, 16, 1920, 2160, 155),
    (529.6, 128, 20480, 105, 8, 35, 2520, 2520, 163), (1008.0, 160, 25600, 128, 8, 64, 3072, 3072, 163),
]  # fmt: skip
"""(params B, heads, hidden, layers, TP, PP, GPUs, batch, TFLOP/s per GPU), sizing-methods B5."""

LLAMA = [
    ("LLaMA-1 7B", 6.7e9, 32, 4096, 32, 32, 11008, 1.0e12, 82_432, 2048),
    ("LLaMA-1 13B", 13.0e9, 40, 5120, 40, 40, 13824, 1.0e12, 135_168, 2048),
    ("LLaMA-1 33B", 32.5e9, 60, 6656, 52, 52, 17920, 1.4e12, 530_432, 2048),
    ("LLaMA-1 65B", 65.2e9, 80, 8192, 64, 64, 22016, 1.4e12, 1_022_362, 2048),
    ("Llama 2 70B", 70e9, 80, 8192, 64, 8, 28672, 2.0e12, 1_720_320, 4096),
]  # fmt: skip
"""(name, params, layers, hidden, heads, KV heads, d_ff, tokens, GPU-hours, sequence), sizing-methods B2/B3."""

KORTHIKANTI_TABLE5 = [
    ("22B", 6144, 64, 48, 8, 1, 8, 4, 4, 1.42, 1.10), ("175B", 12288, 96, 96, 8, 8, 64, 64, 1, 18.13, 13.75),
    ("530B", 20480, 128, 105, 8, 35, 280, 280, 1, 49.05, 37.83), ("1T", 25600, 160, 128, 8, 64, 512, 512, 1, 94.42, 71.49),
]  # fmt: skip
"""(model, hidden, heads, layers, TP, PP, GPUs, batch, microbatch, full-recompute s, seq-par+selective s)."""


JEAN_ZAY = [
    {"id": "dgx-a100", "scale_out_ports": 4, "scale_out_gbps": 100, "source": "Jean Zay: 4 x 100 Gb/s Omni-Path"}
]
P4D_SYSTEM = [{"id": "dgx-a100", "scale_out_ports": 4, "scale_out_gbps": 100, "source": "AWS p4d: 4 x 100 Gb/s EFA"}]
A100_40GB = [{"id": "a100-sxm", "hbm_gb": 40, "hbm_tbps": 1.555, "source": "A100 SXM4 40GB datasheet"}]

BLOOM: dict[str, Any] = {
    "model": {"parameters": 176.2e9, "layers": 70, "d_model": 14336, "heads": 112, "seq_len": 2048, "vocab": 250880},
    "tokens": 366e9, "batch_tokens": 2048 * 2048, "parallelism": {"tensor": 4, "pipeline": 12},
}  # fmt: skip
OPT: dict[str, Any] = {
    "model": {"parameters": 175e9, "layers": 96, "d_model": 12288, "heads": 96, "seq_len": 2048, "vocab": 50272},
    "tokens": 180e9, "batch_tokens": 2**21, "parallelism": {"tensor": 8},
}  # fmt: skip
MT_NLG: dict[str, Any] = {
    "model": {"parameters": 530e9, "layers": 105, "d_model": 20480, "heads": 128, "seq_len": 2048, "vocab": 51200},
    "tokens": 270e9, "batch_tokens": 1920 * 2048, "parallelism": {"tensor": 8, "pipeline": 35},
}  # fmt: skip
GPT3: dict[str, Any] = {
    "model": {"parameters": 174.6e9, "layers": 96, "d_model": 12288, "heads": 96, "seq_len": 2048, "vocab": 51200},
    "tokens": 300e9, "batch_tokens": 1536 * 2048, "parallelism": {"tensor": 8},
}  # fmt: skip
FALCON: dict[str, Any] = {
    "model": {"parameters": 180e9, "layers": 80, "d_model": 14848, "heads": 232, "kv_heads": 8, "d_ff": 59392,
              "seq_len": 2048, "vocab": 65024},
    "tokens": 3.5e12, "batch_tokens": 2048 * 2048, "parallelism": {"tensor": 8, "pipeline": 8},
}  # fmt: skip
LLAMA3_405B: dict[str, Any] = {
    "model": {"parameters": 405e9, "layers": 126, "d_model": 16384, "heads": 128, "kv_heads": 8, "d_ff": 53248,
              "gated_mlp": True, "seq_len": 8192, "vocab": 128256},
    "accelerator": "h100-sxm", "tokens": 15.6e12, "batch_tokens": 16 * 2**20, "parallelism": {"tensor": 8, "pipeline": 16},
}  # fmt: skip
NEMOTRON4_340B: dict[str, Any] = {
    "model": {"parameters": 341e9, "layers": 96, "d_model": 18432, "heads": 96, "kv_heads": 8, "d_ff": 73728,
              "seq_len": 4096, "vocab": 256000},
    "accelerator": "h100-sxm", "tokens": 9e12, "batch_tokens": 2304 * 4096, "parallelism": {"tensor": 8, "pipeline": 12},
}  # fmt: skip


def catalog_with(parameters: Mapping[str, float] | None = None, **records: list[dict[str, Any]]) -> Catalog:
    """The built-in catalog with parameter values and item fields overridden."""
    extensions: dict[str, list[dict[str, Any]]] = dict(records)
    if parameters:
        extensions["parameters"] = [
            {"id": k, "value": v, "unit": "flag", "source": "validation: software of the run", "confidence": "P"}
            for k, v in parameters.items()
        ]
    return load_catalog(extensions)


def workload(**fields: Any) -> Workload:
    """A training workload with validation defaults (A100, one site)."""
    base: dict[str, Any] = {"name": "v", "type": "training", "accelerator": "a100-sxm", "site": "s", "tokens": 1e12}
    return Workload.model_validate({**base, **fields})


def megatron_tflops(w: Workload, e: TrainingEstimate, n: int) -> float:
    """Megatron-LM's TFLOP/s per GPU (Eq. 3) of the predicted step."""
    m = w.model
    s, layers, h, vocab = m.seq_len or 0, m.layers or 0, m.d_model or 0, m.vocab or 0
    sequences = e.batch_tokens / s
    if e.layout.recompute == "full":
        flops = 96 * sequences * s * layers * h * h * (1 + s / (6 * h) + vocab / (16 * layers * h))
    else:
        flops = 72 * sequences * s * layers * h * h * (1 + s / (6 * h) + vocab / (12 * layers * h))
    return flops / e.step_time_s / n / 1e12


def gpu_hours(w: Workload, e: TrainingEstimate, n: int, goodput: bool) -> float:
    """Accelerator-hours to train ``w.tokens`` tokens (wall clock when ``goodput``)."""
    assert w.tokens is not None
    return n * w.tokens / e.tokens_per_second / (e.goodput if goodput else 1.0) / SECONDS_PER_HOUR


def gpt_shape(params: float, heads: int, hidden: int, layers: int) -> dict[str, Any]:
    """A GPT-3-style model (4h MLP) of the Megatron papers: sequence 2,048, vocabulary 51,200."""
    return {"parameters": params, "layers": layers, "d_model": hidden, "heads": heads, "seq_len": 2048, "vocab": 51200}


def calibration_rows() -> list[Row]:
    """Megatron-LM Table 1 (2021 kernels), LLaMA-1 / Llama 2 GPU-hours, GPT-3 FLOPs and the 34-day arithmetic."""
    old, new = catalog_with(A100_2021), load_catalog()
    rows: list[Row] = []
    for params, heads, h, layers, t, p, n, batch, published in MEGATRON_TABLE1:
        par = {"tensor": t, "pipeline": p, "recompute": "full"}
        w = workload(model=gpt_shape(params * 1e9, heads, h, layers), batch_tokens=batch * 2048, parallelism=par)
        tflops = megatron_tflops(w, estimate_training(w, old, n), n)
        rows.append((f"Megatron-LM Table 1 {params:g}B, {n} A100", "TFLOP/s/GPU (HFU)", published, tflops))
    for name, params, layers, h, heads, kv, ff, tokens, published, seq in LLAMA:
        shape = {"parameters": params, "layers": layers, "d_model": h, "heads": heads, "kv_heads": kv, "d_ff": ff,
                 "gated_mlp": True, "seq_len": seq, "vocab": 32000}  # fmt: skip
        w = workload(model=shape, tokens=tokens, batch_tokens=4 * 2**20)
        hours = gpu_hours(w, estimate_training(w, new, 2048), 2048, False)
        rows.append((f"{name}, 2048 A100", "GPU-hours", published, hours))
    flops = 6 * 174.6e9 * 300e9
    days = flops * 8 / 6 / (1024 * 140e12) / 86400
    rows.append(("GPT-3 175B, 300B tokens", "training FLOPs", 3.14e23, flops))
    rows.append(("Megatron GPT-3 175B, 1024 A100 at 140 TFLOP/s", "days", 34.0, days))
    return rows


def korthikanti_rows() -> list[Row]:
    """Korthikanti et al. 2022 Table 5 iteration times (A100, 2022 Megatron kernels)."""
    rows: list[Row] = []
    for name, h, heads, layers, t, p, n, batch, m, full, selective in KORTHIKANTI_TABLE5:
        shape = gpt_shape(12 * layers * h * h + 2 * 51200 * h, heads, h, layers)
        for mode, published, sp in (("full", full, 0.0), ("selective", selective, 1.0)):
            cat = catalog_with({"training_flash_attention": 0.0, "training_sequence_parallel": sp})
            par = {"tensor": t, "pipeline": p, "microbatch": m, "recompute": mode}
            e = estimate_training(workload(model=shape, batch_tokens=batch * 2048, parallelism=par), cat, n)
            label = "full recompute" if mode == "full" else "seq-par + selective"
            rows.append((f"hold-out Korthikanti T5 {name} {label}, {n} A100", "step s", published, e.step_time_s))
    return rows


Metric = Callable[[Workload, TrainingEstimate, int], float]


def wall_clock_hours(w: Workload, e: TrainingEstimate, n: int) -> float:
    """GPU-hours including the modelled goodput."""
    return gpu_hours(w, e, n, True)


def step_seconds(w: Workload, e: TrainingEstimate, n: int) -> float:
    """The predicted step time (s)."""
    return e.step_time_s


def _pair(name: str, metric: str, published: float, run: dict[str, Any], n: int, cats: tuple[Catalog, Catalog],
          value: Metric) -> list[Row]:  # fmt: skip
    """Two rows: the run's own software with full recomputation ("as run"), then the planner's defaults."""
    rows: list[Row] = []
    for label, catalog, extra in (("as run", cats[0], {"recompute": "full"}), ("planner", cats[1], {})):
        w = workload(**{**run, "parallelism": {**run["parallelism"], **extra}})
        rows.append((f"hold-out {name} ({label})", metric, published, value(w, estimate_training(w, catalog, n), n)))
    return rows


def a100_era_rows() -> list[Row]:
    """BLOOM, OPT, MT-NLG and Megatron GPT-3: 2021-22 A100 runs with full recomputation."""
    new = load_catalog()
    megatron, deepspeed = (catalog_with(A100_2021), new), (catalog_with(DEEPSPEED_2021), new)
    jean_zay = (catalog_with(DEEPSPEED_2021, systems=JEAN_ZAY), catalog_with(systems=JEAN_ZAY))
    rows = _pair("BLOOM-176B, 384 A100", "GPU-hours", 1_082_990, BLOOM, 384, jean_zay, wall_clock_hours)
    rows += _pair("BLOOM-176B, 384 A100", "TFLOP/s/GPU (HFU)", 150, BLOOM, 384, jean_zay, megatron_tflops)
    rows += _pair("OPT-175B, 992 A100", "TFLOP/s/GPU (HFU)", 147, OPT, 992, megatron, megatron_tflops)
    for n, published in ((2240, 60.1), (2800, 50.2), (3360, 44.4)):
        rows += _pair(f"MT-NLG 530B, {n} A100", "step s", published, MT_NLG, n, deepspeed, step_seconds)
    rows += _pair("Megatron GPT-3 175B, 1024 A100", "TFLOP/s/GPU (HFU)", 140, GPT3, 1024, megatron, megatron_tflops)
    return rows


def modern_rows() -> list[Row]:
    """Falcon-180B (A100 40GB on AWS), Llama 3 405B and Nemotron-4 340B (H100): FlashAttention-era runs."""
    cat, p4d = load_catalog(), catalog_with(accelerators=A100_40GB, systems=P4D_SYSTEM)
    falcon, llama3, nemotron = workload(**FALCON), workload(**LLAMA3_405B), workload(**NEMOTRON4_340B)
    e16, e8 = estimate_training(llama3, cat, 16384), estimate_training(llama3, cat, 8192)
    falcon_hours = wall_clock_hours(falcon, estimate_training(falcon, p4d, 4096), 4096)
    return [
        ("hold-out Falcon-180B, 4096 A100-40GB", "GPU-hours", 7.0e6, falcon_hours),
        ("hold-out Llama 3 405B, 16384 H100", "GPU-hours", 30.84e6, wall_clock_hours(llama3, e16, 16384)),
        ("hold-out Llama 3 405B, 16384 H100", "TFLOP/s/GPU (MFU)", 400, e16.mfu * 989.4),
        ("hold-out Llama 3 405B, 8192 H100", "TFLOP/s/GPU (MFU)", 430, e8.mfu * 989.4),
        ("consistency Llama 3 405B, 16384 H100 (λ from the same paper)", "goodput", 0.90, e16.goodput),
        ("hold-out Nemotron-4 340B, 6144 H100", "step s", 8.0, estimate_training(nemotron, cat, 6144).step_time_s),
    ]


def rows() -> list[Row]:
    """Calibration rows first, then every hold-out."""
    return calibration_rows() + korthikanti_rows() + a100_era_rows() + modern_rows()


def main() -> None:
    table = rows()
    width = max(len(r[0]) for r in table)
    print(f"{'case':<{width}}  {'metric':<20} {'published':>12} {'predicted':>12} {'error':>8}")
    for case, metric, published, predicted in table:
        print(
            f"{case:<{width}}  {metric:<20} {published:>12,.4g} {predicted:>12,.4g} {predicted / published - 1:>+8.1%}"
        )


if __name__ == "__main__":
    main()
