"""The engine: one door, `Game.do(command) -> Observation`, over a seeded world and its clock.

The TUI and the headless protocol both go through `do`. Every command and observation is appended
to the record, so replaying the commands on a new game with the same seed rebuilds it exactly.
"""

from __future__ import annotations

from typing import Any

from oncall.content import kinds
from oncall.content.scenario import Scenario
from oncall.game import commands as c
from oncall.game import remediations, tools
from oncall.game.built import as_built
from oncall.game.record import (
    NOTHING_DEPLOYED,
    AlertFact,
    AnswerKey,
    Entry,
    Facts,
    IncidentFact,
    Intervened,
    Observation,
    Postmortem,
    Record,
)
from oncall.sim.alerts import RULES_BY_NAME, Episode
from oncall.sim.catalogue import FAULTS, FAULTS_BY_ID, TEAMS
from oncall.sim.clock import hhmm, mins
from oncall.sim.faultdef import FaultKind
from oncall.sim.faults import Intervention, Outcome
from oncall.sim.impact import describe as describe_impact
from oncall.sim.world import IncidentSpec, World, WorldSpec

HANDOVER_AFTER_MIN = 180
"""If the fault is still live this long after the page, the secondary on-call takes over."""
DIFFICULTY_NOISE = {"easy": 0, "normal": None, "hard": 1}


def world_spec(scenario: Scenario, difficulty: str, start: int | None = None) -> WorldSpec:
    """The world a scenario asks for; `start`: the minute the player starts watching (a night
    shift's start), from which spans are counted (default: the first page)."""
    noise = [(n.kind, {**n.params, **({"model": n.model} if n.model else {})})
             for n in scenario.noise]
    if difficulty == "easy":
        noise = []
    elif difficulty == "hard":
        noise.append(("latency_blip", {"offset": 20, "minutes": 40}))
    registry = kinds.fault_kinds()
    incidents = tuple(IncidentSpec(kind=registry[f.kind], model=f.model, onset=f.onset_minute,
                                   params=dict(f.params), id=f.id) for f in scenario.faults)
    return WorldSpec(incidents=incidents, noise=tuple(noise), fleet_size=scenario.fleet_size,
                     total_rps=scenario.total_rps, start=start)


def _alert_fact(world: World, e: Episode) -> AlertFact:
    """An alert as Alertmanager shows it now: its value is the rule's latest evaluation (a
    certificate alert that fired weeks ago quotes today's days left, as `infra` does)."""
    rule = RULES_BY_NAME[e.rule]
    m = world.model(e.model)
    value = e.value_at_fire if e.fired_at >= world.now else \
        float(rule.values(world, m, world.now, world.now + 1)[1][-1])
    return AlertFact(rule=e.rule, model=e.model, severity=rule.severity,
                     expr=rule.expression(m), threshold=round(e.threshold, 6),
                     value=round(value, 6), unit=rule.unit, fired_at=e.fired_at,
                     runbook=rule.runbook,
                     summary=rule.summary.format(model=e.model, threshold=f"{e.threshold:g}"))


SEVERITY_ORDER = {"critical": 0, "warning": 1, "ticket": 2}


def _alternatives(scenario: Scenario | None, kind: FaultKind) -> list[dict[str, Any]]:
    """The alternative causes the answer key accepts: the scenario's own (for the incident its
    answers are about), else those of its kind (every night of it), then those the kind's
    effects imply (`FaultKind.implied_alternatives`, marked `implied`: an overlap the scoring
    knows by name keeps its own credit). Every incident of a night gets its own, so the same
    misreading of the same kind of fault scores the same whichever page it came on."""
    own = scenario.answers.alternatives if scenario is not None else []
    stated = [x.model_dump() for x in (own or kind.alternatives)]
    named = {kind.catalogue if scenario is None else scenario.answers.cause,
             *(x["cause"] for x in stated)}
    return stated + [{**x.model_dump(), "implied": True} for x in kind.implied_alternatives()
                     if x.cause not in named]


def _paging_order(a: AlertFact) -> tuple[int, int, str]:
    """What paged first: critical alerts, then warnings, then tickets, each by firing time."""
    return SEVERITY_ORDER.get(a.severity, 3), a.fired_at, a.rule


