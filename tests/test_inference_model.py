"""Inference sizing: KV cache, roofline, batch choice, errors, and published per-GPU throughput."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import statistics
import time
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rackforge.catalog import load_catalog
from rackforge.errors import InputError
from rackforge.scenario import Scenario
from rackforge.scenario.models import ModelShape, Workload
from rackforge.sizing.inference import Request, estimate_inference, fleet_accelerators, profile_lengths
from rackforge.sizing.inference.batch import best_point, curve
from rackforge.sizing.inference.device import device_of
from rackforge.sizing.inference.kvcache import kv_bytes_per_token, replicated_kv_bytes_per_token
from rackforge.sizing.inference.params import InferenceParams
from rackforge.sizing.inference.replica import build_replica
from rackforge.sizing.inference.roofline import decode_times, lone_prefill_s, prefill_s, weight_bytes_read
from rackforge.sizing.inference.shape import resolve_dims

LLAMA3_70B = {"parameters": 70.55e9, "layers": 80, "d_model": 8192, "heads": 64, "kv_heads": 8}
LLAMA3_405B = {"parameters": 405.85e9, "layers": 126, "d_model": 16384, "heads": 128, "kv_heads": 8}
LLAMA2_70B = {"parameters": 68.98e9, "layers": 80, "d_model": 8192, "heads": 64, "kv_heads": 8}
LLAMA3_8B = {"parameters": 8.03e9, "layers": 32, "d_model": 4096, "heads": 32, "kv_heads": 8}
MIXTRAL = {"parameters": 46.7e9, "active_parameters": 12.9e9, "layers": 32, "d_model": 4096, "heads": 32,
           "kv_heads": 8, "experts": 8, "experts_per_token": 2}  # fmt: skip


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def params(catalog) -> InferenceParams:
    return InferenceParams.from_catalog(catalog)


def workload(model: dict[str, Any], accelerator: str = "h100-sxm", **kw: Any) -> Workload:
    """An inference workload, validated through a scenario like real input."""
    w = {"name": "w", "type": "inference", "model": model, "tokens_per_second": 1e5, "accelerator": accelerator,
         "site": "s", "precision": "fp8", **kw}  # fmt: skip
    s = Scenario.model_validate({"name": "t", "start": dt.date(2027, 1, 4), "workloads": [w], "sites": [{"name": "s"}]})
    return s.workloads[0]


def replica_of(catalog, params, model: dict[str, Any], accelerator: str, precision: str, tp: int, context: float):
    dims = resolve_dims(ModelShape(**model), params)
    device = device_of(catalog.accelerators[accelerator], precision, params)
    return build_replica(tp, device, dims, params, context)


# --- KV cache -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "expected"),
    [(LLAMA3_70B, 327_680), (LLAMA3_405B, 516_096)],
    ids=["llama3-70b", "llama3-405b"],
)
def test_kv_bytes_per_token_bf16_sizing_methods_d3(params, model, expected) -> None:
    """2·L·n_kv·d_head·2 B: 327,680 B (70B) and 516,096 B (405B), sizing-methods D3."""
    dims = resolve_dims(ModelShape(**model), params)
    assert kv_bytes_per_token(dims, 2.0) == expected


def test_kv_cache_follows_weight_precision_with_an_fp8_floor(catalog) -> None:
    fp8 = estimate_inference(workload(LLAMA3_70B, "h200-sxm"), catalog)
    bf16 = estimate_inference(workload(LLAMA3_70B, "h200-sxm", precision="bf16"), catalog)
    assert fp8.kv_bytes_per_token == 163_840
    assert bf16.kv_bytes_per_token == 327_680


def test_missing_kv_heads_means_multi_head_attention(params) -> None:
    mha = resolve_dims(ModelShape(**{**LLAMA3_70B, "kv_heads": None}), params)
    assert kv_bytes_per_token(mha, 2.0) == 8 * 327_680


@settings(deadline=None)
@given(
    layers=st.integers(1, 200),
    heads=st.sampled_from([8, 16, 32, 64, 128]),
    group=st.sampled_from([1, 2, 4, 8]),
    width=st.sampled_from([64, 128]),
)
def test_kv_bytes_scale_with_layers_and_kv_heads(params, layers: int, heads: int, group: int, width: int) -> None:
    shape = ModelShape(parameters=1e9, layers=layers, d_model=heads * width, heads=heads, kv_heads=heads // group)
    dims = resolve_dims(shape, params)
    assert kv_bytes_per_token(dims, 1.0) == pytest.approx(2 * layers * (heads // group) * width)


def test_shape_derived_from_parameters_is_flagged_and_plausible(catalog, params) -> None:
    dims = resolve_dims(ModelShape(parameters=70e9), params)
    assert dims.derived
    assert 60 <= dims.layers <= 90
    assert dims.heads % 8 == 0
    assert kv_bytes_per_token(dims, 2.0) == pytest.approx(327_680, rel=0.2)
    assert estimate_inference(workload({"parameters": 70e9}), catalog).shape_derived


# --- Roofline ---------------------------------------------------------------------


def test_small_batch_decode_is_weights_plus_kv_over_bandwidth(catalog, params) -> None:
    """At batch 1 the step is (W + n·kv)/(β·η_m) plus the fixed step overhead (TP1: no all-reduce)."""
    context = 1500.0
    r = replica_of(catalog, params, LLAMA3_70B, "h200-sxm", "fp8", 1, context)
    step = float(decode_times(r, np.array([1.0]), context).step_s[0])
    acc = catalog.accelerators["h200-sxm"]
    roof = (70.55e9 * 1.0 + context * 163_840) / (acc.hbm_tbps * 1e12 * params.hbm_efficiency)
    assert step - params.step_overhead_s == pytest.approx(roof, rel=0.02)


def test_throughput_rises_with_batch_toward_the_compute_roof(catalog, params) -> None:
    """Decode tokens/s grows with B and saturates below t·P·η_c/(2·N_active)."""
    context = 1500.0
    r = replica_of(catalog, params, LLAMA3_8B, "h200-sxm", "fp8", 1, context)
    batch = np.arange(1.0, r.batch_max + 1)
    decode = batch / decode_times(r, batch, context).step_s
    roof = catalog.accelerators["h200-sxm"].dense_tflops["fp8"] * 1e12 * params.decode_flops_efficiency / (2 * 8.03e9)
    assert np.all(np.diff(decode) > 0)
    assert decode[-1] < roof
    assert decode[-1] / decode[0] > 50, "batching amortises the weight reads"
    late_gain = decode[-1] / decode[len(decode) // 2]
    assert late_gain < decode[len(decode) // 2] / decode[0], "returns diminish as compute binds"


@settings(max_examples=30, deadline=None)
@given(
    model=st.sampled_from([LLAMA3_8B, LLAMA3_70B, MIXTRAL]),
    system=st.sampled_from(
        [
            ("h100-sxm", 2, "fp8"),
            ("h200-sxm", 1, "fp8"),
            ("mi300x", 1, "fp8"),
            ("b200", 1, "fp8"),
            ("b200", 1, "fp4"),
            ("a100-sxm", 4, "bf16"),
        ]
    ),
    prompt=st.integers(16, 4000),
    output=st.integers(16, 2000),
)
def test_serving_throughput_never_falls_as_batch_grows(catalog, params, model, system, prompt, output) -> None:
    """X(B) = 1/(p/O + s(B)/B) is non-decreasing: s(B)/B falls for every roofline term, fp4's fixed rows too."""
    accelerator, tp, precision = system
    request = Request(float(prompt), float(output), None, None)
    r = replica_of(catalog, params, model, accelerator, precision, tp, request.context_tokens)
    if r.batch_max < 2:
        return
    x = curve(r, request).tokens_per_s
    assert np.all(np.diff(x) >= -1e-9 * x[1:])


