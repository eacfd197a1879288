"""Benchmark readers: PSPLIB .sm/.mm, MPLIB .rcmp and the optimum tables, checked against the files."""

from __future__ import annotations

import random
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from rackforge.errors import InputError
from rackforge.schedule.instance import Instance
from rackforge.schedule.readers import (
    read_instance,
    read_j30_optima,
    read_mm,
    read_mm_optima,
    read_rcmp,
    read_sm,
)

DATA = Path(__file__).parent / "data" / "psplib"
SM, MM, RCMP = DATA / "j301_1.sm", DATA / "j1010_1.mm", DATA / "MPLIB1_Set1_0.rcmp"


def critical_path(inst: Instance) -> int:
    """Longest path through the precedence graph with each job's shortest mode (Kahn order)."""
    succ: dict[int, list[int]] = {i: [] for i in range(len(inst.jobs))}
    indegree = [0] * len(inst.jobs)
    for p in inst.precedences:
        succ[p.before].append(p.after)
        indegree[p.after] += 1
    start = [0] * len(inst.jobs)
    order = [i for i, d in enumerate(indegree) if d == 0]
    for i in order:
        finish = start[i] + min(m.duration for m in inst.jobs[i].modes)
        for j in succ[i]:
            start[j] = max(start[j], finish)
            indegree[j] -= 1
            if indegree[j] == 0:
                order.append(j)
    assert len(order) == len(inst.jobs), "precedence graph has a cycle"
    return max(start[i] + min(m.duration for m in job.modes) for i, job in enumerate(inst.jobs))


def edges(inst: Instance) -> set[tuple[str, str]]:
    """Precedences as pairs of job names."""
    return {(inst.jobs[p.before].name, inst.jobs[p.after].name) for p in inst.precedences}


def successors(inst: Instance, name: str) -> set[str]:
    """Names of the direct successors of job ``name``."""
    return {b for a, b in edges(inst) if a == name}


def rows_between(lines: list[str], title: str, header_rows: int) -> range:
    """Indices of the data rows of section ``title`` (up to the next ``***`` line)."""
    first = next(i for i, s in enumerate(lines) if s.startswith(title)) + 1 + header_rows
    last = next(i for i in range(first, len(lines)) if lines[i].startswith("*"))
    return range(first, last)


def renumber_and_shuffle(text: str, seed: int) -> tuple[str, dict[str, str], list[str]]:
    """Map job ids through a random injection into 100..999 and shuffle the precedence and request rows.

    Returns the new text, the old -> new id map, and the new ids in their (shuffled) precedence order.
    """
    rng = random.Random(seed)
    lines = text.splitlines()
    prec, req = rows_between(lines, "PRECEDENCE RELATIONS", 1), rows_between(lines, "REQUESTS/DURATIONS", 2)
    new = {str(i + 1): str(v) for i, v in enumerate(rng.sample(range(100, 1000), len(prec)))}
    prec_rows = [lines[i].split() for i in prec]
    prec_rows = [[new[r[0]], r[1], r[2], *(new[s] for s in r[3:])] for r in prec_rows]
    req_rows = [[new[r[0]], *r[1:]] for r in (lines[i].split() for i in req)]
    rng.shuffle(prec_rows)
    rng.shuffle(req_rows)
    lines[prec.start : prec.stop] = ["  ".join(r) for r in prec_rows]
    lines[req.start : req.stop] = ["  ".join(r) for r in req_rows]
    return "\n".join(lines) + "\n", new, [r[0] for r in prec_rows]


def test_sm_j301_1_matches_file() -> None:
    inst = read_sm(SM)
    assert inst.name == "j301_1"
    assert len(inst.jobs) == 32
    assert [j.name for j in inst.jobs] == [str(i) for i in range(1, 33)]
    assert [(r.name, r.capacity) for r in inst.resources] == [("R1", 12), ("R2", 13), ("R3", 4), ("R4", 12)]
    assert inst.nonrenewable == ()
    job2 = inst.jobs[1]
    assert job2.name == "2"
    assert [(m.duration, m.renewable) for m in job2.modes] == [(8, (4, 0, 0, 0))]
    assert successors(inst, "1") == {"2", "3", "4"}
    assert successors(inst, "32") == set()
    assert all(p.lag == 0 for p in inst.precedences)
    assert len(inst.projects) == 1
    assert (inst.projects[0].release, inst.projects[0].due) == (0, None)


