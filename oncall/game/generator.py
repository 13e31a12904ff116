"""Random nights: a scenario drawn from the seed, the fault kinds and the fleet.

Because faults are data, a new night needs no author: the seed picks a fault kind, a model it
fits, parameters within their ranges, an onset, and red herrings by difficulty (a certificate
ticket on another model; on hard nights also an unrelated deploy in the small hours and a
noisy neighbour's latency excursion). The answer key is read off the kind itself (its catalogue
entry, the moves its response table says fix it or do not, the evidence its signals show), then
checked by playing it: a draw that does not page in time, or whose moves or evidence do not
behave as the key says, is thrown away and drawn again.

A generated scenario's id (`random-SEED-DIFFICULTY-TOKEN`, the token a checksum of the kind's id,
`kinds.kind_token`) is all it takes to rebuild it, so saves of random nights replay like any
other, and keep replaying when kinds are added: the id stands for the kind without naming it (the
id is shown to the player, in the page and a save's name), and the rest is drawn from the seed
and the kind's name. Ids that name the kind (`random-SEED-DIFFICULTY-KIND`, the kind's `_`
written `-`, made before tokens) still build the same night, and ids of the first scheme
(`random-SEED-DIFFICULTY`) draw from the kinds the library had then (`LEGACY_KINDS`).
"""

from __future__ import annotations

import copy
import re
import zlib
from typing import TYPE_CHECKING, Any

import numpy as np

from oncall.content import loader
from oncall.content.kinds import fault_kinds, kind_in_id, kind_token
from oncall.content.scenario import Scenario
from oncall.sim.alerts import RULES_BY_NAME
from oncall.sim.catalogue import ARCHETYPES, Archetype
from oncall.sim.clock import hhmm
from oncall.sim.faultdef import FaultKind, Signal
from oncall.sim.faults import fill

if TYPE_CHECKING:
    from oncall.game.engine import Game

RANDOM_ID = re.compile(r"^random-(\d{1,19})-(easy|normal|hard)(?:-([a-z][a-z0-9-]{0,63}))?$")
ATTEMPTS = 40
PAGE_WITHIN = 90
"""Minutes after the onset by which a drawn night must page: a stopped feature job or a change
in the world seen through labels pages in an hour or more, as their library nights do."""
LEGACY_KINDS = (
    "attack_wave", "autoscaling_ceiling", "bad_canary", "bad_deploy_config", "calibration_refit",
    "cert_expired", "concept_drift", "experiment_split", "feature_store_timeouts",
    "field_renamed", "flapping_alert", "gpu_node_lost", "gpu_oom", "label_join_broken",
    "memory_leak", "model_store_unreachable", "nan_outputs", "noisy_neighbour",
    "partner_feed_outage", "scrape_blind_spot", "segment_shift", "serving_image_bump",
    "serving_skew", "slow_degradation", "stale_features", "unit_change", "unseen_category",
    "upstream_model_upgrade", "wrong_artifact",
)
"""The kinds an id of the first scheme (`random-SEED-DIFFICULTY`, no kind) drew from: frozen,
so a saved night of that scheme builds what it built however many kinds are added since."""


class GenerationError(ValueError):
    """No conformant night could be drawn for this seed (not expected with shipped kinds)."""


def random_id(seed: int, difficulty: str = "normal") -> str:
    """The id of the random night a seed draws: `random-SEED-DIFFICULTY-TOKEN`. The kind is
    chosen from the kinds the library has now and its token put in the id, and everything else
    is drawn from the seed and that kind alone, so the id builds the same night when kinds are
    added."""
    return _night_id(seed, difficulty, pick_kind(seed))


def _night_id(seed: int, difficulty: str, kind_id: str) -> str:
    return f"random-{seed}-{difficulty}-{kind_token(kind_id)}"


def pick_kind(seed: int) -> str:
    """The kind a new random night of this seed draws: one of the library's (shipped and added)
    that fits a model and whose responses name a fixing and a failing move."""
    registry = fault_kinds()
    ids = registry.ids()
    if ids:
        start = int(np.random.default_rng([seed, 8_112]).integers(len(ids)))
        for j in range(len(ids)):
            kind = registry.get(ids[(start + j) % len(ids)])
            if kind is not None and drawable(kind):
                return kind.id
    raise GenerationError(f"no fault kind can make a random night (seed {seed})")


