"""Scripted players that calibrate the rubric: each drives a game through the same commands a
person types, reads only what observations show (never the answer key, never `signals`), and
plays one recognisable style of on-call.

- expert: acknowledges at once, declares a severity, reads the runbook, looks in the order that
  separates the categories, cites what showed the cause, fixes with the cheapest move, tells the
  owners, keeps stakeholders posted, tickets the noise and writes a factual postmortem.
- novice: slow but systematic: looks at everything in a fixed order before deciding, cites a
  little more than needed, updates rarely, writes a thinner postmortem.
- panicker: glances at the logs, then acts on everything at once (rollbacks, restarts,
  scale-ups, pages several teams, touches other models), guesses, posts no updates.
- confident_wrong: investigates well, then commits to the second-best explanation and its fix.
- passive: pages the usual owners without looking, defers everything else to tickets and
  waits for someone else to fix it.
- keyword_gamer: the novice's investigation, then cites every observation, proposes every
  remediation and pastes one generic postmortem.
- paperwork: acknowledges, declares, posts updates, tickets noise, never diagnoses or
  intervenes, waits for the secondary and files a template postmortem.
- random: a seeded stream of plausible commands with random arguments.
- sprayer: acknowledges and escalates to every team at once without looking at anything.
- runbook_only: acknowledges, declares SEV-2, reads the alert's runbook and escalates to the team
  it names; no look at the model, nothing else.
- template_copier: the novice's investigation (every tool) and the runbook, cites every
  observation, applies the move the novice would and pastes a postmortem that lists every
  catalogue cause and every remediation id.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from oncall.game.engine import Game
from oncall.game.record import Observation, Record
from oncall.sim.catalogue import FIXES, TEAMS
from oncall.sim.faultdef import FaultKind, Response
from players import knowledge
from players.knowledge import Fit

TEAM_NAMES = sorted(TEAMS)
FIX_NAMES = sorted(FIXES)

def lessons(kind: FaultKind) -> list[str]:
    """What an experienced engineer proposes after a fault of this kind: the remediations the
    fault catalogue documents for it (`faults/*.yaml`, public like the rest of the catalogue)."""
    return list(kind.remediations)


def every_remediation() -> list[str]:
    """Every remediation id the registry offers: what a template lists."""
    from oncall.game import remediations

    return sorted(remediations.BY_ID)


class Player:
    """Drives one game: `g.do` for every command, the page read from the page observation."""

    name = "player"

    def __init__(self, game: Game, seed: int = 0) -> None:
        self.g = game
        self.rng = np.random.default_rng(seed)
        self.seen: list[Observation] = []
        page = game.page()
        alerts = list(page.data.get("alerts", []))
        order = {"critical": 0, "warning": 1, "ticket": 2}
        alerts.sort(key=lambda a: (order.get(a["severity"], 3), a["fired_at"]))
        self.alerts = alerts
        self.alert = alerts[0]
        self.target: str = self.alert["model"]
        self.page_at: int = game.record.facts.page_at
        self.resolved: Observation | None = None
        self.heard_recovery = False
        self.worked: set[str] = set()
        """The night's other incidents this player has diagnosed and acted on."""

    # -- plumbing -------------------------------------------------------------------------
    def do(self, **cmd: Any) -> Observation:
        obs = self.g.do(cmd)
        self.heard_recovery |= any(ev.get("kind") == "mitigated" for ev in obs.events)
        if obs.ok and obs.id:
            self.seen.append(obs)
        if cmd.get("do") == "resolve" and obs.ok and obs.data.get("resolved"):
            self.resolved = obs
        return obs

    def play(self) -> Record:
        raise NotImplementedError

    @property
    def clock(self) -> str:
        return self.g.record.entries[-1].observation.clock if self.g.record.entries else "?"

    def look(self, *cmds: dict[str, Any]) -> None:
        for c in cmds:
            self.do(**{"model": self.target, **c})

    def noise(self) -> list[dict[str, Any]]:
        return [a for a in self.alerts if a["model"] != self.target and a["severity"] != "critical"]

    def fits(self) -> list[Fit]:
        return knowledge.fits(self.seen, self.page_at)

    def diagnose(self, fit: Fit, evidence: list[str]) -> None:
        self.do(do="diagnose", category=fit.kind.category, cause=fit.kind.catalogue,
                evidence=evidence)

    def move(self, r: Response, model: str | None = None) -> dict[str, Any]:
        kind = r.when.kind[0]
        model = model or self.target
        cmd: dict[str, Any] = {"do": kind, "model": model}
        if kind == "escalate":
            cmd["team"] = r.when.team[0] if r.when.team else "model-owners"
            cmd["message"] = f"{model} is failing since the page; please take a look."
        if kind == "hotfix":
            cmd["fix"] = (r.when.fix or ["restart_pods"])[0]
        return cmd

    def wait_out(self, rounds: int = 8, minutes: int = 10) -> None:
        """Wait for the service to come back, trying to close the incident each time."""
        for _ in range(rounds):
            if self.try_resolve():
                return
            self.do(do="wait", minutes=minutes)
        self.try_resolve()

    def try_resolve(self) -> bool:
        if self.g.phase in ("resolved", "ended"):
            return True
        obs = self.do(do="resolve")
        return bool(obs.ok and obs.data.get("resolved"))

    def wait_for_secondary(self, updates: bool = False) -> None:
        for _ in range(40):
            if self.try_resolve():
                return
            if updates:
                self.do(do="update", message=f"{self.target}: still investigating; next update "
                        "in 30 minutes.")
            self.do(do="wait", minutes=25)

    def work(self, fits: list[Fit], *, cite: int, patience: int, tell: bool = True,
             last: bool = False) -> Fit:
        """Diagnose the best explanation, act on it, and move to the next one when the service
        does not come back: what a player does who reads the outcome of each move."""
        a = self.alert
        best = fits[0]
        for fit in fits[:3]:
            best = fit
            shown = list(dict.fromkeys(i for ids in fit.shown.values() for i in ids))
            self.diagnose(fit, shown[:cite] if cite else shown)
            if knowledge.is_control(fit.kind):
                self.do(do="ticket", alert=a["rule"], model=self.target,
                        note="transient with no change behind it; tune the alert")
                return fit
            moves = self.fixing(fit.kind)
            if moves:
                self.do(**self.move(moves[-1] if last else moves[0]))
            owner = knowledge.owner_team(fit.kind)
            if tell and owner and (not moves or moves[0].when.kind[0] != "escalate"):
                self.do(do="escalate", team=owner, model=self.target,
                        message=f"Mitigating {self.target} ({fit.kind.title}); please own the "
                                "follow-up.")
            if tell:
                self.do(do="update", message=f"{self.target}: working on {fit.kind.title}; "
                        "mitigation applied, watching recovery.")
            self.other_pages()
            if self.await_recovery(patience, updates=tell) or self.heard_recovery:
                return fit
        return best

    def other_pages(self) -> None:
        """What a player does about the night's other pages once the first is mitigated:
        nothing, unless its style says otherwise (the expert's `work_other_pages`)."""

    def work_other_pages(self) -> None:
        """Each other incident `status` lists open, on a model that paged: look at that model,
        diagnose it as that incident (`incident=`) citing what showed it, and fix it with the
        cheapest move, as the first page was."""
        for inc in self.do(do="status").data.get("incidents", []):
            model, iid = inc["model"], inc["id"]
            if inc["resolved"] or model == self.target or iid in self.worked:
                continue
            self.worked.add(iid)
            first = len(self.seen)
            for cmd in ({"do": "logs", "window": 60}, {"do": "deploys"}, {"do": "infra"}):
                self.do(model=model, **cmd)
            fits = knowledge.fits(self.seen[first:], self.page_at)
            done = {f"{o.kind}:{o.data.get('metric', '')}:{o.data.get('by') or ''}"
                    for o in self.seen[first:]}
            for cmd in knowledge.confirming_looks(fits[:2], model, done)[:3]:
                self.do(**cmd)
            fit = knowledge.fits(self.seen[first:], self.page_at)[0]
            shown = list(dict.fromkeys(i for ids in fit.shown.values() for i in ids))
            self.do(do="diagnose", category=fit.kind.category, cause=fit.kind.catalogue,
                    evidence=shown[:4], incident=iid)
            moves = self.fixing(fit.kind)
            if moves:
                self.do(**self.move(moves[0], model), incident=iid)
            self.do(do="update", message=f"{model}: a second page, {fit.kind.title}; "
                    "mitigation applied, watching recovery.")

    def await_recovery(self, patience: int, updates: bool = False) -> bool:
        """Wait while the service recovers or a team is still on it; give up after `patience`
        rounds with neither. Once the model is heard recovering, wait for it to come back rather
        than reach for another explanation. With `updates`, keep stakeholders posted."""
        idle = 0
        for n in range(30):
            if self.try_resolve():
                return True
            if updates and n % 3 == 2:
                self.do(do="update", message=f"{self.target}: mitigation in place, watching "
                        "recovery; next update in 30 minutes.")
            obs = self.do(do="wait", minutes=6)
            recovering = any(ev.get("kind") in ("mitigated", "message") for ev in obs.events)
            waiting = self.do(do="status").data.get("waiting_on")
            if recovering or waiting or self.heard_recovery:
                idle = 0
                continue
            idle += 1
            if idle >= patience:
                break
        return self.try_resolve()

    def investigate_well(self) -> list[Fit]:
        """Look in the order that separates the categories, widen the search when nothing fits
        well, then confirm the two best explanations: what a senior does before deciding."""
        self.look({"do": "logs", "window": 60}, {"do": "deploys"},
                  {"do": "infra"})
        fits = self.fits()
        if fits[0].score < 0.6:
            drift = self.do(do="drift", model=self.target, feature="all")
            self.look({"do": "pipelines"},
                      {"do": "dashboard", "metric": "error_rate", "by": "revision"})
            for col in drift.data.get("drifted_columns", [])[:1]:
                self.look({"do": "dashboard", "metric": f"feature_mean:{col}", "window": 180})
            fits = self.fits()
        done = {f"{o.kind}:{o.data.get('metric', '')}:{o.data.get('by') or ''}"
                for o in self.seen}
        for cmd in knowledge.confirming_looks(fits[:2], self.target, done)[:3]:
            self.do(**cmd)
        return self.fits()

    def first_sign(self, fit: Fit | None) -> str:
        """When the evidence first showed the fault: the earliest log line, pipeline change or
        recent deploy among the observations that showed it."""
        if fit is None:
            return ""
        ids = {i for ids in fit.shown.values() for i in ids}
        times: list[float] = []
        for o in self.seen:
            if o.id not in ids:
                continue
            times += [ln["t"] for ln in o.data.get("lines", ()) if ln.get("level") != "INFO"]
            times += [c["at"] for p in o.data.get("pipelines", ()) for c in p.get("changelog", ())
                      if c.get("at", -10**9) >= self.page_at - 3 * 60]
            times += [d["at"] for d in o.data.get("deploys", ())
                      if d.get("at", -10**9) >= self.page_at - 3 * 60]
        return f" The first sign in the evidence is at {_hhmm(int(min(times)))}." if times else ""

    def impact(self) -> dict[str, float]:
        return dict(self.g.record.facts.impact)

    def fixing(self, kind: FaultKind) -> list[Response]:
        return knowledge.fixing_moves(kind)

    def factual_postmortem(self, fit: Fit | None, *, thin: bool = False,
                           remediations: list[str] | None = None) -> None:
        """A postmortem written from what the run showed: the alert, the evidence, the move."""
        f = self.g.record.facts
        imp = self.impact()
        affected = int(imp.get("requests_affected", 0))
        failed = int(imp.get("requests_failed", 0))
        minutes = int(imp.get("minutes", 0))
        a = self.alert
        what = fit.kind.title if fit else "an unexplained failure"
        moves = [iv for iv in f.interventions if iv.effect in ("fixes", "partial")]
        if f.handed_over:
            resolution = "The secondary on-call took the incident over and applied the fix."
        elif moves:
            c = moves[0].command
            how = c.get("fix") or c.get("team") or "the previous revision"
            resolution = f"{c['do']} on {self.target} ({how}) stopped it; " \
                         f"the alerts cleared afterwards."
        else:
            resolution = "The alerts cleared without a change of ours."
        detail = ""
        if fit is not None:
            ids = [i for ids in fit.shown.values() for i in ids]
            first = next((o for o in self.seen if o.id in ids), None)
            if first is not None:
                line = first.text.splitlines()[1] if len(first.text.splitlines()) > 1 else \
                    first.text
                detail = f" The clearest evidence: {line.strip()[:160]}."
        deploy_at = ""
        for o in self.seen:
            if o.kind == "deploys":
                recent = [d for d in o.data.get("deploys", []) if d.get("at", -10**9)
                          >= self.page_at - 6 * 60]
                if recent:
                    deploy_at = f" A deploy at {_hhmm(recent[-1]['at'])} preceded it."
        pm: dict[str, Any] = {
            "do": "postmortem",
            "summary": f"{self.target}: {what}; paged by {a['rule']} at {_hhmm(self.page_at)}.",
            "impact": f"{affected:,} requests affected and {failed:,} failed over {minutes} "
                      f"minutes.",
            "root_cause": f"{what}.{detail}",
            "trigger": f"The fault began shortly before the page at {_hhmm(self.page_at)}."
                       + deploy_at + self.first_sign(fit),
            "detection": f"{a['rule']} paged when the value crossed its threshold "
                         f"{a['threshold']:g} {a['unit']}.",
            "resolution": resolution,
            "remediations": remediations or [],
        }
        if not thin:
            pm["action_items"] = [
                {"item": f"Alert earlier on {self.target} for this failure mode", "type": "detect",
                 "owner": "ml-platform"},
                {"item": f"A pre-release check against {what}", "type": "prevent",
                 "owner": "ml-platform"},
            ]
            pm["lessons"] = {
                "went_well": f"{a['rule']} paged and the evidence was read before acting.",
                "went_wrong": f"Nothing stopped {what} before production.",
                "lucky": "Traffic was near its nightly low when it happened.",
            }
            rem = (remediations or ["a monitor"])[0]
            pm["caught_earlier"] = f"The proposed {rem} would have caught it before the page."
        else:
            pm["action_items"] = [{"item": "Add an alert for this", "type": "detect",
                                   "owner": "ml-platform"}]
        self.do(**pm)


