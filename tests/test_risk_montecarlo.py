"""Monte Carlo on the supply plan: closed forms and a brute-force oracle on one order, the plan's own
lateness at zero hazard, seeds, common random numbers, and causes carried to the waves."""

from __future__ import annotations

import itertools
import json
import pickle
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rackforge.bom import Delivery
from rackforge.inputs import load_inputs
from rackforge.pipeline import run_bom
from rackforge.risk.montecarlo import CHUNK_SAMPLES, Exposure, prepare, sample_chunk, simulate
from rackforge.scenario.models import Disruption, RiskSettings
from rackforge.supply import plan_supply
from rackforge.supply.data import supply_data

SMALL = """\
name: mc-small
start: 2027-01-04
horizon_weeks: 30
catalog:
  parts:
    - {id: mc-widget, name: Widget, family: power, unit_cost_usd: 100, lead_time_weeks: 6, source: test, confidence: E}
    - {id: mc-bolt, name: Bolt, family: power, unit_cost_usd: 10, lead_time_weeks: 3, source: test, confidence: E}
    - {id: mc-shelf, name: Shelf, family: power, make_or_buy: make, lead_time_weeks: 2, source: test, confidence: E,
       bom: [{part: mc-widget, qty: 2}, {part: mc-bolt, qty: 4}]}
    - {id: mc-rack, name: Rack, family: racks, make_or_buy: make, lead_time_weeks: 1, source: test, confidence: E,
       bom: [{part: mc-shelf, qty: 3}, {part: mc-bolt, qty: 2}]}
clusters: [{name: c, site: dc, system: dgx-h100, count: 1}]
sites:
  - {name: dc, waves: [{week: 20, share: 1.0}]}
facilities:
  - name: integrator
    lines: [{family: racks, capacity_per_week: 4, start_week: 18}]
  - name: shelfco
    lines: [{family: power, capacity_per_week: 100}]
suppliers:
  - {name: acme, country: US, offers: [{part: mc-widget, lead_time_weeks: 6}]}
lanes:
  - {from: integrator, to: dc, transit_weeks: 1}
"""

QUIET = Disruption(per_week=0.0, weeks=(1, 1), lead_time=(0.0, 0.0, 0.0))
RACKS = (Delivery("dc", "mc-rack", 20, 10.0), Delivery("dc", "mc-bolt", 20, 5.0), Delivery("dc", "mc-rack", 26, 6.0))


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory):
    """The scenario and its bill of materials; tests give their own deliveries (a site's waves)."""
    path = Path(tmp_path_factory.mktemp("mc")) / "small.yaml"
    path.write_text(SMALL)
    inputs = load_inputs(path)
    return inputs, run_bom(inputs)


def planned(small, deliveries: tuple[Delivery, ...]):
    """``(data, plan)`` of the supply plan that serves ``deliveries``."""
    inputs, bom = small
    bom = replace(bom, deliveries=deliveries)
    plan = plan_supply(inputs.scenario, inputs.catalog, bom)
    assert plan.has_plan
    return supply_data(inputs.scenario, inputs.catalog, bom), plan


@pytest.fixture(scope="module")
def racks(small):
    """Racks built from shelves built at another plant (a transfer) from a bought widget and bolt, with a
    bolt straight to site: two waves, the first one week late in the plan (the racks line starts late)."""
    return planned(small, RACKS)


def exposure(small, data, plan, deliveries, **risk: Disruption | dict[str, Disruption]) -> Exposure:
    settings = RiskSettings(**({"suppliers": QUIET, "factories": QUIET, "lanes": QUIET} | risk))
    return prepare(data, plan, deliveries, settings, small[0].catalog)


def plan_lateness(plan, site: str, week: int) -> float:
    """Weeks the plan itself completes a wave late: from its exceptions (``inf``: never within the plan)."""
    for wave in plan.exceptions:
        if (wave.site, wave.wave_week) == (site, week):
            return max(s.planned_week - week if s.planned_week is not None else np.inf for s in wave.shortages)
    return 0.0