def drawable(kind: FaultKind) -> bool:
    fits = [a for a in ARCHETYPES if kind.unfit(a) is None]
    if not fits:
        return False
    right, wrong = _moves(kind, fits[0].name)
    return bool(right and wrong)


def scenario(scenario_id: str) -> Scenario:
    """A shipped scenario by id, or the random night an id names."""
    m = RANDOM_ID.match(scenario_id)
    if m:
        if m.group(3) is None:
            return generate(int(m.group(1)), m.group(2), LEGACY)
        kind_id = kind_in_id(m.group(3))
        if kind_id is None:
            raise GenerationError(f"no fault kind of the library is {m.group(3)!r} (from the "
                                  f"random night's id {scenario_id!r}); the kind was removed "
                                  "or its content folder is not loaded (--content DIR)")
        return generate(int(m.group(1)), m.group(2), kind_id, sid=scenario_id)
    return loader.scenario(scenario_id)


LEGACY = ""
"""`generate`'s kind for an id of the first scheme: drawn from LEGACY_KINDS as it was."""


def generate(seed: int, difficulty: str = "normal", kind_id: str | None = None,
             sid: str | None = None) -> Scenario:
    """The random night of a seed: of `kind_id` (default: the kind `random_id` picks), with the
    model, parameters and onset drawn from the seed and the kind's name. `sid`: the id it was
    asked for by, kept (an id that names its kind, from a save made before tokens)."""
    if kind_id == LEGACY:
        return _generate_legacy(seed, difficulty)
    kind_id = kind_id or pick_kind(seed)
    kind = fault_kinds().get(kind_id)
    if kind is None:
        raise GenerationError(f"unknown fault kind {kind_id!r} in a random night's id")
    sid = sid or _night_id(seed, difficulty, kind_id)
    rng = np.random.default_rng([seed, 8_111, zlib.crc32(kind_id.encode())])
    fits = [a for a in ARCHETYPES if kind.unfit(a) is None]
    if not fits:
        raise GenerationError(f"{kind_id} fits no model of the fleet")
    problems: list[str] = []
    for attempt in range(ATTEMPTS):
        arch = fits[int(rng.integers(len(fits)))]
        draft = _draft(kind, arch, rng, seed, difficulty, sid)
        try:
            return _complete(draft, kind, seed)
        except (GenerationError, ValueError) as exc:
            problems.append(f"attempt {attempt + 1} ({kind.id} on {arch.name}): {exc}")
    raise GenerationError(f"no conformant night for {sid}: " + "; ".join(problems[-3:]))


def _generate_legacy(seed: int, difficulty: str) -> Scenario:
    rng = np.random.default_rng([seed, 8_111])
    registry = fault_kinds()
    kinds = [registry[k] for k in LEGACY_KINDS if k in registry]
    problems: list[str] = []
    for attempt in range(ATTEMPTS):
        kind = kinds[int(rng.integers(len(kinds)))]
        fits = [a for a in ARCHETYPES if kind.unfit(a) is None]
        if not fits:
            continue
        arch = fits[int(rng.integers(len(fits)))]
        draft = _draft(kind, arch, rng, seed, difficulty, f"random-{seed}-{difficulty}")
        try:
            return _complete(draft, kind, seed)
        except (GenerationError, ValueError) as exc:
            problems.append(f"attempt {attempt + 1} ({kind.id} on {arch.name}): {exc}")
    raise GenerationError(f"no conformant night for seed {seed}: " + "; ".join(problems[-3:]))