def _hhmm(t: int) -> str:
    t %= 24 * 60
    return f"{t // 60:02d}:{t % 60:02d}"


class Expert(Player):
    name = "expert"

    def other_pages(self) -> None:
        self.work_other_pages()

    def play(self) -> Record:
        a = self.alert
        self.do(do="ack")
        self.do(do="severity", level=2 if a["severity"] == "critical" else 3)
        self.do(do="runbook", alert=a["rule"])
        self.do(do="update", message=f"SEV-2: {a['rule']} on {self.target} since "
                f"{_hhmm(a['fired_at'])}; investigating. Next update in 20 minutes.")
        fits = self.investigate_well()
        best = self.work(fits, cite=4, patience=3)
        for n in self.noise():
            self.do(do="ticket", alert=n["rule"], model=n["model"], note="not urgent tonight")
        if not self.try_resolve():
            self.wait_for_secondary(updates=True)
        self.factual_postmortem(best, remediations=lessons(best.kind))
        return self.g.record


class Novice(Player):
    name = "novice"

    def investigate(self) -> None:
        """Slow and thorough: a late acknowledgement, then every tool in a fixed order."""
        self.do(do="wait", minutes=3)
        self.do(do="ack")
        self.do(do="fleet")
        self.look({"do": "dashboard", "metric": "error_rate"}, {"do": "logs"}, {"do": "deploys"},
                  {"do": "infra"}, {"do": "pipelines"}, {"do": "drift", "feature": "all"},
                  {"do": "labels"}, {"do": "dashboard", "metric": "pred_mean"})

    def play(self) -> Record:
        self.investigate()
        self.do(do="severity", level=3)
        best = self.work(self.fits(), cite=0, patience=4, tell=False, last=True)
        self.do(do="update", message=f"Working on {self.target}; applied a fix.")
        if not self.try_resolve():
            self.wait_for_secondary()
        self.factual_postmortem(best, thin=True,
                                remediations=lessons(best.kind)[:1])
        return self.g.record


