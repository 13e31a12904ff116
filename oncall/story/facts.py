"""Phrases built from the record that both the STAR story and the numbers sheet use.

Every helper returns None (or nothing) when the record does not support the sentence, so a
caller can never state something that did not happen in the run.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from oncall.game.record import Intervened, Observation, Record
from oncall.scoring.text import num

REVERT_PREFIXES = ("revert", "pause", "pin", "fallback", "fall_back", "rollback", "lower",
                   "circuit")
"""Hotfix ids that take the system back to a known state rather than change it live."""


def stopped_for(record: Record, iv: Intervened) -> int | None:
    """When the fault a move addressed stopped: the incident it named (`incident=`), else the
    one on the model it acted on, else the night's main one. A fix on a second incident is
    judged by that incident's own course, not by when the page's fault stopped."""
    f = record.facts
    named, model = iv.command.get("incident"), iv.command.get("model")
    for inc in f.incidents:
        if inc.id == named or (named is None and model is not None and inc.model == model):
            return inc.mitigated_at
    return f.mitigated_at


def played_until(record: Record) -> int | None:
    """The minute the play ended: its last answer's clock (None: nothing was played)."""
    return record.entries[-1].observation.t if record.entries else None


def heard(record: Record, iv: Intervened) -> bool:
    """Whether what a move led to reached the player: a team's answer due after the play ended
    was never read, so no story tells it."""
    end = played_until(record)
    return end is None or iv.effective_at <= end


def plural(n: float, word: str) -> str:
    return f"{num(n)} {word}{'' if n == 1 else 's'}"


def shorten(text: str, limit: int = 140) -> str:
    """First sentence or line, cut at a word boundary, without closing punctuation (the caller
    places the text inside its own sentence): enough to recognise an observation."""
    first = text.strip().split("\n", 1)[0]
    cut = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0].strip()
    if len(cut) > limit:
        cut = cut[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return cut.rstrip(".;:, ")


_SPARK = re.compile(r"[▁▂▃▄▅▆▇█]+")
_NAME = r"[A-Z][a-z'’-]+(?: [A-Z][a-z'’-]+)+"
_BY_PERSON = re.compile(rf"\s+by (?:deploy-bot for )?{_NAME}|\bowner {_NAME},?\s*")


def _clean(line: str) -> str:
    """One line as prose: no sparklines, no people's names (stories stay blameless)."""
    line = _BY_PERSON.sub("", _SPARK.sub("", line))
    return re.sub(r"\s+", " ", line).strip().rstrip(":")


def quote(message: str, limit: int = 200) -> str:
    """A team's answer without the speaker's name: `Ana Ruiz (x owner): …` becomes `x owner: …`."""
    return shorten(re.sub(rf"^{_NAME} \(([^)]*)\):", r"\1:", message.strip()), limit)


def gist(obs: Observation, limit: int = 200) -> str:
    """What an observation showed, in one line: its heading plus the line that carries the
    evidence (the line sharing most words with the observation's fault signals, a verdict
    line winning ties, the latest line after that, since the tools list recent things last)."""
    lines = [ln for ln in obs.text.splitlines() if ln.strip()]
    if not lines:
        return ""
    head = _clean(lines[0])
    tokens = {t for s in obs.signals for t in re.split(r"[:_\-\s]+", s.lower()) if len(t) > 2}

    def weight(item: tuple[int, str]) -> tuple[int, int, int]:
        i, ln = item
        low = ln.lower()
        return sum(t in low for t in tokens), int("=>" in ln), i

    best = max(enumerate(lines[1:]), key=weight, default=None)
    text = head
    if best is not None and weight(best)[:2] != (0, 0):
        text = f"{head} — {_clean(best[1])}"
    return shorten(text, limit) if len(text) > limit else text.rstrip(".;:, ")


def observations(record: Record) -> dict[str, Observation]:
    return {e.observation.id: e.observation for e in record.entries if e.observation.id}


def cited(record: Record) -> list[Observation]:
    """Cited observations that exist in the run, in the order cited."""
    dx = record.facts.diagnosis or {}
    index = observations(record)
    return [index[str(i)] for i in dx.get("evidence", []) if str(i) in index]


def cites_drift(record: Record) -> bool:
    return any(any("drift" in s for s in o.signals) for o in cited(record))


def is_revert(iv: Intervened) -> bool:
    if iv.kind == "rollback":
        return True
    fix = str(iv.command.get("fix") or "")
    return iv.kind == "hotfix" and fix.startswith(REVERT_PREFIXES)


def action_phrase(command: dict[str, Any]) -> str:
    """What I did, as prose: `rolled back fraud-scorer`, `applied the hotfix X to Y`."""
    verb = command.get("do")
    model = command.get("model")
    if verb == "rollback":
        to = f" to {command['to']}" if command.get("to") else ""
        return f"rolled back {model or 'the model'}{to}"
    if verb == "hotfix":
        where = f" to {model}" if model else ""
        return f"applied the hotfix `{command.get('fix') or '?'}`{where}"
    if verb == "escalate":
        return f"escalated to {command.get('team') or 'a team'}"
    return str(verb)


def mitigating(record: Record) -> Intervened | None:
    """The intervention whose effect ended the fault, when the record shows one."""
    f = record.facts
    if f.mitigated_at is None:
        return None
    fixes = [i for i in f.interventions if i.effect == "fixes"]
    exact = [i for i in fixes if i.effective_at == f.mitigated_at]
    chosen = exact or fixes
    return chosen[0] if chosen else None


def minutes_to_mitigate(record: Record) -> int | None:
    f = record.facts
    if f.mitigated_at is None or f.handed_over:
        return None
    return f.mitigated_at - f.page_at


@cache
def silent_fault(scenario_id: str, model: str) -> bool:
    """Whether the fault a scenario puts on `model` is one no request counter sees
    (`sim.impact.silent`: it fails, slows or blanks no request; only quality shows it), read
    from the scenario's own fault and parameters, so a saved incident or night answers the same
    whether or not it was resolved (a resolved one's impact shows it too: quality figures, no
    requests). The one test the numbers sheet and the night shifts' career numbers both use.
    False when the scenario no longer loads."""
    from oncall.content.kinds import fault_kinds
    from oncall.content.loader import ContentError
    from oncall.game.generator import scenario
    from oncall.sim.faults import Incident
    from oncall.sim.impact import silent

    try:
        sc = scenario(scenario_id)
    except (ContentError, KeyError, ValueError):
        return False
    spec = next((x for x in (sc.fault, *sc.also) if x.model == model), sc.fault)
    kind = fault_kinds().get(spec.kind)
    if kind is None:
        return False
    inc = Incident(kind, model, 0, dict(spec.params))
    inc.resolve_params()
    return silent(inc)
