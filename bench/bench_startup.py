"""Start-up and UI-step benchmark: prints ratios against a bare Textual app measured in this run.

    python bench/bench_startup.py [--runs 5]

Title: each measurement is a fresh interpreter, timed from just before it is started until the
first screen has painted (the child prints the moment and the CPU time it has used), so imports
count as a player feels them; the two apps take turns, each run as a player's process (its
bytecode kept, as an installed copy has it). Both wall and CPU ratios are printed, of the
medians and of the fastest runs: on a machine other work keeps busy, the CPU ratio is the one to
trust, and the fastest runs are the least disturbed.

Steps: headless apps at 80×24 measure the UI work of the steps a player waits on (`n` on the
title, half a second after it paints, until the scenario list is filled; then, playing fraud-1,
ack → war room, a second's read of the room, F1, a dashboard, a drift test, resolve → postmortem
form shown): the CPU time of the event-loop thread from the key until the new screen or chart has
painted (the first frame painted once it is there, not when the pilot's pause returns). The
postmortem form is built behind the war room while it is quiet and shown at the
resolve, its lower half a box a frame after; the whole form, until every field is in and shown,
is printed too. Engine commands and chart drawing run in worker threads and are not UI work (the
engine's wall time is printed beside). Each run of the steps is a fresh interpreter, as cold as
a player's; the median and the slowest of `--runs` are printed. The baseline is a bare Textual
app pushing a screen of ten lines, measured the same way.

Each step also prints its longest block: the most CPU one event-loop callback took in any run,
against a frame at 60 per second (keys and frames behind it wait that long).

Not a test: timings vary by machine, ratios much less.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

READY = """
import time
async def ready(pilot):
    await pilot.pause()
    print(time.time(), time.process_time(), flush=True)
    pilot.app.exit()