class Panicker(Player):
    name = "panicker"

    def play(self) -> Record:
        self.do(do="ack")
        self.do(do="severity", level=1)
        self.look({"do": "logs"})
        self.do(do="rollback", model=self.target)
        self.do(do="hotfix", model=self.target, fix="restart_pods")
        self.do(do="hotfix", model=self.target, fix="scale_up")
        for team in ("infra-sre", "model-owners", "data-engineering"):
            self.do(do="escalate", team=team, model=self.target, message="Everything is down!")
        for n in self.noise()[:1]:
            self.do(do="rollback", model=n["model"])
        best = self.fits()[0]
        self.diagnose(best, [])
        self.wait_out(minutes=10)
        if not self.try_resolve():
            self.wait_for_secondary()
        self.do(do="postmortem", summary="Things broke and we fixed them.",
                root_cause="Unclear.", resolution="Rolled back, restarted and scaled up.")
        return self.g.record


class ConfidentWrong(Player):
    name = "confident_wrong"

    def play(self) -> Record:
        a = self.alert
        self.do(do="ack")
        self.do(do="severity", level=2)
        self.do(do="update", message=f"SEV-2: {a['rule']} on {self.target}; investigating.")
        fits = self.investigate_well()
        right = fits[0]
        wrong = next((f for f in fits[1:] if f.kind.catalogue != right.kind.catalogue
                      and f.kind.category != right.kind.category), fits[1])
        evidence = list(dict.fromkeys(i for ids in wrong.shown.values() for i in ids))[:3]
        self.diagnose(wrong, evidence)
        moves = [m for m in self.fixing(wrong.kind) if m.when.kind[0] != "escalate"]
        if moves:
            self.do(**self.move(moves[0]))
        else:
            self.do(do="hotfix", model=self.target, fix="restart_pods")
        self.do(do="update", message=f"{self.target}: applied a fix for {wrong.kind.title}.")
        self.do(do="wait", minutes=15)
        if not self.try_resolve():
            self.do(do="update", message=f"{self.target}: fix in place, monitoring.")
            self.wait_for_secondary(updates=True)
        self.factual_postmortem(wrong, remediations=lessons(wrong.kind))
        return self.g.record


