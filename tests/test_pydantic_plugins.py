"""The stand-in for pydantic's plugin loader: no plugins while the variable says none, and
pydantic's own loader the moment anything else is asked of it."""

from __future__ import annotations

import os
import subprocess
import sys

CHECK = """
import os, sys
from oncall import pydantic_plugins as pp

os.environ[pp.ENV] = "__all__"
pp.stand_in()
from pydantic import BaseModel


class Point(BaseModel):
    x: int


assert Point(x="3").x == 3
assert "importlib.metadata" not in sys.modules, "the stand-in let the real loader load"
stand = sys.modules[pp.LOADER]
assert isinstance(stand, pp.StandIn) and list(stand.get_plugins()) == []

os.environ[pp.ENV] = ""  # plugins turned back on: pydantic's own loader answers, and stays
assert list(stand.get_plugins()) == list(pp.real().get_plugins())
real = sys.modules[pp.LOADER]
assert not isinstance(real, pp.StandIn) and "importlib.metadata" in sys.modules

del sys.modules[pp.LOADER]
pp.stand_in()
assert pp.LOADER not in sys.modules  # plugins on: nothing stands in
os.environ[pp.ENV] = "1"
pp.stand_in()
stand = sys.modules[pp.LOADER]
assert stand.entry_points is real.entry_points  # any other name: from pydantic's own module
assert sys.modules[pp.LOADER].__name__ == pp.LOADER
print("ok")
"""


def test_the_stand_in_loads_no_plugin_and_hands_over_to_pydantics_loader() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                          env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