def _without_fixed_rows(r):
    return dataclasses.replace(r, device=dataclasses.replace(r.device, gemm_fixed_rows=0.0))


def test_fixed_gemm_rows_are_fp4_only(catalog, params) -> None:
    assert params.fp4_gemm_fixed_rows > 0
    b200 = catalog.accelerators["b200"]
    assert device_of(b200, "fp4", params).gemm_fixed_rows == params.fp4_gemm_fixed_rows
    assert device_of(b200, "fp8", params).gemm_fixed_rows == 0.0
    assert device_of(catalog.accelerators["h200-sxm"], "fp8", params).gemm_fixed_rows == 0.0
    assert device_of(catalog.accelerators["a100-sxm"], "bf16", params).gemm_fixed_rows == 0.0


def test_fp4_decode_step_pays_the_fixed_gemm_rows_once(catalog, params) -> None:
    """compute(B) − compute₀(B) = M₀·2·Nₐ/(t·P·η_c) at every batch; the GEMMs reach B/(B + M₀) of their rate."""
    context = 1500.0
    r = replica_of(catalog, params, LLAMA3_70B, "b200", "fp4", 1, context)
    batch = np.arange(1.0, 1025.0)
    with_rows, without = decode_times(r, batch, context), decode_times(_without_fixed_rows(r), batch, context)
    eta = params.decode_flops_efficiency * params.fp4_flops_derate
    fixed = params.fp4_gemm_fixed_rows * 2 * 70.55e9 / (catalog.accelerators["b200"].dense_tflops["fp4"] * 1e12 * eta)
    np.testing.assert_allclose(with_rows.compute_s - without.compute_s, fixed, rtol=1e-9)
    assert np.all(with_rows.step_s > without.step_s)
    matmul = batch * 2 * 70.55e9 / (catalog.accelerators["b200"].dense_tflops["fp4"] * 1e12 * eta)
    share = matmul / (matmul + fixed)
    np.testing.assert_allclose(share, batch / (batch + params.fp4_gemm_fixed_rows), rtol=1e-9)


