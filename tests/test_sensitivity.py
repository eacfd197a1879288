"""Sensitivity tornadoes: exact arithmetic where the model is exact, monotone where it must be, honest ends."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from typer.testing import CliRunner

from rackforge.catalog import load_catalog
from rackforge.cli import app
from rackforge.inputs import bundled_scenario
from rackforge.scenario import Scenario
from rackforge.sizing import size

DENSE = {"parameters": 70e9, "layers": 80, "d_model": 8192, "heads": 64, "kv_heads": 8, "d_ff": 28672,
         "gated_mlp": True, "seq_len": 8192}  # fmt: skip
MOE = {"parameters": 235e9, "active_parameters": 22e9, "layers": 94, "d_model": 4096, "heads": 64, "kv_heads": 4,
       "head_dim": 128, "d_ff": 1536, "experts": 128, "experts_per_token": 8, "gated_mlp": True, "seq_len": 4096}  # fmt: skip


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def scenario(*workloads: dict[str, Any]) -> Scenario:
    base = {"type": "training", "accelerator": "h100-sxm", "site": "s", "tokens": 2e12}
    ws = [{"name": f"w{i}", **base, **w} for i, w in enumerate(workloads)]
    return Scenario.model_validate(
        {"name": "t", "start": dt.date(2027, 1, 4), "workloads": ws, "sites": [{"name": "s"}]}
    )


def test_mfu_and_goodput_bars_are_exact_on_a_given_count(catalog) -> None:
    s = size(scenario({"model": DENSE, "accelerators": 4096}), catalog, with_sensitivity=True)
    t = s.sensitivity[0]
    assert t.metric == "days"
    assert t.base == pytest.approx(s.workloads[0].days)
    bars = {b.factor: b for b in t.bars}
    assert set(bars) == {"mfu", "goodput"}
    assert bars["mfu"].low == pytest.approx(t.base / 0.8, rel=1e-9)
    assert bars["mfu"].high == pytest.approx(t.base / 1.2, rel=1e-9)
    goodput = s.workloads[0].goodput
    assert bars["goodput"].low == pytest.approx(t.base / 0.85, rel=1e-9)
    assert bars["goodput"].high == pytest.approx(t.base * goodput / min(1.0, goodput * 1.05), rel=1e-9)
    assert [b.swing for b in t.bars] == sorted((b.swing for b in t.bars), reverse=True)


def test_moe_bars_appear_only_for_experts_and_move_the_right_way(catalog) -> None:
    s = size(scenario({"model": MOE, "accelerators": 2048}, {"model": DENSE, "accelerators": 2048}), catalog, True)
    moe, dense = ({b.factor: b for b in t.bars} for t in s.sensitivity)
    assert {"ep_overlap", "expert_imbalance"} <= set(moe)
    assert not {"ep_overlap", "expert_imbalance"} & set(dense)
    assert moe["ep_overlap"].low >= moe["ep_overlap"].high
    assert moe["expert_imbalance"].low <= moe["expert_imbalance"].high


def test_deadline_workloads_answer_in_accelerators(catalog) -> None:
    s = size(scenario({"model": DENSE, "deadline_days": 60}), catalog, with_sensitivity=True)
    t = s.sensitivity[0]
    assert t.metric == "accelerators"
    bars = {b.factor: b for b in t.bars}
    assert bars["mfu"].low > t.base > bars["mfu"].high


def test_inference_prompt_and_output_lengths(catalog) -> None:
    serving = {"type": "inference", "model": DENSE, "tokens_per_second": 2e6, "precision": "fp8", "tokens": None}
    s = size(scenario(serving), catalog, with_sensitivity=True)
    t = s.sensitivity[0]
    bars = {b.factor: b for b in t.bars}
    assert t.metric == "accelerators"
    assert (bars["prompt_tokens"].low_input, bars["prompt_tokens"].high_input) == (1155 * 0.5, 1155 * 2)
    assert bars["prompt_tokens"].low <= t.base <= bars["prompt_tokens"].high
    assert bars["output_tokens"].low >= t.base >= bars["output_tokens"].high


def test_an_end_that_cannot_be_sized_is_reported_not_dropped(catalog) -> None:
    serving = {"type": "inference", "model": DENSE, "tokens_per_second": 2e6, "precision": "fp8", "tokens": None,
               "prompt_tokens": 8000, "ttft_ms": 1500}  # fmt: skip
    base = size(scenario(serving), catalog).workloads[0]
    assert base.detail.serving.ttft_ms <= 1500
    t = size(scenario(serving), catalog, with_sensitivity=True).sensitivity[0]
    prompt = next(b for b in t.bars if b.factor == "prompt_tokens")
    assert prompt.low is not None
    assert prompt.high is None
    assert "ttft" in prompt.note.lower() or "first token" in prompt.note.lower()


def test_size_sensitivity_json_and_table() -> None:
    runner = CliRunner()
    path = str(bundled_scenario())
    plain = json.loads(runner.invoke(app, ["size", path, "--json"]).stdout)
    assert plain["sensitivity"] == []
    result = runner.invoke(app, ["size", path, "--json", "--sensitivity"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert [t["workload"] for t in doc["sensitivity"]] == [w["name"] for w in doc["workloads"]]
    assert all(t["bars"] for t in doc["sensitivity"])
    table = runner.invoke(app, ["size", path, "--sensitivity"])
    assert "Sensitivity of" in table.stdout


def test_the_report_figure_has_both_ends_of_every_bar(catalog) -> None:
    from rackforge.inputs import load_inputs
    from rackforge.report.figures import sensitivity_figure

    inputs = load_inputs(bundled_scenario())
    sizing = size(inputs.scenario, inputs.catalog, with_sensitivity=True)
    fig = sensitivity_figure(sizing)
    assert len(fig.data) == 2 * len(sizing.sensitivity)
    for t, (low, high) in zip(sizing.sensitivity, zip(fig.data[::2], fig.data[1::2], strict=True), strict=True):
        assert len(low.y) == len(high.y) == len(t.bars)
        widest = t.bars[0]
        assert low.x[-1] == pytest.approx(100 * (widest.low / t.base - 1))


def test_size_names_the_lengths_each_service_was_sized_for() -> None:
    path = str(bundled_scenario())
    out = CliRunner().invoke(app, ["size", path]).stdout
    assert "assistant-serving: served for 2,000-token prompts and 400-token outputs (given); p99 time" in out


def test_deadline_bars_move_the_count_the_way_the_assumption_does(catalog) -> None:
    s = size(scenario({"model": MOE, "deadline_days": 40, "precision": "fp8"}), catalog, with_sensitivity=True)
    t = s.sensitivity[0]
    bars = {b.factor: b for b in t.bars}
    assert bars["mfu"].low >= t.base >= bars["mfu"].high
    assert bars["goodput"].low >= t.base >= bars["goodput"].high
    assert bars["expert_imbalance"].low <= t.base <= bars["expert_imbalance"].high


def test_serving_keys_on_a_training_workload_are_refused() -> None:
    from rackforge.errors import InputError
    from rackforge.scenario import load_scenario_text

    text = """name: t
start: 2027-01-04
workloads:
  - {name: w, type: training, model: {parameters: 7.0e10}, tokens: 1.0e12, accelerator: h100-sxm,
     accelerators: 1024, site: s, profile: rag, ttft_ms: 500}
sites: [{name: s}]
"""
    with pytest.raises(InputError) as info:
        load_scenario_text(text, "s.yaml")
    keys = {p.key for p in info.value.problems}
    assert keys == {("workloads", 0, "profile"), ("workloads", 0, "ttft_ms")}


def test_size_names_each_training_runs_layout_batch_and_memory() -> None:
    out = CliRunner().invoke(app, ["size", str(bundled_scenario())]).stdout
    line = next(x for x in out.splitlines() if x.startswith("frontier-pretrain: TP"))
    assert "EP" in line
    assert "-token batches" in line
    assert "GB per accelerator" in line
