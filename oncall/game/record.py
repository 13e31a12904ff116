"""The incident record: every command and observation, and the facts the run established.

The record is the single source for scoring, stories and replay. Scoring reads nothing else, so a
saved record re-scores to the same card in any process.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from oncall.sim.fields import empty_list

RECORD_FORMAT = 1


NOTHING_DEPLOYED = "Nothing deployed:"
"""How the answer to a refused rollback begins (`Intervened.deployed_nothing`)."""

class Model(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")


class Observation(Model):
    """What one command produced. `id` (obs-N) is what a diagnosis cites as evidence."""

    id: str | None = None
    kind: str
    ok: bool = True
    t: int = Field(description="simulated minute after the command's cost was paid")
    clock: str
    cost: int = 0
    text: str = ""
    data: dict[str, Any] = Field(default_factory=dict)
    signals: list[str] = Field(default_factory=empty_list,
                               description="fault evidence this observation genuinely shows")
    events: list[dict[str, Any]] = Field(default_factory=empty_list,
                                         description="what happened while the time passed")
    error: str | None = None
    valid: list[str] | None = None
    scorecard: dict[str, Any] | None = None


class Entry(Model):
    command: dict[str, Any]
    observation: Observation


class AlertFact(Model):
    rule: str
    model: str
    severity: str
    expr: str
    threshold: float
    value: float
    unit: str
    fired_at: int
    runbook: str
    summary: str


class Intervened(Model):
    t: int
    kind: Literal["rollback", "hotfix", "escalate"]
    command: dict[str, Any]
    effect: Literal["fixes", "partial", "none", "worse"]
    effective_at: int
    message: str
    evidence_before: int = Field(description="observations with fault signals made before it")
    cost_usd_per_hour: float = Field(0.0, description="extra spend the move committed to")

    @property
    def deployed_nothing(self) -> bool:
        """A rollback the platform refused: it asked for a revision an earlier rollback had
        taken out of service, so nothing was deployed (its answer says so)."""
        return self.kind == "rollback" and self.effect == "none" \
            and self.message.startswith(NOTHING_DEPLOYED)


class ActionItem(Model):
    item: str
    type: Literal["detect", "mitigate", "prevent", "repair", "investigate"]
    owner: str
    tracking: str = ""
    remediation: str | None = Field(
        None, description="the catalogue remediation the item describes (its words read "
        "against the catalogue when the postmortem is filed, or as typed); proposed as if listed")


class Lessons(Model):
    went_well: str = ""
    went_wrong: str = ""
    lucky: str = ""


class MonitorTuning(Model):
    """A proposed monitor's threshold and `for` duration, as chosen in the tuning lab (either
    left out: the monitor's own)."""

    threshold: float | None = None
    for_min: int | None = Field(None, ge=0, le=120)


class Postmortem(Model):
    summary: str = Field("", description="what happened, in a sentence or two")
    impact: str = Field("", description="who was hurt and how much, with the measured figures")
    root_cause: str = Field("", description="the mechanism that broke")
    trigger: str = Field("", description="the change or event that set it off, and when")
    detection: str = Field("", description="the alert that caught it and its threshold")
    resolution: str = Field("", description="the move that ended it")
    action_items: list[ActionItem] = Field(
        default_factory=empty_list, description="items, each {item, type (detect, mitigate, "
        "prevent, repair, investigate), owner}")
    lessons: Lessons = Field(default_factory=Lessons,
                             description="{went_well, went_wrong, lucky}")
    caught_earlier: str = Field("", description="the monitor or test that would have caught it "
                                "sooner")
    remediations: list[str] = Field(default_factory=empty_list,
                                    description="remediation ids (see help remediations)")
    tuning: dict[str, MonitorTuning] = Field(
        default_factory=dict, description="per proposed monitor: its threshold and `for`")


class Replay(Model):
    """A proposed monitor replayed over the seeded week before the page."""

    remediation: str
    rule: str
    model: str
    expr: str
    fired_at: int | None
    lead_minutes: int | None = Field(description="minutes before the real page; None: never")
    false_alarms_week: int
    threshold: float | None = Field(None, description="the threshold the rule file carries")
    for_min: int | None = Field(None, description="the `for` the rule file carries")
    unit: str = ""
    default_threshold: float | None = None
    default_for_min: int | None = None
    feature: str | None = Field(None, description="the `feature` label that fired first")


