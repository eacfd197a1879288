"""Schemathesis against the web API at length: the test suite's run (``tests/test_web_schema.py``) with
many more generated requests per operation.

The test suite sends a few hundred requests (15 per operation and phase); this sends thousands
(``--examples`` per operation, 200 by default) to a fresh ``rackforge serve`` on loopback, authenticated as a
planner, with a stored scenario and a finished run for the generated ids to find, and checks every answer:
no server error, a status code the OpenAPI document lists, the content type and the body it describes.
Prints schemathesis's summary and the number of requests, and exits 1 when a check failed.

Usage: ``python benchmarks/api_fuzz.py [--examples 200]``
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=200, help="Generated requests per operation and phase.")
    args = parser.parse_args()
    env = os.environ | {"SCHEMATHESIS_EXAMPLES": str(args.examples)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", "-s",
         "tests/test_web_schema.py", "-o", "addopts=", "--tb=short"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    report = done.stdout + done.stderr
    cases = re.search(r"(\d+) generated", report)
    print(f"schemathesis, {args.examples} examples per operation and phase: "
          f"{cases.group(1) if cases else '?'} requests in {seconds:.0f} s")  # fmt: skip
    failures = report[report.find("FAILURES") : report.find("WARNINGS")] if "FAILURES" in report else report[-3000:]
    print(failures if done.returncode else "every check passed: no 5xx, statuses, types and bodies as documented")
    sys.exit(1 if done.returncode else 0)


if __name__ == "__main__":
    main()
