"""Training performance model: published anchors, memory arithmetic, search rules, goodput, invariants."""

from __future__ import annotations

import dataclasses
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rackforge.catalog import Catalog, load_catalog
from rackforge.errors import InputError
from rackforge.scenario.models import Workload
from rackforge.sizing.compute import flops_per_token
from rackforge.sizing.training import estimate_training, training_goodput
from rackforge.sizing.training.shape import resolve_shape

MEGATRON_TABLE1 = [
    (1.7, 24, 2304, 24, 1, 1, 32, 512, 137), (3.6, 32, 3072, 30, 2, 1, 64, 512, 138),
    (7.5, 32, 4096, 36, 4, 1, 128, 512, 142), (18.4, 48, 6144, 40, 8, 1, 256, 1024, 135),
    (39.1, 64, 8192, 48, 8, 2, 512, 1536, 138), (76.1, 80, 10240, 60, 8, 4, 1024, 1792, 140),
    (145.6, 96, 12288, 80, 8, 8, 1536, 2304, 148), (310.1, 128, 16384, 96, 8, 16, 1920, 2160, 155),
    (529.6, 128, 20480, 105, 8, 35, 2520, 2520, 163), (1008.0, 160, 25600, 128, 8, 64, 3072, 3072, 163),
]  # fmt: skip
"""sizing-methods B5: (params B, heads, hidden, layers, TP, PP, GPUs, batch, TFLOP/s per GPU counting recompute)."""

MEGATRON_TOLERANCE = 0.08
"""Stated calibration error of the model on Megatron-LM Table 1 (largest residual 6.8 %)."""


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def catalog_2021() -> Catalog:
    """Megatron-LM's 2021 software: materialised attention scores, no sequence parallelism."""
    flags = ("training_flash_attention", "training_sequence_parallel")
    return load_catalog({"parameters": [
        {"id": k, "value": 0, "unit": "flag", "source": "2021 Megatron-LM", "confidence": "P"} for k in flags]})  # fmt: skip


def training(**kw) -> Workload:
    base = {"name": "w", "type": "training", "tokens": 1e12, "accelerator": "a100-sxm", "site": "s"}
    return Workload.model_validate({**base, **kw})


def llama_65b(**kw) -> Workload:
    shape = {"parameters": 65.2e9, "layers": 80, "d_model": 8192, "heads": 64, "d_ff": 22016, "gated_mlp": True,
             "seq_len": 2048, "vocab": 32000}  # fmt: skip
    return training(model=shape, tokens=1.4e12, batch_tokens=4 * 2**20, **kw)


@pytest.mark.parametrize(("params", "heads", "hidden", "layers", "t", "p", "n", "batch", "published"), MEGATRON_TABLE1)
def test_megatron_table1_hfu(catalog_2021, params, heads, hidden, layers, t, p, n, batch, published) -> None:
    """Predicted Megatron-LM TFLOP/s per GPU (their Eq. 3 over our step time) within the stated error."""
    shape = {"parameters": params * 1e9, "layers": layers, "d_model": hidden, "heads": heads, "seq_len": 2048,
             "vocab": 51200}  # fmt: skip
    w = training(model=shape, batch_tokens=batch * 2048, parallelism={"tensor": t, "pipeline": p, "recompute": "full"})
    e = estimate_training(w, catalog_2021, n)
    s, v = 2048, 51200
    flops = 96 * batch * s * layers * hidden**2 * (1 + s / (6 * hidden) + v / (16 * layers * hidden))
    assert flops / e.step_time_s / n / 1e12 == pytest.approx(published, rel=MEGATRON_TOLERANCE)
    assert e.hfu == pytest.approx(e.mfu * 4 / 3)


def test_llama_65b_gpu_hours(catalog) -> None:
    """LLaMA 65B: 1,022,362 A100 GPU-hours for 1.4T tokens at 380 tokens/s/GPU on 2,048 GPUs (sizing-methods B3)."""
    e = estimate_training(llama_65b(), catalog, 2048)
    hours = 2048 * 1.4e12 / e.tokens_per_second / 3600
    assert hours == pytest.approx(1_022_362, rel=0.10)


