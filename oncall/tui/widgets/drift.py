"""The drift lab's answer as a table: what was tested, the number, the verdict and its caveats."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey


def _num(x: Any) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.4g}"
    return str(x)


def suite_rows(data: dict[str, Any]) -> list[tuple[str, str]]:
    """One row per feature of a whole-model drift run, with the corrected threshold."""
    rows = [("suite", f"{len(data['drifted_columns'])} of {len(data['results'])} features "
                      f"drifted; correction {data.get('correction')}")]
    for r in data["results"]:
        p = r.get("p_value")
        test = f"p {_num(p)} vs {_num(r.get('threshold'))}" if p is not None else \
            f"{_num(r.get('statistic'))} vs {_num(r.get('threshold'))}"
        named = r.get("statistic_name", "")
        stat = " ".join(dict.fromkeys(str(w) for w in (r.get("test"), named) if w))  # chi2 once
        rows.append((str(r.get("column")), f"{'DRIFT' if r.get('drifted') else 'pass '}  "
                     f"{stat} {_num(r.get('statistic'))}"
                     f"  {test}  effect {_num(r.get('effect_size'))}"))
    rows += [("warning", str(w)) for w in data.get("warnings") or []]
    rows.append(("plot", f"the largest effect: {data.get('plotted')}"))
    return rows


def drift_rows(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Label and value rows for one drift observation."""
    if data.get("suite"):
        return suite_rows(data)
    r = data.get("result", {})
    verdict = str(r.get("verdict") or ("DRIFT" if r.get("drifted") else "PASS"))
    rows = [
        ("verdict", f"{verdict}: {r.get('statistic_name', '')} {_num(r.get('statistic'))}, "
                    f"p {_num(r.get('p_value'))}"),
        ("statistic", _num(r.get("statistic"))),
        ("p-value", _num(r.get("p_value"))),
        ("threshold", f"{_num(r.get('threshold'))} ({r.get('threshold_kind')})"),
        ("effect size", f"{_num(r.get('effect_size'))} {r.get('effect_size_name') or ''}"),
        ("n", f"{_num(r.get('n_current'))} live vs {_num(r.get('n_reference'))} training"),
        ("test", f"{r.get('test')} on {data.get('model')} {data.get('feature')} "
                 f"({data.get('kind')})"),
    ]
    means = data.get("means")
    if means:
        rows.append(("mean", f"{_num(means.get('current'))} vs {_num(means.get('reference'))}"
                             f" (ratio {_num(means.get('ratio'))})"))
    for w in r.get("warnings") or []:
        rows.append(("warning", str(w)))
    if r.get("advice"):
        rows.append(("advice", str(r["advice"])))
    return rows


class DriftTable(DataTable[str]):
    """Two columns, one row per fact; long advice wraps in the cell's height."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_column("", key="what", width=16)
        self.add_column("result", key="value")

    def show(self, data: dict[str, Any], room_width: int | None = None) -> None:
        """`room_width`: the width the lab gets (the pane may still be hidden, and a side
        panel may take part of the screen)."""
        self.clear()
        width = max(20, (room_width or self.size.width or self.app.size.width) - 23)
        rows = [(label, _wrap(value, width)) for label, value in drift_rows(data)]
        # The result column as wide as its longest line, set here: measured by the table when
        # the loop is next idle, a busy loop drew the rows first in the header's width.
        column = self.columns[ColumnKey("value")]
        column.auto_width = False
        column.width = max(len("result"), *(len(x) for _, lines in rows for x in lines))
        for label, lines in rows:
            self.add_row(label, "\n".join(lines), height=len(lines))


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]
