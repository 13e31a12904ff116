"""An intervention's answer says what it did to the world, and the world does what it says.

The earliest fix stops a fault, whoever made it: a team's fix still on its way when the player's
own lands finds the fault already stopped, and the record, the scorecard and the story say who
stopped it and when.
"""

from __future__ import annotations

from typing import Any

from worlds import fresh_game

from oncall.content import loader
from oncall.content.kinds import fault_kinds
from oncall.game.engine import Game
from oncall.scoring import score
from oncall.sim.faultdef import FaultKind
from oncall.store.saves import IncidentSave
from oncall.story import star_story
from oncall.story.spoken import spoken_stories


def swapped(sid: str) -> list[dict[str, Any]]:
    """The scenario's right playbook with its escalation moved before its own fix."""
    cmds = [dict(c) for c in loader.scenario(sid).playbook.right]
    esc = next(i for i, c in enumerate(cmds) if c["do"] == "escalate")
    fix = max(i for i, c in enumerate(cmds[:esc]) if c["do"] in ("hotfix", "rollback"))
    cmds[esc], cmds[fix] = cmds[fix], cmds[esc]
    return cmds


def play(sid: str, cmds: list[dict[str, Any]]) -> tuple[Game, list[Any]]:
    g = fresh_game(sid, 7)
    seen = []
    for cmd in cmds:
        obs = g.do(cmd)
        assert obs.ok, (cmd, obs.text)
        seen.append(obs)
    return g, seen


def test_a_fix_of_your_own_after_an_escalation_stops_the_fault_when_it_lands() -> None:
    for sid in ("fraud-1", "credit-3"):
        g, seen = play(sid, swapped(sid))
        f = g.record.facts
        esc, own = f.interventions[0], f.interventions[1]
        assert esc.kind == "escalate" and own.kind in ("hotfix", "rollback"), sid
        assert own.t < esc.effective_at, sid  # the team's answer was still on its way
        assert f.mitigated_at == own.t, sid
        fixed = next(o for o in seen if o.kind == own.kind)
        assert [e["kind"] for e in fixed.events] == ["mitigated"], sid
        # The team's answer arrives, but no second "recovering": the fault had stopped.
        later = [e for o in seen for e in o.events if e["t"] == esc.effective_at]
        assert "message" in [e["kind"] for e in later], (sid, later)
        assert [e for o in seen for e in o.events if e["kind"] == "mitigated"] == \
            fixed.events, sid
        card = score(g.record)
        lines = [line for s in card.sections for line in s.feedback]
        assert not any("team you escalated to" in line for line in lines), (sid, lines)
        assert not any("through the team" in line for line in lines), (sid, lines)
        assert f"Mitigated at {own.t // 60 % 24:02d}:{own.t % 60:02d}." in lines, (sid, lines)
        right, _ = play(sid, [dict(c) for c in loader.scenario(sid).playbook.right])
        # The same two right moves in the other order: only the first move's points (an
        # escalation, not a fix of your own) and the minutes to mitigate differ.
        assert score(right.record).total - card.total < 3, sid
        save = IncidentSave(record=g.record, scorecard=card,
                            saved_at="2026-03-18T09:30:00+00:00")
        said = star_story(save) + "\n".join(s.text for s in spoken_stories(g.record))
        clock = f"{own.t // 60 % 24}:{own.t % 60:02d}"
        assert f"stopped at {clock}" in said, sid
        late = f"{esc.effective_at // 60 % 24}:{esc.effective_at % 60:02d}"
        assert f"stopped at {late}" not in said, sid
        assert "(by then the fault was already mitigated)" in said, sid


def test_the_course_is_stopped_by_the_earliest_fix_alone() -> None:
    """A later fix within the recovery of the earlier one does not hurry it."""
    course = fresh_game("fraud-1", 7).world.fault.course
    start = course.onset + 20
    minutes = [start + 0.5 * i for i in range(2 * course.recovery + 2)]
    course.events.append((start + 1, "fix", 0.0))
    course.events.append((start, "fix", 0.0))
    alone = fresh_game("fraud-1", 7).world.fault.course
    alone.events.append((start, "fix", 0.0))
    assert course.fixed_at() == start
    assert list(course.intensity(minutes)) == list(alone.intensity(minutes))


