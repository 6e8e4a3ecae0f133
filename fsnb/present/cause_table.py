"""The cause table of the README, made from the catalogue (`python -m fsnb.present.cause_table`): one row per cause,
in rank order, with its chain hop, severity, fix kind and the lab scenario that reproduces it (or why none does).
tests/test_catalogue.py keeps README's copy equal to it."""
from __future__ import annotations

from fsnb.diagnosis.catalogue import CAUSES

BEGIN, END = "<!-- cause-table: made by `python -m fsnb.present.cause_table` -->", "<!-- /cause-table -->"


def _cell(text: str) -> str:
    """fsnb's own catalogue text (not target data) in a table cell: only `|` and line breaks would break it."""
    return " ".join(text.split()).replace("|", "\\|")


def markdown() -> str:
    from fsnb.lab.scenarios import SCENARIOS
    reproducing: dict[str, list[str]] = {}
    for sc in SCENARIOS:
        if sc.cause:
            reproducing.setdefault(sc.cause, []).append(sc.name)
    rows = ["| # | cause | hop | level | fix | lab scenarios (or why none) |", "|---|---|---|---|---|---|"]
    for c in sorted(CAUSES.values(), key=lambda c: c.rank):
        scen = ", ".join(f"`{n}`" for n in reproducing.get(c.id, [])) or _cell(c.no_scenario)
        rows.append(f"| {c.rank + 1} | `{c.id}` — {_cell(c.en)} | {c.node} | {c.severity} | {c.fix_kind} | {scen} |")
    return "\n".join([BEGIN, *rows, END])


if __name__ == "__main__":
    print(markdown())
