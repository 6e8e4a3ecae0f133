"""Every notebook runs headless against the lab (papermill); results and diagnosis are recorded; no secret leaks."""
from __future__ import annotations

import json

import nbformat
import pytest
from conftest import lab_secrets

from fsnb import journal
from fsnb.lab import manager
from fsnb.present.notebook.headless import export_html, run_notebook

NOTEBOOKS = ["runbook.ipynb", "training.ipynb", "incident-report.ipynb"]


def _errors(nb_path):
    nb = nbformat.read(str(nb_path), as_version=4)
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]


@pytest.mark.unit
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_without_outputs(name):
    from fsnb.present.notebook.headless import NOTEBOOKS as DIR
    nb = nbformat.read(str(DIR / name), as_version=4)
    assert all(not c.get("outputs") and not c.get("execution_count") for c in nb.cells if c.cell_type == "code")
    assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert max(len(s.splitlines()) for s in code) <= 6      # cells call fsnb; no logic in cells


@pytest.mark.lab
@pytest.mark.parametrize("scenario,cause", [("healthy", None), ("profile-stopped", "profile-not-running")])
def test_runbook_headless(tmp_path, scenario, cause, lab_offset):
    lab = manager.up(scenario, offset=lab_offset)
    j = tmp_path / "incident.jsonl"
    out = run_notebook("runbook.ipynb", tmp_path, {"target": lab.target, "journal": str(j), "lang": "de"})
    assert _errors(out) == []
    recs = journal.read(j)
    results = {r["id"]: r["status"] for r in recs.of("result")}
    assert len(results) == 17
    diag = recs.of("diagnosis")[-1]["items"]
    if cause is None:
        assert results.pop("schritt5.anruf") == "skip"      # the simulator carries no media (Step 5 says so)
        assert diag == [] and set(results.values()) == {"pass"}
    else:
        assert diag[0]["cause"] == cause
        assert results["schritt2.profil"] == "fail" and results["schritt3.ports"] == "fail"
        assert results["schritt1.esl"] == "pass"
    html = export_html(out)
    text = html.read_text()
    assert "Was wir wissen" in text and "rb.step(" not in text          # inputs hidden
    for s in lab_secrets(lab_offset):
        assert s not in out.read_text() and s not in text and s not in j.read_text()
    df = journal.dataframe(j)
    assert df["id"].nunique() == 17 and set(df.columns) >= {"id", "status", "summary"}  # dependencies re-run with their step


@pytest.mark.lab
def test_runbook_english(tmp_path, lab_offset):
    lab = manager.up("healthy", offset=lab_offset)
    out = run_notebook("runbook.ipynb", tmp_path, {"target": lab.target, "journal": str(tmp_path / "j.jsonl"), "lang": "en"})
    assert _errors(out) == []
    text = out.read_text()
    assert "Step 1: check that ESL works" in text and "No findings" in text


def _outputs(nb_path) -> str:
    return json.dumps([c.get("outputs") for c in nbformat.read(str(nb_path), 4).cells], ensure_ascii=False)


@pytest.mark.lab
def test_training_headless_reveals_only_when_asked(tmp_path, lab_offset):
    manager.down(lab_offset)
    out = run_notebook("training.ipynb", tmp_path, {"scenario": "wss-pem-wrong-key", "reveal": False, "hints": True,
                                                    "port_offset": lab_offset})
    assert _errors(out) == []
    shown = _outputs(out)
    # symptoms only: neither the cause nor the scenario's name or description
    from fsnb.lab import scenarios
    sc = scenarios.get("wss-pem-wrong-key")
    assert "wss-pem-bad" not in shown and sc.name not in shown and sc.description not in shown
    assert "Meldung" in shown and "Hinweis 2:" in shown
    out = run_notebook("training.ipynb", tmp_path / "2", {"scenario": "wss-pem-wrong-key", "reveal": True, "fix": True,
                                                          "guess": "wss-pem-bad", "reasoning": "Bad WSS.PEM im Log",
                                                          "port_offset": lab_offset})
    assert _errors(out) == []
    text = out.read_text()
    assert "Erwartete Ursache" in text and "wss-pem-bad" in text and "(stimmt)" in text
    assert "Richtig" in text and "Deine Begründung nennt den entscheidenden Beleg" in text
    assert "Bestätigt: nach der Behebung besteht jede Prüfung" in text


@pytest.mark.lab
def test_training_random_grades_a_wrong_guess(tmp_path, lab_offset):
    out = run_notebook("training.ipynb", tmp_path, {"scenario": "random", "seed": 1, "reveal": True,
                                                    "guess": "esl-bad-password", "port_offset": lab_offset})
    assert _errors(out) == []
    text = out.read_text()
    assert "Nicht ganz" in text and "Entscheidender Beleg" in text


def _ui_words(html_text: str) -> str:
    """What fsnb itself wrote: quoted target data (pre, code), styles and the SVG's ids left out."""
    import html as _html
    import re
    text = html_text.encode().decode("unicode_escape", errors="ignore") if "\\u" in html_text else html_text
    text = re.sub(r"<(pre|style|code|script)\b.*?</\1>", " ", text, flags=re.S)
    text = _html.unescape(re.sub(r"<[^>]+>", " ", text))
    return re.sub(r"\b(?:wissen|schritt\d|alternative)\.[a-z0-9_]+\b", " ", text)