def _params(kind: FaultKind, arch: Archetype, rng: np.random.Generator) -> dict[str, Any]:
    """The kind's parameters for this model: its own domain's values where the kind names them
    (a unit change's exact factor, the model's partner), the rest drawn from the seed."""
    domain = kind.domain(arch.name)
    out: dict[str, Any] = {}
    for name, p in kind.params.items():
        if name in domain:
            out[name] = domain[name]
        elif p.type == "feature":
            names = [f.name for f in arch.features if p.feature_kind in (None, f.kind)]
            out[name] = p.default if p.default in names else names[int(rng.integers(len(names)))]
        elif p.type in ("float", "int") and p.default is not None:
            # Around the author's default, within the declared range: the default is what the
            # author checked pages; a factor of 0.7-1.4 keeps the night recognisable.
            v = float(p.default) * float(np.exp(rng.uniform(np.log(0.7), np.log(1.4))))
            lo = p.min if p.min is not None else -np.inf
            hi = p.max if p.max is not None else np.inf
            v = float(np.clip(v, lo, hi))
            out[name] = round(v) if p.type == "int" else round(v, 4)
        elif p.default is not None:
            out[name] = p.default
    return out


def _draft(kind: FaultKind, arch: Archetype, rng: np.random.Generator, seed: int,
           difficulty: str, sid: str) -> dict[str, Any]:
    onset = 90 + int(rng.integers(0, 51))  # 01:30-02:20
    others = [a.name for a in ARCHETYPES if a.name != arch.name]
    noise: list[dict[str, Any]] = []
    if difficulty != "easy":
        noise.append({"kind": "cert_expiry", "model": others[int(rng.integers(len(others)))],
                      "params": {"days_left": int(rng.integers(6, 20))}})
    if difficulty == "hard":
        noise.append({"kind": "unrelated_deploy",
                      "model": others[int(rng.integers(len(others)))],
                      "params": {"before": int(rng.integers(6, 15))}})
        noise.append({"kind": "latency_blip", "model": others[int(rng.integers(len(others)))],
                      "params": {"offset": int(rng.integers(5, 20)),
                                 "minutes": int(rng.integers(20, 40))}})
    return {
        "id": sid, "title": "", "brief": "", "difficulty": difficulty,
        "fault": {"kind": kind.id, "model": arch.name, "onset": hhmm(onset),
                  "params": _params(kind, arch, rng), "page_within": PAGE_WITHIN},
        "noise": noise,
    }


