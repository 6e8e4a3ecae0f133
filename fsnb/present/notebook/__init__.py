"""The notebooks' UI: one card per step (run button, badge, result table, evidence), run-all with progress,
the chain picture, the action that follows the diagnosis, the rules, the incident write-up. All logic stays in
fsnb; cells only call this.

Live (JupyterLab) checks run in background threads while the notebook goes on. Nothing is concluded from
unfinished results: the diagnosis, the chain's break point and the action wait until every check has a result
and no run is in flight, and redraw when a later run finishes; `rb.table()` waits for running checks. The
journal gets a diagnosis only of complete results.

Headless (papermill/nbclient, `headless=True`) every call runs its checks synchronously and displays static
HTML, so an executed notebook and its HTML export carry the same results as an interactive run. Both draw
with the same views, and every string from the target goes through fsnb.present.escape.

The parts: `session` (target, journal, results, runs — no Jupyter), `views` (snapshot → HTML), `table` (the
journal as one table), `incident` (the report of a journal), `widgets` (the cells, live and headless), `texts`.
"""
from __future__ import annotations

from fsnb.present.notebook.incident import (
    REPORT_TEXT,
    ReportView,
    default_journal,
    grouped_timeline,
    journals,
    scope_css,
)
from fsnb.present.notebook.session import Session, Snapshot, session_journal, session_key
from fsnb.present.notebook.table import styled_table, tidy
from fsnb.present.notebook.texts import CSS, RUNBOOK_TEXT, check_title
from fsnb.present.notebook.views import (
    DiagnosisView,
    ResultsView,
    WaitingView,
    evidence_html,
    styled_html,
)
from fsnb.present.notebook.widgets import Runbook, incident_report, report_prose

__all__ = [
    "CSS", "REPORT_TEXT", "RUNBOOK_TEXT", "DiagnosisView", "ReportView", "ResultsView", "Runbook", "Session",
    "Snapshot", "WaitingView", "check_title", "default_journal", "evidence_html", "grouped_timeline",
    "incident_report", "journals", "report_prose", "scope_css", "session_journal", "session_key", "styled_html", "styled_table",
    "tidy",
]
