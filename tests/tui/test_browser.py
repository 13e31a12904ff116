"""`oncall serve` in a real headless Chromium: load the page, start a night, acknowledge, run a
tool, and see the observation reach the page. The terminal draws on a canvas, so the text is
read from what the page received over its WebSocket (the bytes xterm.js draws), with the ANSI
escapes taken out; a screenshot of the page is kept beside the test's temp folder."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]|\x1b\][^\x07]*\x07")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="no /usr/bin/chromium (Debian's chromium package; "
                                       ".ci/run installs it)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {seconds} s")


def seen_on(page: Any, received: list[str], text: str, seconds: float = 40) -> bool:
    """Wait until `text` is in what the page received (the pages' events are handled while
    Playwright waits, so it looks every 20 ms)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if text in ANSI.sub("", "".join(received)):
            return True
        page.wait_for_timeout(20)
    return text in ANSI.sub("", "".join(received))


def settled(page: Any, received: list[str], quiet: float = 0.2, seconds: float = 10) -> None:
    """Wait until the page has received nothing for `quiet` seconds: the screen is drawn (a
    form has focused its field, a key's redraw has arrived)."""
    end = time.monotonic() + seconds
    count, since = len(received), time.monotonic()
    while time.monotonic() < end and time.monotonic() - since < quiet:
        page.wait_for_timeout(20)
        if len(received) != count:
            count, since = len(received), time.monotonic()


@pytest.mark.heavy
def test_play_in_headless_chromium(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    port = free_port()
    root = Path(__file__).resolve().parents[2]
    server = subprocess.Popen(
        [sys.executable, "-m", "oncall", "--home", str(tmp_path / "home"), "serve",
         "--host", "127.0.0.1", "--port", str(port)], cwd=root,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(root)})
    received: list[str] = []
    try:
        wait_http(f"http://127.0.0.1:{port}/")
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch_persistent_context(
                str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=ARGS,
                headless=True, viewport={"width": 1280, "height": 800})
            page = browser.new_page()

            def on_socket(ws: object) -> None:
                ws.on("framereceived", lambda f: received.append(  # type: ignore[attr-defined]
                    f if isinstance(f, str) else f.decode("utf-8", "replace")))

            page.on("websocket", on_socket)
            page.goto(f"http://127.0.0.1:{port}/")

            def seen(text: str, seconds: float = 40) -> bool:
                return seen_on(page, received, text, seconds)

            assert seen("New shift"), "the title screen never reached the page"
            page.click(".xterm-screen")
            page.keyboard.press("n")
            assert seen("Random night")
            page.keyboard.press("j")
            page.keyboard.press("Enter")
            assert seen("Acknowledge within 5 min", 90), "the page never arrived"
            page.keyboard.press("a")
            assert seen("Acknowledged at"), "acknowledging did not reach the war room"
            page.keyboard.press("o")
            assert seen("obs-2"), "the fleet observation never reached the page"
            settled(page, received)
            shot = tmp_path / "served-war-room.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            keep = os.environ.get("ONCALL_BROWSER_SHOT")
            if keep:
                Path(keep).write_bytes(shot.read_bytes())
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