class Artifact(Model):
    remediation: str
    kind: Literal["monitor", "test", "runbook"]
    path: str
    content: str


class IncidentFact(Model):
    """One incident of the night, when a world holds several: its own course and outcome."""

    id: str
    model: str
    onset_at: int
    page_at: int
    mitigated_at: int | None = None
    resolved_at: int | None = None
    handed_over: bool = False
    impact: dict[str, float] = Field(default_factory=dict)
    category: str = Field("", description="the fault's category (answer key of this incident)")
    cause: str = Field("", description="the fault's catalogue id (answer key of this incident)")
    remediations: list[str] = Field(default_factory=empty_list, description="remediation ids that "
                                    "fit this incident's fault (its kind's)")
    alternatives: list[dict[str, Any]] = Field(
        default_factory=empty_list, description="the alternative causes this incident's answer "
        "key accepts: its kind's listed and implied ones (the first page's, the scenario's)")
    diagnosis: dict[str, Any] | None = Field(default=None,
                                             description="the last `diagnose incident=`")
    diagnosis_at: int | None = None


class Facts(Model):
    """What happened, taken from the simulation as the run went (never from the player's text)."""

    fleet_models: int
    fleet_rps: float
    target_model: str
    onset_at: int
    page_at: int
    page_alerts: list[AlertFact]
    noise_alerts: list[AlertFact] = Field(default_factory=empty_list)
    acked_at: int | None = None
    severity: int | None = None
    severity_at: int | None = None
    updates_at: list[int] = Field(default_factory=empty_list)
    diagnosis: dict[str, Any] | None = None
    diagnosis_at: int | None = None
    diagnoses: int = 0
    interventions: list[Intervened] = Field(default_factory=empty_list)
    tickets: list[dict[str, Any]] = Field(default_factory=empty_list)
    mitigated_at: int | None = None
    resolved_at: int | None = None
    handed_over: bool = False
    impact: dict[str, float] = Field(default_factory=dict)
    extra_cost_per_hour: float = 0.0
    postmortem: Postmortem | None = None
    replays: list[Replay] = Field(default_factory=empty_list)
    artifacts: list[Artifact] = Field(default_factory=empty_list)
    not_generated: dict[str, str] = Field(
        default_factory=dict, description="proposed remediations that do not fit the model, "
                                          "with the reason; no file, no replay, no credit")
    paged_unacked_escalated: bool = False
    abandoned_at: int | None = Field(default=None, description="the run stopped here "
                                     "without a postmortem")
    incidents: list[IncidentFact] = Field(default_factory=empty_list,
                                          description="every incident when there are several")

    def diagnosed(self, incident: str | None) -> tuple[dict[str, Any] | None, int | None]:
        """The last diagnosis recorded for the incident of that id, and its minute, as the
        engine records them: an incident after the first keeps its own (`diagnose incident=`);
        the first (listed first, or the run's one) takes every diagnosis that names none."""
        fact = next((x for x in self.incidents if x.id == incident), None)
        if fact is not None and fact is not self.incidents[0]:
            return fact.diagnosis, fact.diagnosis_at
        if fact is None and self.incidents and incident is not None:
            return None, None
        return self.diagnosis, self.diagnosis_at

    def resolved(self, incident: str | None) -> int | None:
        """When the incident of that id was resolved (the run's one incident's time when it
        has no list of several), or None while it is not."""
        fact = next((x for x in self.incidents if x.id == incident), None)
        return fact.resolved_at if fact is not None else self.resolved_at


class AnswerKey(Model):
    """The scenario's answers, frozen into the record so re-scoring never depends on files."""

    category: str
    cause: str
    cause_name: str
    alternatives: list[dict[str, Any]] = Field(default_factory=empty_list,
                                               description="cause, credit and why")
    explanation: str
    signal_alert: str
    evidence: list[str]
    right: list[dict[str, Any]]
    wrong: list[dict[str, Any]]
    severity: int
    escalate_to: str | None
    remediations: list[str]
    control: bool = False
    """A control: a page with nothing to fix (the intervention section scores restraint)."""


class Record(Model):
    format: int = RECORD_FORMAT
    seed: int
    scenario: str
    title: str
    difficulty: str
    answers: AnswerKey
    entries: list[Entry] = Field(default_factory=empty_list)
    facts: Facts
    ended: bool = False
