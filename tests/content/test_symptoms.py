"""Tool text shows symptoms, never the answer: every fault kind's logs, events, pod and node
states, deploy notes and changelogs (and the noise beside them) say what a real system prints,
and a kind that states its cause in words is rejected with the file, field and word."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from oncall.content import symptoms
from oncall.content.kinds import fault_kinds, faults_dir, validate_kinds
from oncall.sim.catalogue import ARCHETYPES
from oncall.sim.faultdef import FaultKind
from oncall.sim.noise import NOISE_TYPES
from oncall.sim.world import IncidentSpec, World, WorldSpec

DIAGNOSES = (
    "worker starved of CPU by a co-scheduled batch pod on its node",
    "embedding cache miss; cache sized at the last index resize",
    "query vectors from query encoder v3; doc-index vectors built with the previous version",
    "payments-events sync failing because of a partner outage",
    "pods crash: the deploy config is misconfigured",
    "request-context cache leaks memory",
    "feature drift on txn_amount_cents",
    "training/serving skew on days_since_login",
    "a memory leak in the serving runtime",
    "p99 is caused by the nightly batch job",
)
SYMPTOMS = (
    "request exceeded the 250ms timeout: 504 Gateway Timeout",
    "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.20 GiB",
    "Terminated: OOMKilled (exit code 137), limits.memory=1Gi",
    "NVRM: Xid (PCI:0000:3b:00): 79, GPU has fallen off the bus",
    "http: TLS handshake error: x509: certificate has expired or is not yet valid",
    "input validation: txn_amount_cents outside training p01-p99 in 93% of 412 requests",
    "search-logs client: response encoder_version=v3; doc-index manifest encoder_version=v2",
    "Caused by: java.net.SocketTimeoutException: Read timed out",
)


@pytest.mark.parametrize("text", DIAGNOSES)
def test_a_sentence_that_names_its_cause_is_caught(text: str) -> None:
    assert symptoms.diagnoses(text), text


@pytest.mark.parametrize("text", SYMPTOMS)
def test_what_real_systems_print_passes(text: str) -> None:
    assert symptoms.diagnoses(text) == []


def test_every_shipped_kind_and_noise_shows_symptoms_only() -> None:
    kinds = fault_kinds()
    assert len(kinds) == len(list(faults_dir().glob("*.yaml"))), "every kind file loads"
    texts = [(k.id, where, t) for k in kinds.values() for where, t in symptoms.tool_text(k)]
    assert len(texts) > 200
    assert [(k, w, t) for k, w, t in texts if symptoms.diagnoses(t)] == []
    noise = [t for n in NOISE_TYPES.values() for t in n.texts]
    assert len(noise) >= 2 and [t for t in noise if symptoms.diagnoses(t)] == []


@pytest.mark.parametrize(("field", "planted"), [
    (("logs", 0, "template"), "worker starved of CPU by a co-scheduled batch pod on its node"),
    (("infra", 3, "message"), "the backfill was misconfigured without CPU limits"),
    (("history", 0, "note"), "image patch (openssl); the cause of the latency is elsewhere"),
])
def test_a_planted_diagnosis_fails_validation(tmp_path: Path, field: tuple[Any, ...],
                                              planted: str) -> None:
    data = yaml.safe_load((faults_dir() / "noisy_neighbour.yaml").read_text())
    data[field[0]][field[1]][field[2]] = planted
    bad = tmp_path / "faults" / "noisy_neighbour.yaml"
    bad.parent.mkdir()
    bad.write_text(yaml.safe_dump(data))
    problems = [str(p) for p in validate_kinds([bad])]
    where = ".".join(map(str, field))
    assert any(f"{where}: names a cause" in p for p in problems), problems
    data = yaml.safe_load((faults_dir() / "noisy_neighbour.yaml").read_text())
    bad.write_text(yaml.safe_dump(data))
    assert validate_kinds([bad]) == []


def test_a_planted_diagnosis_in_a_models_own_values_fails(tmp_path: Path) -> None:
    data = yaml.safe_load((faults_dir() / "partner_feed_outage.yaml").read_text())
    data["fits"]["models"]["credit-limit"]["endpoint"] = "the bureau outage page"
    bad = tmp_path / "faults" / "partner_feed_outage.yaml"
    bad.parent.mkdir()
    bad.write_text(yaml.safe_dump(data))
    problems = [str(p) for p in validate_kinds([bad])]
    assert any("fits.models.credit-limit.endpoint: names a cause (outage)" in p
               for p in problems), problems


def _night(kind: FaultKind) -> tuple[World, str]:
    """A night of the kind on the first model it fits where it pages."""
    for arch in (a for a in ARCHETYPES if kind.unfit(a) is None):
        params = {n: next(f.name for f in arch.features if p.feature_kind in (None, f.kind))
                  for n, p in kind.params.items() if p.type == "feature"}
        params.update(kind.domain(arch.name))
        spec = WorldSpec(incidents=(IncidentSpec(kind, arch.name, 120, params),),
                         noise=(("cert_expiry", {}), ("unrelated_deploy", {}),
                                ("latency_blip", {"offset": -20, "minutes": 60})))
        try:
            world = World(7, spec)
        except ValueError:
            continue  # pages nobody on this model
        world.advance(45)
        return world, arch.name
    raise AssertionError(f"{kind.id} pages on no model it fits")


@pytest.mark.parametrize("kind_id", sorted(fault_kinds()))
def test_what_the_tools_print_on_a_night_of_every_kind_names_no_cause(kind_id: str) -> None:
    world, model = _night(fault_kinds()[kind_id])
    texts: list[str] = []
    for m in dict.fromkeys([model, *(n.model for n in world.noise)]):
        texts += [ln.message for ln in world.logs(m, world.now - 300, world.now)]
        infra = world.infra(m)
        texts += [f"{p['status']} {p['last_state']}" for p in infra["pods"]]
        texts += [str(v) for nd in infra["nodes"] for v in nd.values()]
        texts += [e["message"] for e in infra["events"]]
        texts += [d["note"] for d in world.deploys(m)["deploys"]]
        texts += [c["change"] for p in world.pipelines(m)["pipelines"] for c in p["changelog"]]
    told = [(t, symptoms.diagnoses(t)) for t in dict.fromkeys(texts) if symptoms.diagnoses(t)]
    assert told == []