def test_mfu_matches_the_sizing_flops_convention(catalog) -> None:
    """MFU·n·peak equals tokens/s times the model FLOPs per token of rackforge.sizing.compute."""
    w = llama_65b()
    e = estimate_training(w, catalog, 2048)
    assert e.mfu * 2048 * 312e12 == pytest.approx(e.tokens_per_second * flops_per_token(w))


def test_zero1_sixteen_bytes_per_parameter(catalog) -> None:
    """One accelerator holds 2 + 2 + 12 bytes per parameter (ZeRO §3.1); with d replicas the 12 are sharded."""
    shape = {"parameters": 1.3e9, "layers": 24, "d_model": 2048, "heads": 16, "seq_len": 2048, "vocab": 50000}
    w = training(model=shape, batch_tokens=64 * 2048, parallelism={"tensor": 1, "pipeline": 1})
    sh = resolve_shape(w.model, catalog)
    params = sh.layers * (sh.attention_params + sh.expert_params) + 2 * sh.embedding_params
    one = estimate_training(w, catalog, 1).memory
    assert (one.weights_gb, one.gradients_gb, one.optimizer_gb) == pytest.approx((2 * params / 1e9, 2 * params / 1e9,
                                                                                  12 * params / 1e9))  # fmt: skip
    eight = estimate_training(w, catalog, 8).memory
    assert eight.optimizer_gb == pytest.approx(12 * params / 8 / 1e9)
    assert eight.weights_gb + eight.gradients_gb == pytest.approx(4 * params / 1e9)
    assert one.total_gb == pytest.approx(one.weights_gb + one.gradients_gb + one.optimizer_gb + one.activations_gb)
    assert one.capacity_gb == pytest.approx(80 * (1 - catalog.param("training_memory_headroom")))


def test_nothing_fits_raises_with_key_prefix(catalog) -> None:
    w = training(model={"parameters": 2e12})
    with pytest.raises(InputError, match="GB per accelerator") as info:
        estimate_training(w, catalog, 16, key=("workloads", 3))
    (problem,) = info.value.problems
    assert problem.key == ("workloads", 3, "model", "parameters")
    assert "more accelerators" in problem.fix


@pytest.mark.parametrize(
    ("given", "field", "words"),
    [
        ({"tensor": 3}, "tensor", "must divide the 64 heads"),
        ({"pipeline": 100}, "pipeline", "100 stages for 80 layers"),
        ({"pipeline": 16, "interleave": 3}, "interleave", "does not divide the 5-layer stage"),
        ({"data": 7}, None, "no layout of the given `parallelism`"),
    ],
)
def test_impossible_parallelism_names_the_degree(catalog, given: dict, field: str | None, words: str) -> None:
    w = llama_65b(parallelism=given)
    with pytest.raises(InputError) as info:
        estimate_training(w, catalog, 2048, key=("workloads", 0))
    problem = info.value.problems[0]
    assert problem.key == ("workloads", 0, "parallelism", *((field,) if field else ()))
    assert words in problem.what


def test_precision_without_tensor_peak_is_an_input_error(catalog) -> None:
    with pytest.raises(InputError) as info:
        estimate_training(llama_65b(precision="fp8"), catalog, 2048, key=("w",))
    assert info.value.problems[0].key == ("w", "precision")


@pytest.mark.parametrize("given", [
    {"tensor": 2, "pipeline": 4}, {"tensor": 8, "pipeline": 2, "microbatch": 2, "recompute": "full"},
    {"tensor": 4, "data": 64}, {"recompute": "selective"},
])  # fmt: skip
def test_search_respects_given_parallelism(catalog, given: dict) -> None:
    layout = estimate_training(llama_65b(parallelism=given), catalog, 2048).layout
    for field, value in given.items():
        assert getattr(layout, field) == value
    assert layout.tensor * layout.pipeline * layout.data + layout.idle_accelerators == 2048


