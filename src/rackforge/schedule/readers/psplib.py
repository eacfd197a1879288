"""PSPLIB single-mode ``.sm`` and multi-mode ``.mm`` instances (one project; job ids mapped through a dict)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rackforge.errors import KeyPath
from rackforge.schedule.instance import Instance, Job, Mode, Precedence, Project, Resource
from rackforge.schedule.readers.source import RESTORE, Line, Source, StrPath, split_line

_INFO, _PREC, _REQ, _AVAIL = (
    "PROJECT INFORMATION",
    "PRECEDENCE RELATIONS",
    "REQUESTS/DURATIONS",
    "RESOURCEAVAILABILITIES",
)
_HEADER_ROWS = {_INFO: 1, _PREC: 1, _REQ: 2, _AVAIL: 1}


@dataclass
class _Section:
    """The rows of one PSPLIB section; ``closed`` when a ``***`` line ended it (not the end of the file)."""

    title: Line
    rows: list[Line] = field(default_factory=list)
    closed: bool = False


@dataclass(frozen=True)
class _PrecRow:
    """One row of PRECEDENCE RELATIONS: job id, number of modes, successor ids (tokens 3.. of ``line``)."""

    job: int
    modes: int
    successors: tuple[int, ...]
    line: Line


def _sections(src: Source) -> tuple[list[Line], dict[str, _Section]]:
    """Split a PSPLIB file into its header lines (before the first section) and its titled sections."""
    head: list[Line] = []
    sections: dict[str, _Section] = {}
    current: _Section | None = None
    for line in src.lines:
        title = next((t for t in _HEADER_ROWS if line.text.strip().startswith(t)), None)
        if line.tokens[0].startswith("*"):
            if current is not None:
                current.closed = True
            current = None
        elif title is not None:
            current = sections[title] = _Section(line)
        elif current is not None:
            current.rows.append(line)
        elif not sections:
            head.append(line)
    return head, sections


def _header(src: Source, head: list[Line], name: str, default: int | None = None) -> int:
    """The integer after the ``:`` of the header line labelled ``name`` (e.g. ``jobs``, ``renewable``)."""
    for line in head:
        label, colon, rest = line.text.partition(":")
        if colon and label.strip(" -\t").startswith(name):
            offset = len(label) + 1
            value = split_line(line.number, rest)
            shifted = Line(line.number, rest, value.tokens, tuple(c + offset for c in value.columns))
            return src.integer(shifted, 0, ("header", name))
    if default is not None:
        return default
    raise src.error(("header", name), f"the header line `{name} :` is missing", RESTORE, 1)


def _data(src: Source, sections: dict[str, _Section], title: str) -> _Section:
    """Section ``title`` without its column-header rows."""
    if title not in sections:
        raise src.error((title,), f"the section `{title}` is missing", RESTORE, src.end)
    sec = sections[title]
    return _Section(sec.title, sec.rows[_HEADER_ROWS[title] :], sec.closed)


def _end_of(src: Source, sec: _Section) -> int:
    """Line just past a section's last row (where a missing row should have been)."""
    if not sec.closed:
        return src.end
    return (sec.rows[-1] if sec.rows else sec.title).number + 1


def _precedence_rows(src: Source, sec: _Section, n_jobs: int) -> list[_PrecRow]:
    """Parse PRECEDENCE RELATIONS: ``job #modes #successors successor...`` per row, one row per job."""
    rows: dict[int, _PrecRow] = {}
    for line in sec.rows:
        job = src.integer(line, 0, (_PREC, "jobnr."), minimum=None)
        key: KeyPath = (_PREC, f"job {job}")
        if job in rows:
            raise src.error(
                key,
                f"job {job} has a second row (first on line {rows[job].line.number})",
                "give each job one precedence row",
                line.number,
            )
        modes = src.integer(line, 1, (*key, "#modes"), minimum=1)
        count = src.integer(line, 2, (*key, "#successors"))
        if len(line.tokens) != 3 + count:
            raise src.error(
                (*key, "successors"),
                f"{len(line.tokens) - 3} successors listed but #successors is {count}",
                "make #successors equal the number of ids that follow it",
                line.number,
            )
        successors = tuple(src.integer(line, 3 + i, (*key, "successors"), None) for i in range(count))
        rows[job] = _PrecRow(job, modes, successors, line)
    if len(rows) != n_jobs:
        what = f"{len(rows)} job rows, but the header says {n_jobs} jobs"
        raise src.error((_PREC,), what, f"{RESTORE}, or correct the `jobs` header", _end_of(src, sec))
    return list(rows.values())


def _request_rows(src: Source, sec: _Section, names: list[str]) -> dict[int, dict[int, tuple[Mode, Line]]]:
    """Parse REQUESTS/DURATIONS into job id -> mode number -> (mode, line).

    A job's first row is ``job mode duration demands...``; rows for further modes omit the job id.
    """
    width, n_renewable = len(names), sum(n.startswith("R") for n in names)
    out: dict[int, dict[int, tuple[Mode, Line]]] = {}
    job: int | None = None
    for line in sec.rows:
        if len(line.tokens) == width + 3:
            job = src.integer(line, 0, (_REQ, "jobnr."), minimum=None)
        elif len(line.tokens) != width + 2 or job is None:
            what = f"{len(line.tokens)} values; expected {width + 3} (job mode duration demands)"
            raise src.error((_REQ,), what + f" or {width + 2} on a further-mode row", RESTORE, line.number)
        key: KeyPath = (_REQ, f"job {job}")
        at = len(line.tokens) - width - 2
        number = src.integer(line, at, (*key, "mode"), minimum=1)
        duration = src.integer(line, at + 1, (*key, f"mode {number}", "duration"))
        use = tuple(src.integer(line, at + 2 + k, (*key, f"mode {number}", n)) for k, n in enumerate(names))
        modes = out.setdefault(job, {})
        if number in modes:
            raise src.error((*key, "mode"), f"mode {number} appears twice", "number the modes 1..m", line.number)
        modes[number] = (Mode(duration, use[:n_renewable], use[n_renewable:]), line)
    return out


