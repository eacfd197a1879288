"""Inference model against published per-GPU serving throughput (output tokens/s per GPU).

Sources (every figure below is transcribed from one of them):

- ``MLPerf-v4.1``: MLCommons Inference v4.1 datacenter, closed division, result
  logs ``mlcommons/inference_results_v4.1`` ``closed/<submitter>/results/<system>/
  <benchmark>/<scenario>/performance/run_1/mlperf_log_summary.txt`` ("Tokens per
  second" offline, "Completed tokens per second" server), divided by the GPUs.
- ``MLPerf-v5.0``: the same for round v5.0, read from the public mirror
  ``ntuhpc/mlperf_inference_results_v5.0`` (same paths). Blackwell rows run
  NVFP4 weights with an FP8 KV cache (NVIDIA's Blackwell submissions; the
  system description was not in the mirror).
- ``TRTLLM-0.17``: NVIDIA TensorRT-LLM ``docs/source/performance/perf-overview.md``
  at commit 258c754 ("generated using version 0.17"; trtllm-bench, offline,
  in-flight batching, FP8 weights and KV cache, fixed ISL/OSL), total output
  tokens/s of the TP group divided by TP.
- ``TRTLLM-1.0``: the same document at commit 00f3768 (v1.0, PyTorch backend;
  B200/GB200 run NVFP4 checkpoints, Hopper FP8): its whole grid of dense
  models, nine length pairs each (``TRTLLM_1_0_GRID``).

MLPerf conditions: Llama-2-70B on OpenOrca (24,576 samples, inputs up to 1,024
tokens; 270-293 output tokens per sample = tokens/s ÷ samples/s in the logs);
server scenario TTFT ≤ 2 s and TPOT ≤ 200 ms at the 99th percentile, the
v5.0 interactive scenario TTFT ≤ 450 ms and TPOT ≤ 40 ms
(``mlcommons/inference`` ``loadgen/mlperf.conf``). Mixtral-8x7B on
OpenOrca+GSM8K+MBXP, 146 output tokens per sample, same latency limits.
Llama-3.1-405B (v5.0): 657 output tokens per sample, TTFT ≤ 6 s and TPOT ≤
175 ms in the server scenario. Every MLPerf row is given its data set's own
mean prompt (``MLPERF_PROMPT_TOKENS``).

Which round: each system's rows come from one round, v4.1 for every system
that was in it (the last round before Blackwell) and v5.0 for what v4.1
lacks (DGX B200 x8, GB200, Llama-3.1-405B and the interactive scenario, new
in v5.0). The same Hopper systems ran 12-44 % faster per GPU in v5.0 than in
v4.1 on the same hardware; no one software level can sit within 15 % of
both (H100 server: 2,701 and 3,888 tokens/s per GPU), so those v5.0 rows
are printed apart (``NEXT_ROUND``) and not held to the target.
"""

from __future__ import annotations

from dataclasses import dataclass

from rackforge.catalog import Catalog, load_catalog
from rackforge.scenario.models import ModelShape
from rackforge.sizing.inference import Request, estimate_serving

MLPERF_PROMPT_TOKENS = {"llama2-70b": 222.3, "mixtral-8x7b": 427.4, "llama3-405b": 9428.6}
"""Mean prompt of each MLPerf data set (tokens): the means of the per-sample input lengths of the official
dataset files (Llama-2-70B OpenOrca 24,576 samples, Mixtral-8x7B 15,000, Llama-3.1-405B 8,313), as extracted
by openshift-psap/performance-dashboard mlperf-data/summaries (whose output means match the MLPerf READMEs'
reference 144.84 and 684.68 tokens per sample)."""

MODELS: dict[str, ModelShape] = {
    "llama2-70b": ModelShape(parameters=68.98e9, layers=80, d_model=8192, heads=64, kv_heads=8, vocab=32000,
                             d_ff=28672, gated_mlp=True),
    "llama3-70b": ModelShape(parameters=70.55e9, layers=80, d_model=8192, heads=64, kv_heads=8, vocab=128256,
                             d_ff=28672, gated_mlp=True),
    "llama3-405b": ModelShape(parameters=405.85e9, layers=126, d_model=16384, heads=128, kv_heads=8,
                              vocab=128256, d_ff=53248, gated_mlp=True),
    "llama3-8b": ModelShape(parameters=8.03e9, layers=32, d_model=4096, heads=32, kv_heads=8, vocab=128256,
                            d_ff=14336, gated_mlp=True),
    "mixtral-8x7b": ModelShape(parameters=46.7e9, active_parameters=12.9e9, layers=32, d_model=4096, heads=32,
                               kv_heads=8, vocab=32000, d_ff=14336, gated_mlp=True, experts=8, experts_per_token=2),
    "mixtral-8x22b": ModelShape(parameters=140.6e9, active_parameters=39.1e9, layers=56, d_model=6144, heads=48,
                                kv_heads=8, vocab=32768, d_ff=16384, gated_mlp=True, experts=8, experts_per_token=2),
}  # fmt: skip


