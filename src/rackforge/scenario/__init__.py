"""Scenario stage: YAML file -> validated, frozen :class:`Scenario`.

``load_scenario`` checks the schema and every rule that needs nothing but the
scenario itself; catalog ids are checked by :func:`rackforge.inputs.load_inputs`,
which knows the catalog.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rackforge.errors import InputError, Problem
from rackforge.scenario.checks import check
from rackforge.scenario.models import (
    CatalogFile,
    Cluster,
    Fabric,
    ModelShape,
    Parallelism,
    Scenario,
    Site,
    Wave,
    Workload,
)
from rackforge.validation import problems_from, suggest
from rackforge.yamlio import Locator, read_yaml, read_yaml_text

__all__ = [
    "CatalogFile",
    "Cluster",
    "Fabric",
    "Locator",
    "ModelShape",
    "Parallelism",
    "Scenario",
    "Site",
    "Wave",
    "Workload",
    "load_scenario",
    "load_scenario_text",
    "parse_scenario",
    "suggest",
]


def parse_scenario(data: Any, file: str, locate: Locator) -> Scenario:
    """Validate loaded YAML ``data`` as a scenario; problems are placed with ``locate``."""
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise InputError(
            Problem((), f"the top level is a {kind}, not a mapping", "start the file with `name: ...`", file)
        )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from(exc, Scenario, file)).located(file, locate) from None
    problems = check(scenario)
    if problems:
        raise InputError(problems).located(file, locate)
    return scenario


def load_scenario(path: str | Path) -> tuple[Scenario, Locator]:
    """Read and validate the scenario file at ``path``."""
    data, locate = read_yaml(path)
    return parse_scenario(data, str(path), locate), locate


def load_scenario_text(text: str, name: str) -> tuple[Scenario, Locator]:
    """Validate the scenario ``text`` received under the label ``name``."""
    data, locate = read_yaml_text(text, name)
    return parse_scenario(data, name, locate), locate
