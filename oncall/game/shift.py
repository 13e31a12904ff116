"""A night shift: a pager queue over one simulated night, played through one door, `Shift.do`.

The shift holds an incident game (`Game`, with one or two incidents placed in the night) and adds
what a night on call has around it: Alertmanager turning the world's alerts into pages, requests
from teams arriving with deadlines, colleagues who push back, silences, and the error budgets
burning. Its own commands (ack, queue, take, reply, agree, overrule, defer, silence, end, status,
help) are answered here; every other command goes to the game, and the clock is the game's.

Same seed, length, difficulty and commands: the same record, byte for byte.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from oncall.content.colleagues import Dialogue, dialogues
from oncall.game import commands as c
from oncall.game import remediations
from oncall.game import shiftcommands as sc
from oncall.game.engine import Game
from oncall.game.record import Entry, Observation
from oncall.game.shiftplan import (
    ATTEMPTS,
    DIFFICULTIES,
    PlanError,
    add_noise,
    incident_scenario,
    place_candidates,
    requests,
)
from oncall.game.shiftrecord import (
    PRIORITY,
    Conversation,
    Item,
    ItemKind,
    PageFact,
    Said,
    ShiftFacts,
    ShiftKey,
    ShiftRecord,
    SilenceFact,
)
from oncall.game.tools import setting_text
from oncall.sim import budget as bd
from oncall.sim.alertmanager import GROUP_WAIT_MIN, RENOTIFY_MIN, Alertmanager
from oncall.sim.alerts import RULES, RULES_BY_NAME, Rule
from oncall.sim.catalogue import FAULTS, TEAMS, TOOL_WORDS
from oncall.sim.clock import hhmm
from oncall.sim.faultdef import PipelineEntry
from oncall.sim.fleet import Deploy


def paging() -> list[Rule]:
    """The rules that can page (a ticket only if its rule says it pages)."""
    return [r for r in RULES if r.severity != "ticket" or r.pages]



BUILD_MIN = 20
"""Minutes a feature request takes when the on-call builds it in the night."""
SHIFT_START = 0



def shown_kind(it: Item) -> str:
    """An item's kind as the queue shows it: a page is a page, whatever it turns out to be, and
    an alert at the ticket severity is a ticket; the record's own kind (incident or noise) is
    the answer key."""
    if it.page is not None:
        return "page"
    return "ticket" if it.kind == "noise" else it.kind

class Shift:
    """One night on call. Construct it from a seed; drive it only through `do`."""

    def __init__(self, seed: int, length: int = 360, difficulty: str = "normal") -> None:
        if difficulty not in DIFFICULTIES:
            raise ValueError(f"difficulty: {difficulty!r}; valid: {', '.join(DIFFICULTIES)}")
        self.seed, self.length, self.difficulty = seed, length, difficulty
        self.game = self._build_game()
        self.world = self.game.world
        self.am = Alertmanager()
        w = self.world
        people: dict[str, str] = {}
        teams: dict[str, str] = {}
        versions: dict[str, int] = {}
        busy_models = {i.model for i in w.incidents.values()} | {n.model for n in w.noise}
        free = [m for m in w.fleet.names() if m not in busy_models]
        for m in free:
            model = w.model(m)
            teams[m] = model.team
            people[f"release:{m}"] = w.person(model.team + "-release")
            people[f"lead:{m}"] = w.person(model.team + "-lead")
            versions[m] = max(int(v.version.lstrip("v")) for v in model.versions)
        pages = sorted(i.page_at for i in w.incidents.values() if i.page_at is not None)
        items, gates = requests(seed, length, difficulty, free, pages[:1], people, teams,
                                versions)
        place_candidates(w, items)
        cert = next(n for n in w.noise if n.kind == "cert_expiry")
        days = w.cert_days_left(cert.model, SHIFT_START)
        items.insert(0, Item(
            id="r0", kind="noise", priority=PRIORITY["noise"],
            title=f"ticket: CertificateExpiringSoon on {cert.model}", model=cert.model,
            requester="Alertmanager", team=w.model(cert.model).team,
            need=f"the serving certificate of {cert.model} expires in {days:.0f} days; renew it",
            arrives_at=SHIFT_START, deadline=SHIFT_START + int(days * 24 * 60)))
        renamed = {}
        for n, it in enumerate(items, start=1):
            renamed[it.id], it.id = f"q{n}", f"q{n}"
        gates = {renamed[k]: real for k, real in gates.items()}
        g = self.game.record
        self.record = ShiftRecord(
            seed=seed, length=length, difficulty=difficulty,
            key=ShiftKey(incidents=self._keys, gates=gates),
            facts=ShiftFacts(start=SHIFT_START, end=SHIFT_START + length, items=items),
            game=g)
        self._arrive(SHIFT_START - 1, [])

    # -- building --------------------------------------------------------------------------------
    def _build_game(self) -> Game:
        problems = []
        for attempt in range(ATTEMPTS):
            sc, keys = incident_scenario(self.seed, self.length, self.difficulty, attempt)
            rng = np.random.default_rng([self.seed, 9_093, attempt])
            doc = sc.model_dump(mode="json")
            add_noise(doc, rng, self.length, sc.fault.onset_minute, self.difficulty)
            sc = type(sc).model_validate(doc)
            try:
                # The shift places its own noise: the game adds none for any difficulty.
                game = Game(sc, self.seed, "normal", start=SHIFT_START, keep_open=True,
                            until=SHIFT_START + self.length)
            except ValueError as exc:
                problems.append(str(exc))
                continue
            last = max(i.page_at or 0 for i in game.world.incidents.values())
            if last > SHIFT_START + self.length - 45:
                problems.append("pages too late for the shift")
                continue
            self._keys = keys
            return game
        raise PlanError(f"no night for seed {self.seed}: {'; '.join(problems[-2:])}")

    # -- the door --------------------------------------------------------------------------------
    @property
    def now(self) -> int:
        return self.world.now

    @property
    def ended(self) -> bool:
        return self.record.ended

    def start(self) -> Observation:
        """What the player sees as the shift begins (not a command, not recorded)."""
        f = self.record.facts
        text = (f"Night shift {hhmm(f.start)}-{hhmm(f.end)} on {len(self.world.fleet.models)} "
                f"models ({self.world.fleet.total_rps:.0f} requests/s). The pager is yours.\n"
                + self._queue_text())
        return Observation(kind="shift", t=self.now, clock=hhmm(self.now), text=text,
                           data={"seed": self.seed, "length": self.length,
                                 "difficulty": self.difficulty, "start": f.start, "end": f.end,
                                 "models": self.world.fleet.names(),
                                 "queue": self._queue_data(), "budget": self.budget()})

    def do(self, raw: Any) -> Observation:
        valid = self.available()
        if self.ended and not (isinstance(raw, dict) and raw.get("do") in ("help", "status",
                                                                           "queue")):
            return self._log(raw if isinstance(raw, dict) else {"raw": repr(raw)}, self._error(
                "the shift is over: help, status and queue still answer", valid))
        if isinstance(raw, dict) and raw.get("do") in sc.SHIFT_VERBS:
            try:
                cmd = sc.parse_shift(raw, valid)
            except c.CommandError as exc:
                return self._log(raw, self._error(str(exc), valid))
            before = self.now
            try:
                obs = getattr(self, f"_do_{cmd.do}")(cmd)  # type: ignore[attr-defined]
            except ShiftError as exc:
                return self._log(c.to_dict(cmd), self._error(f"{cmd.do}: {exc}",  # type: ignore
                                                             valid))
            obs.cost = self.now - before
            return self._finish(c.to_dict(cmd), obs, before)
        if isinstance(raw, dict) and raw.get("do") in ("help", "status"):
            try:
                parsed = c.parse(raw, "active")  # arguments as in play
            except c.CommandError as exc:
                return self._log(raw, self._error(str(exc), valid))
            obs = self._do_help(parsed.topic) if isinstance(parsed, c.Help) else \
                self._do_status()
            return self._finish(c.to_dict(parsed), obs, self.now)
        try:
            raw, typed = self._incident_arg(raw)
        except ShiftError as exc:
            return self._log(raw, self._error(f"{raw.get('do')}: {exc}", valid))
        before = self.now
        held = self._hold(raw)
        if held is not None:
            return self._finish({**raw, "incident": typed} if typed else raw, held, before)
        command, why = raw, ""
        if isinstance(raw, dict) and raw.get("do") == "wait":
            raw, why = self._woken(raw)
        obs = self.game.do(raw)
        if not obs.ok and obs.valid is not None:
            obs.valid = valid
        if raw is command:
            command = self.game.record.entries[-1].command
        elif obs.ok:
            obs.text += f" {why}"
        if typed is not None:  # the record keeps the page the player named
            command = {**command, "incident": typed}
        obs.text = self._page_names(obs.text)
        if obs.error:
            obs.error = self._page_names(obs.error)
        if obs.ok and command.get("do") == "ticket":
            for it in self.record.facts.items:
                if it.kind == "noise" and it.model == command.get("model") and \
                        it.done_at is None:
                    it.done_at, it.outcome = self.now, "ticketed"
                    it.taken_at = it.taken_at if it.taken_at is not None else self.now
        return self._finish(command, obs, before)

    def _woken(self, raw: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """A wait ends early when something would wake an on-call: a page, or one sent again
        while it waits unacknowledged, a request, a colleague's answer or reminder; with what
        woke them (a page before anything else at the same minute), as the wait's answer says.
        It ends at the shift's end at the latest. The player's command is recorded as typed."""
        try:
            cmd = c.parse(raw, self.game.phase)
        except c.CommandError:
            return raw, ""
        assert isinstance(cmd, c.Wait)
        f = self.record.facts
        until = min(self.now + cmd.minutes, f.end)
        wake = [(it.arrives_at, 2, "A request came in.") for it in f.items
                if not it.arrived and it.page is None and self.now < it.arrives_at <= until]
        wake += [(cv.reopen_at, 3, "A colleague wrote again.") for cv in f.conversations
                 if cv.reopen_at is not None and cv.closed_at is None
                 and self.now < cv.reopen_at <= until]
        wake += [(m.at, 1, f"{m.by} answered.") for m in self.world.pending
                 if self.now < m.at <= until]
        # An unacknowledged page is sent again every few minutes: the pager rings again.
        wake += [(at, 0, "The pager rang again: a page is still unacknowledged.")
                 for p in self.am.pages.values() if p.acked_at is None and p.notified
                 and self.now < (at := p.notified[-1] + RENOTIFY_MIN) <= until]
        # What fires and has notified already (one that fired this minute is in its group
        # wait: it notifies at the next, and that wakes the on-call).
        live = {(e.rule, e.model) for e in self.world.firing()
                if e.fired_at + GROUP_WAIT_MIN <= self.now}
        for e in self.world.episodes(self.now - 360, until + 1, rules=paging()):
            at = e.fired_at + GROUP_WAIT_MIN
            if self.now < at <= until and (e.rule, e.model) not in live and \
                    not self.am.silenced(e.rule, e.model, at):
                wake.append((at, 0, "The pager woke you."))
        first, _, why = min(wake, default=(until, 0, ""))  # at one minute, a page first
        if first >= until:
            if until == self.now + cmd.minutes:
                return raw, ""
            first, why = until, "The shift is over."
        return {**raw, "minutes": max(1, first - self.now)}, why

    def incident_names(self) -> dict[str, str]:
        """Each incident's name for the player: the page that first brought it in (p1, ...).
        The game's own ids (main, second) are never shown; an incident not paged yet has no
        name, as the player does not know of it."""
        names: dict[str, str] = {}
        for it in self.record.facts.items:
            if it.incident is not None and it.page is not None:
                names.setdefault(it.incident, it.page)
        return names

    def _incident_arg(self, raw: Any) -> tuple[Any, str | None]:
        """`incident=p1` (a page, or its queue item q5) as the game's incident id. A page that
        is noise names no incident: the command then acts on the model it names, as it would
        without the argument (so the answer never tells noise from an incident). The game's
        own ids are kept as aliases, for saves written before pages named incidents."""
        if not isinstance(raw, dict) or not isinstance(raw.get("incident"), str):
            return raw, None
        typed = raw["incident"]
        if typed in self.world.incidents:
            return raw, None
        f = self.record.facts
        item = next((it for it in f.items if it.arrived and it.page is not None
                     and typed in (it.page, it.id)), None)
        if item is None:
            pages = [f"{it.page} ({it.id})" for it in f.items if it.page is not None]
            raise ShiftError(f"incident: no page or queue item {typed!r} names an incident; "
                             f"pages so far: {', '.join(pages) or 'none'}")
        rest = {k: v for k, v in raw.items() if k != "incident"}
        return ({**rest, "incident": item.incident} if item.incident else rest), typed

    def _page_names(self, text: str) -> str:
        for iid, page in self.incident_names().items():
            text = re.sub(rf"\bincident([ =]){iid}\b", rf"incident\g<1>{page}", text)
        return text

    def _known_obs(self) -> list[str]:
        return [e.observation.id for e in self.record.entries
                if e.observation.id and e.observation.ok]

    def available(self) -> list[str]:
        return sorted({*c.available("active"), *sc.SHIFT_VERBS} - {"postmortem"})

    # -- bookkeeping -----------------------------------------------------------------------------
    def _error(self, message: str, valid: list[str]) -> Observation:
        return Observation(kind="error", ok=False, t=self.now, clock=hhmm(self.now),
                           error=message, text=message, valid=valid)

    def _obs(self, kind: str, text: str, data: dict[str, Any] | None = None) -> Observation:
        return Observation(kind=kind, t=self.now, clock=hhmm(self.now), text=text,
                           data=data or {})

    def _log(self, command: dict[str, Any], obs: Observation) -> Observation:
        self.record.entries.append(Entry(command=command, observation=obs))
        return obs

    def _spend(self, minutes: int) -> list[dict[str, Any]]:
        return self.game.advance(minutes) if minutes else []

    def _finish(self, command: dict[str, Any], obs: Observation, before: int) -> Observation:
        """After any command: what the pager, the queue and the colleagues did meanwhile."""
        obs.events = [e for e in obs.events if e.get("kind") != "escalation"]
        if self.now > before or not self.record.entries:
            self._arrive(before, obs.events)
        self._track_incidents()
        if not self.ended and self.now >= self.record.facts.end:
            self._close(obs.events, "the shift is over: handed over to the day shift")
        obs.events.sort(key=lambda e: (int(e["t"]), str(e["kind"])))
        obs.events = fold_renotices(obs.events)
        if obs.ok and not obs.id:  # every result has an id, in the game's numbering
            obs.id = self.game.next_obs_id()
        return self._log(command, obs)

    def _arrive(self, before: int, events: list[dict[str, Any]]) -> None:
        """Pages, requests, reminders and deadlines in (before, now]."""
        f = self.record.facts
        # The window `firing` looks at: what fired and cleared within it still paged.
        fired = [e for e in self.world.episodes(self.now - 360, self.now + 1, rules=paging())
                 if e.fired_at <= self.now]
        for ev in self.am.step(before, self.now, fired):
            events.append(ev)
            if ev["kind"] == "page":
                self._page_item(str(ev["page"]), int(ev["t"]))  # type: ignore[call-overload]
        for p in self.am.pages.values():
            fact = next((x for x in f.pages if x.id == p.id), None)
            if fact is not None:
                fact.alerts, fact.inhibited = list(p.alerts), list(p.inhibited)
                fact.notified, fact.escalated_at = list(p.notified), p.escalated_at
        for it in f.items:
            if not it.arrived and it.page is None and it.arrives_at <= self.now:
                it.arrived = True
                events.append({"t": it.arrives_at, "kind": "request", "item": it.id,
                               "text": f"{it.id} from {it.requester} ({it.team}): {it.need}, "
                                       f"by {hhmm(it.deadline)}"})
                trigger = f"request:{it.kind}" if it.kind != "noise" else None
                if trigger:
                    self._open(trigger, it.model, it.arrives_at, events, item=it)
        for conv in f.conversations:
            if conv.reopen_at is not None and conv.reopen_at <= self.now and \
                    conv.closed_at is None:
                conv.reopen_at = None
                d = dialogues()[conv.trigger]
                text = self._fill(d.reminder, conv)
                events.append({"t": self.now, "kind": "message", "by": conv.person,
                               "conversation": conv.id, "text": text})
        for it in f.items:
            if it.kind in ("deploy", "canary", "feature") and it.done_at is None and \
                    it.arrived and it.deadline <= self.now:
                it.done_at, it.outcome = it.deadline, "missed"
                for conv in self._open_about(it.id):
                    conv.closed_at, conv.outcome = it.deadline, "missed"
                events.append({"t": it.deadline, "kind": "deadline", "item": it.id,
                               "text": f"{it.id}: the deadline {hhmm(it.deadline)} passed "
                                       "without a decision"})

    def _page_item(self, page_id: str, at: int) -> None:
        page = self.am.pages[page_id]
        f = self.record.facts
        incident = next((i for i in self.world.incidents.values() if i.model == page.model),
                        None)
        kind: ItemKind = "incident" if incident is not None else "noise"
        rule = page.alerts[0]
        # The page's own id: a queue number after the planned requests' would tell how many
        # requests the night still holds.
        item = Item(id=page_id, kind=kind, priority=PRIORITY[kind],
                    title=f"page {page_id}: {rule} on {page.model}", model=page.model,
                    requester="Alertmanager", team=self.world.model(page.model).team,
                    need=f"acknowledge and handle {rule} on {page.model}",
                    arrives_at=at, deadline=at + 5, incident=incident.id if incident else None,
                    page=page_id, arrived=True)
        f.items.append(item)
        f.pages.append(PageFact(id=page_id, model=page.model, severity=page.severity,
                                opened_at=page.opened_at, alerts=list(page.alerts),
                                item=item.id))

    def _track_incidents(self) -> None:
        g = self.game.record.facts
        for it in self.record.facts.items:
            if it.kind != "incident" or it.done_at is not None or it.incident is None:
                continue
            fact = next((x for x in g.incidents if x.id == it.incident), None)
            mitigated = fact.mitigated_at if fact is not None else g.mitigated_at
            if mitigated is not None and mitigated <= self.now:
                it.done_at = mitigated
                it.outcome = "handed over" if (fact.handed_over if fact else g.handed_over) \
                    else "mitigated"

    def _close(self, events: list[dict[str, Any]], why: str) -> None:
        f = self.record.facts
        f.ended_at = self.now
        f.budget = self.budget()
        paged = {it.model for it in f.items if it.kind == "incident"}
        saved = bd.budget_saved(self.world, SHIFT_START, self.now)
        # The player's share, and apart from it the secondary on-call's (`handed over`).
        f.budget["saved_pct"] = {m: p for m, p in saved.mitigation.items() if m in paged}
        f.budget["secondary_saved_pct"] = {m: p for m, p in saved.secondary.items()
                                           if m in paged}
        self.record.ended = True
        events.append({"t": self.now, "kind": "shift_end", "text": why})

    # -- the budget --------------------------------------------------------------------------------
    def budget(self) -> dict[str, Any]:
        """The error budget of every model in the queue so far, worst first, and the scale-up
        spend. Only models something has arrived about: an incident not yet paged stays unseen."""
        f = self.record.facts
        watched = list(dict.fromkeys(it.model for it in f.items if it.arrived))
        rows = [bd.model_budget(self.world, m, SHIFT_START, self.now) for m in watched]
        rows.sort(key=lambda r: (r["left_pct"], r["model"]))
        g = self.game.record.facts
        moves = [(iv.effective_at, iv.cost_usd_per_hour) for iv in g.interventions
                 if iv.cost_usd_per_hour]
        return {"models": rows, "left_pct": rows[0]["left_pct"] if rows else 100.0,
                "night_pct": round(sum(r["night_pct"] for r in rows), 2),
                "burning": [r["model"] for r in rows if r["alerts"]],
                "scale_up_usd": bd.gpu_cost_usd(moves, self.now)}

    # -- colleagues ------------------------------------------------------------------------------
    def _person(self, d: Dialogue, model: str) -> str:
        m = self.world.model(model)
        return {"owner": m.owner, "data-engineering": self.world.person("data-engineering"),
                "release": self.world.person(m.team + "-release"),
                "lead": self.world.person(m.team + "-lead")}[d.who]

    def _open(self, trigger: str, model: str, at: int, events: list[dict[str, Any]], *,
              item: Item | None = None, held: dict[str, Any] | None = None,
              incident: str | None = None) -> Conversation:
        d = dialogues()[trigger]
        f = self.record.facts
        conv = Conversation(id=f"c{len(f.conversations) + 1}", dialogue=d.id, trigger=trigger,
                            person=self._person(d, model), role=d.role,
                            team=self.world.model(model).team if d.who != "data-engineering"
                            else "data-engineering", model=model,
                            item=item.id if item else None, incident=incident, opened_at=at,
                            opening="", held=held)
        conv.opening = self._fill(d.opening, conv)
        f.conversations.append(conv)
        events.append({"t": at, "kind": "message", "by": conv.person, "conversation": conv.id,
                       "text": conv.opening})
        return conv

    def _fill(self, template: str, conv: Conversation, **extra: str) -> str:
        m = self.world.model(conv.model)
        item = self._item(conv.item) if conv.item else None
        report = item.report if item else {}
        live = m.live_deploy(self.now)
        version = report.get("version") or live.model_version
        ev = next((v for v in self.world.deploys(conv.model)["versions"]
                   if v["version"] == live.model_version), None)
        evals = ", ".join(f"{k} {v:g}" for k, v in (ev["eval"] if ev else {}).items()) or "well"
        what, change = self._rollback_undoes(conv.model, evals) or (
            f"revision {live.revision}", f"revision {live.revision}")
        values = {"name": conv.person, "team": conv.team, "model": conv.model,
                  "version": version, "eval": evals, "what": what, "change": change,
                  "gate": report.get("gate", "release"),
                  "deadline": hhmm(item.deadline) if item else hhmm(self.now + 60),
                  "canary_pct": str(report.get("canary_pct", 10)),
                  "need_lower": (item.need[0].lower() + item.need[1:]) if item else "",
                  "evidence": "that", "later": "30", **extra}
        return template.format_map(values)

    def _rollback_undoes(self, model: str, evals: str, to: str | None = None
                         ) -> tuple[str, str] | None:
        """What a rollback of the model would take back, short and in full: the owner defends
        the change that is live (a version, a config change or a serving image), not a version
        the rollback would keep. None: the rollback would change nothing (the only change lives
        outside the revision, as a fault's kind can say), so there is nothing to defend."""
        m = self.world.model(model)
        current = [d for d in m.deploys if d.at <= self.now][-1]
        # The deploy the rollback goes back to, as the engine finds it (a `to` that names none
        # is refused there: the owner defends what a plain rollback would undo).
        before = m.rollback_target(self.now, to) or m.rollback_target(self.now) or current
        if current.model_version != before.model_version or current is before:
            v = current.model_version
            return v, f"{v}, which scored {evals} offline"
        # What the rollback would deploy: the earlier revision's config, except the keys the
        # fault's kind keeps or sets (they live outside the revision), so the owner never
        # defends a change the rollback would leave in place.
        after = self.world.rollback_config(model, current.config, before.config)
        keys = [k for k in current.config if current.config[k] != after.get(k)]
        if keys:
            diff = ", ".join(f"{k} {setting_text(after.get(k))}->{setting_text(current.config[k])}"
                             for k in keys)
            what = f"revision {current.revision}"
            return what, f"{what}'s config change ({diff})"
        if current.image == before.image:
            return None
        image = current.image.rsplit(":", 1)[-1]
        return f"image {image}", f"the serving image {image}"

    def _hold(self, raw: Any) -> Observation | None:
        """A rollback or an escalation a colleague pushes back on waits for the player's answer
        (unless that colleague trusts the player's data by now)."""
        if not isinstance(raw, dict) or raw.get("do") not in ("rollback", "escalate"):
            return None
        try:
            cmd = c.parse(raw, self.game.phase)
        except c.CommandError:
            return None
        if isinstance(cmd, c.Rollback):
            trigger, model = "rollback", cmd.model
            if model in self.world.fleet.models and \
                    self._rollback_undoes(model, "", cmd.to) is None:
                return None  # the owner has no change of theirs that a rollback takes back
        elif isinstance(cmd, c.Escalate) and cmd.team == "data-engineering":
            trigger = "escalate:data-engineering"
            model = cmd.model or self._incident_model(cmd.incident)
            # The data engineer defends a producer change only where one was made and announced:
            # a failed job or a partner's outage is nothing to defend.
            if not self._announced_change(model):
                return None
        else:
            return None
        if model not in self.world.fleet.models:
            return None
        d = dialogues()[trigger]
        person = self._person(d, model)
        if self.record.facts.trust.get(person, 0) > 0:
            self.record.facts.trust[person] = 0
            return None
        events: list[dict[str, Any]] = []
        incident = getattr(cmd, "incident", None) or self._incident_on(model)
        conv = self._open(trigger, model, self.now, events, held=c.to_dict(cmd),
                          incident=incident)
        obs = self._obs("held", f"{cmd.do} on hold: {conv.opening}\nAnswer with reply (cite "
                        f"observations), agree, overrule or defer (about={conv.id}).",
                        {"conversation": conv.id, "held": conv.held, "by": conv.person})
        obs.events = events
        return obs

    def _announced_change(self, model: str) -> bool:
        return any(isinstance(e, PipelineEntry) and e.announced
                   and inc.onset + inc.minute(e.at) <= self.now
                   for inc in self.world.incidents.values() if inc.model == model
                   for e in inc.kind.history)

    def _incident_model(self, incident: str | None) -> str:
        if incident and incident in self.world.incidents:
            return self.world.incidents[incident].model
        return self.world.fault.model

    def _incident_on(self, model: str) -> str | None:
        return next((i.id for i in self.world.incidents.values() if i.model == model), None)

    def _item(self, item_id: str) -> Item:
        it = next((x for x in self.record.facts.items if x.id == item_id and x.arrived), None)
        if it is None:
            known = [x.id for x in self.record.facts.items if x.arrived]
            raise ShiftError(f"about: no item {item_id!r} in the queue; valid: "
                             f"{', '.join(known) or 'none yet'}")
        return it

    def _open_about(self, item_id: str) -> list[Conversation]:
        return [cv for cv in self.record.facts.conversations
                if cv.item == item_id and cv.closed_at is None]

    def _conversation(self, about: str | None) -> Conversation:
        open_ = [cv for cv in self.record.facts.conversations
                 if cv.closed_at is None and cv.reopen_at is None]
        if about is None:
            if not open_:
                raise ShiftError("about: no conversation is waiting for an answer")
            return open_[0]
        found = [cv for cv in open_ if cv.id == about or cv.item == about]
        if not found:
            raise ShiftError(f"about: nothing open about {about!r}; open: "
                             f"{', '.join(cv.id for cv in open_) or 'none'}")
        return found[0]

    def _convinced(self, conv: Conversation, cited: list[str]) -> bool:
        """Whether the cited observations show what this colleague needs to see, judged from
        what each observation shows."""
        d = dialogues()[conv.trigger]
        if self.record.facts.trust.get(conv.person, 0) < 0:
            return False
        for entry in self._cited_looks(cited):
            o = entry.observation
            for need in d.convinced_by:
                if need == "any":
                    return True
                if need == "incident-signal" and o.signals and \
                        entry.command.get("model") == conv.model:
                    return True
                if need == "gate-report" and o.kind == "request" and \
                        o.data.get("item") == conv.item and o.data.get("failed") and \
                        any("candidate" in ch and not ch["passed"]
                            for ch in o.data.get("checks", [])):
                    return True
                if need == "open-incident" and o.signals and self._open_incident_on(
                        str(entry.command.get("model"))):
                    return True
        return False

    def _open_incident_on(self, model: str) -> bool:
        g = self.game.record.facts
        for inc in self.world.incidents.values():
            if inc.model != model:
                continue
            fact = next((x for x in g.incidents if x.id == inc.id), None)
            mitigated = fact.mitigated_at if fact is not None else g.mitigated_at
            if mitigated is None or mitigated > self.now:
                return True
        return False

    def _answer(self, verb: str, about: str | None, cited: list[str] | None = None,
                later: int = 30) -> Observation:
        conv = self._conversation(about)
        d = dialogues()[conv.trigger]
        self._touch(conv)
        delay = self._night_delay(conv)
        cost: int = sc.SHIFT_VERBS[verb].cost
        # The player's answer goes out once written; the colleague's comes `delay` later.
        said_at = min(self.now + cost, self.record.facts.end)
        events = self._spend(cost + delay)
        f = self.record.facts
        if verb == "reply":
            convinced = self._convinced(conv, cited or [])
            if not convinced:
                text = self._fill(d.unconvinced, conv)
                conv.said.append(Said(t=said_at, answered_at=self.now,
                                      entry=len(self.record.entries), verb=verb,
                                      cited=cited or [], convinced=False, says=text))
                obs = self._obs("reply", text, {"conversation": conv.id, "convinced": False,
                                                "by": conv.person, "answered_after": delay})
                obs.events = events
                return obs
        ans = d.responses[verb]  # type: ignore[index]
        text = self._fill(ans.says, conv, evidence=self._shown(cited or []), later=str(later))
        conv.said.append(Said(t=said_at, answered_at=self.now, entry=len(self.record.entries),
                              verb=verb, cited=cited or [],
                              convinced=True if verb == "reply" else None, says=text,
                              effect=ans.effect))
        if ans.trust:
            f.trust[conv.person] = f.trust.get(conv.person, 0) + ans.trust
        data: dict[str, Any] = {"conversation": conv.id, "by": conv.person,
                                "effect": ans.effect, "answered_after": delay}
        lines = [text]
        if ans.effect == "later":
            conv.reopen_at = self.now + later
        else:
            conv.closed_at, conv.outcome = self.now, ans.effect
            lines += self._effect(conv, ans.effect, events, data)
        obs = self._obs(verb, "\n".join(lines), data)
        obs.events = events
        return obs

    def _cited_looks(self, cited: list[str]) -> list[Entry]:
        """The observations of this night an answer cites, in the order cited; ids of none,
        or of a refusal, are passed over."""
        entries = {e.observation.id: e for e in self.record.entries if e.observation.id}
        return [e for oid in cited if (e := entries.get(oid)) is not None and e.observation.ok]

    def _shown(self, cited: list[str]) -> str:
        """The cited observations as a colleague says them, one subject however many ('the
        canary report with the error_rate chart by revision'), never their ids; 'that' when
        none is a look of this night."""
        said: list[str] = []
        for entry in self._cited_looks(cited):
            o, cmd = entry.observation, entry.command
            if o.kind == "dashboard":
                words = f"the {cmd.get('metric', 'metric')} chart" + (
                    " by revision" if cmd.get("by") else "")
            elif o.kind == "request":
                words = "the gate report" if o.data.get("failed") else "the request's report"
            else:
                words = TOOL_WORDS.get(o.kind, "what you showed")
            if words not in said:
                said.append(words)
        if not said:
            return "that"
        return said[0] if len(said) == 1 else \
            f"{said[0]} with {', '.join(said[1:-1]) + ' and ' if len(said) > 2 else ''}{said[-1]}"

    def _night_delay(self, conv: Conversation) -> int:
        """Minutes a colleague takes to answer at night (1-6, seeded per answer): they were
        asleep, or in another channel."""
        rng = np.random.default_rng([self.seed, 9_094, int(conv.id[1:]), len(conv.said)])
        return int(rng.integers(1, 7))

    def _touch(self, conv: Conversation) -> None:
        if conv.item:
            it = self._item(conv.item)
            if it.taken_at is None:
                it.taken_at = self.now

    def _effect(self, conv: Conversation, effect: str, events: list[dict[str, Any]],
                data: dict[str, Any]) -> list[str]:
        """Carry out what the answer decided, in the world."""
        f = self.record.facts
        if effect == "proceed" and conv.held is not None:
            obs = self.game.do(conv.held)
            events += obs.events
            data["result"] = obs.text
            data["result_id"] = obs.id
            return [obs.text]
        if effect == "drop":
            return [f"The {conv.held['do'] if conv.held else 'change'} was called off."]
        it = self._item(conv.item) if conv.item else None
        if it is None:
            return []
        it.done_at, it.outcome = self.now, {"promote": "promoted", "hold": "held",
                                            "build": "built", "ticket": "ticketed"}[effect]
        if effect == "promote":
            m = self.world.model(it.model)
            live = m.live_deploy(self.now)
            m.deploys.append(Deploy(
                revision=len(m.deploys) + 1, model_version=it.report["version"],
                config=dict(live.config), image=live.image, canary_pct=100,
                promoted_by=f"you (on-call) for {conv.person}", at=self.now,
                note=f"promoted past the failing {it.report['gate']} gate"))
            f.promoted.append({"item": it.id, "model": it.model, "version":
                               it.report["version"], "t": self.now})
            if self.record.key.gates.get(it.id):
                check = it.report["checks"][0]
                f.regressions.append({"model": it.model, "since": self.now, "error_rate":
                                      round(check["candidate"] - check["stable"], 6)})
            return [f"{it.model} {it.report['version']} is live at 100%."]
        if effect == "hold" and it.kind == "canary":
            canary = self.world.model(it.model).canary_deploy(self.now)
            if canary is not None and canary.model_version == it.report["version"]:
                canary.ended_at = self.now  # held: the canary is taken down, stable serves all
                return [f"The {it.model} canary {it.report['version']} is taken down; "
                        f"{self.world.model(it.model).live_deploy(self.now).model_version} "
                        "serves all of its traffic."]
        if effect == "build":
            events += self._spend(BUILD_MIN)
            made = remediations.files(it.report["remediation"], self.world.model(it.model))[0]
            f.built.append({"item": it.id, "model": it.model, "t": self.now,
                            "minutes": BUILD_MIN, "artifact": made.model_dump()})
            data["artifact"] = made.path
            return [f"Built it in {BUILD_MIN} minutes: {made.path} ({it.need[0].lower()}"
                    f"{it.need[1:]})."]
        return []

    # -- shift commands ----------------------------------------------------------------------------
    def _do_ack(self, cmd: sc.ShiftAck) -> Observation:
        f = self.record.facts
        waiting = [p for p in f.pages if p.acked_at is None]
        if cmd.page is not None:
            waiting = [p for p in waiting if p.id == cmd.page]
            if not waiting:
                left = [p.id for p in f.pages if p.acked_at is None]
                raise ShiftError(f"page: no unacknowledged page {cmd.page!r}; " + (
                    f"waiting: {', '.join(left)}" if left else "none is waiting"))
        if not waiting:
            raise ShiftError("no page is waiting for an acknowledgement")
        page = waiting[0]
        it = self._item(page.item) if page.item else None
        events: list[dict[str, Any]] = []
        acked = None
        if it is not None and it.kind == "incident" and self.game.phase == "paged":
            acked = self.game.do({"do": "ack"})
            events += acked.events
        else:
            events += self._spend(cmd.cost)
        page.acked_at = self.now
        self.am.ack(self.am.pages[page.id], self.now)
        if it is not None and it.taken_at is None:
            it.taken_at = self.now
        late = self.now - page.opened_at
        obs = self._obs("ack", f"Acknowledged {page.id} ({', '.join(page.alerts)} on "
                        f"{page.model}) at {hhmm(self.now)}, {late} min after it paged.",
                        {"page": page.id, "item": page.item, "minutes_to_ack": late})
        obs.events = events
        if acked is not None and acked.ok:
            obs.id = acked.id  # the incident's acknowledgement, shown under the id it cites by
        return obs

    def _do_queue(self, cmd: sc.Queue) -> Observation:
        return self._obs("queue", self._queue_text(), {"queue": self._queue_data(),
                                                       "budget": self.budget()})

    def _queue_data(self) -> list[dict[str, Any]]:
        """The queue as the player sees it. Whether a page is a real incident or noise is for
        the player to find out: a page shows as a page, urgent by its severity, and a ticket an
        alert filed at the ticket severity shows as a ticket (`shown_kind`)."""
        out = []
        for it in self.record.facts.items:
            if not it.arrived:
                continue
            row = it.model_dump(exclude={"report", "incident"})
            row["kind"] = shown_kind(it)
            if it.page is not None:
                page = next(p for p in self.record.facts.pages if p.id == it.page)
                row["priority"] = 1 if page.severity == "critical" else 3
                row["severity"] = page.severity
            out.append(row)
        return out

    def queue_view(self) -> list[dict[str, Any]]:
        return self._queue_data()

    def _queue_text(self) -> str:
        items = self._queue_data()
        if not items:
            return "The queue is empty."
        g = self.game.record.facts
        closed = {it.id for it in self.record.facts.items
                  if it.incident is not None and g.resolved(it.incident) is not None}
        lines = ["queue:"]
        for it in sorted(items, key=lambda x: (x["done_at"] is not None, x["priority"],
                                               x["arrives_at"])):
            state = it["outcome"] or ("taken" if it["taken_at"] is not None else "waiting")
            if it["outcome"] == "mitigated" and it["id"] in closed:
                state = "mitigated, resolved"  # closed since: the queue says so
            lines.append(f"  {it['id']} P{it['priority']} {it['kind']:<8} {it['title']} — "
                         f"{it['requester']}: {it['need']} (by {hhmm(it['deadline'])}; {state})")
        return "\n".join(lines)

    def _do_take(self, cmd: sc.Take) -> Observation:
        it = self._item(cmd.about_)
        events = self._spend(cmd.cost)
        if it.taken_at is None:
            it.taken_at = self.now
        open_ = [cv.id for cv in self._open_about(it.id)]
        lines = [f"{it.id}: {it.title}", f"  from {it.requester} ({it.team}): {it.need}; by "
                 f"{hhmm(it.deadline)}"]
        for ch in it.report.get("checks", []):
            vals = (f"stable {ch['stable']:g}, candidate {ch['candidate']:g} ({ch['bound']}; "
                    f"{ch['requests']:,} requests)" if "candidate" in ch else ch["detail"])
            lines.append(f"  [{'pass' if ch['passed'] else 'FAIL'}] {ch['check']}: {vals}")
        if open_:
            lines.append(f"  waiting on your answer: {', '.join(open_)}")
        shown = {k: v for k, v in it.report.items() if k != "candidate"}  # the world's own draws
        obs = self._obs("request", "\n".join(lines), {"item": it.id, "kind": shown_kind(it),
                                                       "model": it.model, **shown})
        obs.events = events
        return obs

    def _do_reply(self, cmd: sc.Reply) -> Observation:
        known = self._known_obs()
        unknown = [o for o in cmd.evidence if o not in known]
        if unknown:
            raise ShiftError(f"evidence: {', '.join(unknown)} is not an observation of this "
                             f"night; valid: {', '.join(known) or 'none yet'}")
        return self._answer("reply", cmd.about_, cmd.evidence)

    def _do_agree(self, cmd: sc.Agree) -> Observation:
        return self._answer("agree", cmd.about_)

    def _do_overrule(self, cmd: sc.Overrule) -> Observation:
        return self._answer("overrule", cmd.about_)

    def _do_defer(self, cmd: sc.Defer) -> Observation:
        return self._answer("defer", cmd.about_, later=cmd.minutes)

    def _do_silence(self, cmd: sc.Silence) -> Observation:
        if cmd.model not in self.world.fleet.models:
            raise ShiftError(f"model: unknown model {cmd.model!r}")
        if cmd.alert != "*" and cmd.alert not in RULES_BY_NAME:
            raise ShiftError(f"alert: unknown alert {cmd.alert!r}; valid: "
                             f"{', '.join(sorted(RULES_BY_NAME))} or *")
        events = self._spend(cmd.cost)
        s = self.am.silence(cmd.alert, cmd.model, self.now, cmd.minutes)
        f = self.record.facts
        f.silences.append(SilenceFact(id=s.id, rule=s.rule, model=s.model, starts_at=s.starts_at,
                                      ends_at=s.ends_at))
        for it in f.items:
            if it.kind == "noise" and it.model == cmd.model and it.done_at is None:
                it.done_at, it.outcome = self.now, "silenced"
                if it.taken_at is None:
                    it.taken_at = self.now
        obs = self._obs("silence", f"Silenced {cmd.alert} on {cmd.model} until "
                        f"{hhmm(s.ends_at)} ({s.id}).",
                        {"silence": s.id, "until": s.ends_at})
        obs.events = events
        return obs

    def _do_end(self, cmd: sc.End) -> Observation:
        """Go off the pager: the rest of the night runs with nobody answering it."""
        left = self.record.facts.end - self.now
        events = self._spend(left) if left > 0 else []
        obs = self._obs("end", f"Went off the pager at {hhmm(self.now - max(0, left))}; the "
                        f"night ran on to {hhmm(self.now)} with nobody answering.")
        obs.events = events
        return obs

    def _do_abandon(self, cmd: sc.ShiftAbandon) -> Observation:
        """Leave the night where it stands: nothing more runs; the record ends here and is
        scored and saved like any other night, marked as abandoned."""
        f = self.record.facts
        f.abandoned_at = self.now
        why = f" ({cmd.reason})" if cmd.reason else ""
        events: list[dict[str, Any]] = []
        self._close(events, f"the night was abandoned at {hhmm(self.now)}{why}")
        obs = self._obs("abandon", f"Abandoned the night at {hhmm(self.now)}{why}; it is scored "
                        "and saved as it stands.", {"abandoned_at": self.now})
        obs.events = events
        return obs

    def _do_help(self, topic: str | None = None) -> Observation:
        every = [v for v in dict.fromkeys([*c.VERBS, *sc.SHIFT_VERBS]) if v != "postmortem"]
        data = {"commands": [_describe_shift(v) for v in self.available()], "teams": dict(TEAMS),
                "fixes": dict(c.FIXES),
                "causes": {f.id: f"{f.category}: {f.name}" for f in FAULTS},
                "models": self.world.fleet.names(), "alerts": sorted(RULES_BY_NAME)}
        try:
            text = c.help_text(data, topic, every, _describe_shift)
        except KeyError as exc:
            return self._error(str(exc.args[0]), [*c.HELP_LISTS, *every])
        return self._obs("help", text, data)

    def _do_status(self) -> Observation:
        f, g = self.record.facts, self.game.record.facts
        firing = [e for e in self.world.firing()]
        b = self.budget()
        lines = [f"{hhmm(self.now)}  night shift {hhmm(f.start)}-{hhmm(f.end)}; "
                 f"{len(f.pages)} page{'' if len(f.pages) == 1 else 's'} so far"]
        if g.severity:
            lines.append(f"  severity SEV-{g.severity}")
        for e in firing:
            lines.append(f"  firing: {e.rule} on {e.model} since {hhmm(e.fired_at)}")
        lines.append(f"  error budget: worst left {b['left_pct']}%, spent tonight "
                     f"{b['night_pct']}%; scale-ups ${b['scale_up_usd']:,.2f}")
        for r in b["models"]:
            alerts = "; ".join(burn_text(a) for a in r["alerts"])
            lines.append(f"    {r['model']}: SLO {r['slo']:.3%}, {r['left_pct']}% left, 1h burn "
                         f"{r['burn_1h']}x" + (f" — {alerts}" if alerts else ""))
        waiting = [p.id for p in f.pages if p.acked_at is None]
        if waiting:
            lines.append(f"  unacknowledged pages: {', '.join(waiting)}")
        talks = [cv for cv in f.conversations if cv.closed_at is None]
        for cv in talks:
            lines.append(f"  {cv.id} {cv.person} ({cv.role}) on {cv.model}: "
                         + ("answer due" if cv.reopen_at is None else
                            f"back at {hhmm(cv.reopen_at)}"))
        for msg in self.world.pending:
            lines.append(f"  waiting on {msg.by}")
        lines.append(self._queue_text())
        return self._obs("status", "\n".join(lines), {
            "firing": [e.rule + "/" + e.model for e in firing], "budget": b,
            "queue": self._queue_data(), "pages": [p.model_dump() for p in f.pages],
            "conversations": [cv.id for cv in talks if cv.reopen_at is None],
            "later": [cv.id for cv in talks if cv.reopen_at is not None], "ends_at": f.end,
            "waiting_on": [m.by for m in self.world.pending]})


class ShiftError(ValueError):
    """A shift command that cannot run: names the field and the reason; costs no time."""


def _describe_shift(verb: str) -> dict[str, Any]:
    """A verb as a shift answers it: its own command where it has one (ack, abandon), else
    the game's."""
    return c.describe(verb, sc.SHIFT_VERBS.get(verb))


def burn_text(alert: dict[str, Any]) -> str:
    """A pair of windows burning past its factor, as the status says it: the fleet's own alert
    that pages on it, or, where the fleet has none (the slower pairs), that nothing watches it:
    no page is claimed that the pager never rang."""
    head = f"{alert['windows']} burn {alert['long']}x"
    if alert.get("rule"):
        return f"{head} ({alert['severity']}: {alert['rule']})"
    return f"{head} (past {alert['factor']:g}x, a {alert['severity']} line no alert here watches)"


def fold_renotices(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A page sent again and again to nobody, said once: its first re-send, with how many
    followed and until when (hours off the pager are a re-send every few minutes)."""
    out: list[dict[str, Any]] = []
    first: dict[str, dict[str, Any]] = {}
    for ev in events:
        if ev.get("kind") == "renotify":
            kept = first.get(str(ev.get("page")))
            if kept is not None:
                kept["times"] += 1
                kept["until"] = ev["t"]
                continue
            ev = {**ev, "times": 1, "until": ev["t"]}
            first[str(ev.get("page"))] = ev
        out.append(ev)
    for ev in first.values():
        if ev["times"] > 1:
            more = "once more" if ev["times"] == 2 else f"{ev['times'] - 1} times more"
            ev["text"] += (f" at {hhmm(int(ev['t']))}, then {more}, the last at "
                           f"{hhmm(int(ev['until']))}")
    return out
