"""A drill in headless Chromium through `oncall serve --drill`: two pages, two roles, one
incident. Each page joins through the form; each sees the other's command arrive."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oncall import __version__
from oncall.drill.log import DrillLog, default_url


def _browser_helpers() -> Any:
    """The served-TUI test's helpers (Chromium's path and flags, ports, ANSI)."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "tui" / "test_browser.py"
    spec = importlib.util.spec_from_file_location("oncall_tui_browser_helpers", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_H = _browser_helpers()
ANSI, ARGS, CHROMIUM, free_port, wait_http = (_H.ANSI, _H.ARGS, _H.CHROMIUM, _H.free_port,
                                              _H.wait_http)
seen_on, settled = _H.seen_on, _H.settled

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium")


@contextlib.contextmanager
def _stopping(server: subprocess.Popen[bytes]) -> Iterator[None]:
    """Stop the server (textual-serve ends the seats it started), killing it if it hangs."""
    try:
        yield
    finally:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=10)
        server.kill()


@pytest.mark.heavy
def test_two_pages_two_roles_one_incident(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    home = tmp_path / "home"
    with DrillLog(default_url(home)) as log:
        drill = log.create("ads-1", 7, "normal", __version__).id
    port = free_port()
    root = Path(__file__).resolve().parents[2]
    with subprocess.Popen(
            [sys.executable, "-m", "oncall", "--home", str(home), "serve", "--drill", drill,
             "--host", "127.0.0.1", "--port", str(port)], cwd=root,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": str(root)}) as server, _stopping(server):
        wait_http(f"http://127.0.0.1:{port}/")
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch_persistent_context(
                str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=ARGS,
                headless=True, viewport={"width": 1280, "height": 800})
            pages: list[tuple[Any, list[str]]] = []
            for _ in range(2):
                page, received = browser.new_page(), []

                def on_socket(ws: Any, received: list[str] = received) -> None:
                    ws.on("framereceived", lambda f: received.append(
                        f if isinstance(f, str) else f.decode("utf-8", "replace")))

                page.on("websocket", on_socket)
                page.goto(f"http://127.0.0.1:{port}/")
                pages.append((page, received))

            def seen(which: int, text: str, seconds: float = 60) -> bool:
                return seen_on(*pages[which], text, seconds)

            for i, (role, name, line) in enumerate([("commander", "ann", "ack"),
                                                    ("operations", "bob", "deploys ad-ctr")]):
                page = pages[i][0]
                assert seen(i, "Join a drill"), "the join form never reached the page"
                page.click(".xterm-screen")
                settled(*pages[i])  # the form focuses its first empty field on mount
                page.keyboard.type(role, delay=30)
                page.keyboard.press("Tab")
                settled(*pages[i])  # the focus moves before the name is typed
                page.keyboard.type(name, delay=30)
                page.keyboard.press("Enter")
                assert seen(i, f"you are {name}"), "the seat never opened: " + ANSI.sub(
                    "", "".join(pages[i][1]))[-600:]
                settled(*pages[i])
                page.keyboard.type(line, delay=30)
                page.keyboard.press("Enter")
            assert seen(1, "ann (incident commander) ack"), "page 2 never saw the commander"
            assert seen(0, "bob (operations lead) deploys"), "page 1 never saw operations"
            browser.close()
    with DrillLog(default_url(home)) as log:
        events = [(e.who, e.role, e.verb) for e in log.events(drill)]
    assert ("ann", "commander", "ack") in events
    assert ("bob", "operations", "deploys") in events