def _moves(kind: FaultKind, model: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    right: list[dict[str, Any]] = []
    wrong: list[dict[str, Any]] = []
    for r in kind.responses:
        w = r.when
        if w.model == "other":
            continue
        for verb in w.kind:
            move: dict[str, Any] = {"kind": verb}
            if verb != "escalate":
                move["model"] = model
            if verb == "hotfix":
                if not w.fix:
                    continue
                move["fix"] = w.fix[0]
            if verb == "escalate":
                if not w.team:
                    continue
                move["team"] = w.team[0]
            (right if r.outcome == "fixes" else wrong if r.outcome in ("none", "worse")
             else []).append(move)
    return right, wrong


def move_command(move: dict[str, Any]) -> dict[str, Any]:
    cmd = {"do": move["kind"], **{k: v for k, v in move.items() if k in ("model", "fix", "team")}}
    if move["kind"] == "escalate":
        cmd["message"] = "Paging you about the incident on the model; details in the channel."
    return cmd


def signal_commands(s: Signal, model: str, ns: dict[str, Any]) -> list[dict[str, Any]]:
    """The looks that can show a signal, the likeliest first: its tool on the model, with the
    series, feature or window its condition reads. A drift signal that names no feature is
    judged from its text, which either view of the drift tool may print (the prediction's test
    or the suite over every feature, where "0 drifted" is written)."""
    cmd: dict[str, Any] = {"do": s.tool, "model": model}
    if s.tool == "dashboard":
        cmd["metric"] = fill(s.metric, ns) if s.metric else "error_rate"
        cmd["window"] = 180
        if s.by_revision:
            cmd["by"] = "revision"
    elif s.tool == "drift":
        if s.drifted is None:
            return [cmd | {"feature": "prediction"}, cmd | {"feature": "all"}]
        cmd["feature"] = fill(s.drifted, ns)
    elif s.tool == "logs":
        cmd["window"] = 60
    return [cmd]


def draft(seed: int, difficulty: str = "normal") -> Scenario:
    """The world of the random night a seed draws first, without playing it: the kind, model,
    parameters, onset and noise of the first draw, under a key read off the kind but not checked.
    Cheap (no trial play), for checks of the world itself over many nights; `generate` may throw
    this draw away and use a later one."""
    kind_id = pick_kind(seed)
    kind = fault_kinds()[kind_id]
    rng = np.random.default_rng([seed, 8_111, zlib.crc32(kind_id.encode())])
    fits = [a for a in ARCHETYPES if kind.unfit(a) is None]
    arch = fits[int(rng.integers(len(fits)))]
    return Scenario.model_validate(_trial(
        _draft(kind, arch, rng, seed, difficulty, _night_id(seed, difficulty, kind_id)), kind))


def _trial(draft: dict[str, Any], kind: FaultKind) -> dict[str, Any]:
    """A draft under the key its kind implies, before any play has checked it."""
    right, wrong = _moves(kind, draft["fault"]["model"])
    if not right or not wrong:
        raise GenerationError("the kind's responses name no fixing or no failing move")
    return {**draft, "title": "trial", "brief": "trial", "answers": {
        "category": kind.category, "cause": kind.catalogue, "explanation": kind.title,
        "signal_alert": "ModelHigh5xxRatio", "evidence": ["trial"], "right": right,
        "wrong": wrong, "severity": kind.severity, "remediations": kind.remediations},
        "playbook": {"right": [{"do": "ack"}], "wrong": [{"do": "ack"}]}}


def _complete(draft: dict[str, Any], kind: FaultKind, seed: int) -> Scenario:
    """Read the key off a trial play, then check the finished scenario behaves as it says."""
    from oncall.game.engine import Game

    model = draft["fault"]["model"]
    base = _trial(draft, kind)
    right, wrong = base["answers"]["right"], base["answers"]["wrong"]
    trial = Game(Scenario.model_validate(base), seed)
    # Every later play starts from a copy of the night at its page: the world depends on the
    # fault, the noise and the seed alone (not on the key or the playbook), and a copy costs a
    # tenth of a build.
    at_page = copy.deepcopy(trial)
    f = trial.record.facts
    if f.page_at - f.onset_at > PAGE_WITHIN:
        raise GenerationError("pages too late")
    page = next(a for a in f.page_alerts if RULES_BY_NAME[a.rule].pages and a.model == model)
    trial.do({"do": "ack"})
    ns = trial.world.fault.ns
    evidence: list[str] = []
    commands: list[dict[str, Any]] = []
    for s in kind.signals:
        sid = fill(s.id, ns)
        if sid in evidence or len(evidence) == 3:
            continue
        for cmd in signal_commands(s, model, ns):
            obs = trial.do(cmd)
            if obs.ok and sid in obs.signals:
                evidence.append(sid)
                commands.append(cmd)
                break
    if not evidence:
        raise GenerationError("no signal of the kind shows in a first look")
    rule = RULES_BY_NAME[page.rule]
    first = right[0]
    opening: list[dict[str, Any]] = [{"do": "ack"}, {"do": "severity", "level": kind.severity},
                                     *commands,
               {"do": "diagnose", "category": kind.category, "cause": kind.catalogue,
                "evidence": [f"obs-{3 + i}" for i in range(len(commands))]},
               move_command(first)]
    waits = _waits_until_resolved(at_page, opening)
    arch_title = model.replace("-", " ")
    answers = {**base["answers"], "signal_alert": page.rule, "evidence": evidence,
               "explanation": f"{kind.title} ({kind.catalogue}) on {model}.",
               "escalate_to": next((m["team"] for m in right if m["kind"] == "escalate"), None)}
    postmortem = {
        "do": "postmortem",
        "summary": f"{model} was paged by {page.rule}; the cause was found with "
                   f"{len(commands)} investigations and fixed with {first['kind']}.",
        "impact": "Requests served badly between the onset and the fix; figures are in the "
                  "incident record.",
        "root_cause": kind.title[0].upper() + kind.title[1:] + ".",
        "trigger": f"The fault began before the page at {hhmm(f.page_at)}.",
        "detection": f"{page.rule} paged when its value crossed {page.threshold:g} "
                     f"({rule.unit}).",
        "resolution": f"{first['kind']} {first.get('fix') or first.get('team') or ''}".strip()
                      + " on " + model + ".",
        "action_items": [
            {"item": f"Monitor that catches this on {model} before {page.rule}",
             "type": "detect", "owner": trial.world.model(model).team},
            {"item": "A test or gate that stops the change before production",
             "type": "prevent", "owner": "ml-platform"},
            {"item": f"Runbook for {page.rule}: check the evidence that found it",
             "type": "mitigate", "owner": "ml-platform"}],
        "lessons": {"went_well": "The evidence named the cause quickly.",
                    "went_wrong": "Nothing caught it before the page.",
                    "lucky": "It happened at night, at low traffic."},
        "caught_earlier": f"A monitor from the postmortem, replayed over the week, says how much "
                          f"earlier than {page.rule} it would have fired.",
        "remediations": kind.remediations[:2],
    }
    playbook_right = [*opening, *waits, {"do": "resolve"}, postmortem]
    playbook_wrong = [{"do": "ack"}, *[move_command(m) for m in wrong[:2]],
                      move_command(first), *waits, {"do": "wait", "minutes": 10}, {"do": "resolve"},
                      {"do": "postmortem", "summary": "Something broke and was fixed.",
                       "remediations": [_unfitting_remediation(kind)]}]
    summary = rule.summary.format(model=model, threshold=f"{page.threshold:g}")
    doc = {**base, "title": f"{arch_title}: {summary}",
           "brief": f"A random night on the fleet (seed {seed}, {draft['difficulty']}). "
                    f"{model} just paged.",
           "answers": answers, "playbook": {"right": playbook_right, "wrong": playbook_wrong}}
    sc = Scenario.model_validate(doc)
    _check(sc, at_page)
    return sc


def _unfitting_remediation(kind: FaultKind) -> str:
    """A remediation the kind does not list: what a careless postmortem proposes."""
    from oncall.game.remediations import CATALOGUE

    return next(r.id for r in CATALOGUE if r.id not in kind.remediations)


def _waits_until_resolved(at_page: Game, opening: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The waits after the fix until `resolve` would succeed, found by playing them: the
    incident has recovered and no critical alert still fires on its model."""
    g = copy.deepcopy(at_page)
    for cmd in opening:
        g.do(cmd)
    for waited in range(5, 125, 5):
        g.do({"do": "wait", "minutes": 5})
        if g.not_resolvable([g.world.fault.id]) is None:
            return _chunks(waited + 5)
    raise GenerationError("the fix does not bring the service level back within 2 hours")


def _chunks(minutes: int) -> list[dict[str, Any]]:
    out = []
    while minutes > 0:
        out.append({"do": "wait", "minutes": min(30, minutes)})
        minutes -= 30
    return out


def _check(sc: Scenario, at_page: Game) -> None:
    """The generated key behaves as it says: right moves fix, wrong moves do not, and the
    scripted right play runs clean to the end (each played on a copy of the night at its
    page)."""
    for which, should in (("right", True), ("wrong", False)):
        for m in getattr(sc.answers, which):
            g = copy.deepcopy(at_page)
            g.do({"do": "ack"})
            g.do(move_command(m.model_dump(exclude_none=True)))
            g.do({"do": "wait", "minutes": 30})
            g.do({"do": "wait", "minutes": 15})
            if g.world.recovered(g.world.fault.id) != should:
                raise GenerationError(f"{which} move {m.kind} {m.fix or m.team or ''} "
                                      f"{'does not fix' if should else 'fixes'} it")
    g = copy.deepcopy(at_page)
    shown: set[str] = set()
    for cmd in sc.playbook.right:
        obs = g.do(cmd)
        if not obs.ok:
            raise GenerationError(f"scripted {cmd['do']} failed: {obs.text[:100]}")
        shown.update(obs.signals)
    if not g.ended:
        raise GenerationError("the scripted play does not reach the postmortem")
    missing = set(sc.answers.evidence) - shown
    if missing:
        raise GenerationError(f"the scripted play does not show {', '.join(sorted(missing))}")