def test_a_second_rollback_does_not_swap_back_to_the_revision_the_first_took_out() -> None:
    g, seen = play("credit-3", [
        {"do": "ack"}, {"do": "deploys", "model": "credit-limit"},
        {"do": "rollback", "model": "credit-limit"}, {"do": "wait", "minutes": 10},
        {"do": "rollback", "model": "credit-limit"}, {"do": "wait", "minutes": 20},
        {"do": "rollback", "model": "credit-limit", "to": "r7"},
        {"do": "deploys", "model": "credit-limit"},
        {"do": "dashboard", "model": "credit-limit", "metric": "error_rate", "window": 30},
        {"do": "infra", "model": "credit-limit"},
        {"do": "hotfix", "model": "credit-limit", "fix": "restart_pods"}])
    first, second, named = (o for o in seen if o.kind == "rollback")
    m = g.world.model("credit-limit")
    faulty = g.world.fault.revisions[-1]
    assert f"rollback from r{faulty}" in seen[-4].text
    for again in (second, named):
        assert again.text.startswith(f"Nothing deployed: r{faulty} is the revision"), again.text
        assert "falls back" not in again.text
    live = m.live_deploy(g.world.now)
    assert live.undoes == faulty and live.config["cpu_limit_m"] == 2000
    assert [d.at for d in m.deploys if d.undoes is not None] == [first.t]
    assert g.world.recovered() and not [e for e in g.world.firing() if e.model == m.name]
    assert max(seen[-3].data["values"]) < 0.01
    assert "limit 500m" not in seen[-2].text and "nr_throttled" not in seen[-2].text
    restart = seen[-1]
    assert "paused" not in restart.text and restart.text.startswith("Applied restart_pods")
    effects = [(iv.kind, iv.effect) for iv in g.record.facts.interventions]
    assert effects == [("rollback", "fixes"), ("rollback", "none"), ("rollback", "none"),
                       ("hotfix", "none")]
    card = score(g.record)
    lines = {s.name: " ".join(s.feedback) for s in card.sections}
    assert f"Thrashing: rollback credit-limit at {second.clock}" in lines["temperament"]
    assert f"rollback credit-limit at {second.clock} came after the fault had stopped and " \
           "changed nothing" in lines["intervention"]
    assert "the pods come back with the same limit" not in lines["intervention"]


def test_an_answer_never_says_the_fault_eased_when_the_world_did_not_change() -> None:
    from oncall.content.kindcheck import EASES

    for sid in ("credit-3", "fraud-1", "fraud-5"):
        g, _ = play(sid, [dict(c) for c in loader.scenario(sid).playbook.wrong])
        for iv in g.record.facts.interventions:
            if iv.effect in ("none", "worse"):
                assert EASES.search(iv.message) is None, (sid, iv.command, iv.message)
    g, _ = play("credit-3", [{"do": "ack"},
                             {"do": "hotfix", "model": "credit-limit", "fix": "scale_up"}])
    scaled = g.record.facts.interventions[0]
    assert scaled.effect == "none" and "timeouts go on" in scaled.message


def test_a_kind_whose_answer_contradicts_its_outcome_is_refused() -> None:
    from oncall.content.kindcheck import kind_problems

    kind = fault_kinds()["cpu_quota_cut"]
    assert kind_problems(kind) == []

    def saying(i: int, message: str) -> FaultKind:
        raw = kind.model_dump()
        raw["responses"][i]["message"] = message
        return FaultKind.model_validate(raw)

    assert kind.responses[3].outcome == "none"
    said = saying(3, "Added replicas: timeouts drop a little and the bill rises.")
    assert ("responses.3.message", "the outcome none leaves the fault as it is, but the message "
            "says 'drop a little'; valid: a message that says what the outcome does, or the "
            "outcome the message describes") in kind_problems(said)
    assert kind.responses[0].outcome == "fixes"
    fixed = saying(0, "No change: the pods restart with their previous CPU limit.")
    assert [w for w, _ in kind_problems(fixed)] == ["responses.0.message"]
