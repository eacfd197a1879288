"""Schemathesis against the running server's own ``/openapi.json``, authenticated as a planner: a few
hundred generated requests (valid and invalid) over every operation, each answered without a server error,
with a status code the document lists and a body that matches its schema. ``benchmarks/load.py`` is for
speed; ``SCHEMATHESIS_EXAMPLES`` raises the count for a long run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests import browsers
from tests.test_supply import SMALL
from tests.webapp import make_users

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
CONFIG = """\
[parameters]
run_id = {run}
scenario_id = {scenario}
a = {run}
b = {run}
"""


def test_generated_requests_get_no_server_error_and_match_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'schema.db'}"
    token = make_users(url)["lab-planner"]
    with browsers.server(url, workers=1, log=tmp_path / "serve.log") as served:
        base = served.url
        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=auth, timeout=60) as client:
            scenario = client.post("/api/v1/scenarios", json={"yaml": SMALL}).json()["id"]
            run = client.post("/api/v1/runs", json={"scenario": scenario}).json()["id"]
            operations = sum(len(ops) for ops in client.get("/openapi.json").json()["paths"].values())
            end = time.monotonic() + 120
            while client.get(f"/api/v1/runs/{run}").json()["status"] != "done" and time.monotonic() < end:
                time.sleep(0.2)
        config = tmp_path / "schemathesis.toml"
        config.write_text(CONFIG.format(run=run, scenario=scenario))
        command = [str(Path(sys.executable).parent / "schemathesis"), "--no-color", "--config-file", str(config),
                   "run", f"{base}/openapi.json", "-H", f"Authorization: Bearer {token}", "--checks", CHECKS,
                   "--max-examples", str(EXAMPLES), "--seed", "7", "--phases", "examples,coverage,fuzzing",
                   "--generation-database", "none", "--workers", "1", "--request-timeout", "60"]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=tmp_path)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report[-6000:]
    cases = re.search(r"(\d+) generated", report)
    assert cases is not None, report[-2000:]
    assert int(cases.group(1)) >= 200, f"only {cases.group(1)} requests were generated"
    assert f"Tested: {operations}" in report, f"every one of the {operations} operations was tested"
    print(f"\nschemathesis: {cases.group(1)} generated requests over {operations} operations")
