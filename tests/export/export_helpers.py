"""Every scenario's right play, played once per session and exported once."""

from __future__ import annotations

from pathlib import Path

from oncall.content import loader
from oncall.game.engine import Game
from oncall.game.record import Record
from oncall.store.export import export

SEED = 7
SCENARIOS = sorted(loader.scenarios())


def play(sid: str, postmortem: dict[str, object] | None = None, seed: int = SEED) -> Game:
    """The scenario's right play; `postmortem` replaces fields of its postmortem command."""
    sc = loader.scenario(sid)
    g = Game(sc, seed)
    for cmd in sc.playbook.right:
        if cmd.get("do") == "postmortem" and postmortem is not None:
            cmd = {**cmd, **postmortem}
        obs = g.do(cmd)
        assert obs.ok, (cmd, obs.text)
    return g


class Exports:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.games: dict[str, Game] = {}

    def get(self, sid: str) -> tuple[Record, Path]:
        if sid not in self.games:
            self.games[sid] = play(sid)
            export(self.games[sid].record, self.root / sid)
        return self.games[sid].record, self.root / sid


def has_tests(sid: str) -> bool:
    """Whether the scenario's right play proposes a test."""
    return any(r.startswith("test-") for cmd in loader.scenario(sid).playbook.right
               if cmd.get("do") == "postmortem" for r in cmd.get("remediations", []))
