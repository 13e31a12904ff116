"""`oncall serve`: the TUI in a browser through textual-serve, for remote mock interviews.

Each browser tab that connects gets its own `oncall` process (the same app, the same saves
folder); the interviewer and the candidate can both open the address.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path


def command(home: Path | None, seed: int | None = None, scenario: str | None = None,
            difficulty: str | None = None) -> str:
    """The command line each connection runs: this interpreter, this package, these saves."""
    words = [sys.executable, "-m", "oncall"]
    if home is not None:
        words += ["--home", str(home)]
    if scenario is not None:
        words += ["play", "--scenario", scenario]
        words += ["--seed", str(seed)] if seed is not None else []
        words += ["--difficulty", difficulty] if difficulty else []
    return shlex.join(words)


def serve(host: str, port: int, home: Path | None, public_url: str | None = None) -> None:
    from textual_serve.server import Server

    Server(command(home), host=host, port=port, title="oncall",
           public_url=public_url).serve()
