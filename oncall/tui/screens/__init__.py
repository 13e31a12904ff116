"""The app's screens.

Every screen but the title takes its layout from `SCREENS_CSS` (`CSS_PATH`): Textual reads it
when the first of them is shown, so the title paints without parsing the rest of the game's
layout.
"""

from pathlib import Path

SCREENS_CSS = Path(__file__).resolve().parent.parent / "screens.tcss"