@dataclass(frozen=True)
class Case:
    """One published throughput with the conditions it was measured under."""

    name: str
    source: str
    model: str
    system: str
    precision: str
    prompt_tokens: float
    output_tokens: float
    published_per_gpu: float
    tpot_ms: float | None = None
    ttft_ms: float | None = None
    tensor_parallel: int | None = None


SERVER = {"llama2-70b": (200.0, 2000.0), "mixtral-8x7b": (200.0, 2000.0), "llama3-405b": (175.0, 6000.0)}
"""p99 (TPOT, TTFT) limits of the MLPerf server scenario, ms (loadgen ``mlperf.conf``)."""
INTERACTIVE = (40.0, 450.0)
"""p99 (TPOT, TTFT) limits of the Llama-2-70B interactive scenario (v5.0), ms."""


def _mlperf(name: str, source: str, model: str, system: str, precision: str, output: float, total: float,
            gpus: int, limits: tuple[float, float] | None = None) -> Case:  # fmt: skip
    prompt = MLPERF_PROMPT_TOKENS[model]
    tpot, ttft = limits if limits is not None else (None, None)
    return Case(name, source, model, system, precision, prompt, output, total / gpus, tpot_ms=tpot, ttft_ms=ttft)


def _trt(name: str, source: str, model: str, system: str, precision: str, isl: float, osl: float, total: float,
         tp: int) -> Case:  # fmt: skip
    return Case(name, source, model, system, precision, isl, osl, total / tp, tensor_parallel=tp)


GRID_LENGTHS = ((128, 2048), (128, 4096), (500, 2000), (1000, 1000), (1000, 2000), (2048, 128), (2048, 2048),
                (5000, 500), (20000, 2000))  # fmt: skip
"""Input/output lengths (tokens) of the TensorRT-LLM v1.0 perf-overview grid, in its row order."""

TRTLLM_1_0_GRID: dict[tuple[str, str, str, str, str, int], tuple[float, ...]] = {
    ("Llama-3.3-70B", "llama3-70b", "B200", "dgx-b200", "fp4", 1): (9922, 6831, 7762, 7007, 6271, 1339, 4783, 1459, 665),
    ("Llama-3.3-70B", "llama3-70b", "GB200", "gb200-nvl72", "fp4", 1): (11309, 7849, 9028, 7326, 6513, 1450, 5646, 1602,
                                                                        755),
    ("Llama-3.3-70B", "llama3-70b", "H200", "dgx-h200", "fp8", 1): (4336, 2872, 3666, 2909, 2994, 442, 2003, 566, 283),
    ("Llama-3.3-70B", "llama3-70b", "H100", "dgx-h100", "fp8", 2): (6651, 4199, 5222, 4205, 4146, 762, 3082, 898, 437),
    ("Llama-3.1-405B", "llama3-405b", "B200", "dgx-b200", "fp4", 4): (8020, 6345, 6244, 5209, 4933, 749, 4212, 1048,
                                                                      672),
    ("Llama-3.1-405B", "llama3-405b", "GB200", "gb200-nvl72", "fp4", 4): (8151, 6608, 6540, 5389, 5135, 797, 4407, 1112,
                                                                          739),
    ("Llama-3.1-405B", "llama3-405b", "H200", "dgx-h200", "fp8", 8): (5348, 4741, 4724, 3330, 3722, 456, 2948, 650, 505),
    ("Llama-3.1-405B", "llama3-405b", "H100", "dgx-h100", "fp8", 8): (4340, 3116, 3994, 2919, 2895, 453, 2296, 610, 345),
    ("Llama-3.1-8B", "llama3-8b", "H200", "dgx-h200", "fp8", 1): (26221, 18027, 20770, 17744, 16828, 3538, 12194, 3902,
                                                                  1804),
    ("Llama-3.1-8B", "llama3-8b", "H100", "dgx-h100", "fp8", 1): (22714, 14325, 17660, 15220, 13899, 3450, 9305, 3459,
                                                                  1351),
}  # fmt: skip
"""Total output tokens/s of each TP group in the TensorRT-LLM v1.0 perf-overview tables, one value per length pair.

Keys: (label, model, GPU label, system, weight precision, TP). Every dense model of the tables is here; the MoE
models (Llama 4, Qwen3, DeepSeek-R1) run expert and attention data parallelism, which this model does not
represent. Five of these rows set the fp4 parameters (``FP4_CALIBRATION``); the rest are out of sample."""