def test_sm_critical_path_equals_mpm_time() -> None:
    assert critical_path(read_sm(SM)) == 38


def test_sm_shuffled_and_renumbered_is_isomorphic(tmp_path: Path) -> None:
    text, new, order = renumber_and_shuffle(SM.read_text(encoding="ascii"), seed=7)
    path = tmp_path / "shuffled.sm"
    path.write_text(text, encoding="ascii")
    original, shuffled = read_sm(SM), read_sm(path)
    assert [j.name for j in shuffled.jobs] == order
    assert critical_path(shuffled) == critical_path(original) == 38
    assert Counter(j.modes[0].duration for j in shuffled.jobs) == Counter(j.modes[0].duration for j in original.jobs)
    by_name = {j.name: j for j in shuffled.jobs}
    assert all(by_name[new[j.name]].modes == j.modes for j in original.jobs)
    assert edges(shuffled) == {(new[a], new[b]) for a, b in edges(original)}
    assert shuffled.resources == original.resources


def test_mm_j1010_1_matches_file() -> None:
    inst = read_mm(MM)
    assert len(inst.jobs) == 12
    assert [(r.name, r.capacity) for r in inst.resources] == [("R1", 11), ("R2", 9)]
    assert inst.nonrenewable == (42, 17)
    assert [len(j.modes) for j in inst.jobs] == [1] + [3] * 10 + [1]
    job2 = inst.jobs[1]
    assert [(m.duration, m.renewable, m.nonrenewable) for m in job2.modes] == [
        (1, (7, 0), (7, 0)),
        (4, (0, 4), (7, 0)),
        (6, (0, 3), (7, 0)),
    ]
    assert [(m.duration, m.renewable, m.nonrenewable) for m in inst.jobs[10].modes] == [
        (4, (0, 2), (4, 0)),
        (6, (4, 0), (0, 1)),
        (6, (0, 2), (0, 1)),
    ]
    assert successors(inst, "6") == {"7", "8", "10"}
    assert successors(inst, "12") == set()
    assert critical_path(inst) == 17


def test_mm_optima_table() -> None:
    optima = read_mm_optima(DATA / "j10opt.mm")
    assert len(optima) == 536
    assert optima["j1010_1"] == 17
    assert "j101_1" not in optima


def test_rcmp_mplib1_set1_0_matches_file() -> None:
    inst = read_rcmp(RCMP)
    assert [p.name for p in inst.projects] == [f"P{p}" for p in range(1, 7)]
    assert [p.release for p in inst.projects] == [0] * 6
    assert Counter(j.project for j in inst.jobs) == dict.fromkeys(range(6), 62)
    assert [(r.name, r.capacity) for r in inst.resources] == [(f"R{k}", 56) for k in range(1, 5)]
    assert successors(inst, "1:1") == {"1:2", "1:3", "1:4"}
    assert successors(inst, "1:2") == {f"1:{a}" for a in range(5, 11)}
    job = next(j for j in inst.jobs if j.name == "1:7")
    assert [(m.duration, m.renewable) for m in job.modes] == [(5, (10, 10, 8, 10))]


def test_rcmp_release_dates_and_cross_project_successors(tmp_path: Path) -> None:
    path = tmp_path / "tiny.rcmp"
    path.write_text("2\n1\n5\n\n3 0\n1\n0 0 1 1:2\n4 3 2 1:3 2:1\n0 0 0\n\n2 7\n1\n0 0 1 2:2\n0 0 0\n")
    inst = read_rcmp(path)
    assert [(p.name, p.release) for p in inst.projects] == [("P1", 0), ("P2", 7)]
    assert [j.name for j in inst.jobs] == ["1:1", "1:2", "1:3", "2:1", "2:2"]
    assert edges(inst) == {("1:1", "1:2"), ("1:2", "1:3"), ("1:2", "2:1"), ("2:1", "2:2")}
    assert inst.jobs[1].modes[0].renewable == (3,)


