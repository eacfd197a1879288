"""Mixture-of-experts and fp8 training model: MLA and parameter counts, expert dispatch, stages, layouts, memory."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from benchmarks.validation_moe import DEEPSEEK_V3, H800, QWEN3_235B, layout
from benchmarks.validation_training import catalog_with, workload
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rackforge.catalog import Catalog, load_catalog
from rackforge.errors import InputError
from rackforge.scenario import load_scenario_text
from rackforge.scenario.models import ModelShape, Parallelism
from rackforge.sizing.training import estimate_training, kernels
from rackforge.sizing.training.dispatch import all_to_all, copies, overlap
from rackforge.sizing.training.layouts import divisors, enumerate_layouts
from rackforge.sizing.training.machine import GB, Machine, machine_for
from rackforge.sizing.training.memory import memory
from rackforge.sizing.training.shape import Shape, resolve_shape
from rackforge.sizing.training.steptime import _split, step_times
from tests.conftest import BASE, Run

Params = tuple[tuple[str, float], ...]
LLAMA_65B: dict[str, Any] = {
    "parameters": 65.2e9, "layers": 80, "d_model": 8192, "heads": 64, "d_ff": 22016, "gated_mlp": True,
    "seq_len": 2048, "vocab": 32000,
}  # fmt: skip
DEEPSEEK_RUN = {"tensor": 1, "pipeline": 16, "expert": 64, "recompute": "selective"}
"""DeepSeek-V3 as published: no TP, PP16, EP64 over 8 nodes (arXiv 2412.19437 §3.2)."""
QWEN_LAYOUT = layout(2, 8, 32, 4, 1, "full")
"""Megatron-Core's Qwen3-235B H100 layout (Table 20) with full recompute so that imbalance 2 still fits."""
QUICK = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@functools.cache
def knobs(params: Params = (), h800: bool = False) -> Catalog:
    """The built-in catalog with ``training_*`` parameters overridden (and the H800's NVLink), loaded once."""
    return catalog_with(dict(params), **({"accelerators": H800} if h800 else {}))


def moe_shape(catalog: Catalog, model: dict[str, Any] = DEEPSEEK_V3, **changes: Any) -> Shape:
    return dataclasses.replace(resolve_shape(ModelShape.model_validate(model), catalog), **changes)


def machine(catalog: Catalog, accelerator: str, **changes: Any) -> Machine:
    return dataclasses.replace(machine_for(workload(model=DEEPSEEK_V3, accelerator=accelerator), catalog), **changes)


def one(x: float) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.array([float(x)])


def attention_oracle(sh: Shape) -> int:
    """Attention weights of one layer from the shape's widths: MLA (DeepSeek-V2 §2.1) or GQA."""
    h, a = sh.hidden, sh.heads
    if sh.kv_rank:
        q = h * sh.q_rank + sh.q_rank * a * (sh.head_dim + sh.rope_dim)
        kv = h * (sh.kv_rank + sh.rope_dim) + sh.kv_rank * a * (sh.head_dim + sh.v_dim)
        return q + kv + a * sh.v_dim * h
    return h * (a + 2 * sh.kv_heads) * sh.head_dim + a * sh.head_dim * h


def test_deepseek_v3_mla_attention_parameters(catalog: Catalog) -> None:
    q_a, q_b = 7168 * 1536, 1536 * 128 * (128 + 64)
    kv_a, kv_b = 7168 * (512 + 64), 512 * 128 * (128 + 128)
    out = 128 * 128 * 7168
    assert q_a + q_b + kv_a + kv_b + out == 187_105_280
    assert resolve_shape(ModelShape.model_validate(DEEPSEEK_V3), catalog).attention_params == 187_105_280