def within(estimate: float, p: float, samples: int, sigmas: float = 4.0) -> bool:
    return abs(estimate - p) <= sigmas * np.sqrt(p * (1 - p) / samples) + 1e-12


def down_oracle(p: float, d: int, before: int, after: int) -> dict[int, float]:
    """``P(delay <= k)`` for a holder queried in week 0, every start pattern in weeks ``-before..after``
    enumerated with its probability (disruptions of exactly ``d`` weeks): the exact distribution for
    ``k <= after`` when ``before >= d - 1``."""
    weeks = range(-before, after + 1)
    cdf = dict.fromkeys(range(after + 1), 0.0)
    for pattern in itertools.product((0, 1), repeat=len(weeks)):
        prob = float(np.prod([p if s else 1 - p for s in pattern]))
        down = {w for s, on in zip(weeks, pattern, strict=True) if on for w in range(s, s + d)}
        first_up = next(w for w in itertools.count() if w not in down)
        for k in range(first_up, after + 1):
            cdf[k] += prob
    return cdf


@pytest.mark.parametrize(("p", "d", "due"), [(0.03, 4, 20), (0.2, 3, 20), (0.05, 6, 5)])
def test_one_order_against_the_closed_form_and_an_oracle(small, p: float, d: int, due: int) -> None:
    """One order arriving on its wave's week, its supplier down for exactly ``D`` weeks from any week with
    probability ``p``: on time iff no start in the ``D`` weeks up to its ship week, ``(1 - p)^D``; for
    ``k <= D``, ``P(delay <= k) = (1 - p)^D·(1 + k·p)`` (the first up week is the ship week, or the end of
    the one disruption that started ``D - j`` weeks before it); beyond, chains of disruptions, checked
    against every start pattern enumerated. Due in week 5 the order ships in week 4 (ordered in week 1), and
    6-week disruptions started before week 1 reach it: week 1 is as exposed as any other."""
    deliveries = (Delivery("dc", "mc-bolt", due, 5.0),)
    data, plan = planned(small, deliveries)
    assert [(o.arrival_week, o.destination) for o in plan.purchases] == [(due, "dc")]
    x = exposure(small, data, plan, deliveries, suppliers=Disruption(per_week=p, weeks=(d, d), lead_time=(0, 0, 0)))
    n = 200_000
    delay = np.concatenate([sample_chunk(x, s, 50_000).delays[:, 0] for s in np.random.SeedSequence(7).spawn(4)])
    q = 1 - p
    for k in range(d + 1):
        assert within(float(np.mean(delay <= k)), q**d * (1 + k * p), n), k
    oracle = down_oracle(p, d, before=d - 1, after=14 - d)
    for k, cdf in oracle.items():
        assert within(float(np.mean(delay <= k)), cdf, n), k
    wave = simulate(x, n, seed=3).waves[0]
    assert within(wave.on_time, q**d, n)
    assert wave.p90_delay_weeks == min(k for k, cdf in oracle.items() if cdf >= 0.9)


def test_a_triangular_lead_time_share_against_its_cdf(small) -> None:
    """An order on a 6-week lead placed 2 weeks early: with share ``ε ~ triangular(0, 0.25, 1)`` it is late
    by ``max(0, ⌈6ε⌉ - 2)``, so ``P(delay <= k) = F((k + 2)/6)``, ``F(x) = 1 - (1 - x)²/0.75`` above the
    mode; mean ``Σ_k (1 - F((k + 1)/6))`` over k = 1..4."""
    deliveries = (Delivery("dc", "mc-widget", 20, 5.0),)
    data, plan = planned(small, deliveries)
    (order,) = plan.purchases
    early = replace(order, order_week=order.order_week - 2, arrival_week=order.arrival_week - 2)
    plan = replace(plan, purchases=(early,))
    x = exposure(small, data, plan, deliveries, suppliers=Disruption(per_week=0.0, lead_time=(0.0, 0.25, 1.0)))
    n = 100_000
    outlook = simulate(x, n, seed=11)
    delay = np.concatenate([sample_chunk(x, s, 25_000).delays[:, 0] for s in np.random.SeedSequence(5).spawn(4)])

    def cdf(share: float) -> float:
        return 1 - (1 - share) ** 2 / 0.75 if share >= 0.25 else share**2 / 0.25

    for k in range(5):
        assert within(float(np.mean(delay <= k)), cdf((k + 2) / 6), n), k
    assert within(outlook.waves[0].on_time, cdf(2 / 6), n)
    assert outlook.waves[0].p90_delay_weeks == 3  # F(4/6) = 0.85 < 0.9 <= F(5/6) = 0.96
    mean = sum(1 - cdf((k + 1) / 6) for k in range(1, 5))
    assert outlook.waves[0].mean_delay_weeks == pytest.approx(mean, abs=4 * delay.std() / np.sqrt(n))