class Passive(Player):
    name = "passive"

    def play(self) -> Record:
        a = self.alert
        self.do(do="ack")
        self.do(do="severity", level=2)
        teams = ["model-owners", "infra-sre"]
        for team in teams:
            self.do(do="escalate", team=team, model=self.target,
                    message=f"{a['rule']} is firing on {self.target}, can you look?")
        self.do(do="update", message=f"Escalated {self.target} to {', '.join(teams)}; "
                "waiting on them.")
        for n in self.noise():
            self.do(do="ticket", alert=n["rule"], model=n["model"], note="for the owners")
        self.wait_for_secondary(updates=True)
        imp = self.impact()
        self.do(do="postmortem",
                summary=f"{a['rule']} paged for {self.target}; the owning teams handled it.",
                impact=f"{int(imp.get('requests_affected', 0)):,} requests affected.",
                detection=f"{a['rule']} paged at {_hhmm(self.page_at)}.",
                resolution="Escalated to model-owners and infra-sre, who fixed it.")
        return self.g.record


class KeywordGamer(Novice):
    """The novice's looks, then everything that might earn points by keyword."""

    name = "keyword_gamer"

    def play(self) -> Record:
        a = self.alert
        self.investigate()
        self.do(do="severity", level=2)
        best = self.fits()[0]
        self.diagnose(best, [o.id for o in self.seen if o.id])
        if not knowledge.is_control(best.kind):
            moves = self.fixing(best.kind)
            if moves:
                self.do(**self.move(moves[-1] if len(moves) > 1 else moves[0]))
        for n in self.noise():
            self.do(do="ticket", alert=n["rule"], model=n["model"], note="noise")
        self.do(do="update", message="Investigating; next update in 30 minutes.")
        self.wait_out(minutes=10)
        if not self.try_resolve():
            self.wait_for_secondary()
        imp = self.impact()
        self.do(do="postmortem",
                summary="A production incident affected a model; we detected, mitigated and "
                        "resolved it.",
                impact=f"{int(imp.get('requests_affected', 0)):,} requests affected, "
                       f"{int(imp.get('requests_failed', 0)):,} failed.",
                root_cause="A change in the system caused the model to misbehave in production.",
                trigger="A change was deployed to production at some point before the page.",
                detection=f"{a['rule']} fired when it crossed the threshold {a['threshold']:g}.",
                resolution="We applied the mitigation from the runbook and the alerts cleared.",
                action_items=[
                    {"item": "Add monitoring for this failure mode", "type": "detect",
                     "owner": "ml-platform"},
                    {"item": "Add a test that would have prevented it", "type": "prevent",
                     "owner": "ml-platform"},
                    {"item": "Write a runbook for it", "type": "mitigate",
                     "owner": "ml-platform"}],
                lessons={"went_well": "Alerting worked and the team responded quickly.",
                         "went_wrong": "The change was not caught before production.",
                         "lucky": "It happened at night when traffic was low."},
                caught_earlier="Better monitoring with a tighter threshold of 10% would have "
                               "caught it earlier.",
                remediations=every_remediation())
        return self.g.record


