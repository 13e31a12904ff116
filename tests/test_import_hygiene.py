"""The core never imports Textual, and the CLI's light paths never import scipy."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache

import pytest

CORE = ["oncall.sim.world", "oncall.game.engine", "oncall.detect", "oncall.scoring",
        "oncall.story", "oncall.content.loader", "oncall.store.saves", "oncall.headless"]


IMPORT_IN_TURN = """
import json, sys
pulled = {}
for module in sys.argv[1:]:
    __import__(module)
    pulled[module] = [m for m in sys.modules if m == "textual" or m.startswith("textual.")]
print(json.dumps(pulled))
"""


@cache
def _textual_after_each() -> dict[str, list[str]]:
    """The Textual modules loaded once each core module is imported, in one new interpreter
    that imports them in turn. Nothing of Textual is loaded after the first k modules if and
    only if none of them imports it: a module whose import pulls Textual in is the first one
    after which it shows (as it would alone in an interpreter of its own)."""
    proc = subprocess.run([sys.executable, "-c", IMPORT_IN_TURN, *CORE], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return dict(json.loads(proc.stdout))


# The one interpreter serves every module's test: the group keeps them on one worker.
@pytest.mark.xdist_group("import-hygiene")
@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_without_textual(module: str) -> None:
    pulled = _textual_after_each()
    earlier = [m for m in CORE[:CORE.index(module)] if pulled[m]]
    assert not earlier, f"{earlier[0]} pulled in Textual first: {module} is not checked"
    assert not pulled[module], f"{module} pulled in Textual: {', '.join(pulled[module][:3])}, ..."


def test_detect_does_not_import_scipy_at_import_time() -> None:
    code = "import sys, oncall.detect; sys.exit('scipy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_cli_version_is_light() -> None:
    code = ("import sys; from oncall import cli; cli.build_parser(); "
            "heavy = [m for m in ('numpy', 'scipy', 'textual') if m in sys.modules]; "
            "print(heavy); sys.exit(1 if heavy else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_content_read_from_the_cache_needs_no_yaml_parser(tmp_path: object) -> None:
    """Once the validated content is cached, a game reads none of its YAML: PyYAML is imported
    only when a file is read or written (it was imported by every process, about 11 ms)."""
    import os

    code = ("import sys; from oncall.content import loader; from oncall.game.engine import Game; "
            "g = Game(loader.scenario('fraud-1'), 7); g.do({'do': 'ack'}); "
            "g.do({'do': 'logs', 'model': 'fraud-scorer'}); "
            "print('yaml' in sys.modules)")
    env = {**os.environ, "ONCALL_CACHE": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert first.returncode == again.returncode == 0, first.stderr[-2000:] + again.stderr[-2000:]
    assert first.stdout.strip() == "True", "the first run reads the files (and fills the cache)"
    assert again.stdout.strip() == "False", "read from the cache: no YAML parser"


def test_a_game_and_its_drift_tests_need_no_masked_arrays() -> None:
    """numpy's quantile and unique import numpy.ma (6-9 ms of a start) to ask whether an array
    is masked; the world's quantiles and the drift tests' bins are found without them."""
    code = ("import sys; from oncall.content import loader; from oncall.game.engine import Game; "
            "g = Game(loader.scenario('fraud-1'), 7); g.do({'do': 'ack'}); "
            "[g.do({'do': 'drift', 'model': 'fraud-scorer', 'feature': f}) "
            " for f in ('txn_amount_cents', 'merchant_category', 'prediction')]; "
            "g.do({'do': 'dashboard', 'model': 'fraud-scorer', 'metric': 'pred_mean'}); "
            "print('numpy.ma' in sys.modules, 'numpy.typing' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "False False", "numpy.ma or numpy.typing (annotations only)"


def test_an_incident_makes_no_shift_commands() -> None:
    """A night shift's own commands (eleven pydantic models, 4 ms of a start) are made by the
    shift's process alone: an incident played through the session never imports them."""
    code = ("import sys; from oncall.content import loader; from oncall.session import Session; "
            "s = Session(loader.scenario('fraud-1'), 7, save=False); s.do({'do': 'ack'}); "
            "s.do({'do': 'help'}); s.do({'do': 'bogus'}); "
            "print('oncall.game.shiftcommands' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "False"


PLAYED = """
import json, sys
from oncall import cli

code = cli.main(["play", "--headless", "--seed", "7", "--scenario", "fraud-1", "--no-save"])
print("MODULES", json.dumps(sorted(sys.modules)), code, file=sys.stderr)
"""


@cache
def _modules_of_a_play() -> list[str]:
    """The modules a headless right play of fraud-1 loads, from its command line to its
    postmortem, in a fresh process."""
    from oncall.content import loader

    script = "".join(json.dumps(c) + "\n" for c in loader.scenario("fraud-1").playbook.right)
    proc = subprocess.run([sys.executable, "-c", PLAYED], input=script, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stderr.splitlines() if x.startswith("MODULES "))
    modules, code = line.removeprefix("MODULES ").rsplit(" ", 1)
    assert code == "0", proc.stdout[-2000:]
    assert '"postmortem"' in proc.stdout.splitlines()[-1], "the play reached its postmortem"
    return list(json.loads(modules))


def test_an_incident_loads_no_queue_and_no_type_adapter() -> None:
    """Every command's parser imports the drill's command module; `queue` (a thread's lines for
    a drill seat) is imported when a seat runs, not by a headless incident. An incident
    validates each command with its verb's own class: pydantic's TypeAdapter (a night shift's
    union of commands) is not loaded."""
    modules = _modules_of_a_play()
    assert "queue" not in modules
    assert "pydantic.type_adapter" not in modules
    assert "oncall.drill_cli" not in modules and "oncall.daily_cli" not in modules, \
        "the drill's and the daily's command modules are imported by their own commands"


def test_a_postmortem_judging_a_data_contract_needs_no_masked_arrays() -> None:
    """fraud-1's postmortem judges a data contract's test, whose exported check takes
    `np.quantile`; the game runs it with numpy's quantiles found without `np.unique`, which
    imports numpy.ma (6-9 ms of a start)."""
    modules = _modules_of_a_play()
    assert "oncall.game.remediations.checks.contract" in modules
    assert "numpy.ma" not in modules


def test_an_incident_parses_its_command_line_without_shutil() -> None:
    """argparse makes a help formatter for every argument it is given, and its own looks the
    terminal's width up at once, importing shutil (and its compression modules); the game's
    looks it up when a help or usage text is written. (A play that fills the content cache
    imports it through tempfile.)"""
    for _ in range(2):  # the first play fills the cache, if it was empty
        _modules_of_a_play.cache_clear()
        modules = _modules_of_a_play()
    assert "shutil" not in modules


def test_a_postmortem_writes_its_rule_files_without_pyyaml() -> None:
    """fraud-1's postmortem proposes a monitor, whose rule file is YAML text: `yamltext` writes
    it as PyYAML's dumper does, so a play whose content is cached imports no PyYAML at all (its
    import is a sixth of a headless incident's instructions)."""
    for _ in range(2):  # the first play fills the cache, if it was empty
        _modules_of_a_play.cache_clear()
        modules = _modules_of_a_play()
    assert "oncall.sim.yamltext" in modules
    assert "yaml" not in modules


def test_an_incident_with_its_content_cached_loads_no_tempfile() -> None:
    """The content cache writes its file through tempfile (atomically); a play whose content
    is cached writes nothing and does not load it (nor does --no-save write a save)."""
    for _ in range(2):  # the first play fills the cache, if it was empty
        _modules_of_a_play.cache_clear()
        modules = _modules_of_a_play()
    assert "tempfile" not in modules


def test_an_incident_makes_no_frozen_dataclass() -> None:
    """Python 3.11 compiles each dataclass method from source as the class is made (six for a
    frozen one, 0.6-1 ms a class); a NamedTuple compiles one. The read-only records a game
    loads are NamedTuples; a frozen dataclass that compares by identity (`eq=False`, its fields
    are large arrays) is the exception."""
    import importlib

    frozen = []
    for name in [m for m in _modules_of_a_play() if m.startswith("oncall")]:
        module = importlib.import_module(name)
        for value in vars(module).values():
            params = getattr(value, "__dataclass_params__", None)
            if isinstance(value, type) and value.__module__ == name and params is not None \
                    and params.frozen and params.eq:
                frozen.append(f"{name}.{value.__qualname__}")
    assert not frozen, f"frozen dataclasses on an incident's path: {', '.join(frozen)}"
