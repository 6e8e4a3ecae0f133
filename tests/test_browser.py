"""A real JupyterLab in headless Chromium (Debian's, driven by Playwright), used as an on-call operator and as a
trainee would: Run All, then read what the notebook shows — without re-running anything. Fails (never skips)
without a browser. Screenshots land in artifacts/."""
from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import fsnb_cli, port_free, wait_port
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from fsnb.lab import manager

pytestmark = [pytest.mark.browser, pytest.mark.lab]   # each test starts a lab and drives JupyterLab

CHROMIUM = os.environ.get("FSNB_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("FSNB_ARTIFACTS", Path(__file__).resolve().parents[1] / "artifacts"))
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--metrics-recording-only", "--no-default-browser-check"]
VISIBLE = ".jp-NotebookPanel:not(.lm-mod-hidden)"      # the notebook in the front tab
ALL_DONE = (f"() => {{ const p = [...document.querySelectorAll('{VISIBLE} .jp-CodeCell .jp-InputPrompt')];"
            " return p.length > 0 && p.every(x => /\\[\\d+\\]/.test(x.innerText)); }")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"headless Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@contextlib.contextmanager
def jupyterlab(tmp_path: Path, notebook: str, env: dict | None = None, parameters: dict | None = None,
               extra: tuple[str, ...] = ()):
    """JupyterLab on a copy of `notebook` (parameters cell rewritten with `parameters`); HOME is temporary, so
    journals, workspaces and settings stay out of the user's home. Yields (url of the notebook, home)."""
    root = tmp_path / "nb"
    root.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(str(NOTEBOOKS / notebook), 4)
    if parameters:
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        cell.source += "\n" + "\n".join(f"{k} = {v!r}" for k, v in parameters.items())
    nbformat.write(nb, str(root / notebook))
    for name in extra:
        shutil.copy(NOTEBOOKS / name, root / name)
    # every cell attached to the DOM (no windowing): the test reads outputs the way they are drawn
    settings = tmp_path / "cfg/lab/user-settings/@jupyterlab/notebook-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port, token = free_port(), secrets.token_hex(16)
    from fsnb.read import cloudflared
    judge = cloudflared.find()       # found in the real HOME's cache: the notebook's kernel gets a temporary HOME
    full_env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"), "JUPYTER_DATA_DIR": str(tmp_path / "data"),
                "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"), "HOME": str(tmp_path),
                **({"FSNB_CLOUDFLARED": judge} if judge else {}), **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                             f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
                             f"--ServerApp.root_dir={root}", "--LabApp.news_url=None",
                             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                             "--LabApp.extension_manager=readonly", "--allow-root"],
                            env=full_env, stdout=open(tmp_path / "jupyter.log", "wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        wait_port(port, timeout=60)
        yield f"http://127.0.0.1:{port}/lab/tree/{notebook}?token={token}", tmp_path
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def open_and_run_all(page, url: str, outside: list) -> None:
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(
        ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")) else None)
    page.goto(url, wait_until="domcontentloaded")
    name = url.split("/lab/tree/")[1].split("?")[0]
    front = VISIBLE
    page.wait_for_selector(f"{front} .jp-Notebook", timeout=60000)
    page.wait_for_function(f"document.querySelector('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current') && "
                           f"document.querySelector('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current').innerText.includes('{name}')",
                           timeout=60000)
    page.wait_for_selector(f"{front} .jp-Notebook-ExecutionIndicator[data-status='idle'] >> visible=true", timeout=60000)
    page.locator(f"{front} .jp-Notebook").click()
    page.keyboard.press("Escape")
    # Run > Run All Cells. Under load the menu can be opened before the command is enabled (the kernel still
    # connecting); a click on the disabled item does nothing, so: click, see a cell start, else click again.
    started = (f"() => [...document.querySelectorAll('{VISIBLE} .jp-InputPrompt')]"
               ".some(p => /\\[(\\*|\\d+)\\]/.test(p.innerText))")
    for _ in range(4):
        _accept_kernel_dialog(page)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_text("Run All Cells", exact=True).click()
        try:
            page.wait_for_function(started, timeout=15000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    else:
        raise AssertionError("Run All Cells never started a cell")
    page.wait_for_function(ALL_DONE, timeout=120000)


def _accept_kernel_dialog(page) -> None:
    """Under load JupyterLab sometimes asks which kernel to start although the notebook names one: take it."""
    dialog = page.locator(".jp-Dialog .jp-mod-accept")
    with contextlib.suppress(PlaywrightTimeout):
        dialog.wait_for(state="visible", timeout=1500)
        dialog.click()


def shot(locator, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=str(ARTIFACTS / name))


def _guarded(page, name):
    """Screenshot of the whole page when a browser test fails (for whoever reads CI)."""
    class G:
        def __enter__(self):
            return self

        def __exit__(self, kind, *_):
            if kind is not None:
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                with contextlib.suppress(Exception):
                    page.screenshot(path=str(ARTIFACTS / f"{name}-failure.png"), full_page=True)
            return False
    return G()


def test_run_all_diagnosis_from_complete_results(browser, tmp_path, lab_offset):
    """Issue #14: after Run All the diagnosis, chain, action and table are drawn from complete results only —
    read as shown, without re-running: the same first cause as `fsnb run`, no `None`, every check in the table."""
    lab = manager.up("wss-pem-cert-only", offset=lab_offset)
    cli = fsnb_cli("run", "--target", lab.target, "--format", "json")
    expected = json.loads(cli.stdout)["diagnosis"][0]["cause"]
    assert expected == "wss-pem-bad"
    outside: list = []
    try:
        with jupyterlab(tmp_path, "runbook.ipynb", {"FSNB_TARGET": lab.target}) as (url, home):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            with _guarded(page, "runbook"):
                open_and_run_all(page, url, outside)
                diag = page.locator(".fsnb-diagnosis-widget .fsnb-diagnosis")
                page.wait_for_selector(".fsnb-diagnosis-widget .fsnb-diagnosis[data-state='complete']", timeout=60000)
                text = diag.inner_text()
                assert diag.get_attribute("data-first-cause") == expected
                assert "None" not in text and "False" not in text and "[]" not in text
                assert "Wahrscheinlichste Ursache" in text and "wss.pem" in text
                assert "ESL antwortet" in text          # hypothesis 3 judged from ESL's real result, not a pending one
                assert page.locator(".fsnb-badge-schritt1 .fsnb-badge").inner_text().strip() == "OK"
                # the chain: the break point at FreeSWITCH's wss, the hops that fail only because of it marked so
                svg = page.locator(".fsnb-chain-widget svg")
                state = lambda node: svg.locator(f"g[data-node='{node}']").get_attribute("data-state")
                assert state("freeswitch") == "root" and state("esl") == "pass"
                assert state("nginx") == "consequence" and state("cloudflare") == "consequence"
                assert f":{lab.ports['wss']}" in svg.text_content() and f":{lab.ports['nginx']}" in svg.text_content()
                # the action follows the diagnosis: the steps to rebuild wss.pem, no profile start offered
                plan = page.locator(".fsnb-action-plan")
                assert plan.get_attribute("data-plan") == "steps" and plan.get_attribute("data-cause") == "wss-pem-bad"
                assert "privkey.pem cert.pem chain.pem" in plan.inner_text()
                assert page.locator(".fsnb-prepare").is_disabled() and page.locator(".fsnb-command").count() == 0
                # rb.table(): every check, one row each for this one run, in the analysis' order, target once
                table = page.locator("table.fsnb-results")
                rows = table.locator("tbody tr")
                assert rows.count() == 17
                body = table.inner_text()
                for title in ("event_socket.conf.xml", "durch nginx", "öffentlichen Hostnamen", "WS 5066 hinter TLS"):
                    assert title in body
                assert body.count("fsnb lab: wss-pem-cert-only") == 1
                assert "Error displaying widget" not in page.content()
                shot(page.locator(".fsnb-chain-widget"), "runbook-chain.png")
                shot(page.locator(".fsnb-diagnosis-widget"), "runbook-diagnosis.png")
                shot(page.locator(".fsnb-action"), "runbook-action.png")
                shot(table, "runbook-table.png")
                page.locator(".fsnb-run-schritt2").scroll_into_view_if_needed()
                page.screenshot(path=str(ARTIFACTS / "runbook-step2.png"))
            # what went into the journal was complete: every diagnosis names the same first cause
            journals = list((home / ".local/state/fsnb/journals").glob("*.jsonl"))
            assert len(journals) == 1
            recs = [json.loads(x) for x in journals[0].read_text().splitlines()]
            diags = [r for r in recs if r["type"] == "diagnosis"]
            assert diags and all(d["items"][0]["cause"] == expected for d in diags)
            seen: set = set()
            for r in recs:
                if r["type"] == "result":
                    seen.add(r["id"])
                elif r["type"] == "diagnosis":
                    assert len(seen) == 17, f"diagnosis journaled after only {len(seen)} results"
    finally:
        manager.down(lab_offset)
    assert not outside, f"requests left the machine: {outside[:5]}"


def test_action_confirmed_in_jupyterlab(browser, tmp_path, lab_offset):
    """The analysis' own situation (profile stopped): the action offers exactly the start, shows the command
    first, runs it after confirmation, 7443 listens, and the diagnosis redraws by itself."""
    lab = manager.up("profile-stopped", offset=lab_offset)
    outside: list = []
    try:
        with jupyterlab(tmp_path, "runbook.ipynb", {"FSNB_TARGET": lab.target},
                        extra=("incident-report.ipynb",)) as (url, home):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            with _guarded(page, "action"):
                open_and_run_all(page, url, outside)
                page.wait_for_selector(".fsnb-action-plan[data-plan='command']", timeout=60000)
                page.locator(".fsnb-prepare").scroll_into_view_if_needed()
                page.wait_for_function("!document.querySelector('.fsnb-prepare').disabled", timeout=30000)
                page.locator(".fsnb-prepare").click()
                page.wait_for_selector(".fsnb-command", timeout=15000)
                assert page.locator(".fsnb-command").inner_text() == "sofia profile internal start"
                assert port_free(lab.ports["wss"])
                page.locator(".fsnb-confirm").click()
                page.wait_for_selector(".fsnb-action-result[data-ok='true']", timeout=30000)
                assert not port_free(lab.ports["wss"])
                result = page.locator(".fsnb-action-result").inner_text()
                assert "None" not in result and "False" not in result
                # the diagnosis follows without anyone re-running it: nothing fails any more
                page.wait_for_function(
                    "document.querySelector('.fsnb-diagnosis-widget .fsnb-diagnosis[data-state=complete]') && "
                    "document.querySelector('.fsnb-diagnosis-widget').innerText.includes('Keine Befunde')", timeout=60000)
                page.wait_for_function("document.querySelector('.fsnb-table-schritt3').innerText.includes('lauscht')",
                                       timeout=30000)
                assert "Error displaying widget" not in page.content()
                # issue #21: above the OK the card says what the action resolved, not "no cause found"
                page.wait_for_selector(".fsnb-action-plan[data-plan='fixed']", timeout=30000)
                head = page.locator(".fsnb-action-head").inner_text()
                assert "Keine Aktion nötig" not in head and "Behoben" in head and "sofia profile internal start" in head
                summary = page.locator(".fsnb-summary-widget .fsnb-summary")
                assert summary.get_attribute("data-state") == "fixed" and "Behoben" in summary.inner_text()
                shot(page.locator(".fsnb-action"), "runbook-action-done.png")
                # the operator's note: a manual fix, written to the journal from the notebook
                page.locator(".fsnb-note-text textarea").fill("Cronjob entfernt, der das Profil nachts stoppte")
                page.locator(".fsnb-note-kind button", has_text="Manuelle Behebung").click()
                page.locator(".fsnb-note-save").click()
                page.wait_for_selector(".fsnb-note-saved", timeout=15000)
                assert "Cronjob entfernt" in page.locator(".fsnb-notes-list").inner_text()
                shot(page.locator(".fsnb-notes-widget"), "runbook-notes.png")
                assert page.get_by_text("official Jupyter news").count() == 0
                # the incident report of this session: its journal by default, CSS scoped, Markdown to take away
                journal = next((home / ".local/state/fsnb/journals").glob("*.jsonl"))
                open_and_run_all(page, url.replace("runbook.ipynb", "incident-report.ipynb"), outside)
                report = page.locator(".fsnb-report-widget .fsnb-report")
                report.wait_for(timeout=60000)
                assert report.get_attribute("data-journal") == str(journal)
                text = report.inner_text()
                assert "Bestätigt von" in text and "sofia profile internal start" in text and "None" not in text
                # the write-up opens with the summary: cause, resolved by the action, start and end
                first = report.locator(".summary")
                assert first.get_attribute("data-state") == "resolved" and first.get_attribute("data-cause") == "profile-not-running"
                assert "behoben durch die Aktion sofia profile internal start" in first.inner_text()
                assert "Beginn:" in first.inner_text() and "Ende:" in first.inner_text()
                assert "Manuelle Behebung" in text and "Cronjob entfernt" in text
                assert text.count("Prüfl") < 6          # grouped by run, not one line per click
                assert page.locator(".fsnb-md-download").get_attribute("href").startswith("data:text/markdown")
                assert page.locator(".fsnb-md").input_value().startswith("# Incident")
                leaked = page.evaluate("[...document.querySelectorAll('.jp-RenderedMarkdown h2, .jp-RenderedMarkdown h1')]"
                                       ".filter(h => !h.closest('.fsnb-report'))"
                                       ".map(h => getComputedStyle(h).borderBottomStyle)")
                assert leaked and set(leaked) == {"none"}, leaked
                report.scroll_into_view_if_needed()
                page.screenshot(path=str(ARTIFACTS / "incident-report-notebook.png"))
                page.locator(".fsnb-md").scroll_into_view_if_needed()
                page.screenshot(path=str(ARTIFACTS / "incident-report-markdown.png"))
    finally:
        manager.down(lab_offset)
    assert not outside, f"requests left the machine: {outside[:5]}"


def test_fix_view_shows_the_diff_applies_and_verifies(browser, tmp_path, lab_offset):
    """Issue #20: the runbook shows the computed fix as a diff before anything changes, applies it only after the
    typed confirmation, and shows the verification; the file changed exactly as the diff said."""
    lab = manager.up("nginx-http-to-tls", offset=lab_offset)
    site = manager.lab_dir(lab_offset) / "nginx/sites/freeswitch.conf"
    before = site.read_text()
    outside: list = []
    try:
        with jupyterlab(tmp_path, "runbook.ipynb", {"FSNB_TARGET": lab.target}, parameters={"lang": "en"}) as (url, _):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            with _guarded(page, "fix-view"):
                open_and_run_all(page, url, outside)
                fix = page.locator(".fsnb-fix[data-cause='nginx-scheme-mismatch']")
                fix.wait_for(timeout=90000)
                assert fix.get_attribute("data-applicable") == "true"
                diff = fix.locator(".fsnb-diff").inner_text()
                assert "proxy_pass http://" in diff and "proxy_pass https://" in diff
                assert site.read_text() == before                     # shown, nothing changed yet
                fix.scroll_into_view_if_needed()
                shot(fix, "runbook-fix-plan.png")
                apply_btn = page.locator(".fsnb-fix-apply")
                assert apply_btn.is_disabled()                        # no confirmation typed yet
                page.get_by_placeholder("Type 'yes' to apply").fill("yes")
                page.wait_for_function("!document.querySelector('.fsnb-fix-apply').disabled", timeout=15000)
                apply_btn.click()
                res = page.locator(".fsnb-fix-result")
                res.wait_for(timeout=120000)
                assert res.get_attribute("data-verdict") == "verified", res.inner_text()
                assert "nginx-scheme-mismatch is gone" in res.inner_text()
                assert "proxy_pass https://" in site.read_text() and site.read_text() != before
                res.scroll_into_view_if_needed()
                shot(res, "runbook-fix-verified.png")
                assert "Error displaying widget" not in page.content()
    finally:
        manager.down(lab_offset)
    assert not outside, f"requests left the machine: {outside[:5]}"


def test_training_round_in_jupyterlab(browser, tmp_path, port_offsets):
    """A trainee's round on a random case: symptoms only, steps with hints, a guess with reasoning, a reveal that
    grades it and explains cause → evidence → fix, then the fix in the lab and a re-run that confirms it."""
    import random

    from fsnb.lab import scenarios
    from fsnb.present.training import cause_long, draw
    off, seed = port_offsets.take(), 14
    case = draw(random.Random(seed), last="")       # what Training("random", seed=14) draws in a fresh HOME
    secret = {case.name, case.cause} | {s.name for s in scenarios.SCENARIOS} | {c for c in
                                                                              (s.cause for s in scenarios.SCENARIOS) if c}
    outside: list = []
    try:
        with jupyterlab(tmp_path, "training.ipynb", parameters={"port_offset": off, "seed": seed}) as (url, home):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            with _guarded(page, "training"):
                open_and_run_all(page, url, outside)
                brief = page.locator(".fsnb-briefing-widget")
                brief.wait_for(timeout=30000)
                options = page.locator(".fsnb-case-picker select option").all_inner_texts()
                assert len(options) > 10
                shown = brief.inner_text() + "\n".join(options)
                leaks = [w for w in secret if re.search(rf"(?<![\w.-]){re.escape(w)}(?![\w-])", shown)]
                assert not leaks, f"the briefing or the picker gives the answer away: {leaks}"
                shot(page.locator(".jp-Cell").filter(has=brief), "training-briefing.png")
                for section in ("wissen", "schritt1", "schritt2", "schritt3", "schritt4"):
                    page.locator(f".fsnb-run-{section}").scroll_into_view_if_needed()
                    page.locator(f".fsnb-run-{section}").click()
                    page.wait_for_function(f"document.querySelector('.fsnb-badge-{section} .fsnb-badge') && "
                                           f"document.querySelector('.fsnb-badge-{section} .fsnb-badge').innerText.trim() !== '—'",
                                           timeout=30000)
                page.locator(".fsnb-hint-schritt2").click()
                page.locator(".fsnb-hint-schritt2").click()
                page.wait_for_function("document.querySelectorAll('.fsnb-hints-schritt2 .fsnb-hint').length === 2")
                assert "Hinweis 2:" in page.locator(".fsnb-hints-schritt2").inner_text()
                shot(page.locator(".jp-Cell").filter(has=page.locator(".fsnb-run-schritt2")), "training-step-hints.png")
                before = page.locator(".jp-Notebook").inner_text()
                assert case.cause not in before and case.name not in before
                _choose(page, cause_long(case.cause, "de"))
                page.locator(".fsnb-reasoning textarea").fill("Das Log und die Belege der Prüfungen zeigen es: "
                                                              "wss.pem, Bind-Fehler bzw. das Profil läuft nicht.")
                page.locator(".fsnb-guess-submit").click()
                page.wait_for_function("document.querySelector('.fsnb-guess-saved').innerText.length > 0")
                page.locator(".fsnb-reveal").click()
                sol = page.locator(".fsnb-solution")
                sol.wait_for(timeout=60000)
                assert sol.get_attribute("data-right") == "true" and sol.get_attribute("data-expected") == case.cause
                assert sol.get_attribute("data-named") == case.cause
                text = sol.inner_text()
                assert "Richtig" in text and "Entscheidender Beleg" in text and "Behebung" in text and "None" not in text
                shot(sol, "training-reveal.png")
                page.locator(".fsnb-fix").scroll_into_view_if_needed()
                page.locator(".fsnb-fix").click()
                page.wait_for_selector(".fsnb-fixed", timeout=90000)
                fixed = page.locator(".fsnb-fixed")
                assert fixed.get_attribute("data-fixed") == "true", fixed.inner_text()
                assert page.locator(".fsnb-fixed svg g[data-state='pass']").count() == 6   # the media path: skipped (no call on the simulator)
                assert "Error displaying widget" not in page.content()
                shot(fixed, "training-fixed.png")
    finally:
        manager.down(off)
    assert not outside, f"requests left the machine: {outside[:5]}"


IN_VIEW = ("(sel) => { const e = document.querySelector(sel); if (!e) return false; const r = e.getBoundingClientRect();"
           " return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }")


def test_english_run_all_cause_first(browser, tmp_path, lab_offset):
    """Issue #21: lang = "en", Run All — the page speaks English only (prose, headings, widgets), and the leading
    cause with its exact fix is in the viewport at the top without scrolling: the same fix as `fsnb run`."""
    from test_language import ENGLISH_PROSE, GERMAN_PROSE, assert_only  # noqa: F401  (one vocabulary for all tests)

    from fsnb.present.notebook import prose
    lab = manager.up("wss-pem-cert-only", offset=lab_offset)
    cli = fsnb_cli("run", "--target", lab.target, "--lang", "en")
    outside: list = []
    try:
        with jupyterlab(tmp_path, "runbook.ipynb", {"FSNB_TARGET": lab.target}, parameters={"lang": "en"}) as (url, _):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            with _guarded(page, "runbook-en"):
                open_and_run_all(page, url, outside)
                page.wait_for_selector(".fsnb-summary-widget .fsnb-summary[data-state='cause']", timeout=60000)
                page.wait_for_selector(".fsnb-diagnosis-widget .fsnb-diagnosis[data-state='complete']", timeout=60000)
                summary = page.locator(".fsnb-summary-widget .fsnb-summary")
                assert summary.get_attribute("data-cause") == "wss-pem-bad"
                # no scrolling by the reader: the summary (cause and fix) is where the page stands after Run All
                page.wait_for_function(IN_VIEW, arg=".fsnb-summary-widget .fsnb-summary-fix", timeout=15000)
                text = summary.inner_text()
                assert "Most likely cause" in text and "Fix" in text
                cmds = summary.locator("code.fsnb-step-cmd").all_inner_texts()
                assert cmds and all(c in cli.stdout for c in cmds)       # the very commands `fsnb run` prints
                page.screenshot(path=str(ARTIFACTS / "runbook-en-after-run-all.png"))
                # English everywhere: every output and Markdown cell, fsnb's own words (quoted data left out)
                html = page.evaluate(f"[...document.querySelectorAll('{VISIBLE} .jp-OutputArea-output, "
                                     f"{VISIBLE} .jp-MarkdownCell .jp-RenderedMarkdown')].map(e => e.innerHTML).join('\\n')")
                from test_language import ui_text
                shown = ui_text(html, "html")
                assert "What we know" in shown and "Possible causes" in shown and "Solution" in shown
                from test_language import _sentences
                german = {x for t in prose.RUNBOOK.values() for x in _sentences(t("de"))} - {
                    x for t in prose.RUNBOOK.values() for x in _sentences(t("en"))}
                flat = " ".join(re.sub(r"[#*_]", " ", shown).split())
                assert german and not [x for x in german if x in flat]
                found = sorted(set(GERMAN_PROSE.findall(shown)))
                assert not found, f"German prose on the English page: {found}"
                assert_only("en", shown, "text", "English runbook in JupyterLab")
                assert "Error displaying widget" not in page.content()
                shot(page.locator(".fsnb-summary-widget"), "runbook-en-summary.png")
    finally:
        manager.down(lab_offset)


def _choose(page, text: str) -> None:
    """Pick an answer in the training's list (radio buttons grouped by hop) by its full text."""
    text = text.replace("`", "")           # a radio label is plain text
    label = page.locator(".fsnb-guess label").filter(has_text=re.compile("^" + re.escape(text) + "$"))
    assert label.count() == 1, f"answer not in the list (once): {text}"
    label.scroll_into_view_if_needed()
    label.click()


def _run_steps(page) -> None:
    for section in ("wissen", "schritt1", "schritt2", "schritt3", "schritt4"):
        page.locator(f".fsnb-run-{section}").scroll_into_view_if_needed()
        page.locator(f".fsnb-run-{section}").click()
        page.wait_for_function(f"document.querySelector('.fsnb-badge-{section} .fsnb-badge') && "
                               f"document.querySelector('.fsnb-badge-{section} .fsnb-badge').innerText.trim() !== '—'",
                               timeout=30000)


@pytest.mark.parametrize("scenario,reasoning,edit", [
    ("wss-binding-missing", "In internal.xml ist die Zeile wss-binding auskommentiert; Port 7443 lauscht nicht.",
     "internal.xml"),
    ("tunnel-no-catch-all", "config.yml: nach der Ingress-Regel fehlt die Catch-all-Regel http_status:404.",
     "config.yml")])
def test_training_trainee_fixes_the_lab(browser, tmp_path, port_offsets, scenario, reasoning, edit):
    """Issue #21: the steps show observations, not verdicts; the answer list has the case's cause (a warning too);
    the solution is complete (cause → deciding evidence → fix); the trainee edits the lab's file at the path shown
    (and restarts the profile from the notebook), and "check my fix" re-runs everything and grades it."""
    import html as _html

    from fsnb.lab import scenarios
    from fsnb.present.training import cause_long
    off = port_offsets.take()
    case = scenarios.get(scenario)
    outside: list = []
    try:
        with jupyterlab(tmp_path, "training.ipynb", parameters={"port_offset": off, "scenario": scenario}) as (url, home):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            with _guarded(page, f"training-fix-{scenario}"):
                open_and_run_all(page, url, outside)
                page.locator(".fsnb-briefing-widget").wait_for(timeout=30000)
                _run_steps(page)
                obs = page.locator(".fsnb-obs-wissen").inner_text()
                assert "Das Urteil der Prüfungen bleibt bis zur Auflösung verborgen" in obs
                held = page.locator(".fsnb-obs-wissen .fsnb-verdict").count()
                assert held == 0 and page.locator(".fsnb-badge-wissen .fsnb-status-observed").count() == 1
                shot(page.locator(".jp-Cell").filter(has=page.locator(".fsnb-run-wissen")), f"training-observe-{scenario}.png")
                page.locator(".fsnb-hint-wissen").click()
                page.locator(".fsnb-hint-wissen").click()
                page.wait_for_function("document.querySelectorAll('.fsnb-hints-wissen .fsnb-hint').length === 2")
                hint2 = page.locator(".fsnb-hints-wissen .fsnb-hint").nth(1).inner_text()
                assert "Zeile" in hint2 and "unten" not in hint2, hint2
                _choose(page, cause_long(case.cause, "de"))
                shot(page.locator(".fsnb-guess"), f"training-answers-{scenario}.png")
                page.locator(".fsnb-reasoning textarea").fill(reasoning)
                page.locator(".fsnb-guess-submit").click()
                page.wait_for_function("document.querySelector('.fsnb-guess-saved').innerText.length > 0")
                page.locator(".fsnb-reveal").click()
                sol = page.locator(".fsnb-solution")
                sol.wait_for(timeout=60000)
                assert sol.get_attribute("data-right") == "true" and sol.get_attribute("data-expected") == case.cause
                assert sol.get_attribute("data-reasoning") == "hit"
                for part in ("cause", "evidence", "fix"):
                    assert page.locator(f".fsnb-solution .fsnb-why-{part}").inner_text().strip().count(" ") >= 3, part
                assert page.locator(".fsnb-solution .fsnb-why-evidence li").count() >= 1
                assert "Zeile" in page.locator(".fsnb-solution .fsnb-why-evidence").inner_text()
                shot(sol, f"training-solution-{scenario}.png")
                # after the reveal the cards show their verdicts
                page.wait_for_function("document.querySelectorAll('.fsnb-obs-wissen .fsnb-verdict').length > 0")
                tasks = page.locator(".fsnb-tasks[data-shown='true']")
                tasks.wait_for(timeout=30000)
                shot(page.locator(".jp-Cell").filter(has=tasks), f"training-tasks-{scenario}.png")
                path = next(_html.unescape(c) for c in tasks.locator("code").all_inner_texts() if c.strip().endswith(edit))
                text = open(path).read()
                if edit == "internal.xml":          # the trainee's edit: uncomment wss-binding
                    new = re.sub(r"<!--\s*(<param name=\"wss-binding\"[^>]*/>)\s*-->", r"\1", text)
                else:                               # the trainee's edit: a catch-all rule last
                    new = text.rstrip("\n") + "\n- service: http_status:404\n"
                assert new != text
                open(path, "w").write(new)
                if edit == "internal.xml":
                    page.locator(".fsnb-command-input input").fill("sofia profile internal restart")
                    page.locator(".fsnb-command-send").click()
                    page.wait_for_function("document.querySelector('.fsnb-command-out').innerText.includes('restarting')",
                                           timeout=30000)
                    assert manager._wait_port("127.0.0.1", 7443 + off, 15)
                page.locator(".fsnb-verify").scroll_into_view_if_needed()
                page.locator(".fsnb-verify").click()
                graded = page.locator(".fsnb-graded")
                graded.wait_for(timeout=90000)
                assert graded.get_attribute("data-fixed") == "true", graded.inner_text()
                assert "von dir" in graded.inner_text()
                assert "Error displaying widget" not in page.content()
                shot(graded, f"training-graded-{scenario}.png")
    finally:
        manager.down(off)
    assert not outside, f"requests left the machine: {outside[:5]}"
