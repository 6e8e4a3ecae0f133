"""The `hostile-target` scenario (issue #11): a healthy lab whose target-side strings and files carry markup,
terminal escapes, `\\r`/`|` and huge adversarial content. Against it: no script runs in headless Chromium (the live
JupyterLab runbook, the exported notebook, the HTML report), Markdown keeps its structure, no control character
reaches the terminal, the run stays within its timeout + 1 s with every check as in a healthy lab, no secret leaks."""
from __future__ import annotations

import json
import re
import unicodedata

import pytest
from conftest import fsnb_cli, lab_secrets

from fsnb.lab import hostile, manager

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def lab(tmp_path_factory, lab_offset):
    tmp = tmp_path_factory.mktemp("hostile")
    lab = manager.up("hostile-target", offset=lab_offset)
    j = tmp / "j.jsonl"
    runs = {fmt: fsnb_cli("run", "--target", lab.target, "--format", fmt, "--journal", str(j))
            for fmt in ("table", "json", "markdown")}
    html, md = tmp / "report.html", tmp / "report.md"
    reports = [fsnb_cli("report", str(j), "--format", "html", "--out", str(html)),
               fsnb_cli("report", str(j), "--format", "markdown", "--out", str(md)),
               fsnb_cli("report", str(j), "--format", "markdown")]
    nb = fsnb_cli("notebook", "--target", lab.target, "--out", str(tmp / "nb"), "--journal", str(tmp / "nb.jsonl"),
                  timeout=300)
    yield {"lab": lab, "dir": tmp, "runs": runs, "reports": reports, "html": html, "md": md, "nb": nb,
           "export": tmp / "nb/runbook.html", "secrets": lab_secrets(lab_offset)}
    manager.down(lab_offset)