FP4_CALIBRATION = frozenset(
    {"Llama-3.3-70B B200 TP1 1000/1000", "Llama-3.3-70B GB200 TP1 1000/1000", "Llama-3.3-70B B200 TP1 2048/128",
     "Llama-3.1-405B B200 TP4 1000/1000", "Llama-3.1-405B GB200 TP4 1000/1000"}
)  # fmt: skip
"""The TensorRT-LLM v1.0 rows ``inference_fp4_flops_derate`` and ``inference_fp4_gemm_fixed_rows`` were set on."""


def _grid() -> tuple[Case, ...]:
    """One case per cell of :data:`TRTLLM_1_0_GRID`."""
    return tuple(
        _trt(f"{label} {gpu} TP{tp} {isl}/{osl}", "TRTLLM-1.0", model, system, precision, isl, osl, total, tp)
        for (label, model, gpu, system, precision, tp), totals in TRTLLM_1_0_GRID.items()
        for (isl, osl), total in zip(GRID_LENGTHS, totals, strict=True)
    )


CASES: tuple[Case, ...] = (
    _mlperf("Llama-2-70B H100x8 offline", "MLPerf-v4.1 NVIDIA DGX-H100 fp8", "llama2-70b", "dgx-h100", "fp8",
            290.3, 24524.9, 8),
    _mlperf("Llama-2-70B H100x8 server", "MLPerf-v4.1 NVIDIA DGX-H100 fp8", "llama2-70b", "dgx-h100", "fp8",
            290.3, 21605.79, 8, SERVER["llama2-70b"]),
    _mlperf("Llama-2-70B H200x8 offline", "MLPerf-v4.1 NVIDIA H200-SXM-141GBx8 fp8", "llama2-70b", "dgx-h200",
            "fp8", 291.25, 31302.7, 8),
    _mlperf("Llama-2-70B H200x8 server", "MLPerf-v4.1 NVIDIA H200-SXM-141GBx8 fp8", "llama2-70b", "dgx-h200",
            "fp8", 291.26, 29228.22, 8, SERVER["llama2-70b"]),
    _mlperf("Llama-2-70B H200x8 interactive", "MLPerf-v5.0 NVIDIA H200-SXM-141GBx8 fp8", "llama2-70b",
            "dgx-h200", "fp8", 292.09, 19424.25, 8, INTERACTIVE),
    _mlperf("Llama-2-70B MI300Xx8 offline", "MLPerf-v4.1 AMD 8xMI300X fp8", "llama2-70b", "mi300x-oam-8", "fp8",
            293.4, 23514.8, 8),
    _mlperf("Llama-2-70B MI300Xx8 server", "MLPerf-v4.1 AMD 8xMI300X fp8", "llama2-70b", "mi300x-oam-8", "fp8",
            293.1, 21028.23, 8, SERVER["llama2-70b"]),
    _mlperf("Llama-2-70B MI300Xx1 offline", "MLPerf-v4.1 AMD 1xMI300X fp8", "llama2-70b", "mi300x-oam-8", "fp8",
            293.2, 3062.72, 1),
    _mlperf("Llama-2-70B B200x1 offline", "MLPerf-v4.1 NVIDIA B200-SXM-180GBx1 fp4", "llama2-70b", "dgx-b200",
            "fp4", 274.0, 11264.4, 1),
    _mlperf("Llama-2-70B B200x1 server", "MLPerf-v4.1 NVIDIA B200-SXM-180GBx1 fp4", "llama2-70b", "dgx-b200",
            "fp4", 274.0, 10755.59, 1, SERVER["llama2-70b"]),
    _mlperf("Llama-2-70B B200x8 offline", "MLPerf-v5.0 NVIDIA B200-SXM-180GBx8 fp4", "llama2-70b", "dgx-b200",
            "fp4", 271.7, 98858, 8),
    _mlperf("Llama-2-70B B200x8 interactive", "MLPerf-v5.0 NVIDIA B200-SXM-180GBx8 fp4", "llama2-70b",
            "dgx-b200", "fp4", 272.6, 59409.25, 8, INTERACTIVE),
    _mlperf("Llama-3.1-405B B200x8 offline", "MLPerf-v5.0 NVIDIA B200-SXM-180GBx8 fp4", "llama3-405b", "dgx-b200",
            "fp4", 656.9, 1526.29, 8),
    _mlperf("Llama-3.1-405B B200x8 server", "MLPerf-v5.0 NVIDIA B200-SXM-180GBx8 fp4", "llama3-405b", "dgx-b200",
            "fp4", 655.7, 845.82, 8, SERVER["llama3-405b"]),
    _mlperf("Llama-3.1-405B H200x8 offline", "MLPerf-v5.0 NVIDIA H200-SXM-141GBx8 fp8", "llama3-405b", "dgx-h200",
            "fp8", 649.4, 560.651, 8),
    _mlperf("Llama-3.1-405B H200x8 server", "MLPerf-v5.0 NVIDIA H200-SXM-141GBx8 fp8", "llama3-405b", "dgx-h200",
            "fp8", 647.5, 291.37, 8, SERVER["llama3-405b"]),
    _mlperf("Llama-3.1-405B GB200-NVL72 offline", "MLPerf-v5.0 NVIDIA GB200-NVL72 fp4", "llama3-405b",
            "gb200-nvl72", "fp4", 655.8, 13886.4, 72),
    _mlperf("Mixtral-8x7B H100x8 offline", "MLPerf-v4.1 NVIDIA DGX-H100 fp8", "mixtral-8x7b", "dgx-h100", "fp8",
            145.9, 52415.9, 8),
    _mlperf("Mixtral-8x7B H100x8 server", "MLPerf-v4.1 NVIDIA DGX-H100 fp8", "mixtral-8x7b", "dgx-h100", "fp8",
            145.9, 50795.57, 8, SERVER["mixtral-8x7b"]),
    _mlperf("Mixtral-8x7B H200x8 offline", "MLPerf-v4.1 NVIDIA H200-SXM-141GBx8 fp8", "mixtral-8x7b", "dgx-h200",
            "fp8", 145.94, 59022.3, 8),
    _mlperf("Mixtral-8x7B H200x8 server", "MLPerf-v4.1 NVIDIA H200-SXM-141GBx8 fp8", "mixtral-8x7b", "dgx-h200",
            "fp8", 145.94, 57177.2, 8, SERVER["mixtral-8x7b"]),
    _trt("Llama-3.1-8B H100 TP1 128/128", "TRTLLM-0.17", "llama3-8b", "dgx-h100", "fp8", 128, 128, 28836.77, 1),
    _trt("Llama-3.1-8B H200 TP1 1000/1000", "TRTLLM-0.17", "llama3-8b", "dgx-h200", "fp8", 1000, 1000, 17537.96, 1),
    _trt("Llama-3.1-8B H100 TP1 2048/2048", "TRTLLM-0.17", "llama3-8b", "dgx-h100", "fp8", 2048, 2048, 9488.42, 1),
    _trt("Llama-3.1-70B H200 TP1 1000/1000", "TRTLLM-0.17", "llama3-70b", "dgx-h200", "fp8", 1000, 1000, 2823.45, 1),
    _trt("Llama-3.1-70B H200 TP1 128/2048", "TRTLLM-0.17", "llama3-70b", "dgx-h200", "fp8", 128, 2048, 4165.68, 1),
    _trt("Llama-3.1-70B H200 TP1 2048/128", "TRTLLM-0.17", "llama3-70b", "dgx-h200", "fp8", 2048, 128, 465.99, 1),
    _trt("Llama-3.1-70B H200 TP1 5000/500", "TRTLLM-0.17", "llama3-70b", "dgx-h200", "fp8", 5000, 500, 560.16, 1),
    _trt("Llama-3.1-70B H100 TP2 1000/1000", "TRTLLM-0.17", "llama3-70b", "dgx-h100", "fp8", 1000, 1000, 4390.53, 2),
    _trt("Llama-3.1-70B H100 TP2 500/2000", "TRTLLM-0.17", "llama3-70b", "dgx-h100", "fp8", 500, 2000, 4972.57, 2),
    _trt("Llama-3.1-70B H100 TP2 2048/2048", "TRTLLM-0.17", "llama3-70b", "dgx-h100", "fp8", 2048, 2048, 2898.16, 2),
    _trt("Llama-3.1-405B H200 TP8 1000/1000", "TRTLLM-0.17", "llama3-405b", "dgx-h200", "fp8", 1000, 1000, 3399.69,
         8),
    _trt("Llama-3.1-405B H200 TP8 128/2048", "TRTLLM-0.17", "llama3-405b", "dgx-h200", "fp8", 128, 2048, 5938.09, 8),
    _trt("Mixtral-8x7B H200 TP1 1000/1000", "TRTLLM-0.17", "mixtral-8x7b", "dgx-h200", "fp8", 1000, 1000, 10371.36,
         1),
    _trt("Mixtral-8x7B H100 TP2 1000/1000", "TRTLLM-0.17", "mixtral-8x7b", "dgx-h100", "fp8", 1000, 1000, 15770.89,
         2),
    _trt("Mixtral-8x22B H100 TP8 1000/1000", "TRTLLM-0.17", "mixtral-8x22b", "dgx-h100", "fp8", 1000, 1000,
         16573.24, 8),
    _trt("Llama-3.1-8B A100 TP1 1000/1000", "TRTLLM-0.17 (fp16)", "llama3-8b", "dgx-a100", "bf16", 1000, 1000,
         3786.83, 1),
    _trt("Llama-3.1-70B A100 TP4 1000/1000", "TRTLLM-0.17 (fp16)", "llama3-70b", "dgx-a100", "bf16", 1000, 1000,
         1921.77, 4),
    _trt("Llama-3.1-70B A100 TP8 2048/2048", "TRTLLM-0.17 (fp16)", "llama3-70b", "dgx-a100", "bf16", 2048, 2048,
         2553.71, 8),
    _trt("Mixtral-8x7B A100 TP4 1000/1000", "TRTLLM-0.17 (fp16)", "mixtral-8x7b", "dgx-a100", "bf16", 1000, 1000,
         7122.84, 4),
    *_grid(),
)  # fmt: skip