def test_chosen_layout_fits_and_shares_add_up(catalog) -> None:
    e = estimate_training(llama_65b(), catalog, 2048)
    assert e.memory.total_gb <= e.memory.capacity_gb
    assert sum(e.time_shares.values()) == pytest.approx(1.0)
    assert e.layout.zero_stage == 1
    assert e.tokens_per_second == pytest.approx(e.batch_tokens / e.step_time_s)
    assert 0 < e.mfu <= e.hfu < 1


def test_fp8_is_faster_per_token_on_hopper(catalog) -> None:
    bf16 = estimate_training(llama_65b(accelerator="h100-sxm"), catalog, 2048)
    fp8 = estimate_training(llama_65b(accelerator="h100-sxm", precision="fp8"), catalog, 2048)
    assert fp8.tokens_per_second > bf16.tokens_per_second
    assert fp8.mfu < bf16.mfu, "MFU of fp8 runs is measured against the 2x fp8 peak"


def test_moe_layout_uses_expert_parallelism(catalog) -> None:
    shape = {"parameters": 46.7e9, "active_parameters": 12.9e9, "layers": 32, "d_model": 4096, "heads": 32,
             "kv_heads": 8, "d_ff": 14336, "gated_mlp": True, "experts": 8, "experts_per_token": 2}  # fmt: skip
    e = estimate_training(training(model=shape, accelerator="h100-sxm"), catalog, 512)
    assert 8 % e.layout.expert == 0
    assert e.layout.data % e.layout.expert == 0
    assert 0.1 < e.mfu < 0.7


def test_results_are_frozen(catalog) -> None:
    e = estimate_training(llama_65b(), catalog, 2048)
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.mfu = 1.0  # type: ignore[misc]


def test_full_search_is_fast(catalog) -> None:
    """A full layout search (126 layers, 16,384 accelerators, nothing pinned) takes well under 100 ms."""
    shape = {"parameters": 405e9, "layers": 126, "d_model": 16384, "heads": 128, "kv_heads": 8, "d_ff": 53248,
             "gated_mlp": True, "seq_len": 8192, "vocab": 128256}  # fmt: skip
    w = training(model=shape, accelerator="h100-sxm")
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        estimate_training(w, catalog, 16384)
        best = min(best, time.perf_counter() - start)
    assert best < 0.1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 200_000), factor=st.integers(2, 64), params=st.floats(1e9, 2e12))
def test_goodput_falls_with_accelerators(catalog, n: int, factor: int, params: float) -> None:
    w = training(model={"parameters": params})
    small, large = training_goodput(w, catalog, n), training_goodput(w, catalog, n * factor)
    assert 0 < large <= small <= 1


def test_goodput_at_llama3_scale(catalog) -> None:
    """Llama 3 405B on 16,384 H100: '>90 % effective training time' at ~3 h between interruptions."""
    assert training_goodput(training(model={"parameters": 405e9}), catalog, 16384) == pytest.approx(0.90, abs=0.02)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.floats(5e8, 1e13))
def test_derived_shape_matches_parameter_count(catalog, params: float) -> None:
    """A shape derived from N alone has ~N parameters, whole 128-wide heads and h/L near the aspect ratio."""
    sh = resolve_shape(training(model={"parameters": params}).model, catalog)
    count = sh.layers * (sh.attention_params + sh.expert_params) + 2 * sh.embedding_params
    assert count == pytest.approx(params, rel=0.05)
    assert sh.hidden % 128 == 0
    assert sh.heads % 8 == 0 or sh.heads < 8
    assert sh.heads * sh.head_dim == sh.hidden


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.sampled_from([1e9, 7e9, 70e9, 400e9]), accelerator=st.sampled_from(["a100-sxm", "h100-sxm", "gb200"]),
       n=st.sampled_from([64, 96, 256, 1000, 1024, 4096]))  # fmt: skip
def test_doubling_accelerators_never_lowers_throughput(catalog, params: float, accelerator: str, n: int) -> None:
    w = training(model={"parameters": params}, accelerator=accelerator, batch_tokens=4 * 2**20)
    try:
        small = estimate_training(w, catalog, n)
    except InputError:
        return
    assert estimate_training(w, catalog, 2 * n).tokens_per_second >= small.tokens_per_second * 0.999
