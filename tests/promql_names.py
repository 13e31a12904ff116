"""The series a PromQL expression reads, found by a real PromQL parser (the test extra's
promql-parser), shared by the alert-rule and export tests."""

from __future__ import annotations

import promql_parser as promql


def selectors(expr: str) -> set[str]:
    """Metric and recording-rule names the expression selects; raises if it does not parse."""
    names: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, promql.VectorSelector) and node.name:
            names.add(node.name)
        if isinstance(node, promql.MatrixSelector) and node.vector_selector.name:
            names.add(node.vector_selector.name)

    promql.walk(promql.parse(expr), visit)
    return names
