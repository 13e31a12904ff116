"""Who may issue what: each role owns the game's verbs of its part of an incident.

- incident commander: acknowledges, declares the severity, decides (diagnosis, resolve,
  abandon) and hands off (escalate); no hands on the keyboard for investigation;
- operations: the tools and the interventions (rollback, hotfix), waiting for a fix, tuning;
- communications: status updates to stakeholders and tickets;
- scribe: the timeline (drill notes) and the postmortem;
- facilitator (optional): sees the answer key, pauses and resumes, reveals a hint, injects an
  event from the scenario (a stakeholder asking for an update, a second page).

`help` and `status` are everyone's. A refused verb names the role that owns it.
"""

from __future__ import annotations

from oncall.game.commands import VERBS

COMMANDER, OPERATIONS, COMMUNICATIONS, SCRIBE, FACILITATOR = (
    "commander", "operations", "communications", "scribe", "facilitator")
ROLES = (COMMANDER, OPERATIONS, COMMUNICATIONS, SCRIBE, FACILITATOR)
TITLES = {COMMANDER: "incident commander", OPERATIONS: "operations lead",
          COMMUNICATIONS: "communications lead", SCRIBE: "scribe", FACILITATOR: "facilitator"}

EVERYONE = ("help", "status")
DRILL_VERBS = ("note", "pause", "resume", "hint", "inject")
"""Verbs of the drill itself: they go into the drill's log, never into the game's record."""
GAME_VERBS: dict[str, tuple[str, ...]] = {
    COMMANDER: ("ack", "severity", "diagnose", "escalate", "resolve", "abandon"),
    OPERATIONS: ("fleet", "dashboard", "logs", "deploys", "pipelines", "infra", "drift", "labels",
                 "runbook", "wait", "rollback", "hotfix", "tune"),
    COMMUNICATIONS: ("update", "ticket"),
    SCRIBE: ("postmortem",),
    FACILITATOR: (),
}
OWN_DRILL_VERBS: dict[str, tuple[str, ...]] = {
    SCRIBE: ("note",),
    FACILITATOR: ("pause", "resume", "hint", "inject"),
}
OWNER: dict[str, str] = {verb: role for role in ROLES
                         for verb in GAME_VERBS[role] + OWN_DRILL_VERBS.get(role, ())}


def verbs(role: str) -> list[str]:
    """Every verb the role may issue, its own first."""
    return [*GAME_VERBS[role], *OWN_DRILL_VERBS.get(role, ()), *EVERYONE]


def refusal(role: str, verb: object) -> str | None:
    """Why `role` may not issue `verb` (naming the role that owns it), or None if it may."""
    if not isinstance(verb, str) or (verb not in VERBS and verb not in DRILL_VERBS):
        return f"unknown command {verb!r:.40}; as {TITLES[role]} you may: " \
               + ", ".join(verbs(role))
    if verb in EVERYONE or OWNER.get(verb) == role:
        return None
    return f"{verb}: the {TITLES[OWNER[verb]]}'s call, not the {TITLES[role]}'s; " \
           f"ask them, or issue one of yours: {', '.join(verbs(role))}"


def check_complete() -> list[str]:
    """Game verbs no role owns (none: every verb of the game has an owner)."""
    return [v for v in VERBS if v not in OWNER and v not in EVERYONE]
