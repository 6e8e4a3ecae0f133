"""Every notebook runs headless against the lab (papermill); results and diagnosis are recorded; no secret leaks."""
from __future__ import annotations

import json

import nbformat
import pytest

from conftest import LAB_OFFSET
from fsnb import journal
from fsnb.execute import export_html, run_notebook
from fsnb.lab import manager

OFF = LAB_OFFSET + 400
NOTEBOOKS = ["runbook.ipynb", "training.ipynb", "incident-report.ipynb"]


def _errors(nb_path):
    nb = nbformat.read(str(nb_path), as_version=4)
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]


def _secrets(off):
    d = manager.lab_dir(off) / "secrets"
    return [(d / n).read_text().strip() for n in ("esl_password", "sip_password")]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_without_outputs(name):
    from fsnb.execute import NOTEBOOKS as DIR
    nb = nbformat.read(str(DIR / name), as_version=4)
    assert all(not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code")
    assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert max(len(s.splitlines()) for s in code) <= 6      # cells call fsnb; no logic in cells


@pytest.mark.parametrize("scenario,cause", [("healthy", None), ("profile-stopped", "profile-not-running")])
def test_runbook_headless(tmp_path, scenario, cause):
    lab = manager.up(scenario, offset=OFF)
    j = tmp_path / "incident.jsonl"
    out = run_notebook("runbook.ipynb", tmp_path, {"target": lab.target, "journal": str(j), "lang": "de"})
    assert _errors(out) == []
    recs = journal.read(j)
    results = {r["id"]: r["status"] for r in recs.of("result")}
    assert len(results) == 15
    diag = recs.of("diagnosis")[-1]["items"]
    if cause is None:
        assert diag == [] and set(results.values()) == {"pass"}
    else:
        assert diag[0]["cause"] == cause
        assert results["schritt2.profil"] == "fail" and results["schritt3.ports"] == "fail"
        assert results["schritt1.esl"] == "pass"
    html = export_html(out)
    text = html.read_text()
    assert "Was wir wissen" in text and "rb.step(" not in text          # inputs hidden
    for s in _secrets(OFF):
        assert s not in out.read_text() and s not in text and s not in j.read_text()
    df = journal.dataframe(j)
    assert df["id"].nunique() == 15 and set(df.columns) >= {"id", "status", "summary"}  # dependencies re-run with their step


def test_runbook_english(tmp_path):
    lab = manager.up("healthy", offset=OFF)
    out = run_notebook("runbook.ipynb", tmp_path, {"target": lab.target, "journal": str(tmp_path / "j.jsonl"), "lang": "en"})
    assert _errors(out) == []
    text = out.read_text()
    assert "Step 1: check that ESL works" in text and "No findings" in text


def test_training_headless_reveals_only_when_asked(tmp_path):
    manager.down(OFF)
    out = run_notebook("training.ipynb", tmp_path, {"scenario": "wss-pem-wrong-key", "reveal": False, "port_offset": OFF})
    assert _errors(out) == []
    assert "wss-pem-bad" not in json.dumps([c.get("outputs") for c in nbformat.read(str(out), 4).cells])
    out = run_notebook("training.ipynb", tmp_path / "2", {"scenario": "wss-pem-wrong-key", "reveal": True, "port_offset": OFF})
    text = out.read_text()
    assert "Erwartete Ursache" in text and "wss-pem-bad" in text and "(stimmt)" in text


def test_incident_report_notebook(tmp_path):
    lab = manager.up("profile-stopped", offset=OFF)
    j = tmp_path / "incident.jsonl"
    run_notebook("runbook.ipynb", tmp_path / "rb", {"target": lab.target, "journal": str(j)})
    out = run_notebook("incident-report.ipynb", tmp_path / "rep", {"journal": str(j)})
    assert _errors(out) == []
    text = out.read_text()
    assert "Zeitleiste" in text and "profile-not-running" in text


def test_no_target_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("FSNB_LAB_DIR", str(tmp_path / "nolab"))    # no lab is running there
    monkeypatch.delenv("FSNB_TARGET", raising=False)
    out = run_notebook("runbook.ipynb", tmp_path, {"journal": str(tmp_path / "j.jsonl")})
    assert _errors(out) == []
    assert "Kein Ziel" in out.read_text() and "fsnb lab up" in out.read_text()
    out = run_notebook("training.ipynb", tmp_path / "t", {"scenario": "nosuch"})
    assert _errors(out) == [] and "unknown scenario" in out.read_text()
