"""The rubric: an incident record in, a scorecard out, as a pure function.

`score` reads nothing but the record (no files, no clock, no randomness), so a saved record
re-scores to the same card in any process; each section's module documents its rules.
"""

from __future__ import annotations

from oncall.game.commands import ACK_TARGET_MIN
from oncall.game.record import Record
from oncall.scoring.alert import score_alert
from oncall.scoring.awareness import score_awareness
from oncall.scoring.card import SECTION_MAXIMA, InterviewScore, Scorecard, Section
from oncall.scoring.diagnosis import score_diagnosis
from oncall.scoring.intervention import score_intervention
from oncall.scoring.interview import interview_view
from oncall.scoring.postmortem import score_postmortem
from oncall.scoring.run import Run
from oncall.scoring.tally import Tally
from oncall.scoring.temperament import score_temperament

__all__ = ["InterviewScore", "Scorecard", "Section", "score"]


def score(record: Record) -> Scorecard:
    run = Run(record)
    tallies: dict[str, Tally] = {t.name: t for t in (
        score_alert(run), score_diagnosis(run), score_intervention(run), score_postmortem(run),
        score_awareness(run), score_temperament(run),
    )}
    sections = [tallies[name].section() for name in SECTION_MAXIMA]
    total = round(sum(s.points for s in sections), 1)
    top = sum(SECTION_MAXIMA.values())
    return Scorecard(ending=ending(run), sections=sections,
                     interview=interview_view(run, tallies), total=total, max=top,
                     percent=round(100 * total / top, 1))


def ending(run: Run) -> str:
    """How the run ended: with a postmortem, abandoned, or still open when it was scored."""
    f = run.facts
    bits: list[str] = []
    if f.acked_at is None:
        bits.append("the page was never acknowledged")
    if f.paged_unacked_escalated:
        bits.append(f"it escalated to the secondary at {run.at(f.page_at + ACK_TARGET_MIN)}")
    if f.handed_over:
        bits.append("the secondary on-call took the incident over")
    tail = f"; {', '.join(bits)}" if bits else ""
    if f.abandoned_at is not None:
        return f"Abandoned at {run.at(f.abandoned_at)} without a postmortem{tail}."
    if f.postmortem is not None:
        return f"Postmortem filed at {run.at(run.end_of_record())}{tail}."
    return f"Scored at {run.at(run.end_of_record())} with the incident still open{tail}."