NEXT_ROUND: tuple[Case, ...] = (
    _mlperf("Llama-2-70B H100x8 offline", "MLPerf-v5.0 NVIDIA DGX-H100 fp8", "llama2-70b", "dgx-h100", "fp8",
            291.89, 31306.8, 8),
    _mlperf("Llama-2-70B H100x8 server", "MLPerf-v5.0 NVIDIA DGX-H100 fp8 (99.9 % run)", "llama2-70b",
            "dgx-h100", "fp8", 292.87, 31106.28, 8, SERVER["llama2-70b"]),
    _mlperf("Llama-2-70B H200x8 offline", "MLPerf-v5.0 NVIDIA H200-SXM-141GBx8 fp8", "llama2-70b", "dgx-h200",
            "fp8", 291.55, 34988.2, 8),
    _mlperf("Llama-2-70B H200x8 server", "MLPerf-v5.0 NVIDIA H200-SXM-141GBx8 fp8 (99.9 % run)",
            "llama2-70b", "dgx-h200", "fp8", 292.56, 33071.46, 8, SERVER["llama2-70b"]),
)  # fmt: skip
"""The v4.1 Hopper systems' Llama-2-70B rows in round v5.0 (newer software, same hardware), reported apart."""


def predict(case: Case, catalog: Catalog) -> float:
    """Predicted output tokens/s per GPU for ``case`` (the replica is chosen by the model)."""
    request = Request(
        prompt_tokens=case.prompt_tokens, output_tokens=case.output_tokens,
        tpot_s=case.tpot_ms / 1e3 if case.tpot_ms else None, ttft_s=case.ttft_ms / 1e3 if case.ttft_ms else None,
    )  # fmt: skip
    system = catalog.systems[case.system]
    estimate = estimate_serving(MODELS[case.model], case.precision, system, request, catalog, (), case.tensor_parallel)
    return estimate.tokens_per_second_per_accelerator


