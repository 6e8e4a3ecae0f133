"""A real JupyterLab in headless Chromium (Debian's, driven by Playwright): run the runbook, click Schritt 1,
confirm a profile start through the widget and see 7443 listening. Fails (never skips) without a browser."""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import LAB_OFFSET, port_free, wait_port
from fsnb.lab import manager

OFF = LAB_OFFSET + 500
CHROMIUM = os.environ.get("FSNB_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("FSNB_ARTIFACTS", Path(__file__).resolve().parents[1] / "artifacts"))
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--metrics-recording-only", "--no-default-browser-check"]


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


@pytest.fixture
def jupyter(tmp_path):
    lab = manager.up("profile-stopped", offset=OFF)
    root = tmp_path / "nb"
    root.mkdir()
    shutil.copy(Path(__file__).resolve().parents[1] / "notebooks/runbook.ipynb", root / "runbook.ipynb")
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "FSNB_TARGET": lab.target, "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
           "JUPYTER_DATA_DIR": str(tmp_path / "data"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"), "HOME": str(tmp_path)}
    # HOME is temporary: journals, workspaces and settings stay out of the user's home
    proc = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                             f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
                             f"--ServerApp.root_dir={root}", "--LabApp.news_url=None",
                             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                             "--LabApp.extension_manager=readonly", "--allow-root"],
                            env=env, stdout=open(tmp_path / "jupyter.log", "wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        wait_port(port, timeout=60)
        yield f"http://127.0.0.1:{port}", token, lab
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        manager.down(OFF)


def test_runbook_in_jupyterlab(browser, jupyter):
    base, token, lab = jupyter
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        _drive(page, base, token, lab)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "jupyterlab-failure.png"), full_page=True)   # for whoever reads CI
        raise


def _drive(page, base, token, lab):
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")) else None)
    page.goto(f"{base}/lab/tree/runbook.ipynb?token={token}", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook", timeout=60000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60000)
    page.locator(".jp-Notebook").click()
    page.keyboard.press("Escape")
    # Run > Run All Cells. Under load the menu can be opened before the command is enabled (the kernel still
    # connecting); a click on the disabled item does nothing, so: click, see a cell start, else click again.
    started = "() => [...document.querySelectorAll('.jp-InputPrompt')].some(p => /\\[(\\*|\\d+)\\]/.test(p.innerText))"
    for _ in range(4):
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_text("Run All Cells", exact=True).click()
        try:
            page.wait_for_function(started, timeout=15000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    else:
        raise AssertionError("Run All Cells never started a cell")
    page.wait_for_selector(".fsnb-run-schritt1", timeout=90000)
    page.locator(".fsnb-run-schritt1").scroll_into_view_if_needed()
    page.locator(".fsnb-run-schritt1").click()
    page.wait_for_function("document.querySelector('.fsnb-table-schritt1') && "
                           "document.querySelector('.fsnb-table-schritt1').innerText.includes('schritt1.esl')", timeout=30000)
    badge = page.locator(".fsnb-badge-schritt1 .fsnb-badge")
    badge.wait_for(timeout=30000)
    assert badge.inner_text().strip() == "OK"
    assert "Error displaying widget" not in page.content()
    # the profile is stopped: prepare the action, see the exact command, confirm through the widget
    page.locator(".fsnb-prepare").scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('.fsnb-badge-schritt2 .fsnb-badge') && "
                           "document.querySelector('.fsnb-badge-schritt2 .fsnb-badge').innerText.trim() !== '—'", timeout=30000)
    page.locator(".fsnb-prepare").click()
    page.wait_for_selector(".fsnb-command", timeout=15000)
    assert page.locator(".fsnb-command").inner_text() == "sofia profile internal start"
    assert port_free(lab.ports["wss"])
    page.locator(".fsnb-confirm").click()
    page.wait_for_selector(".fsnb-action-result[data-ok='true']", timeout=30000)
    page.wait_for_function("document.querySelector('.fsnb-table-schritt3').innerText.includes('lauscht')", timeout=30000)
    assert "7443 lauscht" in page.locator(".fsnb-table-schritt3").inner_text()
    assert not port_free(lab.ports["wss"])
    assert "Error displaying widget" not in page.content()
    page.locator(".fsnb-run-schritt1").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "jupyterlab-runbook.png"), full_page=False)
    # `make setup` disables JupyterLab's announcements plugin: no news opt-in toast over the runbook
    assert page.get_by_text("official Jupyter news").count() == 0
    assert not outside, f"requests left the machine: {outside[:5]}"