def _job_modes(src: Source, sec: _Section, row: _PrecRow, found: dict[int, tuple[Mode, Line]]) -> tuple[Mode, ...]:
    """The modes of one job in mode order, checked against the ``#modes`` of its precedence row."""
    key: KeyPath = (_REQ, f"job {row.job}")
    if not found:
        truncated = "" if sec.closed else " (the file ends inside this section)"
        raise src.error(key, f"job {row.job} has no rows{truncated}", RESTORE, _end_of(src, sec))
    if sorted(found) != list(range(1, row.modes + 1)):
        what = f"modes {sorted(found)} listed, but line {row.line.number} declares {row.modes} modes"
        fix = "list modes 1..m once each, or correct #modes in PRECEDENCE RELATIONS"
        raise src.error(key, what, fix, min(line.number for _, line in found.values()))
    return tuple(found[m][0] for m in sorted(found))


def _psplib_precedences(src: Source, rows: list[_PrecRow], index: dict[int, int]) -> tuple[Precedence, ...]:
    """Finish-to-start, zero-lag precedences between job indices; every successor id must be a job."""
    out = []
    for row in rows:
        for i, succ in enumerate(row.successors):
            if succ not in index:
                raise src.error(
                    (_PREC, f"job {row.job}", "successors"),
                    f"successor {succ} is not a job",
                    "use an id that has its own precedence row",
                    row.line.number,
                    row.line.columns[3 + i],
                )
            out.append(Precedence(index[row.job], index[succ]))
    return tuple(out)


def read_psplib(path: StrPath) -> Instance:
    """Read a PSPLIB ``.sm`` (single-mode) or ``.mm`` (multi-mode) file; the content decides which.

    One project named after the file stem, released at ``rel.date``, with no due date (PSPLIB's
    ``duedate`` is the MPM time, not a deadline). Jobs are named by their id (``"1"``, ``"2"``...) and
    indexed in the order of their PRECEDENCE RELATIONS rows. Renewable resources are ``R1..RK``
    (capacity per period); non-renewable capacities (totals) go to ``Instance.nonrenewable``.
    """
    src = Source(path)
    head, sections = _sections(src)
    n_jobs = _header(src, head, "jobs")
    n_ren, n_non = _header(src, head, "renewable"), _header(src, head, "nonrenewable", 0)
    for name, supported in (("projects", 1), ("doubly constrained", 0)):
        if _header(src, head, name, supported) != supported:
            raise src.error(("header", name), f"only {name} = {supported} is supported", "use another reader", 1)
    info = _data(src, sections, _INFO)
    if not info.rows:
        raise src.error((_INFO,), "the project row is missing", RESTORE, _end_of(src, info))
    release = src.integer(info.rows[0], 2, (_INFO, "rel.date"))
    prec = _precedence_rows(src, _data(src, sections, _PREC), n_jobs)
    names = [f"R{k + 1}" for k in range(n_ren)] + [f"N{k + 1}" for k in range(n_non)]
    req = _data(src, sections, _REQ)
    found = _request_rows(src, req, names)
    index = {row.job: i for i, row in enumerate(prec)}
    for job, modes in found.items():
        if job not in index:
            line = min(ln.number for _, ln in modes.values())
            raise src.error((_REQ, f"job {job}"), f"job {job} has no PRECEDENCE RELATIONS row", RESTORE, line)
    jobs = tuple(Job(str(r.job), 0, _job_modes(src, req, r, found.get(r.job, {}))) for r in prec)
    caps = _capacities(src, _data(src, sections, _AVAIL), names)
    return Instance(
        name=src.path.stem,
        jobs=jobs,
        precedences=_psplib_precedences(src, prec, index),
        projects=(Project(src.path.stem, release=release),),
        resources=tuple(Resource(n, c) for n, c in zip(names[:n_ren], caps[:n_ren], strict=True)),
        nonrenewable=caps[n_ren:],
        source=src.file,
    )


def _capacities(src: Source, sec: _Section, names: list[str]) -> tuple[int, ...]:
    """The one row of RESOURCEAVAILABILITIES: renewable capacities then non-renewable budgets."""
    if not sec.rows:
        raise src.error((_AVAIL,), "the capacity row is missing", RESTORE, _end_of(src, sec))
    line = sec.rows[0]
    if len(line.tokens) != len(names):
        raise src.error((_AVAIL,), f"{len(line.tokens)} capacities for {len(names)} resources", RESTORE, line.number)
    return tuple(src.integer(line, k, (_AVAIL, n)) for k, n in enumerate(names))


def read_sm(path: StrPath) -> Instance:
    """Read a PSPLIB single-mode ``.sm`` file (see :func:`read_psplib`)."""
    return read_psplib(path)


def read_mm(path: StrPath) -> Instance:
    """Read a PSPLIB multi-mode ``.mm`` file (see :func:`read_psplib`)."""
    return read_psplib(path)
