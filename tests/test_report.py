"""Incident write-up: the runbook against a lab scenario with a fix applied, then HTML and Markdown reports."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import fsnb_cli, lab_secrets

from fsnb import journal
from fsnb.lab import manager

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def incident(tmp_path_factory, lab_offset):
    tmp = tmp_path_factory.mktemp("incident")
    lab = manager.up("profile-stopped", offset=lab_offset)
    j = tmp / "incident.jsonl"
    assert fsnb_cli("run", "--target", lab.target, "--journal", str(j)).returncode == 1
    n = fsnb_cli("note", "--journal", str(j), NOTE)
    assert n.returncode == 0, n.stderr
    p = fsnb_cli("run", "--target", lab.target, "--journal", str(j), "--fix", "--yes")
    assert p.returncode == 0, p.stderr
    assert fsnb_cli("run", "--target", lab.target, "--journal", str(j)).returncode == 0
    assert fsnb_cli("note", "--journal", str(j), "--manual-fix", MANUAL).returncode == 0
    html = tmp / "report.html"
    md = tmp / "report.md"
    assert fsnb_cli("report", str(j), "--format", "html", "--out", str(html)).returncode == 0
    assert fsnb_cli("report", str(j), "--format", "markdown", "--out", str(md)).returncode == 0
    yield {"dir": tmp, "journal": j, "html": html, "md": md, "secrets": lab_secrets(lab_offset)}
    manager.down(lab_offset)


NOTE = "Kunde: 'WSS tot' seit 09:12 — <b>nicht</b> fett & `kein` [Link](http://example.com/x)"
MANUAL = "cron-Job entfernt, der das Profil nachts stoppte (crontab -e, Zeile *_stop_*)"


def _rendered_text(md: str) -> str:
    """The Markdown as a tracker shows it (CommonMark + GFM tables), as the reader's text."""
    import html as _html
    import re

    from markdown_it import MarkdownIt
    out = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(md)
    assert "<a " not in out and "<img" not in out and "<b>" not in out, "target text became markup"
    return _html.unescape(re.sub(r"<[^>]+>", "", out))


