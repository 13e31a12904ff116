"""The core never imports Textual, and the CLI's light paths never import scipy."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = ["oncall.sim.world", "oncall.game.engine", "oncall.detect", "oncall.scoring",
        "oncall.story", "oncall.content.loader", "oncall.store.saves", "oncall.headless"]


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_without_textual(module: str) -> None:
    code = (f"import sys, {module}; "
            "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]; "
            "print(','.join(bad)); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, f"{module} pulled in Textual: {proc.stdout} {proc.stderr}"


def test_detect_does_not_import_scipy_at_import_time() -> None:
    code = "import sys, oncall.detect; sys.exit('scipy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_cli_version_is_light() -> None:
    code = ("import sys; from oncall import cli; cli.build_parser(); "
            "heavy = [m for m in ('numpy', 'scipy', 'textual') if m in sys.modules]; "
            "print(heavy); sys.exit(1 if heavy else 0)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