@pytest.mark.parametrize(
    ("model", "total", "active"), [(DEEPSEEK_V3, 671e9, 37e9), (QWEN3_235B, 235e9, 22e9)], ids=["deepseek-v3", "qwen3"]
)
def test_resolved_moe_shape_matches_published_totals(
    catalog: Catalog, model: dict[str, Any], total: float, active: float
) -> None:
    sh = resolve_shape(ModelShape.model_validate(model), catalog)
    assert attention_oracle(sh) == sh.attention_params
    c = 3 if sh.gated else 2
    expert = c * sh.hidden * sh.ffn
    dense_mlp = c * sh.hidden * (sh.dense_ffn or sh.ffn)
    moe_layers = sh.layers - sh.dense_layers
    common = 2 * sh.vocab * sh.hidden + sh.layers * attention_oracle(sh) + sh.dense_layers * dense_mlp
    count = common + moe_layers * (sh.hidden * sh.experts + (sh.experts + sh.shared) * expert)
    used = common + moe_layers * (sh.hidden * sh.experts + (sh.top_k + sh.shared) * expert)
    assert count == pytest.approx(total, rel=0.02)
    assert used == pytest.approx(active, rel=0.02)


def test_ep_group_inside_the_scale_up_domain_sends_nothing_out(catalog: Catalog) -> None:
    sh, e = moe_shape(catalog), one(64)
    for dedup in (True, False):
        inside, outside = copies(sh, e, machine(catalog, "gb200", ep_dedup=dedup))
        assert outside[0] == 0.0
        assert inside[0] == pytest.approx(8 * 63 / 64)


def test_ep_group_across_eight_gpu_nodes_uses_scale_out(catalog: Catalog) -> None:
    sh, e = moe_shape(catalog, node_limit=0), one(64)
    _, spread = copies(sh, e, machine(catalog, "h100-sxm", ep_dedup=False))
    assert spread[0] == pytest.approx(8 * (64 - 8) / 64)
    _, dedup = copies(sh, e, machine(catalog, "h100-sxm", ep_dedup=True))
    assert 0 < dedup[0] < spread[0]
    assert dedup[0] == pytest.approx(8 * (1 - (7 / 8) ** 8) * 7 / 8)


@pytest.mark.parametrize("accelerator", ["gb200", "h100-sxm"])
@pytest.mark.parametrize("dedup", [True, False])
def test_one_expert_rank_has_no_all_to_all(catalog: Catalog, accelerator: str, dedup: bool) -> None:
    mc = machine(catalog, accelerator, ep_dedup=dedup, expert_imbalance=2.0)
    sh = moe_shape(catalog)
    tokens, t = np.array([4096.0, 8192.0, 32768.0]), np.array([1.0, 2.0, 8.0])
    assert np.array_equal(all_to_all(sh, tokens, t, np.ones(3), mc), np.zeros(3))
    assert np.all(all_to_all(sh, tokens, t, np.full(3, 256.0), mc) > 0)


@QUICK
@given(
    k=st.integers(1, 16), e=st.sampled_from(divisors(256)), accelerator=st.sampled_from(["gb200", "h100-sxm"]),
    limit=st.integers(0, 40),
)  # fmt: skip
def test_dedup_never_exceeds_one_copy_per_expert(
    catalog: Catalog, k: int, e: int, accelerator: str, limit: int
) -> None:
    sh = moe_shape(catalog, top_k=k, node_limit=limit)
    mc = machine(catalog, accelerator, ep_dedup=True)
    u = min(e, mc.scale_up)
    _, dedup = copies(sh, one(e), mc)
    _, spread = copies(sh, one(e), dataclasses.replace(mc, ep_dedup=False))
    assert spread[0] == pytest.approx(k * (e - u) / e)
    assert 0.0 <= dedup[0] <= k * (e - u) / e + 1e-12


@pytest.mark.parametrize("e", [16, 64, 256])
def test_node_limit_caps_deduplicated_domains(catalog: Catalog, e: int) -> None:
    mc = machine(catalog, "h100-sxm", ep_dedup=True)
    domains = e / 8
    _, free = copies(moe_shape(catalog, node_limit=0), one(e), mc)
    for limit in range(1, 40):
        _, capped = copies(moe_shape(catalog, node_limit=limit), one(e), mc)
        assert capped[0] <= free[0] + 1e-12
        assert capped[0] <= limit * (domains - 1) / domains + 1e-12
        if limit >= domains:
            assert capped[0] == free[0]
    _, four = copies(moe_shape(catalog, node_limit=4), one(e), mc)
    if domains > 4:
        assert four[0] < free[0]
        assert four[0] == pytest.approx(4 * (domains - 1) / domains)