class Paperwork(Player):
    name = "paperwork"

    def play(self) -> Record:
        a = self.alert
        self.do(do="ack")
        self.do(do="severity", level=2)
        self.do(do="update", message=f"SEV-2 declared for {a['rule']} on {self.target}. "
                "Next update in 25 minutes.")
        for n in self.noise():
            self.do(do="ticket", alert=n["rule"], model=n["model"], note="noise")
        self.wait_for_secondary(updates=True)
        imp = self.impact()
        self.do(do="postmortem",
                summary=f"An incident on {self.target} was handled by the on-call rotation.",
                impact=f"{int(imp.get('requests_affected', 0)):,} requests affected.",
                root_cause="Under investigation by the owning team.",
                trigger="Unknown change in the serving system.",
                detection=f"{a['rule']} paged at threshold {a['threshold']:g}.",
                resolution="The incident was mitigated and the alerts cleared.",
                action_items=[{"item": "Review alerting for this model", "type": "detect",
                               "owner": "ml-platform"},
                              {"item": "Add a regression test", "type": "prevent",
                               "owner": "ml-platform"}],
                lessons={"went_well": "Communication was clear and regular.",
                         "went_wrong": "Root cause took long to find.",
                         "lucky": "Traffic was low at night."},
                caught_earlier="An earlier alert with a lower threshold of 5% would help.",
                remediations=["mon-burn-slow"])
        return self.g.record


