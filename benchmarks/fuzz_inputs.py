"""Damaged example scenarios through the real command line: outcome counts, crashes and time, as a table.

Runs the generator of ``tests/test_fuzz_inputs.py`` (one to three mutations of the bundled scenario or the
portfolio example: deleted keys, other types, extreme numbers, misspelled references, duplicated items) for
``--cases`` random cases, half on each file: ``validate`` on every case, ``plan --json`` where validate
rejects the input and on one case in eight otherwise. A crash is an uncaught exception, a traceback or an
exit code other than 0, 1 or 2; a mismatch is ``plan`` rejecting input that ``validate`` accepts (or the
reverse). ``--save DIR`` writes each crashing or mismatched case as YAML with its outputs.

    python benchmarks/fuzz_inputs.py --cases 2000 --seed 1
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from hypothesis import given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.test_fuzz_inputs import PROFILE, Case, Outcome, _safe_yaml, cases, problems, run_case


def _save(folder: Path, k: int, case: Case, found: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"case-{k:04d}-{case.base}.yaml").open("w", encoding="utf-8") as fh:
        fh.write("".join(f"# {line}\n" for text in found for line in text.splitlines()))
        fh.write(f"# mutations: {', '.join(case.mutations)}\n")
        _safe_yaml().dump(case.doc, fh)


def fuzz(base: str, n: int, rng_seed: int, save: Path | None) -> dict[str, float]:
    """Run ``n`` random cases on ``base``; counts of each outcome and the wall time."""
    counts: Counter[str] = Counter()

    @seed(rng_seed)
    @settings(settings.get_profile(PROFILE), max_examples=n, derandomize=False)
    @given(case=cases(base))
    def one(case: Case) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            checked, planned = run_case(case, Path(tmp))
        found = problems(case, checked, planned)
        counts["cases"] += 1
        counts[f"validate {checked.code}" if not checked.crash else "validate crash"] += 1
        if isinstance(planned, Outcome):
            counts[f"plan {planned.code}" if not planned.crash else "plan crash"] += 1
        crashed = any("crashed" in f for f in found)
        counts["crashes"] += crashed
        counts["mismatches"] += bool(found) and not crashed
        if found and save is not None:
            _save(save, counts["cases"], case, found)

    started = time.perf_counter()
    one()
    return {**counts, "seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000, help="cases in all, half on each example file")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", type=Path, default=None, help="folder for the YAML of failing cases")
    args = parser.parse_args()
    columns = ["cases", "validate 0", "validate 1", "validate 2", "plan 0", "plan 1", "plan 2", "crashes",
               "mismatches", "seconds"]  # fmt: skip
    print(f"{'file':<10}" + "".join(f"{c:>12}" for c in columns))
    for base in ("bundled", "portfolio"):
        row = fuzz(base, args.cases // 2, args.seed, args.save)
        cells = [f"{row.get(c, 0):>12.1f}" if c == "seconds" else f"{int(row.get(c, 0)):>12d}" for c in columns]
        print(f"{base:<10}" + "".join(cells), flush=True)


if __name__ == "__main__":
    main()