def test_each_routed_expert_gemm_pays_the_fixed_rows(catalog, params) -> None:
    """For a mixture the fixed cost is charged on the parameters the step touches, not the active ones."""
    r = replica_of(catalog, params, MIXTRAL, "b200", "fp4", 1, 1000.0)
    batch = np.array([1.0, 4.0, 512.0])
    fixed = decode_times(r, batch, 1000.0).compute_s - decode_times(_without_fixed_rows(r), batch, 1000.0).compute_s
    per_parameter = fixed / (weight_bytes_read(r, batch) / r.device.weight_bytes)
    np.testing.assert_allclose(per_parameter, per_parameter[0], rtol=1e-9)
    assert fixed[0] == pytest.approx(fixed[-1] * 12.9 / 46.7, rel=1e-3), "one token touches 2 of 8 experts"


def test_lone_fp4_prefill_pays_the_fixed_rows_and_the_shared_one_does_not(catalog, params) -> None:
    r = replica_of(catalog, params, LLAMA3_70B, "b200", "fp4", 1, 3000.0)
    r0 = _without_fixed_rows(r)
    assert prefill_s(r, 2000.0) == prefill_s(r0, 2000.0)
    eta = params.prefill_flops_efficiency * params.fp4_flops_derate
    fixed = params.fp4_gemm_fixed_rows * 2 * 70.55e9 / (catalog.accelerators["b200"].dense_tflops["fp4"] * 1e12 * eta)
    assert lone_prefill_s(r, 2000.0) - lone_prefill_s(r0, 2000.0) == pytest.approx(fixed, rel=1e-9)


def test_moe_reads_shared_plus_routed_experts(catalog, params) -> None:
    r = replica_of(catalog, params, MIXTRAL, "h100-sxm", "fp8", 2, 1000.0)
    dims = r.dims
    one = float(weight_bytes_read(r, np.array([1.0]))[0])
    many = float(weight_bytes_read(r, np.array([512.0]))[0])
    assert one == pytest.approx(dims.shared_parameters + 2 * dims.expert_parameters)
    assert dims.shared_parameters + 2 * dims.expert_parameters == pytest.approx(12.9e9)
    assert many == pytest.approx(46.7e9, rel=1e-6)


# --- Replica and batch choice -------------------------------------------------------


