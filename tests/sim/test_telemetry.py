"""Baseline telemetry: scipy-free noise, and a week before the page a monitor can be wrong about."""

from __future__ import annotations

import math
import subprocess
import sys

import new_processes
import numpy as np
import pytest

from oncall.content import loader
from oncall.game import remediations
from oncall.game.engine import world_spec
from oncall.sim import telemetry as tm
from oncall.sim.catalogue import ARCHETYPES
from oncall.sim.clock import DAY, QUIET_FROM, WEEK
from oncall.sim.world import World


@pytest.mark.parametrize("day", [-8, -1, 0, 3])
def test_day_noise_equals_scipy_lfilter(day: int) -> None:
    signal = pytest.importorskip("scipy.signal")
    rho = 0.8
    for seed in (0, 7, 123):
        rng = np.random.default_rng(tm.key(seed, "fraud-scorer", "rps", day + 10_000))
        eps = rng.standard_normal(tm.DAY + 120)
        want = signal.lfilter([math.sqrt(1 - rho * rho)], [1.0, -rho], eps)[120:]
        got = tm._day_noise(seed, "fraud-scorer", "rps", day, rho)
        assert got.shape == (tm.DAY,)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
        assert not got.flags.writeable


def test_noise_drawn_many_series_at_once_has_the_same_bits_as_one_by_one() -> None:
    keys = [(seed, model, metric, day, tm.RHO) for seed in (3, 7) for model in ("a", "b")
            for metric in ("rps", "pred_mean", "error_rate") for day in (-2, 0, 1)]
    tm._DAYS.clear()
    alone = {k: tm._day_noise(*k) for k in keys}
    tm._DAYS.clear()
    tm.prefetch_noise(keys)
    assert len(keys) >= tm.BATCH_FROM and all(k in tm._DAYS for k in keys)
    for k in keys:
        together = tm._day_noise(*k)
        assert together.tobytes() == alone[k].tobytes(), k
        assert not together.flags.writeable and together.shape == (tm.DAY,)


def test_series_of_many_lengths_drawn_together_have_the_bits_of_each_drawn_alone() -> None:
    """A big group of one length goes in a batch of its own (a fleet's, unpadded), the few of
    other lengths together, each stepped to the longest: every series as drawn alone."""
    lengths = {(5, f"m{i}", "rps", 0, tm.RHO): tm.DAY for i in range(tm.BATCH_FROM + 2)}
    lengths |= {(5, f"p{i}", "rps", 0, tm.RHO): tm.PART for i in range(3)}
    lengths |= {(5, f"q{i}", "error_rate", 0, tm.RHO): 2 * tm.PART for i in range(2)}
    tm._DAYS.clear()
    whole = {k: tm._day_noise(*k) for k in lengths}
    tm._DAYS.clear()
    tm._prefetch(lengths)
    for k, n in lengths.items():
        assert len(tm._DAYS[k]) == n, k
        assert tm._DAYS[k][:n].tobytes() == whole[k][:n].tobytes(), k
        assert tm._day_noise(*k).tobytes() == whole[k].tobytes(), k


def test_a_day_drawn_in_parts_has_the_bits_of_the_day_drawn_at_once() -> None:
    """A reader of the first hours draws only them; later readers continue the same draws and
    the same recurrence, one series at a time or in a batch, and see the whole day's bits."""
    keys = [(seed, model, "rps", day, tm.RHO) for seed in (3, 2**40 + 7) for model in "abcde"
            for day in (-1, 0)]
    tm._DAYS.clear()
    whole = {k: tm._day_noise(*k) for k in keys}
    tm._DAYS.clear()
    tm.prefetch_noise(keys, until=100)  # day -1 whole, day 0 to 06:00
    assert {len(tm._DAYS[k]) for k in keys if k[3] == 0} == {tm.PART}
    assert all(len(tm._DAYS[k]) == tm.DAY for k in keys if k[3] == -1)
    t = np.arange(-30, 700)
    for k in keys[:4]:
        part = tm._noise(k[0], k[1], k[2], t)  # reads day 0 to 11:40: draws on to 12:00
        assert len(tm._DAYS[(*k[:3], 0, tm.RHO)]) == 2 * tm.PART
        assert part.tobytes() == np.concatenate([whole[(*k[:3], -1, tm.RHO)],
                                                 whole[(*k[:3], 0, tm.RHO)]])[t + DAY].tobytes()
    tm.prefetch_noise(keys)  # the rest of every day, in a batch or series by series
    for k in keys:
        assert tm._day_noise(*k).tobytes() == whole[k].tobytes(), k
        assert k not in tm._RESUME