def test_without_hazards_every_wave_is_as_late_as_the_plan_has_it(small, racks) -> None:
    """Three levels (bought parts, shelves at one plant, a transfer, racks at another, a shipment) and a
    bolt bought straight to site: with no disruption and no lead-time spread each wave's delay is the
    plan's own, one week for the first wave (its racks line starts late), none for the second."""
    data, plan = racks
    x = exposure(small, data, plan, RACKS)
    outlook = simulate(x, 300, seed=1)
    assert [w.name for w in outlook.waves] == ["dc week 20", "dc week 26"]
    for w in outlook.waves:
        late = plan_lateness(plan, w.site, w.week)
        assert w.p50_delay_weeks == w.p90_delay_weeks == w.mean_delay_weeks == late
        assert w.on_time == float(late == 0) == float(plan.kpis.on_time_share[w.name] >= 1 - 1e-9)
    assert [plan_lateness(plan, "dc", 20), plan_lateness(plan, "dc", 26)] == [1, 0]
    assert outlook.critical == ()


def test_a_wave_the_plan_never_completes_is_never_on_time(small) -> None:
    """200 racks by week 28 from a line of 4 a week: the plan leaves units short, so every sample's delay is
    infinite, written as ``null`` in JSON."""
    deliveries = (Delivery("dc", "mc-rack", 28, 200.0),)
    data, plan = planned(small, deliveries)
    assert plan_lateness(plan, "dc", 28) == np.inf
    outlook = simulate(exposure(small, data, plan, deliveries), 50, seed=0)
    assert outlook.waves[0].on_time == 0.0
    assert outlook.waves[0].p50_delay_weeks == np.inf
    assert json.loads(json.dumps(outlook.to_dict()))["waves"][0]["mean_delay_weeks"] is None


def reversed_map(fn, *columns):
    """A mapper that runs the chunks last first and returns them in order (as a cluster may finish them)."""
    jobs = list(zip(*columns, strict=True))
    done = [fn(*job) for job in reversed(jobs)]
    return reversed(done)


def default_risk(small, racks) -> Exposure:
    """The catalog's sourced hazards, raised on acme so waves are late often enough to compare."""
    data, plan = racks
    settings = RiskSettings(overrides={"acme": Disruption(per_week=0.05)})
    return prepare(data, plan, RACKS, settings, small[0].catalog)


def test_the_same_seed_gives_the_same_outlook_whatever_the_mapper(small, racks) -> None:
    x = default_risk(small, racks)
    samples = 2 * CHUNK_SAMPLES + 500
    first = simulate(x, samples, seed=42)
    assert first.samples == samples
    assert simulate(x, samples, seed=42) == first
    assert simulate(x, samples, seed=42, mapper=reversed_map) == first
    assert simulate(pickle.loads(pickle.dumps(x)), samples, seed=42) == first
    assert simulate(x, samples, seed=43) != first
    assert json.loads(json.dumps(first.to_dict())) == first.to_dict()