def test_replica_is_the_smallest_group_that_holds_the_weights(catalog) -> None:
    assert estimate_inference(workload(LLAMA3_70B, "h200-sxm"), catalog).replica_accelerators == 1
    assert estimate_inference(workload(LLAMA3_70B, "h100-sxm"), catalog).replica_accelerators == 2
    bf16 = estimate_inference(workload(LLAMA3_70B, "h100-sxm", precision="bf16"), catalog)
    assert bf16.replica_accelerators == 4
    assert bf16.weights_gb_per_replica == pytest.approx(141.1)


def test_tpot_target_is_respected_and_costs_throughput(catalog) -> None:
    offline = estimate_inference(workload(LLAMA3_70B, "h200-sxm"), catalog)
    target = offline.tpot_ms / 3
    online = estimate_inference(workload(LLAMA3_70B, "h200-sxm", tpot_ms=target), catalog)
    assert online.tpot_ms <= target
    assert online.batch < offline.batch
    assert online.tokens_per_second_per_accelerator < offline.tokens_per_second_per_accelerator


def test_ttft_target_is_respected_and_costs_throughput(catalog) -> None:
    lengths = {"prompt_tokens": 8000, "output_tokens": 500}
    offline = estimate_inference(workload(LLAMA3_405B, "h200-sxm", **lengths), catalog)
    online = estimate_inference(workload(LLAMA3_405B, "h200-sxm", ttft_ms=10_000, **lengths), catalog)
    assert offline.ttft_ms > 10_000
    assert online.ttft_ms <= 10_000
    assert online.tokens_per_second_per_accelerator < offline.tokens_per_second_per_accelerator


@pytest.mark.parametrize("profile", [None, "chat", "rag", "reasoning", "batch"])
def test_profile_fills_missing_lengths_and_is_reported(catalog, profile: str | None) -> None:
    prompt, output = profile_lengths(profile or "chat", catalog)
    explicit = estimate_inference(workload(LLAMA3_70B, prompt_tokens=prompt, output_tokens=output), catalog)
    filled = estimate_inference(workload(LLAMA3_70B, profile=profile), catalog)
    assert (filled.prompt_tokens, filled.output_tokens) == (prompt, output)
    assert filled.lengths == f"{profile or 'chat'} profile"
    assert explicit.lengths == "given"
    assert dataclasses.replace(filled, lengths="given") == explicit


def test_profiles_are_the_published_trace_means(catalog) -> None:
    means = {name: profile_lengths(name, catalog) for name in ("chat", "rag", "reasoning", "batch")}
    assert means == {"chat": (1155, 211), "rag": (7590, 182), "reasoning": (804, 3886), "batch": (222, 294)}
    half = estimate_inference(workload(LLAMA3_70B, profile="rag", output_tokens=100), catalog)
    assert (half.prompt_tokens, half.output_tokens) == (7590, 100)
    assert half.lengths == "output given, the other from the rag profile"


@settings(max_examples=25, deadline=None)
@given(demand=st.floats(1.0, 1e8))
def test_fleet_covers_demand_with_whole_replicas(catalog, demand: float) -> None:
    e = estimate_inference(workload(LLAMA3_70B), catalog)
    n = fleet_accelerators(e, demand)
    per_replica = e.tokens_per_second_per_accelerator * e.replica_accelerators
    assert n % e.replica_accelerators == 0
    assert n * e.tokens_per_second_per_accelerator >= demand
    assert (n / e.replica_accelerators - 1) * per_replica < demand


def test_estimate_is_fast(catalog) -> None:
    w = workload(LLAMA3_405B, "h200-sxm", tpot_ms=100, ttft_ms=3000)
    runs = []
    for _ in range(10):
        t0 = time.perf_counter()
        estimate_inference(w, catalog)
        runs.append(time.perf_counter() - t0)
    assert statistics.median(runs) < 0.025


# --- Errors -------------------------------------------------------------------------


def test_weights_that_do_not_fit_are_an_input_error_keyed_to_the_workload(catalog) -> None:
    w = workload({"parameters": 810e9}, "h200-sxm", precision="bf16")
    with pytest.raises(InputError) as err:
        estimate_inference(w, catalog, key=("workloads", 3))
    (problem,) = err.value.problems
    assert problem.key == ("workloads", 3, "model", "parameters")
    assert "weights need 1,620 GB, more than the 8 x 141 GB of HBM in one dgx-h200" in problem.what
    assert "larger scale-up domain" in problem.fix


