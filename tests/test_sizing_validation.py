"""Every calibration case of the validation table within its target (issue targets).

Fabric counts exact; training days within 3 % when MFU and goodput are given;
modelled GPU-hours and throughputs within 20 %; inference within 30 %. Rows
labelled hold-out are reported by the benchmark and not held here.
"""

from __future__ import annotations

import pytest
from benchmarks.sizing_validation import fabric_rows
from benchmarks.validation_inference import FP4_CALIBRATION
from benchmarks.validation_inference import rows as inference_rows
from benchmarks.validation_moe import rows as moe_rows
from benchmarks.validation_training import rows as training_rows


def error(published: float, predicted: float) -> float:
    return abs(predicted / published - 1.0)


def test_fabric_rows_are_exact() -> None:
    rows = fabric_rows()
    assert len(rows) == 4 * 4 + 5 * 4 + 2
    assert [r for r in rows if r[2] != r[3]] == []


@pytest.fixture(scope="module")
def training():
    return [r for r in training_rows() if not r[0].startswith(("hold-out", "consistency"))]


def test_training_reference_rows_within_20_percent(training) -> None:
    assert len(training) >= 17
    assert [(r[0], round(error(r[2], r[3]), 3)) for r in training if error(r[2], r[3]) > 0.20] == []


def test_given_mfu_arithmetic_within_3_percent(training) -> None:
    exact = [r for r in training if r[1] in ("days", "training FLOPs")]
    assert len(exact) == 2
    assert all(error(r[2], r[3]) <= 0.03 for r in exact)


INFERENCE_MISSES = {"Llama-3.1-405B H200x8 server [MLPerf-v5.0 NVIDIA H200-SXM-141GBx8 fp8]"}
"""Rows the model is known to miss by more than 30 % (docs/sizing-inference.md, caveats): a TTFT-bound long-prompt server."""

MLPERF_OUTSIDE_15 = INFERENCE_MISSES | {"Llama-3.1-405B H200x8 offline [MLPerf-v5.0 NVIDIA H200-SXM-141GBx8 fp8]"}
"""MLPerf rows outside 15 % (issue 19 item 4 is open for them): 405B on H200, where prefill of 9,429-token prompts rules."""


def test_inference_rows_within_30_percent() -> None:
    rows = inference_rows()
    assert len(rows) >= 46
    assert {r[0] for r in rows if error(r[2], r[3]) > 0.30} == INFERENCE_MISSES


def test_mlperf_rows_with_their_data_sets_lengths_within_15_percent() -> None:
    """Issue 19 item 4: every MLPerf row, the two 40 ms interactive rows included, within 15 %, but the named ones."""
    mlperf = [r for r in inference_rows() if "MLPerf" in r[0]]
    assert len(mlperf) == 21
    assert sum("interactive" in r[0] for r in mlperf) == 2
    assert {r[0] for r in mlperf if error(r[2], r[3]) > 0.15} == MLPERF_OUTSIDE_15


def _name(row: tuple[str, str, float, float]) -> str:
    return row[0].split(" [")[0]


def test_fp4_calibration_rows_within_5_percent() -> None:
    """The TensorRT-LLM v1.0 rows that set the fp4 derate and the fixed GEMM cost."""
    fp4 = [r for r in inference_rows() if "[TRTLLM-1.0]" in r[0] and _name(r) in FP4_CALIBRATION]
    assert len(fp4) == 5
    assert [(r[0], round(error(r[2], r[3]), 3)) for r in fp4 if error(r[2], r[3]) > 0.05] == []


def test_trtllm_grid_out_of_sample() -> None:
    """The rest of the TensorRT-LLM v1.0 grid: ten model-GPU pairs at nine length pairs each, none fitted on."""
    grid = [r for r in inference_rows() if "[TRTLLM-1.0]" in r[0] and _name(r) not in FP4_CALIBRATION]
    assert len(grid) == 85
    errors = [error(r[2], r[3]) for r in grid]
    assert sum(errors) / len(errors) < 0.07
    assert [(r[0], round(e, 3)) for r, e in zip(grid, errors, strict=True) if e > 0.25] == []


def test_moe_runs_with_their_publications_facts_within_15_percent() -> None:
    rows = moe_rows()
    full = [r for r in rows if r[0].startswith("MoE ")]
    assert len(full) == 11
    assert [(r[0], round(error(r[2], r[3]), 3)) for r in full if error(r[2], r[3]) > 0.15] == []
    assert {r[0].split()[0] for r in rows} == {"MoE", "planner", "partial", "framework"}