def test_a_more_fragile_supplier_never_makes_a_wave_earlier(small, racks) -> None:
    """Common random numbers: a higher ``per_week`` adds disruption starts and lengthens none, so no sample's
    delay shrinks and no wave's on-time probability rises."""
    data, plan = racks
    seeds = np.random.SeedSequence(9).spawn(2)
    previous = None
    for p in (0.0, 0.02, 0.1, 0.3):
        settings = RiskSettings(overrides={"acme": Disruption(per_week=p)})
        x = prepare(data, plan, RACKS, settings, small[0].catalog)
        delays = np.concatenate([sample_chunk(x, s, 2000).delays for s in seeds])
        on_time = [w.on_time for w in simulate(x, 4000, seed=9).waves]
        if previous is not None:
            assert (delays >= previous[0]).all()
            assert all(a <= b for a, b in zip(on_time, previous[1], strict=True))
        previous = (delays, on_time)
    assert previous is not None
    assert previous[1][1] < 0.9, "acme at 0.3 a week must make the second wave late"


def test_the_cause_of_lateness_is_the_only_holder_that_can_fail(small, racks) -> None:
    """Only acme (the widget's supplier) can fail: through the shelves, the transfer, the racks and the
    shipment its delay is the cause of every wave later than the plan has it, and of nothing else."""
    data, plan = racks
    x = exposure(small, data, plan, RACKS, overrides={"acme": Disruption(per_week=0.1, weeks=(3, 3))})
    chunk = sample_chunk(x, np.random.SeedSequence(4), 5000)
    beyond = chunk.delays > np.array([1, 0])
    assert beyond.any()
    assert set(np.unique(chunk.causes[beyond])) == {x.causes.index("mc-widget")}
    assert (chunk.causes[~beyond] == -1).all()
    chunks: list = []

    def recording(fn, *columns):
        chunks.extend(map(fn, *columns))
        return chunks

    outlook = simulate(x, 5000, seed=4, mapper=recording)
    (critical,) = outlook.critical
    assert (critical.part, critical.kind) == ("mc-widget", "part")
    sampled = np.concatenate([c.delays for c in chunks])
    assert critical.late_share == pytest.approx(np.mean((sampled > np.array([1, 0])).any(axis=1)))


def test_a_factory_down_when_its_one_build_should_start(small) -> None:
    """Shelves built once at shelfco and shipped to site on their wave's week: only the factory can fail, for
    exactly 3 weeks with probability 0.1 a week, so the wave is on time with probability 0.9^3 and the
    factory is the cause of every late sample."""
    deliveries = (Delivery("dc", "mc-shelf", 20, 4.0),)
    data, plan = planned(small, deliveries)
    assert [(b.facility, b.week) for b in plan.builds] == [("shelfco", 19)]
    x = exposure(small, data, plan, deliveries, factories=Disruption(per_week=0.1, weeks=(3, 3)))
    n = 40_000
    outlook = simulate(x, n, seed=2)
    assert within(outlook.waves[0].on_time, 0.9**3, n)
    (critical,) = outlook.critical
    assert (critical.part, critical.kind) == ("shelfco", "factory")
    assert critical.late_share == pytest.approx(1 - outlook.waves[0].on_time)


@pytest.mark.parametrize(("share", "late"), [(0.5, 3), (1.0, 6)])
def test_a_fixed_lead_time_share_delays_the_build_from_its_start_week(small, share: float, late: int) -> None:
    """Every order takes ``⌈s·L⌉`` weeks longer (widget: L = 6, bolt: L = 3): the shelf's build draws them in
    week 19 - 2, so it starts, completes and reaches the site as late as its latest component,
    ``max(⌈6s⌉, ⌈3s⌉)`` weeks, in every sample."""
    deliveries = (Delivery("dc", "mc-shelf", 20, 4.0),)
    data, plan = planned(small, deliveries)
    x = exposure(small, data, plan, deliveries, suppliers=Disruption(per_week=0.0, lead_time=(share, share, share)))
    wave = simulate(x, 100, seed=0).waves[0]
    assert (wave.on_time, wave.p50_delay_weeks, wave.mean_delay_weeks) == (0.0, late, late)
