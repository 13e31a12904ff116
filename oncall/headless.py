"""The headless protocol: JSON lines in, JSON lines out, over the same engine as the TUI.

The first line out is the page. Each line in is one command object with a "do" key; each line out
is its observation. When the postmortem ends the incident, that line carries the scorecard and the
incident is saved. Bad lines get an error object naming the problem and the valid commands; the
session goes on.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

from oncall.content.scenario import Scenario
from oncall.game.engine import Game
from oncall.game.record import Observation


def emit(out: IO[str], obj: dict[str, Any]) -> None:
    out.write(json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")
    out.flush()


def observation_line(obs: Observation) -> dict[str, Any]:
    return obs.model_dump(mode="json", exclude_none=True)


def run(scenario: Scenario, seed: int, difficulty: str | None, inp: IO[str], out: IO[str],
        home: Path | None = None, save: bool = True) -> Game:
    game = Game(scenario, seed, difficulty)
    emit(out, observation_line(game.page()))
    for lineno, line in enumerate(inp, start=1):
        if not line.strip():
            continue
        try:
            raw: Any = json.loads(line)
        except json.JSONDecodeError as exc:
            emit(out, {"kind": "error", "ok": False, "line": lineno,
                       "error": f"line {lineno}: not JSON ({exc.msg} at column {exc.colno})",
                       "valid": _valid(game)})
            continue
        if game.ended:
            emit(out, {"kind": "error", "ok": False, "line": lineno,
                       "error": "the incident has ended; start a new one", "valid": []})
            continue
        obs = game.do(raw)
        line_out = observation_line(obs)
        if game.ended and save and game.scorecard is not None:
            line_out["saved"] = str(_save(game, home))
        emit(out, line_out)
    return game


def _valid(game: Game) -> list[str]:
    from oncall.game.commands import available

    return available(game.phase)


def _save(game: Game, home: Path | None) -> Path:
    from oncall.store.locations import home_dir
    from oncall.store.saves import save_incident

    assert game.scorecard is not None
    return save_incident(game.record, game.scorecard, home_dir(home))


def main_stdio(scenario: Scenario, seed: int, difficulty: str | None,
               home: Path | None) -> int:
    run(scenario, seed, difficulty, sys.stdin, sys.stdout, home)
    return 0