def _controls(s: str) -> list[str]:
    return sorted({hex(ord(c)) for c in s if c not in "\n\t" and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")})


def test_payloads_reach_fsnb(lab):
    """The scenario really is hostile: the planted strings are in what fsnb read (else the tests below prove nothing)."""
    out = json.loads(lab["runs"]["json"].stdout)
    ev = json.dumps([e for r in out["results"] for e in r["evidence"]])
    assert ev.count(hostile.MARKER) >= 3 and "onerror=" in ev and "\\u001b]0;pwned-title" in ev and "\\r" in ev
    assert hostile.TARGET_NAME == out["target"]


def test_run_is_bounded_and_unrelated_checks_unaffected(lab):
    out = json.loads(lab["runs"]["json"].stdout)
    assert lab["runs"]["json"].returncode == 0 and out["exit"] == 0, lab["runs"]["json"].stderr
    assert out["duration"] <= 3.0 + 1.0
    # Step 5's call skips on the simulator (it carries no media); everything else passes
    assert {r["id"]: r["status"] for r in out["results"] if r["status"] != "pass"} == {"schritt5.anruf": "skip"}
    assert out["diagnosis"] == []


def test_no_control_character_reaches_the_terminal(lab):
    for fmt, p in lab["runs"].items():
        assert _controls(p.stdout + p.stderr) == [], fmt
    for p in lab["reports"]:
        assert p.returncode == 0 and _controls(p.stdout + p.stderr) == []
    assert "\x1b" not in lab["nb"].stdout + lab["nb"].stderr


def test_markdown_structure_intact(lab):
    for text in (lab["md"].read_text(), lab["reports"][2].stdout, lab["runs"]["markdown"].stdout):
        assert _controls(text) == [] and "\r" not in text
        prose = re.sub(r"(?<!\\)(`+)(?!`).*?(?<!`)\1(?!`)", " ", text)    # code spans show markup as text
        assert not re.search(r"(?<!\\)<(img|svg|script|iframe)", prose)  # no raw HTML (`\<img` is text)
        assert not re.search(r"(?<!\\)\]\((?:http|javascript)", text)    # no live link or image
        from markdown_it import MarkdownIt                                # … as a tracker renders it
        toks = [t for tok in MarkdownIt("commonmark").enable("table").parse(text) for t in [tok, *(tok.children or [])]]
        assert not {"html_inline", "html_block", "link_open", "image"} & {t.type for t in toks}
        rows = [l for l in text.splitlines() if l.startswith("|")]
        assert rows
        for table in re.split(r"\n(?!\|)", "\n".join(l for l in text.splitlines())):
            widths = {len(re.findall(r"(?<!\\)\|", l)) for l in table.splitlines() if l.startswith("|")}
            assert len(widths) <= 1, table[:400]                         # every row has as many cells
    assert "hostile-target" in lab["md"].read_text()


def test_no_secret_in_any_output(lab):
    blobs = [p.stdout + p.stderr for p in list(lab["runs"].values()) + lab["reports"] + [lab["nb"]]]
    blobs += [f.read_text(errors="replace") for f in lab["dir"].rglob("*") if f.is_file()]
    for s in lab["secrets"]:
        assert all(s not in b for b in blobs)


def _page_checks(page):
    fired = []
    page.on("dialog", lambda d: (fired.append(d.message), d.dismiss()))
    return fired


@pytest.mark.browser
def test_no_script_runs_in_the_report_or_the_exported_notebook(lab):
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, FLAGS
    assert lab["nb"].returncode == 0, lab["nb"].stderr[-2000:]
    export = lab["export"].read_text()
    assert "<script" not in export and "Content-Security-Policy" in export.split("</head>")[0]
    assert not re.search(r"<(?:script|link)[^>]+(?:src|href)=[\"']?https?://", export)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        for f in (lab["html"], lab["export"]):
            page = b.new_page()
            fired = _page_checks(page)
            requests: list[str] = []
            page.on("request", lambda r, seen=requests: seen.append(r.url))
            page.goto(f.as_uri())
            page.wait_for_timeout(500)
            assert fired == [], (f.name, fired)
            assert page.title() != "pwned"
            text = page.evaluate("document.body.textContent")
            assert "onerror=" in text and hostile.MARKER in text         # shown as text, not run
            assert page.evaluate("document.querySelectorAll('img, iframe, script').length") == 0
            assert page.evaluate("[...document.querySelectorAll('*')].filter(e => [...e.attributes].some("
                                 "a => a.name.startsWith('on'))).length") == 0
            assert requests == [f.as_uri()], requests[:5]                 # self-contained: nothing fetched
        b.close()


@pytest.mark.browser
def test_no_script_runs_in_the_live_jupyterlab_runbook(lab, tmp_path):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, FLAGS, jupyterlab, open_and_run_all
    with jupyterlab(tmp_path, "runbook.ipynb", {"FSNB_TARGET": lab["lab"].target}) as (url, _), sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        fired = _page_checks(page)
        open_and_run_all(page, url, [])
        # the widget cards fill in: the log evidence (with the payloads) is in the schritt2 card
        page.wait_for_selector(".fsnb-table-schritt2 [data-check='schritt2.log']", timeout=90000)
        page.wait_for_function(f"document.body.textContent.includes({json.dumps(hostile.MARKER)})", timeout=30000)
        for title in page.locator(".lm-AccordionPanel-title, .p-Collapse-header, .jupyter-widget-Collapse-header").all()[:40]:
            try:
                title.click(timeout=2000)          # open the evidence panels: hidden markup must not run either
            except PlaywrightTimeout:
                pass
        page.wait_for_timeout(1500)
        assert fired == [], fired
        assert page.title() != "pwned"
        assert "onerror=" in page.evaluate("document.body.textContent")
        n = page.evaluate("[...document.querySelectorAll('.jp-OutputArea img, .jp-OutputArea iframe, "
                          ".jp-OutputArea svg [onload], .jp-OutputArea [onerror], .jp-OutputArea [onload]')].length")
        assert n == 0
        b.close()
