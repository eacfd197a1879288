"""Bad input: every case names file, line, column and key path, says how to fix it, exits 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import BASE

W = "  - name: train\n    type: training\n"


def edit(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


# (id, scenario text, expected fragment of the message, expected line or None)
CASES = [
    ("empty", "", "the file is empty", 1),
    ("blank", "\n\n   \n", "the file is empty", 1),
    ("not-yaml", "name: [unclosed\nstart: 2027-01-04\n", "not valid YAML", None),
    ("tab-indent", "name: x\n\tstart: 2027-01-04\n", "not valid YAML", 2),
    ("duplicate-key", edit("horizon_weeks: 52\n", "horizon_weeks: 52\nhorizon_weeks: 60\n"), "duplicate key", 4),
    ("top-level-list", "- name: x\n- start: y\n", "the top level is a list, not a mapping", 1),
    ("missing-name", BASE.replace("name: test-campus\n", ""), "name: field required", None),
    (
        "misspelled-key",
        edit("horizon_weeks", "horizon_week"),
        "unknown key `horizon_week`; did you mean `horizon_weeks`?",
        3,
    ),
    ("misspelled-model-key", edit("parameters: 7.0e10", "parameter: 7.0e10"), "did you mean `parameters`?", 7),
    ("start-not-monday", edit("2027-01-04", "2027-01-06"), "2027-01-06 is not a Monday; use 2027-01-04", 2),
    ("start-not-date", edit("2027-01-04", "soon"), "start: input should be a valid date", 2),
    (
        "type-typo",
        edit("type: training", "type: trainin"),
        "`trainin` is not one of training, inference; did you mean `training`?",
        6,
    ),
    (
        "unknown-accelerator",
        edit("h100-sxm", "h100-sxn"),
        "unknown accelerator `h100-sxn`; did you mean `h100-sxm`?",
        9,
    ),
    (
        "unknown-system",
        edit("    accelerators: 1024\n", "    accelerators: 1024\n    system: dgx-h1000\n"),
        "unknown system `dgx-h1000`; did you mean `dgx-h100`?",
        11,
    ),
    (
        "system-mismatch",
        edit("    accelerators: 1024\n", "    accelerators: 1024\n    system: dgx-b200\n"),
        "holds `b200`, not `h100-sxm`",
        11,
    ),
    ("unknown-site", edit("    site: s1", "    site: s2"), "unknown site `s2`", 11),
    ("unknown-switch", edit("switch: qm9700", "switch: qm9070"), "unknown switch `qm9070`; did you mean `qm9700`?", 15),
    ("topology-typo", edit("{switch: qm9700}", "{switch: qm9700, topology: fat_tree}"), "did you mean `fat-tree`?", 15),
    (
        "oversubscription-low",
        edit("{switch: qm9700}", "{switch: qm9700, oversubscription: 0.5}"),
        "greater than or equal to 1",
        15,
    ),
    (
        "duplicate-workload",
        edit(
            "sites:\n",
            W
            + "    model: {parameters: 1.0e9}\n    tokens: 1.0e9\n    accelerator: h100-sxm\n    accelerators: 8\n    site: s1\nsites:\n",
        ),
        "duplicate name `train`",
        12,
    ),
    ("duplicate-site", BASE + "  - name: s1\n", "duplicate name `s1`", 19),
    ("shares-not-one", edit("{week: 20, share: 0.5}", "{week: 20, share: 0.4}"), "wave shares sum to 0.9, not 1", 16),
    ("share-zero", edit("{week: 20, share: 0.5}", "{week: 20, share: 0}"), "greater than 0", 18),
    ("week-past-horizon", edit("{week: 20, share: 0.5}", "{week: 60, share: 0.5}"), "week 60 is past the horizon", 18),
    ("same-week-twice", edit("{week: 20, share: 0.5}", "{week: 10, share: 0.5}"), "two waves in week 10", 18),
    (
        "both-count-and-deadline",
        edit("    accelerators: 1024\n", "    accelerators: 1024\n    deadline_days: 30\n"),
        "gives both `accelerators` and `deadline_days`",
        11,
    ),
    (
        "neither-count-nor-deadline",
        edit("    accelerators: 1024\n", ""),
        "gives neither `accelerators` nor `deadline_days`",
        5,
    ),
    (
        "negative-accelerators",
        edit("accelerators: 1024", "accelerators: -8"),
        "accelerators: input should be greater than 0",
        10,
    ),
    ("zero-parameters", edit("parameters: 7.0e10", "parameters: 0"), "parameters: input should be greater than 0", 7),
    ("parameters-not-number", edit("parameters: 7.0e10", "parameters: lots"), "write a number", 7),
    ("fractional-count", edit("accelerators: 1024", "accelerators: 10.5"), "write a whole number", 10),
    ("pue-below-one", edit("pue: 1.2", "pue: 0.9"), "pue: input should be greater than or equal to 1", 14),
    (
        "inference-no-rate",
        edit("type: training", "type: inference")
        .replace("    tokens: 2.0e12\n", "")
        .replace("    accelerators: 1024\n", ""),
        "needs `tokens_per_second`",
        5,
    ),
    ("training-no-tokens", edit("    tokens: 2.0e12\n", ""), "a training workload needs `tokens`", 5),
    (
        "kv-heads",
        edit("{parameters: 7.0e10}", "{parameters: 7.0e10, heads: 64, kv_heads: 7}"),
        "7 KV heads do not divide 64 heads",
        7,
    ),
    (
        "active-over-total",
        edit("{parameters: 7.0e10}", "{parameters: 7.0e10, active_parameters: 8.0e10}"),
        "more active parameters than parameters",
        7,
    ),
    ("nothing-to-size", BASE[: BASE.index("workloads:")] + BASE[BASE.index("sites:") :], "nothing to size", 1),
    ("no-sites", BASE[: BASE.index("sites:")] + "sites: []\n", "sites: list should have at least 1 item", 12),
    (
        "cluster-zero",
        BASE + "clusters:\n  - {name: c, site: s1, system: dgx-h100, count: 0}\n",
        "count: input should be greater than 0",
        20,
    ),
    (
        "precision-unsupported",
        edit("    accelerators: 1024\n", "    accelerators: 1024\n    precision: fp8\n").replace(
            "h100-sxm", "a100-sxm"
        ),
        "`a100-sxm` has no fp8 tensor peak; use one of: bf16",
        11,
    ),
    ("model-does-not-fit", edit("{parameters: 7.0e10}", "{parameters: 7.0e13}"), "more than the", 7),
    (
        "tpot-unreachable",
        edit("type: training", "type: inference")
        .replace("    tokens: 2.0e12\n", "    tokens_per_second: 1.0e6\n    tpot_ms: 0.01\n")
        .replace("    accelerators: 1024\n", ""),
        "tpot_ms",
        9,
    ),
    (
        "rack-budget-too-small",
        BASE.replace("    pue: 1.2\n", "    pue: 1.2\n    rack_power_kw: 5\n"),
        "more than the 5 kW rack budget",
        15,
    ),
    (
        "power-cap-exceeded",
        BASE.replace("    pue: 1.2\n", "    pue: 1.2\n    power_cap_mw: 0.5\n"),
        "exceeds the 0.5 MW cap",
        15,
    ),
    (
        "unknown-storage-switch",
        BASE.replace("    pue: 1.2\n", "    pue: 1.2\n    storage: {switch: sn560}\n"),
        "did you mean `sn5600`?",
        15,
    ),
    ("catalog-section", BASE + "catalog:\n  gpus: []\n", "unknown catalog section `gpus`", 20),
    (
        "catalog-no-source",
        BASE + "catalog:\n  accelerators:\n    - {id: h100-sxm, unit_cost_usd: 20000}\n",
        "needs `source`",
        21,
    ),
    (
        "catalog-bad-family",
        BASE
        + "catalog:\n  parts:\n    - {id: my-cable, name: C, family: cable, unit_cost_usd: 9, source: quote, confidence: E}\n",
        "did you mean `cables`?",
        21,
    ),
    (
        "catalog-unknown-child",
        BASE
        + "catalog:\n  parts:\n    - {id: kit, name: K, family: racks, source: design, confidence: E, bom: [{part: dac-800g-2mm, qty: 2}]}\n",
        "unknown part `dac-800g-2mm`",
        21,
    ),
    (
        "catalog-cycle",
        BASE
        + "catalog:\n  parts:\n    - {id: a-kit, name: A, family: racks, source: sketch, confidence: E, bom: [{part: b-kit, qty: 1}]}\n    - {id: b-kit, name: B, family: racks, source: sketch, confidence: E, bom: [{part: a-kit, qty: 1}]}\n",
        "cycle: a-kit -> b-kit -> a-kit",
        21,
    ),
]


@pytest.mark.parametrize(("text", "fragment", "line"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_scenario(run, scenario_file, text: str, fragment: str, line: int | None) -> None:
    path = scenario_file(text)
    before = path.read_bytes()
    result = run("validate", path)
    assert result.code == 2, result
    assert result.out == ""
    assert "Traceback" not in result.err
    first = result.err.splitlines()[0]
    assert re.match(rf"error: {re.escape(str(path))}:\d+:\d+: \S+: .+; .+", first), first
    assert fragment.lower() in result.err.lower(), result.err
    if line is not None:
        assert f"{path}:{line}:" in result.err, result.err
    assert path.read_bytes() == before


def test_missing_file(run, tmp_path: Path) -> None:
    result = run("validate", tmp_path / "nope.yaml")
    assert result.code == 2
    assert result.err.startswith(f"error: {tmp_path / 'nope.yaml'}:1:1: (root): no such file; ")


def test_directory(run, tmp_path: Path) -> None:
    result = run("validate", tmp_path)
    assert result.code == 2
    assert "this is a directory, not a file; give the path of a .yaml file" in result.err


def test_binary_file(run, tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"\x00\x01\x02name")
    result = run("validate", path)
    assert result.code == 2
    assert "not a text file" in result.err


def test_every_problem_is_reported(run, scenario_file) -> None:
    text = edit("h100-sxm", "h100-sxn").replace("pue: 1.2", "pue: 1.2\n    power_cap_mw: -5")
    result = run("validate", scenario_file(text))
    assert result.code == 2
    assert "power_cap_mw" in result.err


def test_usage_error_exits_2(run) -> None:
    assert run("frobnicate").code == 2
    assert run("size").code == 2


def test_bad_input_writes_nothing(run, scenario_file, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("plan", scenario_file(edit("h100-sxm", "h100-sxn")), "--out", out)
    assert result.code == 2
    assert not out.exists()