def test_unreachable_tpot_states_the_best_value(catalog) -> None:
    w = workload(LLAMA3_405B, "h100-sxm", tpot_ms=1.0)
    with pytest.raises(InputError) as err:
        estimate_inference(w, catalog, key=("workloads", 0))
    (problem,) = err.value.problems
    assert problem.key == ("workloads", 0, "tpot_ms")
    best = float(problem.what.split("the best is ")[1].split(" ms")[0])
    assert best > 1.0
    assert f"at least {math.ceil(best)}" in problem.fix


def test_unreachable_ttft_states_the_best_value(catalog) -> None:
    w = workload(LLAMA3_405B, "h100-sxm", prompt_tokens=20000, ttft_ms=10)
    with pytest.raises(InputError) as err:
        estimate_inference(w, catalog, key=("workloads", 1))
    (problem,) = err.value.problems
    assert problem.key == ("workloads", 1, "ttft_ms")
    assert "out of reach: the best is" in problem.what


def test_missing_precision_peak_is_an_input_error(catalog) -> None:
    with pytest.raises(InputError) as err:
        estimate_inference(workload(LLAMA3_8B, "a100-sxm"), catalog, key=("workloads", 2))
    assert err.value.problems[0].key == ("workloads", 2, "precision")


def test_pinned_tensor_parallelism_must_divide_the_heads(catalog) -> None:
    w = workload({**LLAMA3_70B, "heads": 48}, "h100-sxm", parallelism={"tensor": 32})
    with pytest.raises(InputError) as err:
        estimate_inference(w, catalog)
    assert err.value.problems[0].key == ("parallelism", "tensor")


# --- Published per-GPU throughput -----------------------------------------------------

# (case, model, accelerator, workload fields, published output tokens/s per GPU). Sources and
# conditions: benchmarks/validation_inference.py. MLPerf prompts are their data sets' means.
PUBLISHED = [
    ("MLPerf v4.1 H100x8 Llama-2-70B offline", LLAMA2_70B, "h100-sxm",
     {"prompt_tokens": 222, "output_tokens": 290.3}, 24524.9 / 8),
    ("MLPerf v4.1 H100x8 Llama-2-70B server", LLAMA2_70B, "h100-sxm",
     {"prompt_tokens": 222, "output_tokens": 290.3, "ttft_ms": 2000, "tpot_ms": 200}, 21605.79 / 8),
    ("MLPerf v4.1 H200x8 Llama-2-70B offline", LLAMA2_70B, "h200-sxm",
     {"prompt_tokens": 222, "output_tokens": 291.25}, 31302.7 / 8),
    ("MLPerf v4.1 MI300Xx8 Llama-2-70B offline", LLAMA2_70B, "mi300x",
     {"prompt_tokens": 222, "output_tokens": 293.4}, 23514.8 / 8),
    ("MLPerf v4.1 H100x8 Mixtral-8x7B offline", MIXTRAL, "h100-sxm",
     {"prompt_tokens": 427, "output_tokens": 145.9}, 52415.9 / 8),
    ("TRT-LLM 0.17 H200 TP1 Llama-3.1-70B 1000/1000", LLAMA3_70B, "h200-sxm",
     {"prompt_tokens": 1000, "output_tokens": 1000, "parallelism": {"tensor": 1}}, 2823.45),
    ("TRT-LLM 0.17 H200 TP1 Llama-3.1-70B 2048/128", LLAMA3_70B, "h200-sxm",
     {"prompt_tokens": 2048, "output_tokens": 128, "parallelism": {"tensor": 1}}, 465.99),
    ("TRT-LLM 0.17 H200 TP8 Llama-3.1-405B 1000/1000", LLAMA3_405B, "h200-sxm",
     {"prompt_tokens": 1000, "output_tokens": 1000, "parallelism": {"tensor": 8}}, 3399.69 / 8),
    ("TRT-LLM 0.17 H100 TP2 Mixtral-8x7B 1000/1000", MIXTRAL, "h100-sxm",
     {"prompt_tokens": 1000, "output_tokens": 1000, "parallelism": {"tensor": 2}}, 15770.89 / 2),
    ("TRT-LLM 0.17 A100 TP4 Llama-3.1-70B fp16 1000/1000", LLAMA3_70B, "a100-sxm",
     {"prompt_tokens": 1000, "output_tokens": 1000, "parallelism": {"tensor": 4}, "precision": "bf16"}, 1921.77 / 4),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "model", "accelerator", "fields", "published"), PUBLISHED, ids=[p[0] for p in PUBLISHED]
)
def test_published_per_gpu_throughput_within_30_percent(catalog, case, model, accelerator, fields, published) -> None:
    predicted = estimate_inference(workload(model, accelerator, **fields), catalog).tokens_per_second_per_accelerator
    assert predicted == pytest.approx(published, rel=0.30), case