METRICS = ["error_rate", "latency_p99_ms", "pred_mean", "gpu_mem_frac", "restarts", "rps"]
VERBS = ["fleet", "dashboard", "logs", "deploys", "pipelines", "infra", "drift", "labels",
         "wait", "update", "rollback", "hotfix", "escalate", "diagnose", "severity", "ticket"]


class Random(Player):
    name = "random"

    def play(self) -> Record:
        models = [self.target, *(a["model"] for a in self.alerts)]
        models += list(self.g.world.fleet.models)[:6]
        if self.rng.random() < 0.5:
            self.do(do="ack")
        for _ in range(14):
            verb = VERBS[int(self.rng.integers(len(VERBS)))]
            model = models[int(self.rng.integers(len(models)))]
            cmd: dict[str, Any] = {"do": verb, "model": model}
            if verb == "dashboard":
                cmd["metric"] = METRICS[int(self.rng.integers(len(METRICS)))]
            elif verb == "drift":
                cmd["feature"] = "prediction"
            elif verb == "wait":
                cmd = {"do": "wait", "minutes": int(self.rng.integers(1, 20))}
            elif verb == "update":
                cmd = {"do": "update", "message": "looking"}
            elif verb == "hotfix":
                cmd["fix"] = FIX_NAMES[int(self.rng.integers(len(FIX_NAMES)))]
            elif verb == "escalate":
                team = TEAM_NAMES[int(self.rng.integers(len(TEAM_NAMES)))]
                cmd = {"do": "escalate", "team": team, "message": "help"}
            elif verb == "diagnose":
                cats = ["data", "model", "infra"]
                cat = cats[int(self.rng.integers(3))]
                cause = f"{cat[0].upper()}{int(self.rng.integers(1, 8))}"
                ids = [o.id for o in self.seen if o.id]
                cmd = {"do": "diagnose", "category": cat, "cause": cause,
                       "evidence": ids[:int(self.rng.integers(0, 3))]}
            elif verb == "severity":
                cmd = {"do": "severity", "level": int(self.rng.integers(1, 6))}
            elif verb == "ticket":
                a = self.alerts[int(self.rng.integers(len(self.alerts)))]
                cmd = {"do": "ticket", "alert": a["rule"], "model": a["model"]}
            self.do(**cmd)
        if self.g.phase == "paged":
            self.do(do="ack")
        self.wait_for_secondary()
        self.do(do="postmortem", summary="it broke")
        return self.g.record