def test_dedup_matches_monte_carlo_routing(catalog: Catalog) -> None:
    """256 experts over 8 domains, 8 drawn without replacement: the remote domains a token reaches.

    The formula draws domains with replacement, which undercounts the distinct
    domains; the exact hypergeometric mean is 0.83 % above it, well inside 3 %.
    """
    experts, domains, k, samples = 256, 8, 8, 20_000
    rng = np.random.default_rng(2412_19437)
    picks = rng.random((samples, experts)).argsort(axis=1)[:, :k] // (experts // domains)
    touched = np.zeros((samples, domains), dtype=bool)
    np.put_along_axis(touched, picks, True, axis=1)
    remote = touched[:, 1:].sum(axis=1)
    exact = (domains - 1) * (1 - math.comb(experts - experts // domains, k) / math.comb(experts, k))
    assert remote.mean() == pytest.approx(exact, abs=4 * remote.std() / math.sqrt(samples))
    sh = moe_shape(catalog, top_k=k, node_limit=0)
    _, formula = copies(sh, one(64), machine(catalog, "h100-sxm", ep_dedup=True))
    assert formula[0] == pytest.approx(remote.mean(), rel=0.03)
    assert formula[0] < remote.mean()


def test_overlap_off_and_full(catalog: Catalog) -> None:
    w = workload(model=DEEPSEEK_V3, accelerator="h100-sxm")
    off = machine_for(w, knobs((("training_ep_overlap", 0.0),)))
    full = machine_for(w, knobs((("training_ep_overlap", 1.0),)))
    a2a = np.array([0.0, 1.0, 2.0, 5.0, 3.0])
    work = np.array([1.0, 0.0, 2.0, 3.0, 7.0])
    exposed, slowdown = overlap(a2a, work, off)
    assert np.array_equal(exposed, a2a)
    assert np.array_equal(slowdown, np.zeros(5))
    exposed, slowdown = overlap(a2a, work, full)
    assert np.allclose(exposed, np.maximum(a2a - work, 0.0))
    assert np.allclose(slowdown, full.ep_sm_share * np.minimum(a2a, work))
    assert full.ep_sm_share == catalog.param("training_ep_comm_sm_share") > 0


@QUICK
@given(
    a2a=st.lists(st.floats(0, 10), min_size=1, max_size=8), work=st.floats(0, 10),
    low=st.floats(0, 1), high=st.floats(0, 1),
)  # fmt: skip
def test_exposed_all_to_all_never_grows_with_overlap(
    catalog: Catalog, a2a: list[float], work: float, low: float, high: float
) -> None:
    low, high = sorted((low, high))
    mc = machine(catalog, "h100-sxm")
    comm, busy = np.array(a2a), np.full(len(a2a), work)
    more, _ = overlap(comm, busy, dataclasses.replace(mc, ep_overlap=high))
    less, _ = overlap(comm, busy, dataclasses.replace(mc, ep_overlap=low))
    assert np.all(more <= less + 1e-12)
    assert np.all(more >= np.maximum(comm - busy, 0.0) - 1e-12)


def test_step_time_rises_with_expert_imbalance() -> None:
    w = workload(model=QWEN3_235B, accelerator="h100-sxm", batch_tokens=2048 * 4096, parallelism=QWEN_LAYOUT)
    runs = [estimate_training(w, knobs((("training_expert_imbalance", k),)), 256) for k in (1.0, 1.1, 1.3, 2.0)]
    assert {(r.layout.tensor, r.layout.pipeline, r.layout.expert, r.layout.interleave) for r in runs} == {(2, 8, 32, 4)}
    steps = [r.step_time_s for r in runs]
    assert all(a < b for a, b in itertools.pairwise(steps)), steps


@pytest.mark.parametrize(
    ("model", "expert", "interleave"), [(QWEN3_235B, 32, 4), (LLAMA_65B, 1, 2)], ids=["moe", "dense"]
)
def test_fp8_is_faster_than_bf16_but_not_twice(
    catalog: Catalog, model: dict[str, Any], expert: int, interleave: int
) -> None:
    par = layout(2, 8, expert, interleave, 1, "selective")
    runs = {
        precision: estimate_training(
            workload(model=model, accelerator="h100-sxm", precision=precision, batch_tokens=2048 * 4096,
                     parallelism=par),
            catalog, 256,
        )
        for precision in ("bf16", "fp8")
    }  # fmt: skip
    assert runs["fp8"].layout == runs["bf16"].layout
    assert 1.0 < runs["bf16"].step_time_s / runs["fp8"].step_time_s < 2.0


def test_output_layer_stays_bf16(catalog: Catalog) -> None:
    sh = moe_shape(catalog, model=QWEN3_235B)
    fp8, bf16 = (
        machine_for(workload(model=QWEN3_235B, accelerator="h100-sxm", precision=p), catalog) for p in ("fp8", "bf16")
    )
    assert fp8.gemm_rate > bf16.gemm_rate
    tokens, t = np.array([2048.0, 4096.0, 8192.0, 65536.0]), np.array([1.0, 2.0, 4.0, 8.0])
    assert np.array_equal(kernels.logits_time(sh, tokens, t, fp8), kernels.logits_time(sh, tokens, t, bf16))


@pytest.mark.parametrize("precision", ["bf16", "fp8"])
def test_dense_estimate_ignores_moe_knobs(precision: str) -> None:
    w = workload(model=LLAMA_65B, accelerator="h100-sxm", precision=precision, batch_tokens=4 * 2**20)
    low = (("training_ep_overlap", 0.0), ("training_expert_imbalance", 1.0), ("training_grouped_gemm_efficiency", 0.5))
    high = (("training_ep_overlap", 1.0), ("training_expert_imbalance", 2.0), ("training_grouped_gemm_efficiency", 1.0))
    runs = [estimate_training(w, knobs(params), 2048) for params in ((), low, high)]
    assert len({(r.tokens_per_second, r.layout, r.memory) for r in runs}) == 1
    assert runs[0].time_shares["expert_parallel"] == 0.0


def brute_force_stage(layers: int, stages: int, logits: float) -> float:
    """Slowest stage over every cut of ``layers`` into ``stages`` contiguous (possibly empty) stages."""
    best = math.inf
    for cuts in itertools.combinations_with_replacement(range(layers + 1), stages - 1):
        bounds = (0, *cuts, layers)
        sizes = [b - a for a, b in itertools.pairwise(bounds)]
        best = min(best, max(*sizes[:-1], sizes[-1] + logits))
    return best


def test_split_matches_brute_force() -> None:
    """_split lets stages be empty (j = units leaves the others none), as the oracle does."""
    grid = list(itertools.product(range(2, 13), range(2, 6), (0.0, 0.3, 1.0, 2.5)))
    units, p, logits = (np.array([g[i] for g in grid], dtype=np.float64) for i in range(3))
    stage, beside = _split(units, p, logits, 12)
    for i, (layers, stages, out) in enumerate(grid):
        assert stage[i] == pytest.approx(brute_force_stage(layers, stages, out)), (layers, stages, out)
        if beside[i] >= 0:
            assert stage[i] == pytest.approx(beside[i] + out)
        bound, _ = _split(units[i : i + 1], p[i : i + 1], logits[i : i + 1], math.ceil(layers / stages))
        assert bound[0] == stage[i]


@pytest.mark.parametrize("v", [1, 2, 3])
def test_pinned_interleave_is_honoured(catalog: Catalog, v: int) -> None:
    w = workload(model=QWEN3_235B, accelerator="h100-sxm", batch_tokens=2048 * 4096, parallelism={"interleave": v})
    lay = estimate_training(w, catalog, 256).layout
    assert lay.interleave == v
    assert math.ceil(94 / lay.pipeline) % v == 0
    assert v == 1 or lay.pipeline > 1
    sh = resolve_shape(ModelShape.model_validate(QWEN3_235B), catalog)
    pinned = enumerate_layouts(sh, 256, 2048, 8, Parallelism(interleave=v))
    assert len(pinned) > 0
    assert set(pinned.v.tolist()) == {v}
    assert np.all(pinned.stage_layers % v == 0)


@QUICK
@given(
    model=st.sampled_from([DEEPSEEK_V3, QWEN3_235B]), n=st.integers(1, 4096), batch=st.sampled_from([64, 1024, 16384]),
    scale_up=st.sampled_from([8, 72]),
)  # fmt: skip
def test_moe_layouts_fold_experts_into_tensor_and_data(
    catalog: Catalog, model: dict[str, Any], n: int, batch: int, scale_up: int
) -> None:
    sh = resolve_shape(ModelShape.model_validate(model), catalog)
    lay = enumerate_layouts(sh, n, batch, scale_up, None)
    assert np.all((lay.t * lay.d) % lay.e == 0)
    assert np.all(sh.experts % lay.e == 0)
    assert np.all(lay.t * lay.p * lay.d + lay.idle == n)


def scenario_problems(model: str) -> list[tuple[Any, ...]]:
    text = BASE.replace("{parameters: 7.0e10}", model, 1)
    try:
        load_scenario_text(text, "s.yaml")
    except InputError as exc:
        return [p.key for p in exc.problems]
    return []


@pytest.mark.parametrize("dense", [4, 5])
def test_dense_layers_must_leave_an_moe_layer(dense: int) -> None:
    bad = scenario_problems(f"{{parameters: 7.0e10, layers: 4, experts: 8, dense_layers: {dense}}}")
    assert bad == [("workloads", 0, "model", "dense_layers")]
    assert scenario_problems("{parameters: 7.0e10, layers: 4, experts: 8, dense_layers: 3}") == []


@pytest.mark.parametrize("key", ["shared_experts: 1", "dense_layers: 2", "expert_node_limit: 4"])
def test_moe_keys_need_experts(key: str) -> None:
    assert scenario_problems(f"{{parameters: 7.0e10, layers: 8, {key}}}") == [("workloads", 0, "model", "experts")]
    assert scenario_problems(f"{{parameters: 7.0e10, layers: 8, experts: 16, {key}}}") == []


def test_moe_key_problem_fails_validate(run: Callable[..., Run], scenario_file: Callable[[str], Path]) -> None:
    path = scenario_file(BASE.replace("{parameters: 7.0e10}", "{parameters: 7.0e10, shared_experts: 2}", 1))
    result = run("validate", path)
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(f"error: {path}:7:")
    assert "workloads[0].model.experts: MoE keys are given but not the number of experts" in result.err


def test_deepseek_v3_memory_on_h800() -> None:
    """The published layout fits 80 GB in fp8; the same layout in bf16 stores more activations and does not fit.

    Selective recompute keeps, per token of one MoE layer (memory docstring, t = 1,
    b bytes per GEMM operand, k·κ routed copies): two bf16 h-wide tensors, the
    attention output and the dispatched copies in b bytes, the gated MLP's
    up/gate outputs in bf16 and the MLA latents in b bytes. The first of 16 stages
    holds 4 layers and 16 microbatches in flight: 50 GB in fp8, 71 GB in bf16
    (86 GB in all against 72 GB usable).
    """
    h800 = knobs(h800=True)
    run = {"model": DEEPSEEK_V3, "accelerator": "h100-sxm", "batch_tokens": 15360 * 4096, "parallelism": DEEPSEEK_RUN}
    fp8 = estimate_training(workload(**run, precision="fp8"), h800, 2048)
    assert (fp8.layout.tensor, fp8.layout.pipeline, fp8.layout.expert, fp8.layout.recompute) == (1, 16, 64, "selective")
    assert fp8.memory.total_gb <= fp8.memory.capacity_gb
    with pytest.raises(InputError, match="GB per accelerator"):
        estimate_training(workload(**run, precision="bf16"), h800, 2048)
    sh = resolve_shape(ModelShape.model_validate(DEEPSEEK_V3), h800)
    lay = enumerate_layouts(sh, 2048, 15360, 8, Parallelism(**DEEPSEEK_RUN))
    i = int(np.flatnonzero((lay.m == fp8.layout.microbatch) & (lay.v == fp8.layout.interleave))[0])
    used = {p: memory(sh, lay, machine_for(workload(**run, precision=p), h800)) for p in ("fp8", "bf16")}
    h, copies_ = 7168, 8 * h800.param("training_expert_imbalance")
    for precision, b in (("fp8", 1), ("bf16", 2)):
        per_token = 2 * 2 * h + b * 128 * 128 + b * copies_ * h + 2 * 2 * 2048 * (copies_ + 1) + b * (1536 + 512 + 64)
        assert used[precision].activations[i] == pytest.approx(4 * 16 * 4096 * per_token)
    assert used["fp8"].activations[i] / GB == pytest.approx(fp8.memory.activations_gb)
    assert used["fp8"].activations[i] < used["bf16"].activations[i]
    assert used["bf16"].total[i] > fp8.memory.capacity_gb * GB


def test_a_layout_times_the_same_alone_or_among_all(catalog: Catalog) -> None:
    model = {"parameters": 30e9, "layers": 8, "d_model": 4096, "heads": 32, "d_ff": 1024, "experts": 8,
             "experts_per_token": 1, "dense_layers": 4, "dense_d_ff": 65536, "gated_mlp": True, "seq_len": 4096,
             "vocab": 32000}  # fmt: skip
    sh = resolve_shape(ModelShape.model_validate(model), catalog)
    mc = machine_for(workload(model=model, accelerator="h100-sxm"), catalog)
    pinned = Parallelism(tensor=1, pipeline=2, expert=8, microbatch=1, interleave=1, recompute="none")
    alone = step_times(sh, enumerate_layouts(sh, 64, 256, 8, pinned), mc).step[0]
    lay = enumerate_layouts(sh, 64, 256, 8, None)
    among = step_times(sh, lay, mc).step
    i = np.flatnonzero((lay.t == 1) & (lay.p == 2) & (lay.e == 8) & (lay.m == 1) & (lay.v == 1) & (lay.r == 0))
    assert i.size == 1
    assert among[i[0]] == pytest.approx(alone, rel=1e-12)


def test_thinner_experts_reach_a_lower_gemm_rate(catalog: Catalog) -> None:
    """Fine-grained experts (small d_ff, more of them per token) do the same FLOPs at a lower achieved rate."""
    rates = []
    for ffn, k in ((4096, 2), (2048, 4), (1024, 8), (512, 16)):
        model = {"parameters": 60e9, "active_parameters": 8e9, "layers": 32, "d_model": 4096, "heads": 32,
                 "d_ff": ffn, "experts": 64 * 4096 // ffn, "experts_per_token": k, "gated_mlp": True, "seq_len": 4096}  # fmt: skip
        sh = resolve_shape(ModelShape.model_validate(model), catalog)
        mc = machine_for(workload(model=model, accelerator="h100-sxm"), catalog)
        tokens, one = np.array([4096.0]), np.array([1.0])
        seconds = kernels.mlp_gemms(sh, tokens, one, np.array([8.0]), mc)[0]
        flops = 2.0 * 4096 * sh.top_k * sh.expert_params * mc.expert_imbalance
        rates.append(flops / seconds)
    assert rates == sorted(rates, reverse=True)
    assert rates[-1] < 0.9 * rates[0]


def test_more_accelerators_never_lower_moe_throughput(catalog: Catalog) -> None:
    """Folded expert groups leave a rack idle rather than give up a layout: throughput never falls with n."""
    w = workload(model=DEEPSEEK_V3, accelerator="gb200", precision="fp8", tokens=14.8e12)
    rates = [estimate_training(w, catalog, n).tokens_per_second for n in range(1728, 2664, 72)]
    assert all(b >= a * (1 - 1e-12) for a, b in itertools.pairwise(rates))


def test_deadline_count_is_the_smallest_whole_rack_count(catalog: Catalog) -> None:
    from rackforge.sizing.compute import size_workload

    base = {"model": DEEPSEEK_V3, "accelerator": "gb200", "precision": "fp8", "tokens": 1.48e13}
    n = size_workload(workload(**base, deadline_days=30), catalog).accelerators
    assert size_workload(workload(**base, accelerators=n), catalog).days <= 30
    assert size_workload(workload(**base, accelerators=n - 72), catalog).days > 30


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ({k: v for k, v in DEEPSEEK_V3.items() if k != "active_parameters"}, "active_parameters"),
        (
            {
                "parameters": 7e10,
                "layers": 80,
                "d_model": 8192,
                "heads": 64,
                "kv_heads": 8,
                "d_ff": 4096,
                "gated_mlp": True,
            },
            "parameters",
        ),
    ],
)
def test_a_shape_that_contradicts_its_counts_is_an_input_error(catalog: Catalog, model: dict, field: str) -> None:
    with pytest.raises(InputError) as info:
        estimate_training(workload(model=model, accelerator="h100-sxm"), catalog, 2048, key=("workloads", 0))
    assert info.value.problems[0].key == ("workloads", 0, "model", field)
