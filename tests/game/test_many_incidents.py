"""A world with two simultaneous incidents: each is its own course, answers its own fix, and is
closed on its own."""

from __future__ import annotations

from oncall.content import loader
from oncall.game.engine import Game


def night() -> Game:
    g = Game(loader.scenario("night-two-pages"), 7)
    assert g.do({"do": "ack"}).ok
    return g


def test_both_incidents_page_and_each_answers_only_its_own_fix() -> None:
    g = night()
    f = g.record.facts
    assert [(i.id, i.model) for i in f.incidents] == [("main", "fraud-scorer"),
                                                      ("search", "search-ranker")]
    assert all(i.page_at >= i.onset_at for i in f.incidents)
    g.do({"do": "hotfix", "model": "fraud-scorer", "fix": "apply_unit_conversion"})
    g.do({"do": "wait", "minutes": 15})
    assert g.world.recovered("main") and not g.world.recovered("search")
    # A rollback of the search ranker is routed to the incident on that model.
    g.do({"do": "rollback", "model": "search-ranker"})
    g.do({"do": "wait", "minutes": 15})
    assert g.world.recovered("search")


def test_each_incident_is_resolved_on_its_own() -> None:
    g = night()
    early = g.do({"do": "resolve", "incident": "search"})
    assert not early.ok and "Cannot resolve" in early.text
    g.do({"do": "hotfix", "model": "fraud-scorer", "fix": "apply_unit_conversion"})
    g.do({"do": "wait", "minutes": 15})
    first = g.do({"do": "resolve", "incident": "main"})
    assert first.ok and first.data["open"] == ["search"] and g.phase == "active"
    status = g.do({"do": "status"})
    assert [i["resolved"] for i in status.data["incidents"]] == [True, False]
    g.do({"do": "rollback", "model": "search-ranker", "incident": "search"})
    g.do({"do": "wait", "minutes": 15})
    last = g.do({"do": "resolve", "incident": "search"})
    assert last.ok and g.phase == "resolved"
    facts = {i.id: i for i in g.record.facts.incidents}
    assert facts["main"].resolved_at < facts["search"].resolved_at
    assert facts["search"].impact["requests_affected"] > 0


def test_an_unknown_incident_is_refused_without_spending_time() -> None:
    g = night()
    t = g.now
    obs = g.do({"do": "rollback", "model": "search-ranker", "incident": "nope"})
    assert not obs.ok and "valid: main, search" in obs.text and obs.id is None
    assert g.now == t, "a refused request costs no simulated time"


def test_a_resolve_of_every_open_incident_says_which_is_back_and_which_is_not() -> None:
    """With one incident back and one still firing, a bare `resolve` said 'the service level is
    not back (X still firing or the fault still active)', of the other incident, and never that
    the one the player had fixed could be closed on its own."""
    g = night()
    g.do({"do": "hotfix", "model": "fraud-scorer", "fix": "apply_unit_conversion"})
    g.do({"do": "wait", "minutes": 15})
    refused = g.do({"do": "resolve"})
    assert not refused.ok and refused.text.startswith("Cannot resolve every open incident")
    assert "incident main (fraud-scorer) is back;" in refused.text
    assert "incident search (search-ranker) is not back: " in refused.text and \
        "ModelHigh5xxRatio" in refused.text.split("search-ranker")[1], refused.text
    assert refused.text.endswith("To close it alone: resolve incident=main")
    assert g.do({"do": "resolve", "incident": "main"}).ok


def test_a_resolve_that_leaves_one_open_names_it_as_an_incident() -> None:
    """'Still open: second.' showed the game's own id where a night shift names incidents by
    their page: the open ones are named as incidents, which a shift renames."""
    g = night()
    g.do({"do": "hotfix", "model": "fraud-scorer", "fix": "apply_unit_conversion"})
    g.do({"do": "wait", "minutes": 15})
    first = g.do({"do": "resolve", "incident": "main"})
    assert first.text.endswith("Still open: incident search (search-ranker)."), first.text