@pytest.mark.parametrize("lang", ["de", "en"])
def test_markdown_is_one_generator_and_reads_clean(incident, lang):
    """Issue #21: the notebook's Markdown and `fsnb report --format markdown` are the same text for the same journal;
    rendered as a tracker would, it shows no HTML entity and no stray backslash; the summary line comes first
    (cause, resolved, start and end from the journal — not the report's creation time); notes and the manual fix
    are in it as such."""
    import re

    from fsnb.present.notebook import ReportView
    cli = fsnb_cli("report", str(incident["journal"]), "--format", "markdown", "--lang", lang)
    assert cli.returncode == 0, cli.stderr
    nb = ReportView(str(incident["journal"]), lang).markdown()
    assert cli.stdout.rstrip("\n") == nb.rstrip("\n")
    shown = _rendered_text(nb)
    assert not re.search(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", shown, flags=re.I), "an HTML entity shows"
    assert not re.search(r"\\[!-/:-@\[-`{-~]", shown), "a backslash escape shows"
    assert "&#39;" not in nb and "\\`" not in nb
    first = nb.split("\n")[2]
    times = sorted(x["ts"] for x in journal.read(incident["journal"]).records)
    start = times[0][:19].replace("T", " ")
    if lang == "de":
        assert first.startswith("**Ursache:** `profile-not-running`") and "**Stand:** behoben" in first
        assert "durch die Aktion `sofia profile internal start`" in first and f"**Beginn:** {start} UTC" in first
        assert "**Ende:**" in first
        assert "**Manuelle Behebung**" in nb and "**Notiz**" in nb
    else:
        assert first.startswith("**Cause:** `profile-not-running`") and "**State:** resolved" in first
        assert f"**Start:** {start} UTC" in first and "**End:**" in first
        assert "**Manual fix**" in nb and "**Note**" in nb
    assert NOTE.replace("`kein`", "kein") in " ".join(shown.split())          # as written, nothing became markup
    assert MANUAL in shown


def test_markdown_report(incident):
    text = incident["md"].read_text()
    assert "## Zeitleiste" in text and "Diagnose: profile-not-running" in text
    assert "### Festgestellte Ursache (vor der Behebung)" in text and "- `profile-not-running`" in text
    assert "Bestätigt von" in text and "sofia profile internal start" in text
    assert "| 7443 von hier | abgelehnt | erreichbar |" in text    # before/after, in words
    assert "| pass |" in text and "`schritt3.ports`" in text
    assert "## Nächste Schritte" in text


def test_html_report(incident):
    text = incident["html"].read_text()
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text and "class='beforeafter'" in text
    assert "Zeitleiste" in text and "profile-not-running" in text and "Erster vs. letzter Stand" in text
    assert "http://" not in text.split("<body>")[0]            # no external assets in the head
    assert "<script" not in text and "<link" not in text


def test_no_secret_anywhere(incident):
    for f in incident["dir"].rglob("*"):
        if f.is_file():
            content = f.read_text(errors="replace")
            for s in incident["secrets"]:
                assert s not in content, f


def test_english(incident):
    p = fsnb_cli("report", str(incident["journal"]), "--format", "markdown", "--lang", "en")
    assert "## Timeline" in p.stdout and "## Next steps" in p.stdout


def test_truncated_and_foreign_journals(incident, tmp_path):
    j = tmp_path / "broken.jsonl"
    raw = incident["journal"].read_bytes()
    j.write_bytes(raw + b'{"schema": 1, "type": "result", "id": "schritt1.es')      # crash mid-write
    p = fsnb_cli("report", str(j), "--format", "markdown")
    assert p.returncode == 0 and "truncated last line" in p.stderr and "## Zeitleiste" in p.stdout
    old = tmp_path / "old.jsonl"       # an older/other fsnb: fewer fields, unknown record types
    old.write_text(json.dumps({"type": "meta", "host": "elsewhere"}) + "\n"
                   + json.dumps({"type": "result", "run": "a", "id": "schritt1.esl", "status": "fail", "summary": "x"}) + "\n"
                   + json.dumps({"type": "future-thing", "x": 1}) + "\n")
    p = fsnb_cli("report", str(old), "--format", "html")
    assert p.returncode == 0 and "schritt1.esl" in p.stdout
    empty = tmp_path / "empty.jsonl"
    empty.write_text("not json\n")
    p = fsnb_cli("report", str(empty))
    assert p.returncode == 2 and "no results" in p.stderr


@pytest.mark.browser
def test_html_in_headless_chromium(incident):
    from playwright.sync_api import sync_playwright
    from test_browser import ARTIFACTS, CHROMIUM, FLAGS
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"headless Chromium not found at {CHROMIUM}")
    requests = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = b.new_page(viewport={"width": 1200, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(incident["html"].as_uri())
        assert page.locator("h1").inner_text().startswith("Incident")
        assert page.locator("svg.fsnb-chain").count() >= 1
        assert page.locator("table.beforeafter").count() == 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "incident-report.png"), full_page=True)
        b.close()
    assert requests == [incident["html"].as_uri()]       # nothing else was requested: the file is self-contained


def test_journal_survives_sigkill(tmp_path, port_offsets):
    off = port_offsets.take()
    """A run killed with SIGKILL loses at most the check in flight; what was written reads back."""
    lab = manager.up("esl-tarpit", offset=off)      # slow checks: there is time to kill mid-run
    j = tmp_path / "killed.jsonl"
    proc = subprocess.Popen([sys.executable, "-m", "fsnb", "run", "--target", lab.target, "--journal", str(j)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + 20
    while time.monotonic() < end and (not j.exists() or j.read_text().count('"type": "result"') < 3):
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    loaded = journal.read(j)
    assert loaded.problems == [] and len(loaded.of("result")) >= 3
    assert not loaded.of("diagnosis")                    # the run never finished
    assert len(journal.dataframe(j)) == len(loaded.of("result"))
    manager.down(off)


def test_fleet(tmp_path, port_offsets):
    off = port_offsets.take(3)
    p = fsnb_cli("lab", "up", "--scenario", "healthy", "--count", "3", "--port-offset", str(off))
    assert p.returncode == 0, p.stderr
    files = [manager.lab_dir(off + i * 10) / "target.toml" for i in range(3)]
    lst = tmp_path / "targets.txt"
    lst.write_text("\n".join(str(f) for f in files) + "\n")
    j = tmp_path / "fleet.jsonl"
    p = fsnb_cli("run", "--targets", str(lst), "--format", "json", "--journal", str(j))
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert len(out["targets"]) == 3 and all(t["exit"] == 0 for t in out["targets"])
    rep = fsnb_cli("report", str(j), "--format", "markdown")
    assert rep.returncode == 0 and "## Knoten" in rep.stdout
    for i in range(3):
        manager.down(off + i * 10)
