"""Scripted shift players. They see only what a player sees (observation text and data, never the
evidence tags or the answer keys) and adapt to it: the pages that arrive, the queue, what the
tools show, what colleagues say.

- Calm: acknowledges at once, declares a severity, posts updates, investigates before any risky
  move, escalates a serious incident after looking, answers push back with the observations it
  made, silences noise, works the queue in priority order.
- FIFO: handles incidents like Calm but takes every request the moment it arrives, in arrival
  order, even in the middle of an incident.
- Panicker: acts on everything at once: rolls back and restarts whatever paged, says yes to every
  request, overrules every colleague, posts no updates.
- Passive: acknowledges, then escalates every page to the model's owners and defers everything.
"""

from __future__ import annotations

import copy
from functools import cache, lru_cache
from typing import Any

import pytest

from oncall.game.record import Observation
from oncall.game.shift import Shift
from oncall.game.shiftrecord import ShiftRecord

INVESTIGATE = ("deploys", "pipelines", "infra", "logs")


class Player:
    name = "player"

    def __init__(self, shift: Shift) -> None:
        self.shift = shift
        self.seen: dict[str, list[str]] = {}
        """Observation ids this player made on each model."""
        self.obs: dict[str, Observation] = {}
        self.acted: set[str] = set()
        self.last_update = -999
        self.severity_set = False
        self.steps = 0

    # -- helpers -----------------------------------------------------------------------------
    def do(self, cmd: dict[str, Any]) -> Observation:
        obs = self.shift.do(cmd)
        self.steps += 1
        if obs.ok and obs.id:
            self.obs[obs.id] = obs
            model = cmd.get("model") or obs.data.get("model")
            if model:
                self.seen.setdefault(str(model), []).append(obs.id)
        return obs

    def status(self) -> dict[str, Any]:
        return self.do({"do": "status"}).data

    def play(self, max_steps: int = 400) -> Shift:
        while not self.shift.ended and self.steps < max_steps:
            self.turn(self.status())
        if not self.shift.ended:
            self.do({"do": "end"})
        return self.shift

    def turn(self, st: dict[str, Any]) -> None:
        raise NotImplementedError

    @staticmethod
    def unacked(st: dict[str, Any]) -> list[dict[str, Any]]:
        return [p for p in st["pages"] if p["acked_at"] is None]

    @staticmethod
    def open_items(st: dict[str, Any], kinds: tuple[str, ...]) -> list[dict[str, Any]]:
        return [it for it in st["queue"] if it["kind"] in kinds and it["done_at"] is None]

    @staticmethod
    def urgent(st: dict[str, Any]) -> list[dict[str, Any]]:
        """Critical pages not yet mitigated: what a player treats as an incident."""
        return [it for it in st["queue"] if it["kind"] == "page"
                and it["severity"] == "critical" and it["done_at"] is None]

    @staticmethod
    def minor(st: dict[str, Any]) -> list[dict[str, Any]]:
        """Warnings and tickets: what can be silenced or filed for working hours."""
        return [it for it in st["queue"] if it["done_at"] is None and (
            (it["kind"] == "page" and it["severity"] != "critical")
            or (it["kind"] == "ticket"))]

    def held_talks(self, st: dict[str, Any]) -> list[str]:
        """Open conversations about a command of ours that waits on the answer (the held text
        names the conversation; the record is read only for that id's held command)."""
        return [cv.id for cv in self.shift.record.facts.conversations
                if cv.id in st["conversations"] and cv.held is not None]

    def idle(self) -> None:
        self.do({"do": "wait", "minutes": 10})