def test_threads_reading_a_day_further_at_once_read_the_day_drawn_at_once() -> None:
    """The TUI's engine workers may read one series at once: each reader goes on from where the
    day's draws stopped, never from a generator another reader is drawing from."""
    import sys

    keys = [(11, f"m{i}", "rps", 0, tm.RHO) for i in range(6)]
    tm._DAYS.clear()
    whole = {k: tm._day_noise(*k) for k in keys}
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns often: a shared draw would show
    try:
        _read_at_once(keys, whole)
    finally:
        sys.setswitchinterval(switch)


def _read_at_once(keys: list[tm.NoiseKey], whole: dict[tm.NoiseKey, np.ndarray]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    for _ in range(4):
        tm._DAYS.clear()
        tm._RESUME.clear()
        ends = [end for end in range(30, tm.DAY, 97) for _ in range(3)]
        with ThreadPoolExecutor(6) as pool:
            read = list(pool.map(lambda part: [(k, end, tm._noise(*k[:3], np.arange(0, end)))
                                               for k in keys for end in part],
                                 [ends[a::6] for a in range(6)]))
        for k, end, got in (r for rs in read for r in rs):
            assert got.tobytes() == whole[k][:end].tobytes(), (k, end)


def test_a_generator_seeded_from_words_is_numpys_from_the_key() -> None:
    for seed in (0, 7, 2**32 - 1, 2**32, 2**63 - 1):
        for day in (-9_999, -1, 0, 2**33):
            k = (seed, "fraud-scorer", "feature_null_rate:x", day, tm.RHO)
            want = np.random.default_rng(tm.key(*k[:3], day + 10_000)).standard_normal(4)
            assert tm._generator(k).standard_normal(4).tobytes() == want.tobytes(), k


def test_a_series_said_to_draw_no_noise_draws_none_and_the_others_do() -> None:
    """`draws_noise` is what a batch skips: a metric it names noiseless must read no noise (else
    the batch would leave it to be drawn series by series), and one it does not, must."""
    w = world("feed-1")
    t = np.arange(w.now - 30, w.now)
    for name in (w.fault.model, *w.fleet.names()[:3]):
        m = w.model(name)
        for metric in tm.metrics_of(m):
            tm._DAYS.clear()
            tm.baseline(w.seed, m, metric, t, w.stats(name))
            drew = any(k[1] == name and k[2] == metric for k in tm._DAYS)
            assert drew == tm.draws_noise(metric), (name, metric)
    assert not tm.draws_noise("feature_age_min:x") and tm.draws_noise("feature_null_rate:x")


def test_a_look_at_the_fleet_drawn_at_once_reads_what_it_reads_series_by_series() -> None:
    from oncall.game import tools

    sc = loader.scenario("fraud-1")
    tm._DAYS.clear()
    alone = tools.fleet(World(7, world_spec(sc, sc.difficulty)))
    tm._DAYS.clear()
    w = World(7, world_spec(sc, sc.difficulty))
    w.prefetch(("rps", "latency_p99_ms", "error_rate"), w.now - 5, w.now)
    assert (7, "fraud-scorer", "rps", w.now // DAY, tm.RHO) in tm._DAYS
    assert tools.fleet(w) == alone


def test_simulation_does_not_import_scipy() -> None:
    code = ("import sys, numpy as np; from oncall.sim import telemetry as tm; "
            "tm._day_noise(1, 'm', 'rps', 0, 0.8); import oncall.sim.world; "
            "print('scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- the week before the night ----------------------------------------------------------------

SCENARIOS = ["fraud-1", "feed-1", "search-1"]
NIGHT = (QUIET_FROM, DAY)


def world(sid: str, seed: int = 7) -> World:
    sc = loader.scenario(sid)
    return World(seed, world_spec(sc, sc.difficulty))


def test_seeded_history_ends_before_the_evening_before_the_night() -> None:
    t = np.arange(*NIGHT)
    assert not tm.weekend(t).any()
    for seed in range(300):
        start, end = tm.traffic_event(seed)
        assert -7 * DAY < start < end <= QUIET_FROM
        for arch in ARCHETYPES:
            h = tm.history(seed, arch.name, arch.features)
            assert -7 * DAY < h.backfill[0] < h.backfill[1] <= QUIET_FROM
            assert 60 <= h.backfill[1] - h.backfill[0] <= 120


@pytest.mark.parametrize("sid", SCENARIOS)
def test_the_night_has_the_same_shape_whatever_the_week_holds(sid: str) -> None:
    """A query over the whole week agrees, minute for minute, with one over the night alone,
    which never looks at the week's events: nothing seeded reaches the night."""
    w = world(sid)
    lo = w.page_at - WEEK
    for name in w.fleet.names():
        m = w.model(name)
        for metric in tm.metrics_of(m):
            t = np.arange(lo, NIGHT[1])
            week = tm.baseline(w.seed, m, metric, t, w.stats(name))
            night = tm.baseline(w.seed, m, metric, np.arange(*NIGHT), w.stats(name))
            assert np.array_equal(week[NIGHT[0] - lo:], night), (name, metric)


def test_the_week_has_weekends_an_event_a_backfill_and_deploy_blips() -> None:
    w = world("fraud-1")
    name = "fraud-scorer"
    m, stats = w.model(name), w.stats(name)
    h = tm.history(w.seed, name, m.features)

    def mean(metric: str, span: tuple[int, int]) -> float:
        return float(tm.baseline(w.seed, m, metric, np.arange(*span), stats).mean())

    # Weekend (Saturday, day -3) against the Tuesday before (day -7), same hours.
    sat, tue = (-3 * DAY + 600, -3 * DAY + 1200), (-7 * DAY + 600, -7 * DAY + 1200)
    assert mean("rps", sat) / mean("rps", tue) == pytest.approx(1 + h.weekend_traffic, rel=0.03)

    # The traffic event: more traffic, slower, and another population scored.
    a, b = h.event
    inside, before = (a + 60, b - 60), (a - DAY + 60, b - DAY - 60)
    if tm.weekend(np.array([a - DAY, a])).any():
        before = (a + DAY + 60, b + DAY - 60)
    assert mean("rps", inside) > 1.3 * mean("rps", before)
    assert mean("latency_p99_ms", inside) > 1.05 * mean("latency_p99_ms", before)
    shift = mean("pred_mean", inside) / mean("pred_mean", before) - 1
    assert abs(shift) > 0.1 and np.sign(shift) == np.sign(h.event_pred)

    # The backfill: nulls of one source's features rise, one feature's mean reads low.
    a, b = h.backfill
    inside, before = (a + 10, b - 10), (a - 240, a - 60)
    for feature, rate in h.backfill_nulls:
        assert mean(f"feature_null_rate:{feature}", inside) > 0.8 * rate
        assert mean(f"feature_null_rate:{feature}", before) < 0.005
    feature, drop = h.backfill_feature
    assert mean(f"feature_mean:{feature}", inside) / mean(f"feature_mean:{feature}", before) \
        == pytest.approx(1 + drop, abs=0.03)

    # A rolling restart at every history deploy; none at the incident's own deploys.
    for d in m.deploys:
        err = mean("error_rate", (d.at + 2, d.at + 6))
        if d.at < tm.DEPLOY_HISTORY_BEFORE:
            assert err > 0.002, d
        else:
            assert err < 0.002, d


# A week of the world of feed-1 at seed 5, computed in each of the two new processes of
# tests/new_processes.py (hash seeds 1 and 4242); the group keeps its readers on one worker.
@new_processes.GROUP
def test_the_week_is_the_same_in_another_process() -> None:
    weeks = {run["week"] for run in new_processes.runs()}
    assert len(weeks) == 1


# -- replayed monitors --------------------------------------------------------------------------

@pytest.mark.parametrize("sid", SCENARIOS)
@pytest.mark.parametrize(("rem_id", "tight"), [("mon-prediction-shift", 0.10),
                                               ("mon-null-rate", 0.01)])
def test_a_tight_monitor_cries_wolf_last_week_and_a_sensible_one_does_not(
        sid: str, rem_id: str, tight: float) -> None:
    """The week holds a traffic event (the prediction mean moves 12-18%) and a backfill (null
    rates reach 1-3.5%): a monitor at 10% or 1% fires on them, one at 30% or 5% does not."""
    w = world(sid)
    default = remediations.MONITORS[rem_id].default
    sensible = remediations.replay(rem_id, w)
    noisy = remediations.replay(rem_id, w, remediations.Tuning(tight, default.for_min))
    assert sensible is not None and noisy is not None
    assert sensible.false_alarms_week == 0
    assert noisy.false_alarms_week > 0


def test_a_canary_monitor_does_not_apply_where_no_canary_ran() -> None:
    gpu = world("search-1")
    assert remediations.replay("mon-canary-errors", gpu) is None, \
        "no canary: nothing to replay, no early credit"
    assert "no canary" in (remediations.fit("mon-canary-errors", gpu,
                                            gpu.model(gpu.fault.model)) or "")
    canary = world("feed-1")
    rep = remediations.replay("mon-canary-errors", canary)
    assert rep is not None and rep.false_alarms_week == 0
    assert rep.fired_at is not None and canary.fault.onset <= rep.fired_at < canary.page_at


@pytest.mark.parametrize("sid", ["feed-1", "search-1"])
def test_no_blip_at_the_deploy_a_fault_writes(sid: str) -> None:
    w = world(sid)
    m = w.model(w.fault.model)
    own = [d for d in m.deploys if d.at >= tm.DEPLOY_HISTORY_BEFORE]
    assert own, "the fault wrote its deploy"
    t = np.arange(own[0].at - 30, own[0].at + 30)
    assert not tm.deploy_blips(w.seed, m, t).any()