@pytest.mark.lab
@pytest.mark.parametrize("notebook,params", [
    ("runbook.ipynb", {}),
    ("training.ipynb", {"scenario": "wss-pem-cert-only", "reveal": True, "fix": True, "hints": True,
                        "guess": "wss-pem-bad", "reasoning": "bad key"}),
    ("training.ipynb", {"scenario": "tunnel-no-catch-all", "reveal": True, "check_fix": True, "hints": True,
                        "guess": "tunnel-config-invalid", "reasoning": "no catch-all rule"})])
def test_english_notebooks_have_no_german_ui(tmp_path, notebook, params, lab_offset):
    """Issue #13/#14: in lang="en" no German word of fsnb's own (headings, verdicts, prompts, badges, hints)."""
    import re

    from fsnb.i18n import DE_ONLY
    lab = manager.up("wss-pem-cert-only", offset=lab_offset)
    p = {"lang": "en", **params}
    p.update({"target": lab.target, "journal": str(tmp_path / "j.jsonl")} if notebook == "runbook.ipynb" else
             {"port_offset": lab_offset})
    out = run_notebook(notebook, tmp_path, p)
    assert _errors(out) == []
    nb = nbformat.read(str(out), 4)
    html_out = "".join(o.get("data", {}).get("text/html", "") if isinstance(o.get("data", {}).get("text/html", ""), str)
                       else "".join(o["data"]["text/html"]) for c in nb.cells for o in c.get("outputs", []))
    words = re.compile(r"(?<![\w.-])(" + "|".join(re.escape(w) for w in DE_ONLY) + r")(?![\w-])")
    found = sorted(set(words.findall(_ui_words(html_out))))
    assert not found, f"German in the English {notebook}: {found}"


@pytest.mark.lab
def test_incident_report_notebook(tmp_path, lab_offset):
    lab = manager.up("profile-stopped", offset=lab_offset)
    j = tmp_path / "incident.jsonl"
    run_notebook("runbook.ipynb", tmp_path / "rb", {"target": lab.target, "journal": str(j)})
    out = run_notebook("incident-report.ipynb", tmp_path / "rep", {"journal": str(j)})
    assert _errors(out) == []
    text = out.read_text()
    assert "Zeitleiste" in text and "profile-not-running" in text
    html_out = "".join(o.get("data", {}).get("text/html", "") for c in nbformat.read(str(out), 4).cells
                       for o in c.get("outputs", []))
    # the report's CSS restyles nothing outside the report (the runbook open next to it keeps its headings)
    import re
    for style in re.findall(r"<style>(.*?)</style>", html_out, flags=re.S):
        for rule in filter(str.strip, style.split("}")):
            assert all(sel.strip().startswith(".fsnb-report") for sel in rule.split("{")[0].split(",")), rule
    # a headless runbook runs every check once (the chain's run; the step cells show its results), and the
    # timeline shows that run as one line
    runs = len({r["run"] for r in journal.read(j).of("result")})
    lines = re.findall(r"<td>(\d+ )?Prüfl(?:auf|äufe) ", html_out)
    assert runs == 1 and len(lines) == 1
    assert len(journal.read(j).of("result")) == 17
    assert "fsnb-md-download" in html_out and "data:text/markdown" in html_out and "## " in html_out


@pytest.mark.unit
def test_incident_report_defaults_to_this_session(tmp_path, monkeypatch):
    """Without a journal the report opens this session's (the runbook's in this Jupyter server), not the newest."""
    from fsnb.present import notebook
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("JPY_PARENT_PID", "424242")
    jdir = tmp_path / ".local/state/fsnb/journals"
    jdir.mkdir(parents=True)
    mine, newer = jdir / "a-mine.jsonl", jdir / "b-newer.jsonl"
    for p in (mine, newer):
        p.write_text('{"schema": 1, "type": "meta", "ts": "2026-01-01T00:00:00+00:00", "host": "h", "fsnb": "x", "target": {}}\n')
    (tmp_path / ".local/state/fsnb/sessions").mkdir(parents=True)
    (tmp_path / ".local/state/fsnb/sessions" / f"{notebook.session_key()}.json").write_text(json.dumps({"journal": str(mine)}))
    assert notebook.default_journal() == str(mine)
    monkeypatch.setenv("JPY_PARENT_PID", "1")       # another session: the newest of this user's
    assert notebook.default_journal() == str(max((mine, newer), key=lambda p: p.stat().st_mtime))


@pytest.mark.lab
def test_no_target_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("FSNB_LAB_DIR", str(tmp_path / "nolab"))    # no lab is running there
    monkeypatch.delenv("FSNB_TARGET", raising=False)
    out = run_notebook("runbook.ipynb", tmp_path, {"journal": str(tmp_path / "j.jsonl")})
    assert _errors(out) == []
    assert "Kein Ziel" in out.read_text() and "fsnb lab up" in out.read_text()
    out = run_notebook("training.ipynb", tmp_path / "t", {"scenario": "nosuch"})
    assert _errors(out) == [] and "unknown scenario" in out.read_text()
