"""The README runs as written: every tour command on a fresh checkout, and its scenario example plans."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _block(after: str, lang: str) -> str:
    """The first fenced ``lang`` block after the heading ``after``."""
    tail = README[README.index(after) :]
    found = re.search(rf"```{lang}\n(.*?)```", tail, re.S)
    assert found, f"no {lang} block after {after!r}"
    return found.group(1)


def _tour() -> list[str]:
    lines = [line.split("  #")[0].strip() for line in _block("## A five-minute tour", "sh").splitlines()]
    return [line for line in lines if line.startswith("rackforge ")]


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory laid out as the repository's root, with the files the tour names."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / "tests" / "data" / "psplib").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "data" / "psplib" / "j301_1.sm", tmp_path / "tests" / "data" / "psplib")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_tour_names_real_commands() -> None:
    tour = _tour()
    assert len(tour) >= 14
    for line in tour:
        for word in shlex.split(line.split(">")[0]):
            if word.endswith((".yaml", ".csv", ".sm")) and "-o" not in line and "--csv" not in line:
                assert (ROOT / word).exists() or word in {"big.yaml"}, f"{word} named by the README is missing"


def test_every_tour_command_runs_verbatim(run, checkout: Path) -> None:
    for line in _tour():
        command, _, redirect = line.partition(" > ")
        result = run(*shlex.split(command)[1:])
        assert result.code == 0, f"{line}\n{result.err}"
        assert "Traceback" not in result.err
        if redirect:
            (checkout / redirect.strip()).write_text(result.out)
    assert json.loads((checkout / "old.json").read_text())["status"] in ("optimal", "feasible")
    assert (checkout / "ext.yaml").read_text().startswith("catalog:")
    assert (checkout / "out" / "report.html").exists()


def test_the_scenario_example_validates_and_plans(run, checkout: Path) -> None:
    scenario = checkout / "examples" / "readme.yaml"
    scenario.write_text(_block("## The scenario format", "yaml"))
    assert run("validate", scenario).code == 0
    result = run("plan", scenario, "--out", checkout / "plan", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["stages"] == ["sizing", "bom", "supply", "risk"]
    assert doc["supply"]["status"] == "optimal"
    factory = next(g for g in doc["risk"]["groups"] if g["id"] == "houston-tx")
    assert factory["ttr"] == 6, "the README's `risk.factories.weeks`"
    assert doc["sizing"]["sites"][0]["accelerators"] > 0
