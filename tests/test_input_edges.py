"""Edge values: non-finite and overflowing numbers, impossible dates, wide encodings and unreachable
deadlines are located input errors (exit 2) from ``validate`` and ``plan`` alike, never a traceback."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from tests.conftest import BASE, assert_located, line_of

BUNDLED = (resources.files("rackforge") / "examples" / "campus-1gw.yaml").read_text(encoding="utf-8")
PART = "  parts:\n    - {id: my-kit, name: Kit, family: racks, source: quote, confidence: E, unit_cost_usd: 9}\n"
SITE = "    pue: 1.2\n"


def edit(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def site_key(key: str) -> str:
    return edit(SITE, SITE + f"    {key}\n")


# (id, scenario text, expected fragment, text of the line the error must point at)
CASES = [
    ("tokens-inf", edit("tokens: 2.0e12", "tokens: .inf"), "workloads[0].tokens: input should be a finite number",
     "tokens: .inf"),
    ("tokens-nan", edit("tokens: 2.0e12", "tokens: .nan"), "write a finite number (not .inf or .nan)",
     "tokens: .nan"),
    ("pue-nan", edit("pue: 1.2", "pue: .NaN"), "sites[0].pue: input should be a finite number", "pue: .NaN"),
    ("power-cap-minus-inf", site_key("power_cap_mw: -.inf"), "power_cap_mw: input should be a finite number",
     "power_cap_mw"),
    ("on-hand-inf", site_key("on_hand: {ups-1mw: .inf}"), "sites[0].on_hand.ups-1mw: input should be a finite",
     "on_hand"),
    ("wave-share-nan", edit("share: 0.4", "share: .nan", edit("share: 0.5}", "share: 0.4}")),
     "sites[0].waves[0].share: input should be a finite number", "share: .nan"),
    ("catalog-cost-inf", BASE + "catalog:\n" + PART.replace("unit_cost_usd: 9", "unit_cost_usd: .inf"),
     "catalog.parts[0].unit_cost_usd: input should be a finite number", "my-kit"),
    ("power-cap-1e308", site_key("power_cap_mw: 1e308"), "power_cap_mw: input should be less than or equal to",
     "power_cap_mw"),
    ("tokens-per-second-1e308",
     edit("type: training", "type: inference").replace("tokens: 2.0e12", "tokens_per_second: 1e308")
     .replace("    accelerators: 1024\n", ""),
     "workloads[0].tokens_per_second: input should be less than or equal to 1000000000000", "tokens_per_second"),
    ("lateness-rate-1e308", BASE + "policy: {lateness_penalty_rate: 1e308}\n",
     "policy.lateness_penalty_rate: input should be less than or equal to", "policy:"),
    ("layers-huge-int", edit("{parameters: 7.0e10}", "{parameters: 7.0e10, layers: 1000000000000000000000000}"),
     "workloads[0].model.layers: input should be less than or equal to 10000", "layers:"),
    ("accelerators-huge-int", edit("accelerators: 1024", "accelerators: 99999999999999999999"),
     "workloads[0].accelerators: input should be less than or equal to 10000000", "accelerators: 9999"),
    ("catalog-port-rate-1e308",
     BASE + "catalog:\n  systems:\n    - {id: dgx-h100, source: test, scale_out_gbps: 1e308}\n",
     "catalog.systems[0].scale_out_gbps: input should be less than or equal to", "dgx-h100"),
    ("catalog-peak-zero",
     BASE + "catalog:\n  accelerators:\n    - {id: h100-sxm, source: test, dense_tflops: {bf16: 0}}\n",
     "catalog.accelerators[0].dense_tflops.bf16: input should be greater than 0", "dense_tflops"),
    ("output-tokens-tiny",
     edit("type: training", "type: inference").replace("tokens: 2.0e12", "tokens_per_second: 1.0e4\n    output_tokens: 1e-308")
     .replace("    accelerators: 1024\n", ""),
     "workloads[0].output_tokens: input should be greater than or equal to 1", "output_tokens"),
    ("mfu-tiny", edit("    accelerators: 1024\n", "    accelerators: 1024\n    mfu: 1e-308\n"),
     "workloads[0].mfu: input should be greater than or equal to 0.001", "mfu:"),
    ("predecessor-unknown-key",
     BASE + "projects:\n  - name: p\n    tasks:\n      - {name: a, duration_weeks: 1}\n"
     "      - {name: b, duration_weeks: 1, after: [{tsk: a}]}\n",
     "projects[0].tasks[1].after[0].tsk: unknown key `tsk`; did you mean `task`?", "after: [{tsk: a}]"),
    ("parameter-zero-divisor", BASE + "catalog:\n  parameters:\n    - {id: psu_efficiency, value: 0, source: test}\n",
     "catalog.parameters[0]: `psu_efficiency` must be above 0", "psu_efficiency"),
    ("parameter-zero-mamf", BASE + "catalog:\n  parameters:\n    - {id: training_mamf_h100_sxm, value: 0, source: test}\n",
     "`training_mamf_h100_sxm` must be above 0", "training_mamf_h100_sxm"),
    ("parameter-negative", BASE + "catalog:\n  parameters:\n    - {id: power_factor, value: -1, source: test}\n",
     "catalog.parameters[0].value: input should be greater than or equal to 0", "power_factor"),
    ("start-month-13", edit("2027-01-04", "2027-13-45"), "start: 2027-13-45 is not a date; write a date as YYYY-MM-DD",
     "start:"),
    ("start-feb-30", edit("2027-01-04", "2027-02-30"), "start: 2027-02-30 is not a date", "start:"),
    ("start-year-0", edit("2027-01-04", "0000-01-03"), "start: 0000-01-03 is not a date", "start:"),
    ("start-hour-25", edit("2027-01-04", "2027-01-04 25:00:00"), "start: 2027-01-04 25:00:00 is not a date",
     "start:"),
    ("tariff-impossible-date",
     BASE + "catalog:\n  tariffs:\n    - {id: t, program: p, hts: ['85'], origins: [CN], rate: 0.1, "
     "effective_from: 2026-02-31, source: test, confidence: E}\n",
     "catalog.tariffs[0].effective_from: 2026-02-31 is not a date", "effective_from"),
    ("deep-nesting", BASE + "description: " + "[" * 600 + "]" * 600 + "\n",
     "(root): the YAML nests too deeply", "name:"),
    ("aliases-of-aliases", BASE + "".join(f"x{k}: &x{k} [{', '.join([f'*x{k - 1}'] * 10)}]\n" for k in range(1, 7))
     .replace("*x0", "0"), "(root): the YAML expands to more than 1,000,000 values", "name:"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "fragment", "where"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_edge_value(run, scenario_file, tmp_path: Path, text: str, fragment: str, where: str) -> None:
    """``validate`` names the key and line with a fix; ``plan`` fails with the same first error."""
    path = scenario_file(text)
    checked = run("validate", path)
    assert checked.code == 2, checked
    assert_located(checked.err, path, fragment, line_of(text, where))
    planned = run("plan", path, "--out", tmp_path / "out", "--json")
    assert planned.code == 2, planned
    assert planned.err.splitlines()[0] == checked.err.splitlines()[0]


ENCODINGS = [
    ("utf-16", "UTF-16"),
    ("utf-16-le", "UTF-16"),
    ("utf-16-be", "UTF-16"),
    ("utf-32", "UTF-32"),
    ("utf-32-le", "UTF-32"),
]


@pytest.mark.parametrize(("codec", "name"), ENCODINGS, ids=[c for c, _ in ENCODINGS])
def test_wide_encoding_is_named(run, tmp_path: Path, codec: str, name: str) -> None:
    """UTF-16 and UTF-32 files, with or without a byte-order mark, are named as such with the fix."""
    path = tmp_path / "wide.yaml"
    path.write_bytes(BASE.encode(codec))
    for args in (("validate", path), ("plan", path, "--out", tmp_path / "out")):
        result = run(*args)
        assert result.code == 2
        assert result.err == f"error: {path}:1:1: (root): the file is {name} text; save it as UTF-8\n"


def test_union_tags_leave_the_key_path(run, scenario_file) -> None:
    """A predecessor written as a mapping is reported as one, at keys the file has: no `str` or `Predecessor`
    union tags in the path, and no "should be a valid string" for a value that is clearly a mapping."""
    text = BASE + "projects:\n  - name: p\n    tasks:\n      - {name: a, duration_weeks: 1, after: [{lag_weeks: 1}]}\n"
    result = run("validate", scenario_file(text))
    assert result.code == 2
    assert [e.split(": ")[2] for e in result.err.splitlines()] == ["projects[0].tasks[0].after[0].task"]
    assert "field required; add this key" in result.err


def test_utf8_byte_order_mark_is_read(run, tmp_path: Path) -> None:
    """A UTF-8 file that starts with a byte-order mark (as some editors save it) is an ordinary scenario."""
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    result = run("size", path, "--json")
    assert result.code == 0, result
    assert json.loads(result.out)["workloads"][0]["accelerators"] == 1024


def _deadline_error(run, scenario_file, text: str) -> tuple[Path, str, float, int]:
    path = scenario_file(text)
    result = run("validate", path)
    assert result.code == 2, result
    m = re.search(r"the fastest run found takes ([\d,.]+) days, on ([\d,]+) accelerators", result.err)
    assert m, result.err
    return path, result.err, float(m[1].replace(",", "")), int(m[2].replace(",", ""))


def test_unreachable_deadline_says_the_fastest(run, scenario_file) -> None:
    """A 10-day deadline on the bundled pre-training run is reported at its `deadline_days` with the
    fastest run found; that run, asked for by its accelerator count, takes no longer than reported."""
    text = BUNDLED.replace("    accelerators: 110592 ", "    deadline_days: 10 ").replace("power_cap_mw: 600 ", "")
    path, err, days, count = _deadline_error(run, scenario_file, text)
    first = err.splitlines()[0]
    assert first.startswith(f"error: {path}:{line_of(text, 'deadline_days: 10')}:5: workloads[0].deadline_days: ")
    assert "a 10-day deadline cannot be met" in first
    assert f"allow at least {days:g} days" in first
    assert 10 < days < 100
    assert count > 110592
    at = scenario_file(text.replace("deadline_days: 10 ", f"accelerators: {count} "), "at.yaml")
    sized = run("size", at, "--json")
    assert sized.code == 0, sized
    assert json.loads(sized.out)["workloads"][0]["days"] <= days


def test_deadline_beyond_the_count_limit(run, scenario_file) -> None:
    """With MFU and goodput given, days fall as 1/n, so the limit is the 10 M accelerators rackforge sizes."""
    text = edit("    accelerators: 1024\n", "    deadline_days: 1.0e-6\n    mfu: 0.4\n    goodput: 0.9\n")
    _, err, days, count = _deadline_error(run, scenario_file, text)
    assert "the most rackforge sizes" in err
    assert count <= 10_000_000 < count + 8
    assert days == pytest.approx(7.0e10 * 6 * 2.0e12 / (count * 989.4e12 * 0.4 * 0.9) / 86400, rel=0.01)


def test_inference_fleet_beyond_the_count_limit(run, scenario_file) -> None:
    """An inference rate that needs more than 10 M accelerators is an error at `tokens_per_second`."""
    text = (
        edit("type: training", "type: inference")
        .replace("tokens: 2.0e12", "tokens_per_second: 1.0e12")
        .replace("    accelerators: 1024\n", "")
    )
    path = scenario_file(text)
    result = run("validate", path)
    assert result.code == 2
    assert f"{path}:{line_of(text, 'tokens_per_second')}:" in result.err
    assert "more than the 10,000,000 rackforge sizes" in result.err
