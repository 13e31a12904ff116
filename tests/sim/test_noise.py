"""Red herrings carry no information about the fault: where they land in the night is drawn from
the seed over a fixed window, never from the hidden onset (#16); an unscheduled pod is silent."""

from __future__ import annotations

from oncall.content import loader
from oncall.game.engine import world_spec
from oncall.sim.noise import LatencyBlip, Noise, UnrelatedDeploy
from oncall.sim.world import World, WorldSpec

HERRINGS = (("unrelated_deploy", {"before": 10}),
            ("latency_blip", {"offset": 10, "minutes": 25}))


def _spec(onset: int) -> WorldSpec:
    sc = loader.scenario("ads-1")
    spec = world_spec(sc, sc.difficulty)
    first = spec.incidents[0]._replace(onset=onset)
    return spec._replace(incidents=(first, *spec.incidents[1:]), noise=HERRINGS)


def _herrings(w: World) -> tuple[int, int]:
    deploy = next(n for n in w.noise if isinstance(n, UnrelatedDeploy))
    blip = next(n for n in w.noise if isinstance(n, LatencyBlip))
    at = w.model(deploy.model).deploys[-1].at
    return at, blip._window(w)[0]


def test_herrings_land_at_the_same_minute_whatever_the_onset() -> None:
    worlds = [World(4, _spec(onset)) for onset in (85, 100, 115, 130)]
    assert len({w.fault.onset for w in worlds}) == 4
    placed = {_herrings(w) for w in worlds}
    assert len(placed) == 1, f"a herring moves with the onset: {placed}"
    lo, hi = Noise.WINDOW
    assert all(lo <= m < hi for m in placed.pop())


def test_herring_minutes_do_not_track_the_onset_across_seeds() -> None:
    """Over many seeds, the herring minute minus the onset is not a constant (the old leak: a
    fixed offset from the onset), and the herring minute itself stays in the fixed window."""
    gaps: set[int] = set()
    for seed in range(8):
        w = World(seed, _spec(100))
        deploy_at, blip_at = _herrings(w)
        gaps |= {deploy_at - w.fault.onset, blip_at - w.fault.onset}
        assert all(Noise.WINDOW[0] <= m < Noise.WINDOW[1] for m in (deploy_at, blip_at))
    assert len(gaps) > 4


def test_same_seed_same_herrings() -> None:
    assert _herrings(World(9, _spec(100))) == _herrings(World(9, _spec(100)))


def test_a_pending_pod_writes_no_logs() -> None:
    sc = loader.scenario("moderation-1")
    w = World(3, world_spec(sc, sc.difficulty))
    w.advance(30)
    model = w.fault.model
    pending = {p["name"] for p in w.infra(model)["pods"] if p["status"] == "Pending"}
    assert pending, "the lost node's pods are Pending"
    recent = [ln for ln in w.logs(model, w.now - 10, w.now) if ln.pod in pending]
    assert recent == []
    # Before the onset the same pods were running and did log.
    before = w.logs(model, w.fault.onset - 60, w.fault.onset - 10)
    assert {ln.pod for ln in before} & pending


def test_a_certificate_alert_began_at_no_copy_of_the_page_clock() -> None:
    """The certificate expires at a minute of its day drawn from the seed: its alert began on
    an earlier day at any minute, not always one minute after the page's clock time (a pattern
    a player learns); `infra` and the alert quote the same days."""
    from oncall.content import loader
    from oncall.game.engine import Game

    offsets, fractions = set(), set()
    for seed in range(12):
        g = Game(loader.scenario("fraud-1"), seed)
        cert = next(a for a in g.record.facts.noise_alerts
                    if a.rule == "CertificateExpiringSoon")
        offsets.add((cert.fired_at - g.record.facts.page_at) % 1440)
        fractions.add(round(cert.value % 1, 3))
        assert g.world.cert_days_left(cert.model) == round(cert.value, 1)
    assert len(offsets) >= 10 and len(fractions) >= 10, (offsets, fractions)