def test_j30_optima_table() -> None:
    optima = read_j30_optima(DATA / "j30opt.sm")
    assert len(optima) == 480
    assert optima["j301_1"] == 43


def test_hrs_table_prefix_from_file_name(tmp_path: Path) -> None:
    path = tmp_path / "j60hrs.sm"
    path.write_text("solutionlist data/j60hrs.sm\nPar\tInst\tMakespan\n1\t1\t77\t\tTue Apr  2 1996  R. Kolisch\n")
    assert read_j30_optima(path) == {"j601_1": 77}


@pytest.mark.parametrize(("name", "jobs"), [("j301_1.sm", 32), ("j1010_1.mm", 12), ("MPLIB1_Set1_0.rcmp", 372)])
def test_read_instance_dispatches_on_extension(name: str, jobs: int) -> None:
    inst = read_instance(DATA / name)
    assert (inst.name, len(inst.jobs)) == (Path(name).stem, jobs)


def test_read_instance_reads_txt_as_mplib(tmp_path: Path) -> None:
    path = tmp_path / "MPLIB1_Set3_0.txt"
    shutil.copyfile(RCMP, path)
    assert read_instance(path) == replace(read_rcmp(RCMP), name="MPLIB1_Set3_0")


def edit_line(text: str, number: int, old: str, new: str) -> str:
    """Replace the first ``old`` on 1-based line ``number``."""
    lines = text.splitlines(keepends=True)
    assert old in lines[number - 1], lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    return "".join(lines)


SM_TEXT = SM.read_text(encoding="ascii")
RCMP_TEXT = RCMP.read_text(encoding="ascii")

# (id, file name, text, expected message fragment, line, column)
BAD = [
    (
        "truncated",
        "t.sm",
        "".join(SM_TEXT.splitlines(keepends=True)[:64]),
        "job 11 has no rows (the file ends inside this section)",
        64,
        1,
    ),
    ("duration-not-int", "t.sm", edit_line(SM_TEXT, 56, "8", "x"), "`x` is not an integer", 56, 16),
    ("unknown-successor", "t.sm", edit_line(SM_TEXT, 19, " 4", " 99"), "successor 99 is not a job", 19, 44),
    (
        "successor-count",
        "t.sm",
        edit_line(SM_TEXT, 19, "3  ", "4  "),
        "3 successors listed but #successors is 4",
        19,
        1,
    ),
    ("mode-count", "t.sm", edit_line(SM_TEXT, 20, "1   ", "2   "), "modes [1] listed, but line 20 declares 2", 56, 1),
    (
        "missing-section",
        "t.sm",
        SM_TEXT.split("RESOURCEAVAILABILITIES")[0],
        "RESOURCEAVAILABILITIES` is missing",
        87,
        1,
    ),
    (
        "rcmp-truncated",
        "t.rcmp",
        "\n".join(RCMP_TEXT.splitlines()[:40]),
        "the file ends where activity 34 of project 1",
        40,
        1,
    ),
    ("rcmp-bad-successor", "t.rcmp", edit_line(RCMP_TEXT, 8, "1:4", "1:99"), "successor 1:99 is not a job", 8, 34),
    ("rcmp-bad-id", "t.rcmp", edit_line(RCMP_TEXT, 8, "1:4", "1-4"), "`1-4` is not a project:activity id", 8, 34),
    ("unknown-extension", "t.xls", SM_TEXT, "unknown instance extension `.xls`", 1, 1),
]


@pytest.mark.parametrize(("name", "text", "what", "line", "column"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_names_file_and_line(tmp_path: Path, name: str, text: str, what: str, line: int, column: int) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="ascii")
    with pytest.raises(InputError) as err:
        read_instance(path)
    problem = err.value.problems[0]
    assert (problem.file, problem.line, problem.column) == (str(path), line, column)
    assert what in problem.what or what in str(err.value)
    assert str(err.value).startswith(f"{path}:{line}:{column}: ")
    assert problem.fix


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "nope.sm"
    with pytest.raises(InputError, match="does not exist") as err:
        read_sm(path)
    assert str(err.value).startswith(f"{path}:1:1: ")