"""

BARE = READY + """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("title")
Bare().run(headless=True, size=(80, 24), auto_pilot=ready)
"""

ONCALL = READY + """
from oncall.tui.app import make_app
make_app().run(headless=True, size=(80, 24), auto_pilot=ready)
"""

INCIDENT = """
import io, json, resource
from oncall.content import loader
from oncall import headless
sc = loader.scenario("{sid}")
lines = "\\n".join(json.dumps(c) for c in sc.playbook.right)
out = io.StringIO()
headless.run(sc, 7, None, io.StringIO(lines), out, save=False)
last = json.loads(out.getvalue().splitlines()[-1])
print(json.dumps({{"score": last["scorecard"]["total"],
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
"""
READ_ROOM_S = 1.0
"""Seconds the bench reads the war room after acknowledging, before its next key."""
TARGET_TITLE = 1.2
TARGET_STEP_MS = 150.0
FRAME_MS = 1000 / 60
"""A frame at Textual's 60 per second: no single piece of a step's work should hold the loop
longer, or the keys and frames behind it wait."""


ENV: dict[str, str] | None = None
"""A player's environment for the title runs (`bench_incident.player_env`): bytecode kept, as an
installed copy has it, and the content cached in a folder of this run's own."""


def ready_after(code: str) -> tuple[float, float]:
    """Seconds from starting an interpreter to its first painted screen: wall time, and the CPU
    time the process spent to get there (interpreter start, imports, the app's first frames).
    Wall time is what a player feels on an idle machine; CPU time holds up on a busy one,
    where other processes stretch the wall time of both apps unevenly."""
    start = time.time()
    out = subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT,
                         capture_output=True, text=True, env=ENV).stdout
    painted, cpu = out.strip().splitlines()[-1].split()
    return float(painted) - start, float(cpu)


LONGEST = [0.0]
"""The longest single callback the event loop ran since it was last reset (ms of its CPU)."""


def time_callbacks() -> None:
    """Time every callback the event loop runs, keeping the longest in `LONGEST`: work that
    runs in one callback holds every key and frame behind it, however it adds up."""
    from asyncio import events

    run = events.Handle._run

    def timed(handle: events.Handle) -> None:
        start = time.thread_time()
        try:
            run(handle)
        finally:
            LONGEST[0] = max(LONGEST[0], (time.thread_time() - start) * 1000)

    events.Handle._run = timed  # type: ignore[method-assign]


async def ui_work(pilot: Any, act: Callable[[], Awaitable[object] | None],
                  done: Callable[[], bool]) -> float:
    """Milliseconds of event-loop CPU from `act` until `done()` and the frame painted after.

    `done()` is looked at every few milliseconds on the event loop and the step ends in the
    callback that runs once the next frame has painted: the pilot's pauses wait for the
    machine to be idle (up to a second each on a busy one), and work the app does ahead in
    quiet moments after the step (the form and the help built behind the war room) fell into
    the step when the pause ran long."""
    app = pilot.app
    end: list[float] = []
    seen = [False]

    def check() -> None:
        if not seen[0] and done():
            seen[0] = True
            app.screen.call_after_refresh(lambda: end or end.append(time.thread_time()))

    start = time.thread_time()
    timer = app.set_interval(1 / 240, check)
    result = act()
    if result is not None:
        await result
    while not end:
        await pilot.pause()
    timer.stop()
    return (end[0] - start) * 1000


async def bare_step() -> float:
    from textual.app import App, ComposeResult
    from textual.screen import Screen
    from textual.widgets import Static

    class Lines(Screen[None]):
        def compose(self) -> ComposeResult:
            for i in range(10):
                yield Static(f"line {i}")

    app: App[None] = App()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        return await ui_work(pilot, lambda: app.push_screen(Lines()),
                             lambda: isinstance(app.screen, Lines))


async def title_steps() -> dict[str, tuple[float, float, float]]:
    """The first key a player presses: `n` on the title, until the scenario list is filled
    (the list loads in a worker; the screen comes on the event loop). The key comes half a
    second after the title has painted, as a player reads it: the game's layout is read in
    that moment (`GAME_CSS_AFTER_S`), not at the key."""
    from oncall.tui.app import make_app
    from oncall.tui.screens.shift import ShiftPicker

    app = make_app(home=Path(tempfile.mkdtemp()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause(0.5)
        LONGEST[0] = 0.0
        ui = await ui_work(pilot, lambda: pilot.press("n"),
                           lambda: isinstance(app.screen, ShiftPicker) and bool(app.screen.known))
        return {"n -> new-shift list filled": (ui, 0.0, LONGEST[0])}


async def oncall_steps() -> dict[str, tuple[float, float, float]]:
    """(UI milliseconds, engine milliseconds, longest block in milliseconds) per step."""
    from oncall.content import loader
    from oncall.tui.app import make_app
    from oncall.tui.screens.postmortem import PostmortemScreen
    from oncall.tui.screens.war_room import WarRoom

    out: dict[str, tuple[float, float, float]] = {}
    app = make_app(seed=1, scenario="fraud-1", home=Path(tempfile.mkdtemp()))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()  # the page is up and its imports are warm
        await pilot.pause()
        session = app.session
        assert session is not None
        engine = [0.0]
        real = session.do

        def timed(command: Any) -> Any:
            t = time.perf_counter()
            try:
                return real(command)
            finally:
                engine[0] += time.perf_counter() - t

        session.do = timed  # type: ignore[method-assign]

        async def step(name: str, act: Callable[[], Any], done: Callable[[], bool]) -> None:
            engine[0] = LONGEST[0] = 0.0
            out[name] = (await ui_work(pilot, act, done), engine[0] * 1000, LONGEST[0])

        await step("ack -> war room", lambda: pilot.press("a"),
                   lambda: isinstance(app.screen, WarRoom) and bool(app.screen.entries))
        room = app.screen
        assert isinstance(room, WarRoom)
        # A player reads the war room before the first key, as the title before `n`: the
        # postmortem form is built behind the room in such a pause (`WarRoom.quiet`).
        await pilot.pause(READ_ROOM_S)

        def sent(command: dict[str, Any], plot: str = ""
                 ) -> tuple[Callable[[], None], Callable[[], bool]]:
            """Send a command; done when its entry is in and `plot` (a chart drawn in a
            worker) is drawn."""
            n = len(room.entries)
            return (lambda: room.send(command)), (
                lambda: len(room.entries) > n and (not plot or getattr(room.query_one(plot),
                                                                         "drawn", True)))

        from oncall.tui.screens.help import HelpScreen

        await step("F1 -> help shown", lambda: pilot.press("f1"),
                   lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape")
        await pilot.pause()
        await step("dashboard (chart drawn)",
                   *sent({"do": "dashboard", "model": "fraud-scorer", "metric": "pred_mean"},
                         "#chart"))
        await step("first drift test (drift lab)",
                   *sent({"do": "drift", "model": "fraud-scorer",
                          "feature": "txn_amount_cents"}, "#drift-plot"))
        for move in loader.scenario("fraud-1").playbook.right:
            if move["do"] not in ("ack", "postmortem", "resolve"):
                room.send(move)
                await app.workers.wait_for_complete()
                await pilot.pause()
        for _ in range(6):
            if app.game is not None and app.game.world.recovered(app.game.world.fault.id):
                break
            room.send({"do": "wait", "minutes": 10})
            await app.workers.wait_for_complete()
            await pilot.pause()
        # The form is shown when it has painted with the cursor in the summary (its lower half
        # then comes a box a frame); whole once every field is in and shown too.
        painted: list[float] = []
        on_screen = PostmortemScreen._on_screen

        def mark(screen: Any) -> None:
            was = screen.shown
            on_screen(screen)
            if screen.shown and not was:
                screen.call_after_refresh(
                    lambda: painted or painted.extend((time.thread_time(), LONGEST[0])))

        PostmortemScreen._on_screen = mark  # type: ignore[method-assign]
        engine[0] = LONGEST[0] = 0.0
        start = time.thread_time()
        whole = await ui_work(pilot, lambda: room.send({"do": "resolve"}),
                              lambda: isinstance(app.screen, PostmortemScreen)
                              and app.screen.ready)
        out["resolve -> postmortem form shown"] = ((painted[0] - start) * 1000, engine[0] * 1000,
                                                   painted[1])
        out[" the whole postmortem form, until every field is in"] = (whole, 0.0, LONGEST[0])
    return out


def steps_in_fresh_process() -> dict[str, tuple[float, float, float]]:
    """One run of every step in an interpreter of its own, as cold as a player's first key
    (a module a step imports on first use counts once, as it does in play)."""
    out = subprocess.run([sys.executable, __file__, "--steps-once"], check=True, cwd=ROOT,
                         capture_output=True, text=True, env=ENV).stdout
    return {name: tuple(v) for name, v in json.loads(out.strip().splitlines()[-1]).items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--steps-once", action="store_true",
                        help="run the steps once in this process and print them as JSON")
    parser.add_argument("--title-only", action="store_true",
                        help="measure the title screen only (the steps take a minute more)")
    args = parser.parse_args()
    if args.steps_once:
        time_callbacks()
        print(json.dumps(asyncio.run(title_steps()) | asyncio.run(oncall_steps())))
        return 0
    global ENV
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_incident import player_env

    cache = tempfile.TemporaryDirectory(prefix="oncall-bench-")
    ENV = player_env(Path(cache.name))
    ready_after(BARE)  # warm the file cache and the bytecode for both
    ready_after(ONCALL)
    bare, ours = [], []
    for _ in range(args.runs):  # taking turns, so a busy spell slows both alike
        bare.append(ready_after(BARE))
        ours.append(ready_after(ONCALL))
    for i, what in enumerate(("wall", "CPU")):
        b = statistics.median(run[i] for run in bare)
        o = statistics.median(run[i] for run in ours)
        fastest = min(run[i] for run in ours) / min(run[i] for run in bare)
        print(f"title screen painted, {what} time: oncall {o:.3f}s, bare Textual app {b:.3f}s, "
              f"ratio {o / b:.2f}x (median of {args.runs}; fastest runs {fastest:.2f}x; "
              f"target <= {TARGET_TITLE}x)")

    if args.title_only:
        return 0
    base = statistics.median(asyncio.run(bare_step()) for _ in range(3))
    print(f"UI work of a step, bare Textual app pushing a 10-line screen: {base:.0f} ms")
    runs = [steps_in_fresh_process() for _ in range(args.runs)]
    for name in runs[0]:
        ui_runs = [run[name][0] for run in runs]
        ui, worst = statistics.median(ui_runs), max(ui_runs)
        engine = statistics.median(run[name][1] for run in runs)
        longest = max(run[name][2] for run in runs)
        block = "ok" if longest <= FRAME_MS else "OVER"
        spread = f"median of {args.runs}, slowest {worst:.0f} ms"
        if name.startswith(" "):  # the whole of the form: a step of its own as the player sees it
            verdict = "ok" if worst <= TARGET_STEP_MS else "OVER"
            print(f"UI work, {name.strip()}: {ui:.0f} ms ({spread}; target <= "
                  f"{TARGET_STEP_MS:.0f} ms: {verdict}); longest block {longest:.0f} ms "
                  f"(a frame: {FRAME_MS:.0f}: {block})")
            continue
        verdict = "ok" if worst <= TARGET_STEP_MS else "OVER"
        print(f"UI work, {name}: {ui:.0f} ms ({spread}), ratio {ui / base:.2f}x to bare "
              f"(target <= {TARGET_STEP_MS:.0f} ms: {verdict}); longest block {longest:.0f} ms "
              f"of any run (a frame: {FRAME_MS:.0f}: {block})"
              + (f"; engine {engine:.0f} ms in a worker" if engine else ""))

    for sid in ("fraud-1", "feed-1", "search-1"):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", INCIDENT.format(sid=sid)], check=True,
                              cwd=ROOT, capture_output=True, text=True)
        took = time.perf_counter() - start
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"headless incident {sid}: {took:.2f}s, peak memory "
              f"{res['maxrss_kb'] / 1024:.0f} MiB, score {res['score']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
