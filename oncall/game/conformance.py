"""The conformance harness: a scenario, on several seeds, keeps the promises a scenario makes.

- the page fires within the scenario's stated window after the onset, critical, on its model;
- every `right` move mitigates and no `wrong` move does (a control, a page with nothing to
  fix, instead clears by itself within an hour and no move `fixes` it);
- every evidence signal the answer key expects is shown by a named tool's observation;
- an observation that shows nothing (an empty grep) carries no evidence.

Each check returns its failures as lines (`scenario seed N: what went wrong`), empty when the
scenario keeps the promise. `oncall validate --conformance` and the test suite both run them; the
tests hand in a game factory that reuses built worlds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from oncall.content import loader
from oncall.content.scenario import Move, Scenario
from oncall.game import generator
from oncall.game.engine import Game
from oncall.game.record import AlertFact
from oncall.sim.world import NoPage

SEEDS = (1, 2, 7, 99, 2024)
QUICK_SEEDS = (1, 7, 2024)
"""The seeds `oncall validate --conformance` plays (the test suite plays all of SEEDS)."""
NewGame = Callable[[str, int], Game]


def new_game(sid: str, seed: int) -> Game:
    """A game of the scenario at its page."""
    return Game(generator.scenario(sid), seed)


def move_command(sc: Scenario, m: Move) -> dict[str, Any]:
    return generator.move_command({"model": sc.fault.model, **m.model_dump(exclude_none=True)})


def settle(g: Game, minutes: int) -> list[str]:
    """Wait in steps of at most 30 minutes; the failures of a wait the game refused."""
    while minutes > 0:
        step = min(30, minutes)
        obs = g.do({"do": "wait", "minutes": step})
        if not obs.ok:
            return [f"wait {step} refused: {obs.text[:120]}"]
        minutes -= step
    return []


def page_fires(sid: str, seed: int, make: NewGame = new_game) -> list[str]:
    sc = generator.scenario(sid)
    g = make(sid, seed)
    f = g.record.facts
    out = []
    if not f.onset_at <= f.page_at <= f.onset_at + sc.fault.page_within:
        out.append(f"the page came {f.page_at - f.onset_at} min after the onset; the scenario "
                   f"promises within {sc.fault.page_within}")
    from oncall.sim.alerts import RULES_BY_NAME

    if not any(a.rule in RULES_BY_NAME and RULES_BY_NAME[a.rule].pages
               and a.model == sc.fault.model for a in f.page_alerts):
        out.append(f"no alert that pages fired on {sc.fault.model}")
    unpaged = signal_not_paged(sc, f.page_alerts)
    if unpaged:
        out.append(f"answers.signal_alert: {unpaged}")
    return out


def signal_not_paged(sc: Scenario, page_alerts: list[AlertFact], where: str = "") -> str | None:
    """Why the answer key's signal alert is not one the page showed (`where`: which page, said
    after it), or None when it is."""
    rules = list(dict.fromkeys(a.rule for a in page_alerts))
    signal = sc.answers.signal_alert
    if signal and rules and signal not in rules:
        return f"{signal} is not among the alerts of the page{where}; valid: {', '.join(rules)}"
    return None


def moves_behave(sid: str, seed: int, make: NewGame = new_game) -> list[str]:
    """Every right move fixes it and no wrong move does (a control clears by itself)."""
    sc = generator.scenario(sid)
    if sc.answers.control:
        return control_clears(sc, seed, make)
    out: list[str] = []
    for which, should_fix in (("right", True), ("wrong", False)):
        for i, m in enumerate(getattr(sc.answers, which)):
            where = f"answers.{which}.{i}"
            g = make(sid, seed)
            g.do({"do": "ack"})
            cmd = move_command(sc, m)
            obs = g.do(cmd)
            if not obs.ok:
                out.append(f"{where}: {which} move refused: {obs.text[:120]}")
                continue
            out += settle(g, 45)
            fixed = g.world.recovered(g.world.fault.id)
            effect = g.record.facts.interventions[-1].effect
            if fixed != should_fix or (effect == "fixes") != should_fix:
                want = ("a response with outcome fixes, and the fault gone 45 min later"
                        if should_fix else "a response with any outcome but fixes")
                out.append(f"{where}: {_move(cmd)} answered with outcome {effect}, the fault "
                           f"{'gone' if fixed else 'still on'} 45 min later; valid for a "
                           f"{which} move: {want}")
    return out


def _move(cmd: dict[str, Any]) -> str:
    """A move as typed (`hotfix price-optimizer restart_pods`, `escalate infra-sre`)."""
    args = [str(cmd[k]) for k in ("model", "fix", "team") if k in cmd]
    return " ".join([str(cmd["do"]), *args])


def control_clears(sc: Scenario, seed: int, make: NewGame = new_game) -> list[str]:
    """Left alone, a control's page clears within an hour (no critical alert on the model, the
    effect gone, no fix recorded), and no wrong move reports a fix."""
    from oncall.sim.alerts import RULES_BY_NAME

    g = make(sc.id, seed)
    g.do({"do": "ack"})
    out = settle(g, 60)
    if not g.world.recovered(g.world.fault.id):
        out.append("a control does not clear by itself within an hour")
    if g.world.fault.course.fixed_at() is not None:
        out.append("a control recorded a fix nobody made")
    still = [e.rule for e in g.world.firing() if e.model == sc.fault.model
             and RULES_BY_NAME[e.rule].pages]
    if still:
        out.append(f"a control still fires {', '.join(still)} after an hour")
    for m in sc.answers.wrong:
        g = make(sc.id, seed)
        g.do({"do": "ack"})
        obs = g.do(move_command(sc, m))
        if not obs.ok:
            out.append(f"wrong move refused: {obs.text[:120]}")
            continue
        out += settle(g, 45)
        if g.record.facts.interventions[-1].effect == "fixes":
            out.append(f"wrong move {m.model_dump(exclude_none=True)} fixed a control")
    return out


def signals_shown(sid: str, seed: int = 7, make: NewGame = new_game) -> list[str]:
    """Every evidence signal of the key is shown by the tool its kind names."""
    from oncall.content.kinds import fault_kinds
    from oncall.sim.faults import fill

    sc = generator.scenario(sid)
    kind = fault_kinds()[sc.fault.kind]
    g = make(sid, seed)
    g.do({"do": "ack"})
    ns = g.world.fault.ns
    out = []
    for i, expected in enumerate(sc.answers.evidence):
        where = f"answers.evidence.{i}"
        defs = [s for s in kind.signals if fill(s.id, ns) == expected]
        if not defs:
            out.append(f"{where}: {expected} is not a signal of {kind.id}")
            continue
        shown: list[str] = []
        looked: list[str] = []
        for s in defs:
            for cmd in generator.signal_commands(s, sc.fault.model, ns):
                obs = g.do(cmd)
                if not obs.ok:
                    out.append(f"{where}: {s.tool} for {expected} refused: {obs.text[:120]}")
                shown += obs.signals
                looked.append(f"{_played(cmd)} at {obs.clock} (its signal needs "
                              f"{_needs(s, ns)})")
                if expected in obs.signals:
                    break
        if expected not in shown:
            seen = ", ".join(dict.fromkeys(shown)) or "no signal"
            out.append(f"{where}: {expected} was not shown by {'; '.join(looked)}; that "
                       f"observation showed {seen}; valid: one of those, or a signal whose "
                       "condition the tool's text meets")
    return out


def _played(cmd: dict[str, Any]) -> str:
    """A tool command as typed (`infra price-optimizer`, `dashboard m error_rate`)."""
    args = [str(cmd[k]) for k in ("model", "metric", "feature") if k in cmd]
    return " ".join([str(cmd["do"]), *args])


def _needs(s: Any, ns: dict[str, Any]) -> str:
    """What a signal's observation must hold, in words."""
    from oncall.sim.faults import fill

    parts = []
    if s.text is not None:
        parts.append(f"text matching {fill(s.text, ns)!r}")
    for name in ("above", "below", "ratio_above", "ratio_below"):
        if getattr(s, name) is not None:
            parts.append(f"{s.metric} {name.replace('_', ' ')} {getattr(s, name)}")
    for name, words in (("drifted", "a DRIFT verdict on"), ("config_changed", "a change of")):
        if getattr(s, name) is not None:
            parts.append(f"{words} {fill(getattr(s, name), ns)}")
    for name in ("by_revision", "new_deploy", "no_new_deploy", "image_changed"):
        if getattr(s, name):
            parts.append(name.replace("_", " "))
    return " and ".join(parts) or "nothing"