class Calm(Player):
    name = "calm"
    fifo = False

    def turn(self, st: dict[str, Any]) -> None:
        for p in self.unacked(st):
            self.do({"do": "ack", "page": p["id"]})
            return
        incidents = self.urgent(st)
        held = self.held_talks(st)
        if held:
            self._answer_held(held[0])
            return
        requests = self.open_items(st, ("deploy", "canary", "feature"))
        if self.fifo and requests:
            first = min(requests, key=lambda it: (it["arrives_at"], it["id"]))
            if first["id"] not in self.acted:
                self._take(first, incidents)
                return
        if incidents:
            self._work_incident(incidents[0], st)
            return
        noise = self.minor(st)
        if requests:
            order = sorted(requests, key=lambda it: (it["arrives_at"], it["id"])) if self.fifo \
                else sorted(requests, key=lambda it: (it["priority"], it["deadline"]))
            fresh = [it for it in order if it["id"] not in self.acted]
            if fresh:
                self._take(fresh[0], incidents)
                return
        if noise:
            it = noise[0]
            if it["page"]:
                self.do({"do": "silence", "alert": "*", "model": it["model"], "minutes": 120})
            elif it["id"] not in self.acted:
                self.acted.add(it["id"])
                self.do({"do": "ticket", "alert": "CertificateExpiringSoon",
                         "model": it["model"], "note": "renew in working hours"})
            else:
                self.idle()
            return
        self.idle()

    def _take(self, it: dict[str, Any], incidents: list[dict[str, Any]]) -> None:
        self.acted.add(it["id"])
        obs = self.do({"do": "take", "item": it["id"]})
        if it["kind"] == "feature":
            self.do({"do": "defer", "about": it["id"]})
            return
        checks = obs.data.get("checks", [])
        metric_failed = any("candidate" in ch and not ch["passed"] for ch in checks)
        if metric_failed:
            self.do({"do": "reply", "about": it["id"], "evidence": [obs.id]})
        elif incidents:
            cite = [i for m in self.seen for i in self.seen[m]
                    if any(x["model"] == m for x in incidents)]
            self.do({"do": "reply", "about": it["id"], "evidence": cite})
            if it["id"] in self.conversations_about():
                self.do({"do": "overrule", "about": it["id"]})
        else:
            self.do({"do": "agree", "about": it["id"]})

    def conversations_about(self) -> set[str]:
        st = self.status()
        return {str(cv) for cv in st["conversations"]} | {
            it["id"] for it in st["queue"] if it["done_at"] is None and it["taken_at"]}

    def _answer_held(self, talk: str) -> None:
        model = next(cv.model for cv in self.shift.record.facts.conversations if cv.id == talk)
        obs = self.do({"do": "reply", "about": talk, "evidence": self.seen.get(model, [])})
        if not obs.data.get("convinced", True):
            self.do({"do": "overrule", "about": talk})

    def _work_incident(self, it: dict[str, Any], st: dict[str, Any]) -> None:
        model = it["model"]
        now = self.shift.now
        if not self.severity_set:
            self.severity_set = True
            self.do({"do": "severity", "level": 2})
            return
        if now - self.last_update >= 25:
            self.last_update = now
            self.do({"do": "update", "message": f"Investigating {it['title']}; next update in "
                                                "30 minutes."})
            return
        looked = [o for o in self.seen.get(model, []) if self.obs[o].kind in INVESTIGATE]
        if len(looked) < len(INVESTIGATE):
            tool = INVESTIGATE[len(looked)]
            cmd: dict[str, Any] = {"do": tool, "model": model}
            if tool == "logs":
                cmd["level"] = "ERROR"
            self.do(cmd)
            return
        key = f"move:{it['id']}"
        if key not in self.acted:
            self.acted.add(key)
            self.do(self._move(model, it))
            return
        esc = f"escalate:{it['id']}"
        if esc not in self.acted:
            self.acted.add(esc)
            self.do({"do": "escalate", "team": "model-owners", "model": model,
                     "message": f"{model} paged; I have looked at deploys, pipelines, infra "
                                "and logs. Please join the incident channel."})
            return
        self.idle()

    def _move(self, model: str, it: dict[str, Any]) -> dict[str, Any]:
        """A move read off what the tools showed: a recent deploy is rolled back, a recent
        upstream change goes to data engineering, anything else to the owners."""
        now = self.shift.now
        for oid in self.seen[model]:
            o = self.obs[oid]
            if o.kind == "deploys" and any(now - 12 * 60 < d["at"] <= now
                                           for d in o.data.get("deploys", [])[1:]):
                return {"do": "rollback", "model": model}
        for oid in self.seen[model]:
            o = self.obs[oid]
            if o.kind == "pipelines" and any(
                    now - 12 * 60 < ch.get("at", -10**9) <= now
                    for p in o.data.get("pipelines", []) for ch in p.get("changelog", [])):
                return {"do": "escalate", "team": "data-engineering", "model": model,
                        "message": f"An upstream change broke {model}; please revert it."}
        return {"do": "hotfix", "model": model, "fix": "restart_pods"}


class Fifo(Calm):
    name = "fifo"
    fifo = True


class Panicker(Player):
    name = "panicker"

    def turn(self, st: dict[str, Any]) -> None:
        for p in self.unacked(st):
            self.do({"do": "ack", "page": p["id"]})
            return
        if st["conversations"]:
            talk = st["conversations"][0]
            conv = next(cv for cv in self.shift.record.facts.conversations if cv.id == talk)
            self.do({"do": "agree" if conv.item else "overrule", "about": talk})
            return
        for it in st["queue"]:
            if it["done_at"] is not None or it["id"] in self.acted:
                continue
            self.acted.add(it["id"])
            if it["page"] is not None:
                if not self.severity_set:
                    self.severity_set = True
                    self.do({"do": "severity", "level": 1})
                self.do({"do": "hotfix", "model": it["model"], "fix": "restart_pods"})
                self.do({"do": "hotfix", "model": it["model"], "fix": "scale_up"})
                self.do({"do": "rollback", "model": it["model"]})
                return
        self.idle()


class Passive(Player):
    name = "passive"

    def turn(self, st: dict[str, Any]) -> None:
        for p in self.unacked(st):
            self.do({"do": "ack", "page": p["id"]})
            return
        if st["conversations"]:
            self.do({"do": "defer", "about": st["conversations"][0], "minutes": 60})
            return
        for it in st["queue"]:
            if it["done_at"] is not None or it["id"] in self.acted:
                continue
            if it["kind"] == "page":
                self.acted.add(it["id"])
                self.do({"do": "escalate", "team": "model-owners", "model": it["model"],
                         "message": "Can you take this?"})
                return
        self.idle()


PLAYERS: dict[str, type[Player]] = {p.name: p for p in (Calm, Fifo, Panicker, Passive)}


NIGHTS_GROUP = pytest.mark.xdist_group("shift-nights")
"""The tests that read `played` nights share one worker, and with it each night played once:
the temperament comparison (4 players x 8 seeds), the shift stories and the spoken shift
stories ask for many of the same (player, seed)."""


@lru_cache(maxsize=2)
def _built(seed: int, difficulty: str) -> Shift:
    return Shift(seed, difficulty=difficulty)


@cache
def played(name: str, seed: int, difficulty: str = "normal") -> ShiftRecord:
    """The record of the night `seed` played by the scripted player `name`, played once per
    test process (every reader only reads it). The players of one night start from copies of
    one build of it (building is most of the cost of a short play; a copy plays as a fresh
    build, as tests/shift/test_shift_players.py checks)."""
    return PLAYERS[name](copy.deepcopy(_built(seed, difficulty))).play().record
