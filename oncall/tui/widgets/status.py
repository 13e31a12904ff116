"""The war-room header: simulated clock, phase, severity and what is firing."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static


class IncidentStatus(Static):
    """Rendered from a snapshot the engine worker takes, so nothing here touches the world."""

    def show(self, state: dict[str, Any]) -> None:
        sev = f"SEV-{state['severity']}" if state.get("severity") else "SEV ?"
        firing = ", ".join(state.get("firing", [])) or "nothing firing"
        busy = "  working…" if state.get("busy") else ""
        self.update(f"{state['clock']}  {state['phase'].upper()}  {sev}  "
                    f"{state['obs']} obs  │ {firing}{busy}")
        self.set_class(bool(state.get("firing")), "firing")