def nothing_is_no_evidence(sid: str, seed: int = 7, make: NewGame = new_game) -> list[str]:
    """An empty grep, and another model's deploys, carry no evidence."""
    sc = generator.scenario(sid)
    g = make(sid, seed)
    g.do({"do": "ack"})
    out = []
    empty = g.do({"do": "logs", "model": sc.fault.model, "grep": "zzzz-nothing-matches"})
    if not empty.ok or empty.data.get("total") != 0 or empty.signals:
        out.append(f"an empty grep shows {empty.signals or empty.text[:80]}")
    other = next(m for m in g.world.fleet.names() if m != sc.fault.model)
    shown = g.do({"do": "deploys", "model": other}).signals
    if shown:
        out.append(f"another model's deploys show {', '.join(shown)}")
    return out


def check(sid: str, seeds: tuple[int, ...] = QUICK_SEEDS, make: NewGame = new_game
          ) -> list[str]:
    """Every failure of one scenario, each line naming it and the seed."""
    out = [f"{sid} seed {seed}: {why}" for seed in seeds
           for why in page_fires(sid, seed, make) + moves_behave(sid, seed, make)]
    out += [f"{sid} seed 7: {why}"
            for why in signals_shown(sid, 7, make) + nothing_is_no_evidence(sid, 7, make)]
    return out


def scenario_ids(paths: list[Path]) -> list[str]:
    """The scenarios of the paths (scenario files, folders of them, content folders), or the
    whole library when none is given."""
    if not paths:
        return sorted(loader.scenarios())
    files: list[Path] = []
    for p in paths:
        if (p / "incidents").is_dir():
            p = p / "incidents"
        files += sorted(p.glob("*.yaml")) if p.is_dir() else [p]
    return [f.stem for f in files if not loader.is_kind(loader.read_mapping(f, "scenario"))]


def run(paths: list[Path], seeds: tuple[int, ...] = QUICK_SEEDS,
        progress: Callable[[str], None] | None = None) -> list[str]:
    """Every failure of every scenario of the paths (a scenario that cannot be built is one)."""
    out: list[str] = []
    for sid in scenario_ids(paths):
        try:
            found = check(sid, seeds)
        except (loader.ContentError, generator.GenerationError, NoPage) as exc:
            found = [f"{sid}: cannot be built: {str(exc).splitlines()[0]}"]
        if progress:
            progress(f"{sid}: {'ok' if not found else f'{len(found)} failure(s)'}")
        out += found
    return out