def test_latent_attention_caches_one_latent_per_token_and_layer(catalog, params) -> None:
    v3 = {"parameters": 671e9, "active_parameters": 37e9, "layers": 61, "d_model": 7168, "heads": 128,
          "head_dim": 128, "experts": 256, "experts_per_token": 8,
          "mla": {"kv_rank": 512, "q_rank": 1536, "rope_dim": 64, "v_head_dim": 128}}  # fmt: skip
    dims = resolve_dims(ModelShape.model_validate(v3), params)
    assert kv_bytes_per_token(dims, 1.0) == 61 * (512 + 64)
    assert replicated_kv_bytes_per_token(dims, 1.0, 8) == 8 * 61 * (512 + 64)
    assert dims.score_flops == 128 * (4 * 512 + 2 * 64)
    gqa = resolve_dims(ModelShape.model_validate({k: v for k, v in v3.items() if k != "mla"}), params)
    assert kv_bytes_per_token(gqa, 1.0) == 2 * 61 * 128 * 128
    served = estimate_inference(workload(v3, "gb200"), catalog)
    assert served.kv_bytes_per_token == 61 * (512 + 64) * 1.0


# --- What stops the batch -------------------------------------------------------------


def _point(catalog, params, model, accelerator, precision, tp, request):
    r = replica_of(catalog, params, model, accelerator, precision, tp, request.prompt_tokens + request.output_tokens)
    return r, curve(r, request), best_point(r, request)


def test_offline_batch_stops_at_the_kv_cache(catalog, params) -> None:
    r, _, point = _point(catalog, params, LLAMA3_70B, "h200-sxm", "fp8", 1, Request(1000.0, 1000.0, None, None))
    assert point is not None
    assert point.limited_by == "kv_cache"
    assert point.batch == r.batch_max < params.max_batch


def test_a_latency_target_names_itself_when_the_next_batch_would_miss_it(catalog, params) -> None:
    """The reported limit is the target the batch after the chosen one misses, and the chosen one meets."""
    for tpot, ttft, limit in [(0.05, None, "tpot"), (None, 0.9, "ttft")]:
        request = Request(4000.0, 500.0, tpot, ttft)
        _, c, point = _point(catalog, params, LLAMA3_70B, "h200-sxm", "fp8", 2, request)
        assert point is not None
        assert point.limited_by == limit
        i = point.batch - 1
        times = c.tpot_s if limit == "tpot" else c.ttft_s
        target = tpot if limit == "tpot" else ttft
        assert times[i] <= target < times[i + 1]


def test_the_estimate_carries_the_limit_into_the_report(catalog) -> None:
    served = estimate_inference(workload(LLAMA3_70B, "h200-sxm", tpot_ms=50), catalog)
    assert served.limited_by == "tpot"
    offline = estimate_inference(workload(LLAMA3_70B, "h200-sxm"), catalog)
    assert offline.limited_by in {"kv_cache", "max_batch"}


def test_one_limit_vocabulary_for_the_model_the_api_and_the_report() -> None:
    from typing import get_args

    from rackforge.api.documents import ServingPoint
    from rackforge.report.tabular import LIMITED_BY
    from rackforge.sizing.inference.batch import Limit

    assert get_args(ServingPoint.model_fields["limited_by"].annotation) == get_args(Limit)
    assert set(LIMITED_BY) == set(get_args(Limit))