def rows(catalog: Catalog | None = None, cases: tuple[Case, ...] = CASES) -> list[tuple[str, str, float, float]]:
    """``(case, metric, published, predicted)`` for every published figure used (or for ``cases``)."""
    cat = catalog or load_catalog()
    metric = "output tokens/s per GPU"
    return [(f"{c.name} [{c.source}]", metric, c.published_per_gpu, predict(c, cat)) for c in cases]


def _print(table: list[tuple[str, str, float, float]]) -> None:
    """One table with the relative error of each row and the mean absolute error."""
    print(f"{'case':<80} {'published':>10} {'predicted':>10} {'error':>8}")
    errors = []
    for case, _, published, predicted in table:
        error = predicted / published - 1.0
        errors.append(abs(error))
        print(f"{case:<80} {published:>10,.0f} {predicted:>10,.0f} {error:>+8.1%}")
    print(f"mean |error| {sum(errors) / len(errors):.1%}, max {max(errors):.1%}, n = {len(errors)}")


def main() -> None:
    """Print the validation rows, then the next round's Hopper rows apart."""
    _print(rows())
    print("\nSame Hopper systems, round v5.0 software (not held to the target; see the module docstring):")
    _print(rows(cases=NEXT_ROUND))


if __name__ == "__main__":
    main()