class Sprayer(Player):
    """Escalates to every team without looking, then waits."""

    name = "sprayer"

    def play(self) -> Record:
        a = self.alert
        self.do(do="ack")
        for team in TEAM_NAMES:
            self.do(do="escalate", team=team, model=self.target,
                    message=f"{a['rule']} on {self.target}: please look.")
        self.wait_for_secondary()
        self.do(do="postmortem",
                summary=f"{a['rule']} paged for {self.target} and every team was told.",
                detection=f"{a['rule']} paged at {_hhmm(self.page_at)}.",
                resolution="Every team was paged; the alerts cleared afterwards.")
        return self.g.record


RUNBOOK_TEAM = re.compile(r"##\s*Escalation\b[\s\S]*?`([a-z-]+)`")


class RunbookOnly(Player):
    """Reads the runbook and does what its escalation section says; never looks at the model."""

    name = "runbook_only"

    def play(self) -> Record:
        a = self.alert
        self.do(do="ack")
        self.do(do="severity", level=2)
        book = self.do(do="runbook", alert=a["rule"])
        m = RUNBOOK_TEAM.search(book.text)
        team = m.group(1) if m and m.group(1) in TEAMS else "model-owners"
        self.do(do="escalate", team=team, model=self.target,
                message=f"{a['rule']} on {self.target}; the runbook says you own it.")
        self.wait_for_secondary()
        meaning = next((ln.strip() for ln in book.text.split("## Meaning", 1)[-1].splitlines()
                        if ln.strip()), "The alert fired.")
        self.do(do="postmortem",
                summary=f"{a['rule']} paged for {self.target}; escalated to {team} per the "
                        "runbook.",
                root_cause=meaning,
                detection=f"{a['rule']} paged at {_hhmm(self.page_at)}.",
                resolution=f"Escalated to {team} as the runbook says.")
        return self.g.record


