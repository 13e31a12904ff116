"""Colleagues' dialogue trees are data: each shipped file loads, every trigger has one tree, and a
broken file is named with the field and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncall.content.colleagues import EFFECTS, dialogues, parse_dialogue
from oncall.content.loader import ContentError

GOOD = """\
id: {id}
role: model owner
who: owner
trigger: rollback
opening: "{{name}} wants to keep {{version}}"
convinced_by: [incident-signal]
unconvinced: "{{name}} is not convinced"
reminder: "{{name}} is back"
responses:
  reply: {{says: "ok {{evidence}}", effect: proceed}}
  agree: {{says: "thanks", effect: drop}}
  overrule: {{says: "noted", effect: proceed, trust: -1}}
  defer: {{says: "later, in {{later}} minutes", effect: later}}
"""


def test_every_trigger_has_a_shipped_tree_with_all_four_answers() -> None:
    trees = dialogues()
    assert set(trees) == set(EFFECTS)
    for d in trees.values():
        assert set(d.responses) == {"reply", "agree", "overrule", "defer"}


@pytest.mark.parametrize(("change", "field"), [
    (("{{version}}\"", "{{verison}}\""), "opening"),
    (("effect: drop", "effect: promote"), "responses.agree.effect"),
    (("  defer: {{says: \"later, in {{later}} minutes\", effect: later}}\n", ""), "defer"),
])
def test_a_broken_tree_names_the_file_and_field(tmp_path: Path, change: tuple[str, str],
                                                field: str) -> None:
    path = tmp_path / "owner-talk.yaml"
    path.write_text(GOOD.replace(*change).format(id="owner-talk"))
    with pytest.raises(ContentError) as err:
        parse_dialogue(path)
    text = str(err.value)
    assert "owner-talk.yaml" in text and field in text


def test_the_good_tree_loads(tmp_path: Path) -> None:
    path = tmp_path / "owner-talk.yaml"
    path.write_text(GOOD.format(id="owner-talk"))
    assert parse_dialogue(path).responses["overrule"].trust == -1