class Game:
    """One incident. Construct it from a scenario and a seed; drive it only through `do`."""

    def __init__(self, scenario: Scenario, seed: int, difficulty: str | None = None, *,
                 start: int | None = None, keep_open: bool = False,
                 until: int | None = None) -> None:
        """`start`: the minute the clock starts at (default: the first page), for a night shift
        that begins before anything pages. `keep_open`: resolving the last incident does not end
        the game (a shift goes on until its end). `until`: the minute the clock stops at (a
        shift's end): no command runs it further, so nothing the run records happens later."""
        self.scenario = scenario
        self.keep_open = keep_open
        self.until = until
        self.seed = seed
        self.difficulty = difficulty or scenario.difficulty
        self.world = as_built(seed, world_spec(scenario, self.difficulty, start))
        self.phase: c.Phase = "paged"
        firing = self.world.firing()
        if start is not None:
            self.world.now = start
        self._started_at = self.world.now
        target = self.world.fault.model
        targets = {i.model for i in self.world.incidents.values()}
        a = scenario.answers
        self.record = Record(
            seed=seed, scenario=scenario.id, title=scenario.title, difficulty=self.difficulty,
            answers=AnswerKey(
                category=a.category, cause=a.cause, cause_name=FAULTS_BY_ID[a.cause].name,
                alternatives=_alternatives(scenario, self.world.fault.kind),
                explanation=a.explanation, signal_alert=a.signal_alert, evidence=a.evidence,
                right=[m.model_dump(exclude_none=True) for m in a.right],
                wrong=[m.model_dump(exclude_none=True) for m in a.wrong],
                severity=a.severity, escalate_to=a.escalate_to, remediations=a.remediations,
                control=a.control),
            facts=Facts(
                fleet_models=len(self.world.fleet.models), fleet_rps=self.world.fleet.total_rps,
                target_model=target, onset_at=self.world.fault.onset,
                page_at=self.world.page_at,
                page_alerts=sorted((_alert_fact(self.world, e) for e in firing
                                    if e.model in targets), key=_paging_order),
                noise_alerts=[_alert_fact(self.world, e) for e in firing
                              if e.model not in targets],
                incidents=[IncidentFact(id=i.id, model=i.model, onset_at=i.onset,
                                        page_at=i.page_at if i.page_at is not None else
                                        self.world.page_at, category=i.kind.category,
                                        cause=i.kind.catalogue,
                                        remediations=list(i.kind.remediations),
                                        alternatives=_alternatives(
                                            scenario if i is self.world.fault else None, i.kind))
                           for i in self.world.incidents.values()]
                if len(self.world.incidents) > 1 else [],
            ),
        )
        self._firing_keys = {(e.rule, e.model) for e in self.world.firing()}
        self._signal_obs = 0
        self._obs_count = 0

    # -- the door ------------------------------------------------------------------------------
    @property
    def now(self) -> int:
        return self.world.now

    def page(self) -> Observation:
        """The page as it arrives: what a pager shows, before any command."""
        f = self.record.facts
        alerts = f.page_alerts + f.noise_alerts
        lines = [f"PAGE {hhmm(f.page_at)}: {len(alerts)} alert{'' if len(alerts) == 1 else 's'} "
                 "firing"]
        for al in alerts:
            lines.append(f"  [{al.severity}] {al.rule} {al.model}: value {al.value:g} vs "
                         f"threshold {al.threshold:g} ({al.unit}); since {hhmm(al.fired_at)}")
        return Observation(kind="page", t=self.now, clock=hhmm(self.now), text="\n".join(lines),
                           data={"alerts": [a.model_dump() for a in alerts],
                                 "scenario": self.scenario.id, "title": self.scenario.title,
                                 "brief": self.scenario.brief, "seed": self.seed,
                                 "fleet_models": f.fleet_models, "fleet_rps": f.fleet_rps})

    def do(self, raw: Any) -> Observation:
        try:
            cmd = c.parse(raw, self.phase)
        except c.CommandError as exc:
            return self._log(raw if isinstance(raw, dict) else {"raw": repr(raw)},
                             self._error(str(exc), exc.valid))
        verb: str = cmd.do  # type: ignore[attr-defined]
        model = getattr(cmd, "model", None)
        if model is not None and model not in self.world.fleet.models:
            # A typo costs no simulated time: nothing was looked at.
            return self._log(c.to_dict(cmd), self._error(
                self._ticket_order(cmd) or f"{verb}: model: unknown model {model!r}; the fleet "
                f"has {', '.join(self.world.fleet.names())}", None))
        try:
            # An impossible request (an unknown feature, a test that does not fit the column)
            # is refused before the clock moves: nothing was looked at.
            tools.precheck(self.world, cmd)
            self._precheck(cmd)
        except tools.ToolError as exc:
            return self._log(c.to_dict(cmd), self._error(f"{verb}: {exc}", None))
        cost = self._within(cmd.cost)
        events = self._spend(cost)
        try:
            obs = getattr(self, f"_do_{verb}")(cmd)
        except tools.ToolError as exc:
            obs = self._error(f"{verb}: {exc}", None)
        obs.cost = cost
        obs.events = events + obs.events
        if obs.ok:
            self._obs_count += 1
            obs.id = f"obs-{self._obs_count}"
        if obs.ok and verb in c.INVESTIGATIONS:
            args = cmd.model_dump(exclude={"do"})
            obs.signals = sorted({sig for inc in self.world.incidents.values()
                                  for sig in inc.signals(verb, args, obs.data, obs.text)})
            self._signal_obs += bool(obs.signals)
        self._log(c.to_dict(cmd), obs)
        return obs

    @property
    def ended(self) -> bool:
        return self.phase == "ended"

    def next_obs_id(self) -> str:
        """The id of a new observation made outside `do` (a night shift's request report), in
        the same numbering as the game's own, so evidence ids never collide."""
        self._obs_count += 1
        return f"obs-{self._obs_count}"

    def advance(self, minutes: int) -> list[dict[str, Any]]:
        """Let `minutes` pass outside any command of the game (a night shift's own commands),
        as far as `until` lets the clock go."""
        return self._spend(self._within(minutes))

    def _within(self, minutes: int) -> int:
        """The minutes the clock can run from now: all of them, but never past `until`."""
        return minutes if self.until is None else max(0, min(minutes, self.until - self.now))

    def budget(self, start: int | None = None) -> dict[str, Any]:
        """The error budget of each incident's model as it stands now (SLO, what the month had
        spent by the time the player started watching, what the night has spent since, what is
        left, the 1 h burn and burn-rate alerts), and the spend committed to scale-ups: what a
        status bar shows without being asked. Counted from `start`, by default the minute the
        player started watching (the page, or a shift's start), never from a hidden onset."""
        from oncall.sim.budget import gpu_cost_usd, model_budget

        t0 = self.world.seen_from if start is None else start
        models = list(dict.fromkeys(i.model for i in self.world.incidents.values()))
        rows = [model_budget(self.world, m, t0, self.now) for m in models]
        moves = [(iv.effective_at, iv.cost_usd_per_hour) for iv in self.record.facts.interventions
                 if iv.cost_usd_per_hour]
        return {"models": rows, "left_pct": min(r["left_pct"] for r in rows),
                "night_pct": round(sum(r["night_pct"] for r in rows), 2),
                "scale_up_usd": gpu_cost_usd(moves, self.now)}

    def glance(self) -> dict[str, Any]:
        """Where the incident stands, for a status bar: read-only, recorded nowhere, no time.

        Firing alerts come critical first, each as (severity, rule, model); impact is the main
        fault's so far (requests affected and failed, share of the 30-day error budget).
        """
        f = self.record.facts
        firing = self.world.firing() if self.phase in c.WORKING else []
        alerts = sorted(((RULES_BY_NAME[e.rule].severity, e.rule, e.model) for e in firing),
                        key=lambda a: (SEVERITY_ORDER.get(a[0], 3), a[1], a[2]))
        return {"now": self.now, "clock": hhmm(self.now), "phase": self.phase,
                "page_at": f.page_at, "acked_at": f.acked_at, "ack_target": c.ACK_TARGET_MIN,
                "severity": f.severity, "firing": alerts, "impact": self.world.impact(),
                "obs": self._obs_count}

    def _precheck(self, cmd: Any) -> None:
        """Refuse names no catalogue, team list or record holds before the clock moves: a typo
        in a fix, team, cause, cited observation, version or remediation looks at nothing."""
        if isinstance(cmd, c.Hotfix) and cmd.fix not in c.FIXES:
            raise tools.ToolError(f"fix: unknown fix {cmd.fix!r}; valid: {', '.join(c.FIXES)}")
        if isinstance(cmd, c.Escalate) and cmd.team not in TEAMS:
            raise tools.ToolError(f"team: unknown team {cmd.team!r}; valid: {', '.join(TEAMS)}")
        if isinstance(cmd, c.Diagnose):
            if cmd.cause not in FAULTS_BY_ID:
                raise tools.ToolError(f"cause: unknown cause {cmd.cause!r}; valid: "
                                      f"{', '.join(FAULTS_BY_ID)} (see help)")
            known = [e.observation.id for e in self.record.entries if e.observation.id]
            unknown = [o for o in cmd.evidence if o not in known]
            if unknown:
                raise tools.ToolError(f"evidence: {', '.join(unknown)} is not an observation "
                                      f"of this incident; valid: {', '.join(known) or 'none yet'}")
        if isinstance(cmd, c.Rollback) and cmd.to:
            want = cmd.to.lstrip("r")
            if not any(d.model_version == cmd.to or str(d.revision) == want
                       for d in self.world.model(cmd.model).deploys):
                raise tools.ToolError(f"to: {cmd.model} has no version or revision {cmd.to!r}")
        if isinstance(cmd, c.Ticket):
            self._check_ticket(cmd)
        if isinstance(cmd, c.PostmortemCmd):
            unknown = [r for r in cmd.remediations if r not in remediations.BY_ID]
            if unknown:
                raise tools.ToolError(f"remediations: unknown remediation {', '.join(unknown)};"
                                      f" valid: {', '.join(remediations.BY_ID)}")

    # -- bookkeeping ----------------------------------------------------------------------------
    def _obs(self, kind: str, text: str, data: dict[str, Any] | None = None,
             ok: bool = True) -> Observation:
        return Observation(kind=kind, ok=ok, t=self.now, clock=hhmm(self.now), text=text,
                           data=data or {})

    def _error(self, message: str, valid: list[str] | None) -> Observation:
        return Observation(kind="error", ok=False, t=self.now, clock=hhmm(self.now),
                           error=message, text=message,
                           valid=valid if valid is not None else c.available(self.phase))

    def _log(self, command: dict[str, Any], obs: Observation) -> Observation:
        self.record.entries.append(Entry(command=command, observation=obs))
        return obs

    def _spend(self, minutes: int) -> list[dict[str, Any]]:
        """Advance the clock and report what happened meanwhile."""
        if minutes == 0 or self.phase in ("resolved", "ended"):
            return []
        before = self.now
        events: list[dict[str, Any]] = []
        for msg in self.world.advance(minutes):
            events.append({"t": msg.at, "kind": "message", "by": msg.by, "text": msg.text})
        f = self.record.facts
        for inc in self.world.incidents.values():
            at = self.handover_at(inc.id)
            if at is not None and at <= self.now:
                self._hand_over(inc.id, at, events)
        self._note_mitigation(events)
        if (self.phase == "paged" and not f.paged_unacked_escalated
                and self.now - f.page_at > c.ACK_TARGET_MIN):
            f.paged_unacked_escalated = True
            events.append({"t": f.page_at + c.ACK_TARGET_MIN, "kind": "escalation",
                           "text": "unacknowledged for 5 minutes: the page escalated to the "
                                   "secondary on-call"})
        firing = self.world.firing()
        keys = {(e.rule, e.model) for e in firing}
        for e in firing:
            if (e.rule, e.model) not in self._firing_keys:
                events.append({"t": e.fired_at, "kind": "alert", "rule": e.rule,
                               "model": e.model, "text": f"{e.rule} firing on {e.model}"})
        gone = sorted(self._firing_keys - keys)
        ended: dict[tuple[str, str], int] = {}
        if gone:  # each said at the minute it cleared, as a firing one is at the minute it fired
            for e in self.world.episodes(before - 360, self.now + 1,
                                         models=sorted({m for _, m in gone})):
                if (e.rule, e.model) in gone and e.ended_at is not None \
                        and before < e.ended_at <= self.now:
                    ended[(e.rule, e.model)] = max(ended.get((e.rule, e.model), 0), e.ended_at)
        for rule, model in gone:
            events.append({"t": ended.get((rule, model), self.now), "kind": "resolved_alert",
                           "rule": rule, "model": model, "text": f"{rule} on {model} resolved"})
        self._firing_keys = keys
        events.sort(key=lambda ev: (ev["t"], ev["kind"]))
        assert self.now > before
        return events

    def _incident_fact(self, incident: str) -> IncidentFact | None:
        return next((i for i in self.record.facts.incidents if i.id == incident), None)

    def _note_mitigation(self, events: list[dict[str, Any]]) -> None:
        """Record the minute each incident's fault stopped, once the clock has reached it."""
        f = self.record.facts
        for inc in self.world.incidents.values():
            fixed = inc.course.fixed_at()
            if fixed is None or fixed > self.now:
                continue
            fact = self._incident_fact(inc.id)
            main = inc is self.world.fault
            if (main and f.mitigated_at is None) or (
                    fact is not None and fact.mitigated_at is None):
                if main:
                    f.mitigated_at = fixed
                if fact is not None:
                    fact.mitigated_at = fixed
                events.append({"t": fixed, "kind": "mitigated",
                               "text": f"{inc.model} is recovering"})

    def handover_at(self, incident: str) -> int | None:
        """The minute the secondary on-call takes an incident over: HANDOVER_AFTER_MIN after
        its page, if at that minute no fix has stopped the fault or is on its way (a team's
        answer still to come) and the fault has not faded by itself. A minute of the world,
        the same however the clock got there (in waits of 5 minutes or of 30, or a night
        ended early); None if the secondary never takes it over (as the world stands now)."""
        inc = self.world.incidents[incident]
        page_at = inc.page_at if inc.page_at is not None else self.record.facts.page_at
        at = page_at + HANDOVER_AFTER_MIN
        if inc.course.fixed_at() is not None or self.world.recovered(incident, at):
            return None
        return at

    def _hand_over(self, incident: str, at: int, events: list[dict[str, Any]]) -> None:
        """The secondary takes over at `at` (`handover_at`) and stops the fault there: the
        course records the fix at that minute, and the record that it was the secondary's."""
        inc = self.world.incidents[incident]
        if inc is self.world.fault:
            self.record.facts.handed_over = True
        fact = self._incident_fact(incident)
        if fact is not None:
            fact.handed_over = True
        self.world.hand_over(incident, at)
        page_at = inc.page_at if inc.page_at is not None else self.record.facts.page_at
        events.append({"t": at, "kind": "handover",
                       "text": f"{mins(at - page_at)} after the page the secondary on-call took "
                               f"over {inc.model} and applied the fix"})

    # -- commands ------------------------------------------------------------------------------
    def _do_help(self, cmd: c.Help) -> Observation:
        verbs = c.available(self.phase)
        data: dict[str, Any] = {"phase": self.phase, "commands": [c.describe(v) for v in verbs],
                "fixes": dict(c.FIXES), "teams": dict(TEAMS),
                "causes": {f.id: f"{f.category}: {f.name}" for f in FAULTS},
                "remediations": {r.id: f"{r.kind}: {r.title} ({r.ml_test_score})"
                                 for r in remediations.CATALOGUE},
                "models": self.world.fleet.names(), "alerts": sorted(RULES_BY_NAME)}
        try:
            text = c.help_text(data, cmd.topic, c.VERBS, c.describe)
        except KeyError as exc:
            return self._error(str(exc.args[0]), None)
        return self._obs("help", text, data)

    def _do_status(self, cmd: c.Status) -> Observation:
        firing = self.world.firing() if self.phase in c.WORKING else []
        impact = self.world.impact()
        f = self.record.facts
        lines = [f"{hhmm(self.now)}  incident {self.phase}; paged {hhmm(f.page_at)} "
                 f"({self.now - f.page_at} min ago)"]
        if f.severity:
            lines.append(f"  severity SEV-{f.severity}")
        for e in firing:
            lines.append(f"  firing: {e.rule} on {e.model} since {hhmm(e.fired_at)}")
        lines.append(f"  impact so far: {describe_impact(impact)}")
        # An incident still to page is nothing the player knows of (as `resolve` holds it).
        known = [fact for fact in f.incidents if fact.page_at <= self.now]
        for fact in known:
            state = "resolved" if fact.resolved_at is not None else "recovering" \
                if fact.mitigated_at is not None else "open"
            lines.append(f"  incident {fact.id}: {fact.model}, paged {hhmm(fact.page_at)}, "
                         f"{state}")
        for msg in self.world.pending:
            lines.append(f"  waiting on {msg.by}")
        return self._obs("status", "\n".join(lines), {
            "phase": self.phase, "firing": [e.rule + "/" + e.model for e in firing],
            "impact": impact, "waiting_on": [m.by for m in self.world.pending],
            "incidents": [{"id": i.id, "model": i.model, "resolved": i.resolved_at is not None}
                          for i in known]})

    def _do_ack(self, cmd: c.Ack) -> Observation:
        f = self.record.facts
        f.acked_at = self.now
        self.phase = "active"
        late = self.now - f.page_at
        return self._obs("ack", f"Acknowledged at {hhmm(self.now)}, {late} min after the page.",
                         {"minutes_to_ack": late})

    def _do_fleet(self, cmd: c.Fleet) -> Observation:
        return self._obs("fleet", *tools.fleet(self.world))

    def _do_dashboard(self, cmd: c.Dashboard) -> Observation:
        return self._obs("dashboard", *tools.dashboard(self.world, cmd.model, cmd.metric,
                                                       cmd.window, cmd.by))

    def _do_logs(self, cmd: c.Logs) -> Observation:
        return self._obs("logs", *tools.logs(self.world, cmd.model, cmd.level, cmd.window,
                                             cmd.grep))

    def _do_deploys(self, cmd: c.Deploys) -> Observation:
        return self._obs("deploys", *tools.deploys(self.world, cmd.model))

    def _do_pipelines(self, cmd: c.Pipelines) -> Observation:
        return self._obs("pipelines", *tools.pipelines(self.world, cmd.model))

    def _do_infra(self, cmd: c.Infra) -> Observation:
        return self._obs("infra", *tools.infra(self.world, cmd.model))

    def _do_drift(self, cmd: c.Drift) -> Observation:
        if cmd.feature == "all":
            return self._obs("drift", *tools.drift_all(self.world, cmd.model, cmd.test,
                                                       cmd.window, cmd.correction))
        return self._obs("drift", *tools.drift(self.world, cmd.model, cmd.feature, cmd.test,
                                               cmd.window))

    def _do_labels(self, cmd: c.Labels) -> Observation:
        return self._obs("labels", *tools.labels(self.world, cmd.model, cmd.window))

    def _do_runbook(self, cmd: c.Runbook) -> Observation:
        return self._obs("runbook", *tools.runbook(cmd.alert))

    def _do_wait(self, cmd: c.Wait) -> Observation:
        return self._obs("wait", f"Waited {cmd.minutes} min; it is {hhmm(self.now)}.")

    def _do_severity(self, cmd: c.Severity) -> Observation:
        f = self.record.facts
        f.severity, f.severity_at = cmd.level, self.now
        return self._obs("severity", f"Declared SEV-{cmd.level} at {hhmm(self.now)}.",
                         {"level": cmd.level})

    def _do_update(self, cmd: c.Update) -> Observation:
        self.record.facts.updates_at.append(self.now)
        return self._obs("update", f"Status update posted at {hhmm(self.now)}: {cmd.message}",
                         {"message": cmd.message})

    def _ticket_order(self, cmd: c.Command) -> str | None:
        """For `ticket spam-filter ...`, the model typed first: how the command reads, with the
        alerts firing on that model."""
        if not isinstance(cmd, c.Ticket) or cmd.alert not in self.world.fleet.models:
            return None
        return ("ticket: the alert comes first, then the model: ticket ALERT MODEL [NOTE]; "
                + self._firing_on(cmd.alert))

    def _firing_on(self, model: str) -> str:
        """What fires on a model now, for an error that helps the player type the alert."""
        on = sorted({e.rule for e in self.world.firing() if e.model == model})
        return f"firing on {model}: {', '.join(on)}" if on else f"nothing is firing on {model}"

    def _fired_on(self, model: str) -> set[str]:
        """The alerts the run showed firing on a model: firing when the clock started, or fired
        since (firing now or cleared). One that fired and cleared before the clock started
        was never shown: a ticket for it follows up nothing the player saw."""
        t0 = self._started_at
        return {e.rule for e in self.world.episodes(t0 - 360, self.now + 1, models=[model])
                if e.fired_at <= self.now and (e.ended_at is None or e.ended_at > t0)}

    def _check_ticket(self, cmd: c.Ticket) -> None:
        """A ticket follows up an alert the run showed firing: one for an alert that did not
        fire on the model (or cannot, as a GPU alert on a CPU model) follows up nothing."""
        tools.check_model(self.world, cmd.model)
        if cmd.alert not in RULES_BY_NAME:
            raise tools.ToolError(f"alert: unknown alert {cmd.alert!r}; "
                                  f"{self._firing_on(cmd.model)}")
        if cmd.alert not in self._fired_on(cmd.model):
            now = sorted({(e.rule, e.model) for e in self.world.firing()})
            raise tools.ToolError(
                f"alert: {cmd.alert} has not fired on {cmd.model} since "
                f"{hhmm(self._started_at)}, so there is nothing to ticket; firing now: "
                + (", ".join(f"{rule} on {model}" for rule, model in now) or "none"))

    def _do_ticket(self, cmd: c.Ticket) -> Observation:
        self._check_ticket(cmd)
        self.record.facts.tickets.append({"alert": cmd.alert, "model": cmd.model, "t": self.now,
                                          "note": cmd.note})
        return self._obs("ticket", f"Ticket filed for {cmd.alert} on {cmd.model}; it will be "
                         "handled in working hours.", {"alert": cmd.alert, "model": cmd.model})

    def _do_diagnose(self, cmd: c.Diagnose) -> Observation:
        f = self.record.facts
        self._check_incident(cmd.incident)
        said = {"category": cmd.category, "cause": cmd.cause, "evidence": cmd.evidence}
        other = self._incident_fact(cmd.incident) if cmd.incident not in (None, "main") else None
        if other is not None and cmd.incident != self.world.fault.id:
            other.diagnosis, other.diagnosis_at = dict(said), self.now
        else:
            f.diagnosis = said
            f.diagnosis_at = self.now
            f.diagnoses += 1
        name = FAULTS_BY_ID[cmd.cause].name
        about = f" for incident {cmd.incident}" if cmd.incident else ""
        return self._obs("diagnose", f"Diagnosis recorded at {hhmm(self.now)}{about}: "
                         f"{cmd.category} fault, {cmd.cause} ({name}), citing "
                         f"{', '.join(cmd.evidence) or 'no'} evidence.",
                         {**said, **({"incident": cmd.incident} if cmd.incident else {})})

    def _intervene(self, cmd: c.Rollback | c.Hotfix | c.Escalate) -> Observation:
        verb = cmd.do
        model = getattr(cmd, "model", None)
        if model is not None:
            tools.check_model(self.world, model)
        refused = self._record_rollback(cmd) if isinstance(cmd, c.Rollback) else None
        self._check_incident(cmd.incident)
        iv = Intervention(kind=verb, model=model, fix=getattr(cmd, "fix", None),
                          to=getattr(cmd, "to", None), team=getattr(cmd, "team", None),
                          message=getattr(cmd, "message", ""), incident=cmd.incident)
        outcome = Outcome("none", refused) if refused else self.world.apply(iv)
        f = self.record.facts
        f.extra_cost_per_hour += outcome.cost_usd_per_hour
        f.interventions.append(Intervened(
            t=self.now, kind=verb, command=c.to_dict(cmd), effect=outcome.effect,
            effective_at=self.now + outcome.delay, message=outcome.message,
            evidence_before=self._signal_obs, cost_usd_per_hour=outcome.cost_usd_per_hour))
        events: list[dict[str, Any]] = []
        if outcome.delay:
            text = f"{verb} sent at {hhmm(self.now)}; {outcome.by} will answer."
        else:
            text = outcome.message
            self._note_mitigation(events)
        obs = self._obs(verb, text, {"command": c.to_dict(cmd), "waiting_on": outcome.by
                                     if outcome.delay else None,
                                     "cost_usd_per_hour": outcome.cost_usd_per_hour})
        obs.events = events
        return obs

    def _record_rollback(self, cmd: c.Rollback) -> str | None:
        """A rollback is a real deploy: it appears in the model's history. It goes back, never
        forward: a revision an earlier rollback took out of service is not deployed again (a
        second plain rollback would otherwise swap back to it, as `kubectl rollout undo` does);
        the answer then says that nothing was deployed (returned, and nothing changes)."""
        from oncall.sim.fleet import Deploy

        m = self.world.model(cmd.model)
        current = [d for d in m.deploys if d.at <= self.now][-1]
        target = m.rollback_target(self.now, cmd.to)
        if target is None:
            raise tools.ToolError(f"{cmd.model} has no earlier version or revision {cmd.to!r}")
        undone = m.undone_by(target.revision, self.now)
        if undone is not None:
            return (f"{NOTHING_DEPLOYED} r{target.revision} is the revision the rollback at "
                    f"{hhmm(undone.at)} (r{undone.revision}) took out of service, and "
                    f"{m.name} still serves r{current.revision} ({current.model_version}). To go "
                    f"further back, name an earlier revision: rollback to=rN.")
        m.deploys.append(Deploy(
            revision=len(m.deploys) + 1, model_version=target.model_version,
            config=self.world.rollback_config(cmd.model, current.config, target.config),
            image=target.image, canary_pct=100, promoted_by="you (on-call)", at=self.now,
            note=f"rollback from r{current.revision} to r{target.revision}",
            undoes=current.revision if target is not current else None))
        return None

    _do_rollback = _intervene
    _do_hotfix = _intervene
    _do_escalate = _intervene

    def _check_incident(self, incident: str | None) -> None:
        if incident is not None and incident not in self.world.incidents:
            raise tools.ToolError(f"incident: unknown incident {incident!r}; valid: "
                                  f"{', '.join(self.world.incidents)}")

    def not_resolvable(self, incidents: list[str]) -> list[str] | None:
        """Why the incidents cannot be closed now: the critical alerts still firing on their
        models (an empty list: the fault itself is still active); None when they can be."""
        models = {self.world.incidents[i].model for i in incidents}
        still = sorted({e.rule for e in self.world.firing() if e.model in models
                        and RULES_BY_NAME[e.rule].pages})
        if still or not all(self.world.recovered(i) for i in incidents):
            return still
        return None

    def _which_close(self, ids: list[str]) -> str:
        """Why a resolve of every open incident was refused, incident by incident: those that
        are back can be closed on their own, by name."""
        parts, back = [], []
        for i in ids:
            inc = self.world.incidents[i]
            still = self.not_resolvable([i])
            back += [i] if still is None else []
            state = "is back" if still is None else \
                f"is not back: {', '.join(still)} still firing" if still else "is not back yet"
            parts.append(f"incident {i} ({inc.model}) {state}")
        close = f" To close it alone: resolve incident={back[0]}" if len(back) == 1 else \
            " To close one alone, name it: resolve incident=..." if back else ""
        return f"Cannot resolve every open incident at {hhmm(self.now)}: " + "; ".join(parts) \
            + "." + close

    def _do_resolve(self, cmd: c.Resolve) -> Observation:
        self._check_incident(cmd.incident)
        f = self.record.facts
        # Only incidents that have paged are open: one still to come is nothing the player
        # knows of, and is neither closed nor listed as open.
        open_ids = [i for i, inc in self.world.incidents.items()
                    if (inc.page_at is None or inc.page_at <= self.now)
                    and ((fact := self._incident_fact(i)) is None or fact.resolved_at is None)]
        ids = [cmd.incident] if cmd.incident else open_ids
        if not ids:
            return self._obs("resolve", f"Nothing to resolve at {hhmm(self.now)}: no open "
                             "incident has paged.", {"resolved": False}, ok=False)
        blocking = self.not_resolvable(ids)
        if blocking is not None and len(ids) > 1:
            return self._obs("resolve", self._which_close(ids), {"resolved": False}, ok=False)
        if blocking is not None:
            back = [self.world.impact(incident=i).get("recovered_at") for i in ids]
            if blocking and all(b is not None for b in back):
                # What `status` says is back stays back: only the alerts have yet to clear.
                since = hhmm(int(max(b for b in back if b is not None)))
                one = len(blocking) == 1
                return self._obs("resolve", f"Cannot resolve at {hhmm(self.now)}: the service "
                                 f"level has been back since {since}, but {', '.join(blocking)} "
                                 f"{'is' if one else 'are'} still firing; wait until "
                                 f"{'it clears' if one else 'they clear'}.",
                                 {"resolved": False}, ok=False)
            why = f": {', '.join(blocking)} still firing" if blocking else " yet"
            return self._obs("resolve", f"Cannot resolve at {hhmm(self.now)}: the service level "
                             f"is not back{why}.", {"resolved": False}, ok=False)
        for i in ids:
            fact = self._incident_fact(i)
            if fact is not None:
                fact.resolved_at = self.now
                fact.impact = self.world.impact(incident=i)
        if len(ids) < len(open_ids):
            inc = self.world.incidents[ids[0]]
            fact = self._incident_fact(ids[0])
            impact = fact.impact if fact else {}
            left = [i for i in open_ids if i not in ids]
            still = ", ".join(f"incident {i} ({self.world.incidents[i].model})" for i in left)
            return self._obs("resolve", f"Resolved incident {inc.id} ({inc.model}) at "
                             f"{hhmm(self.now)}: {describe_impact(impact)}. "
                             f"Still open: {still}.",
                             {"resolved": True, "incident": inc.id, "impact": impact,
                              "open": left})
        main = self.world.fault
        if self.keep_open:
            if main.id in ids:
                f.resolved_at = self.now
                f.impact = self.world.impact(incident=main.id)
            return self._obs("resolve", f"Resolved at {hhmm(self.now)}: every incident paged "
                             "so far is closed.", {"resolved": True, "open": []})
        f.resolved_at = self.now
        f.impact = self.world.impact(incident=main.id)
        self.phase = "resolved"
        return self._obs("resolve", f"Resolved at {hhmm(self.now)}, {self.now - f.page_at} min "
                         f"after the page. Impact: {describe_impact(f.impact)}. "
                         "Write the postmortem next.", {"resolved": True, "impact": f.impact})

    def _do_abandon(self, cmd: c.Abandon) -> Observation:
        f = self.record.facts
        f.abandoned_at = self.now
        self.phase = "ended"
        self.record.ended = True
        why = f": {cmd.reason}" if cmd.reason else ""
        return self._obs("abandon", f"Abandoned at {hhmm(self.now)}{why}. The record is scored "
                         "and saved as it stands.", {"abandoned_at": self.now})

    def _tuning(self, cmd: c.PostmortemCmd, proposed: list[str]) -> dict[str, remediations.Tuning]:
        """The postmortem's tuned monitors, checked: each a proposed monitor (listed, or
        described by an action item), each value within what the alert can mean."""
        out = {}
        for rid, t in cmd.tuning.items():
            if rid not in remediations.MONITORS:
                raise tools.ToolError(f"tuning: {rid} is not a monitor; monitors: "
                                      f"{', '.join(remediations.MONITORS)}")
            if rid not in proposed:
                raise tools.ToolError(f"tuning: {rid} is not among the remediations proposed")
            mon = remediations.MONITORS[rid]
            tune = remediations.Tuning(
                mon.default.threshold if t.threshold is None else t.threshold,
                mon.default.for_min if t.for_min is None else t.for_min)
            problem = remediations.check_tuning(rid, mon, tune)
            if problem:
                raise tools.ToolError(f"tuning: {problem}")
            out[rid] = tune
        return out

    def _do_tune(self, cmd: c.Tune) -> Observation:
        mon = remediations.MONITORS.get(cmd.remediation)
        if mon is None:
            raise tools.ToolError(f"remediation: {cmd.remediation!r} is not a monitor; "
                                  f"monitors: {', '.join(remediations.MONITORS)}")
        tune = remediations.Tuning(
            mon.default.threshold if cmd.threshold is None else cmd.threshold,
            mon.default.for_min if cmd.for_min is None else cmd.for_min)
        problem = remediations.check_tuning(cmd.remediation, mon, tune)
        if problem:
            raise tools.ToolError(problem)
        lab = remediations.tune(cmd.remediation, self.world, tune)
        return self._obs("tune", lab.text, lab.data)

    def _do_postmortem(self, cmd: c.PostmortemCmd) -> Observation:
        unknown = [r for r in cmd.remediations if r not in remediations.BY_ID]
        if unknown:
            raise tools.ToolError(f"unknown remediation {', '.join(unknown)}; catalogue: "
                                  f"{', '.join(remediations.BY_ID)}")
        for i, a in enumerate(cmd.action_items, 1):
            if a.remediation is not None and a.remediation not in remediations.BY_ID:
                raise tools.ToolError(f"action_items[{i}].remediation: unknown remediation "
                                      f"{a.remediation!r}; valid: {', '.join(remediations.BY_ID)}")
        pm = Postmortem.model_validate(cmd.model_dump(exclude={"do"}))
        pm.action_items = [a if a.remediation is not None else a.model_copy(
            update={"remediation": remediations.described(a.item, a.type)})
            for a in pm.action_items]
        # what an item describes is proposed as if its id were listed (once, if it was too)
        pm.remediations = list(dict.fromkeys(
            [*pm.remediations, *(a.remediation for a in pm.action_items if a.remediation)]))
        tuning = self._tuning(cmd, pm.remediations)

        f = self.record.facts
        f.postmortem = pm
        paged_by = next((a.rule for a in f.page_alerts if a.model == f.target_model), None)
        made = remediations.generate(pm.remediations, self.world, tuning, paged_by)
        f.artifacts, f.replays, f.not_generated = made.artifacts, made.replays, made.not_generated
        self.phase = "ended"
        self.record.ended = True
        lines = [f"  action item {i} reads as " + (
            f"{a.remediation}: {remediations.BY_ID[a.remediation].title}" if a.remediation
            else "no catalogue remediation (name one by its id to propose it)")
            for i, a in enumerate(pm.action_items, 1)]
        lines += [f"  replay {remediations.claim(rep)}" for rep in f.replays]
        lines += [f"  not generated: {rid}: {why}" for rid, why in f.not_generated.items()]
        obs = self._obs("postmortem", "\n".join(lines),
                        {"action_items": [a.remediation for a in pm.action_items],
                         "replays": [r.model_dump() for r in f.replays],
                         "artifacts": [a.path for a in f.artifacts],
                         "not_generated": f.not_generated})
        return obs