class TemplateCopier(Novice):
    """Every tool, every observation cited, one move, and a postmortem listing everything."""

    name = "template_copier"

    def play(self) -> Record:
        from oncall.sim.catalogue import FAULTS_BY_ID

        a = self.alert
        self.investigate()
        self.do(do="severity", level=2)
        self.do(do="runbook", alert=a["rule"])
        best = self.fits()[0]
        self.diagnose(best, [o.id for o in self.seen if o.id])
        if knowledge.is_control(best.kind):
            self.do(do="ticket", alert=a["rule"], model=self.target, note="see postmortem")
        else:
            moves = self.fixing(best.kind)
            if moves:
                self.do(**self.move(moves[-1]))
        self.do(do="update", message=f"{self.target}: investigating every signal; next update "
                "in 30 minutes.")
        self.wait_out(minutes=10)
        if not self.try_resolve():
            self.wait_for_secondary()
        causes = "; ".join(f"{cid} {info.name}" for cid, info in sorted(FAULTS_BY_ID.items()))
        every = ", ".join(every_remediation())
        imp = self.impact()
        self.do(do="postmortem",
                summary=f"{a['rule']} paged for {self.target}; every tool was checked.",
                impact=f"{int(imp.get('requests_affected', 0)):,} requests affected, "
                       f"{int(imp.get('requests_failed', 0)):,} failed over "
                       f"{int(imp.get('minutes', 0))} minutes.",
                root_cause=f"One or more of: {causes}.",
                trigger=f"Any of the changes before the page at {_hhmm(self.page_at)}: "
                        "deploys, schema changes, drift, upstream shifts.",
                detection=f"{a['rule']} paged at threshold {a['threshold']:g}.",
                resolution="We applied the mitigation and the alerts cleared.",
                action_items=[{"item": f"Add {r} for {self.target}",
                               "type": "detect" if r.startswith("mon") else "prevent",
                               "owner": "ml-platform"} for r in every_remediation()],
                lessons={"went_well": "Every tool was checked and every signal cited.",
                         "went_wrong": f"Any of {causes} could recur.",
                         "lucky": "Traffic was low at night."},
                caught_earlier=f"Any of {every} would have caught it earlier.",
                remediations=every_remediation())
        return self.g.record


PERSONAS: dict[str, Callable[[Game, int], Player]] = {
    p.name: p for p in (Expert, Novice, Panicker, ConfidentWrong, Passive, KeywordGamer,
                        Paperwork, Random, Sprayer, RunbookOnly, TemplateCopier)
}

TIERS = [["expert"], ["novice"], ["panicker", "confident_wrong"], ["passive"], ["random"]]
"""The ranking a senior on-call interviewer would give, best first."""

MARGIN = 10
"""Points between neighbouring tiers, on the means and in every scenario."""
BELOW_NOVICE = ("keyword_gamer", "runbook_only", "template_copier")
"""Styles that look busy without judgement: each must stay below the novice."""
PAPERWORK_CAP = 25


@dataclass(frozen=True)
class Check:
    where: str
    label: str
    passed: bool
    detail: str

    def __str__(self) -> str:
        return f"{'pass' if self.passed else 'FAIL'}  {self.where:<18} {self.label:<44} " \
               f"{self.detail}"


def ordering_checks(m: dict[str, float], where: str, margin: float = MARGIN) -> list[Check]:
    """The ranking the rubric must hold for one set of mean scores (a scenario, a night or all
    of them): the tiers `margin` apart, the busy styles below the novice, paperwork capped and a
    blind spray below the middle tier. Checks whose players are missing are left out."""
    out: list[Check] = []
    for upper, lower in itertools.pairwise(TIERS):
        if all(n in m for n in (*upper, *lower)):
            gap = min(m[u] for u in upper) - max(m[lo] for lo in lower)
            out.append(Check(where, f"{'/'.join(upper)} - {'/'.join(lower)} >= {margin:g}",
                             gap >= margin, f"gap {gap:.1f}"))
    for name in BELOW_NOVICE:
        if name in m and "novice" in m:
            out.append(Check(where, f"{name} < novice", m[name] < m["novice"],
                             f"{m[name]:.1f} vs {m['novice']:.1f}"))
    if "paperwork" in m:
        out.append(Check(where, f"paperwork <= {PAPERWORK_CAP}", m["paperwork"] <= PAPERWORK_CAP,
                         f"{m['paperwork']:.1f}"))
    middle = [n for n in TIERS[2] if n in m]
    if "sprayer" in m and middle:
        low = min(m[n] for n in middle)
        out.append(Check(where, f"sprayer < {'/'.join(middle)}", m["sprayer"] < low,
                         f"{m['sprayer']:.1f} vs {low:.1f}"))
    return out
