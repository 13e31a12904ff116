"""The figures the world's physics is held to, printed for reading by eye.

    python bench/world_figures.py [--seed 3]

- impact: the first `status` after the page, and `status` then `resolve` at the same minute
  after each library scenario's right playbook (they must agree);
- embedder-1: p99 against the serving timeout and the share of requests timing out, and the
  slow-burn rate (6 h) before the page;
- the certificate: the alert's value, `infra`'s days left and the shift ticket's note;
- the budget: the night's share at the page (nothing) and half an hour later;
- fraud-1 (labels days late): what `status` says half an hour after the page;
- search-3: `embedding_sim` mean and spread and NDCG@10, before the onset and after the page;
- fraud-2: the KS D of `txn_amount_cents` and rps, before the onset and after the page.

Not a test (tests/content/test_invariants.py is): a reader's check of what the tools will say.
"""

from __future__ import annotations

import argparse

import numpy as np

from oncall.content import loader
from oncall.game import tools
from oncall.game.engine import Game
from oncall.sim.budget import burn_rate
from oncall.sim.latency import timed_out, timeout_ms


def _mean(world: object, model: str, metric: str, t0: int, t1: int) -> float:
    return float(np.mean(world.series(model, metric, t0, t1)[1]))  # type: ignore[attr-defined]


def impact_figures(seed: int) -> None:
    print("== impact: first status after the page; status vs resolve at the same minute")
    for sid in ("search-1", "fraud-1", "embedder-1", "search-3"):
        sc = loader.scenario(sid)
        g = Game(sc, seed)
        first = g.do({"do": "status"}).data["impact"]
        for cmd in sc.playbook.right:
            if cmd.get("do") in ("resolve", "postmortem"):
                break
            g.do(cmd)
        status = g.do({"do": "status"}).data["impact"]
        resolved = g.do({"do": "resolve"})
        print(f"  {sid:<11} first {first}")
        print(f"  {'':<11} status  {status}")
        print(f"  {'':<11} resolve {resolved.data.get('impact')} ({resolved.data['resolved']})")


def embedder(seed: int) -> None:
    g = Game(loader.scenario("embedder-1"), seed)
    w = g.world
    m = w.fault.model
    t = np.arange(w.page_at - 5, w.page_at + 15)
    _, p99 = w.series(m, "latency_p99_ms", int(t[0]), int(t[-1]) + 1)
    share = timed_out(w, m, int(t[0]), int(t[-1]) + 1)
    limit = float(timeout_ms(w, m, t)[0])
    print(f"== embedder-1: timeout {limit:.0f} ms")
    for i in range(0, len(t), 4):
        print(f"  minute {int(t[i]) - w.page_at:+3d} from the page: p99 {p99[i]:6.1f} ms, "
              f"{share[i]:.2%} timed out")
    slow = burn_rate(w, m, w.page_at - 60, 360)
    print(f"  6h burn rate an hour before the page: {slow:.2f} (the slow-burn page is 6x)")


def certificate(seed: int) -> None:
    from oncall.game.shift import Shift

    g = Game(loader.scenario("fraud-1"), seed)
    w = g.world
    alert = next((a for a in g.record.facts.noise_alerts
                  if a.rule == "CertificateExpiringSoon"), None)
    cert = next((n for n in w.noise if n.kind == "cert_expiry"), None)
    if alert is None or cert is None:
        print("== certificate: no certificate alert in fraud-1")
        return
    days = w.infra(cert.model)["certificate"]["days_left"]
    print(f"== certificate on {cert.model}: alert value {alert.value} vs infra {days} days")
    s = Shift(seed)
    ticket = next(it for it in s.record.facts.items if it.title.startswith("ticket: Cert"))
    shown = s.world.infra(ticket.model)["certificate"]["days_left"]
    print(f"  shift {seed}: ticket '{ticket.need}' vs infra {shown} days at the shift's start")


def budget(seed: int) -> None:
    print("== budget: the night's share at the page and 30 minutes later (counted from the page)")
    for sid in ("search-1", "embedder-1"):
        g = Game(loader.scenario(sid), seed)
        first = g.budget()["night_pct"]
        g.do({"do": "wait", "minutes": 30})
        print(f"  {sid:<11} {first}% at the page, {g.budget()['night_pct']}% 30 min later")


def silent(seed: int) -> None:
    g = Game(loader.scenario("fraud-1"), seed)
    g.do({"do": "ack"})
    g.do({"do": "wait", "minutes": 30})
    print("== fraud-1, 30 min after the page:")
    text = g.do({"do": "status"}).text
    print("  " + next(ln.strip() for ln in text.splitlines() if "impact so far" in ln))


def search3(seed: int) -> None:
    g = Game(loader.scenario("search-3"), seed)
    w = g.world
    m, f = w.fault.model, "embedding_sim"
    before, after = (w.fault.onset - 60, w.fault.onset - 5), (w.page_at, w.page_at + 15)
    arch = w.model(m).archetype
    print("== search-3: before the onset -> after the page")
    for metric in (f"feature_mean:{f}", f"feature_std:{f}", f"feature_p99:{f}",
                   arch.quality_metric):
        print(f"  {metric:<26} {_mean(w, m, metric, *before):8.3f} -> "
              f"{_mean(w, m, metric, *after):8.3f}")


def fraud2(seed: int) -> None:
    g = Game(loader.scenario("fraud-2"), seed)
    w = g.world
    m = w.fault.model
    w.now = w.page_at + 15
    _, data = tools.drift(w, m, "txn_amount_cents", "ks", 30)
    before, after = (w.fault.onset - 60, w.fault.onset - 5), (w.page_at, w.page_at + 15)
    print(f"== fraud-2: txn_amount_cents KS D {data['result'].get('statistic', 0):.3f} "
          f"(drifted {data['drifted']}); rps {_mean(w, m, 'rps', *before):.1f} -> "
          f"{_mean(w, m, 'rps', *after):.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=3)
    seed = ap.parse_args().seed
    impact_figures(seed)
    embedder(seed)
    certificate(seed)
    budget(seed)
    silent(seed)
    search3(seed)
    fraud2(seed)


if __name__ == "__main__":
    main()
