"""Every output in each language, and none of the other language's UI words in it (issue: English that is English).

What fsnb says is checked; what it quotes verbatim from the target (evidence in <pre>, Markdown code spans,
check ids) is data and left out before looking.
"""
from __future__ import annotations

import html as _html
import json
import re

import pytest
from conftest import fsnb_cli

from fsnb.i18n import DE_ONLY, EN_ONLY

pytestmark = pytest.mark.lab

SCENARIOS = ["healthy", "wss-pem-cert-only", "esl-acl"]


def _words(vocab) -> re.Pattern:
    return re.compile(r"(?<![\w.-])(" + "|".join(re.escape(w) for w in vocab) + r")(?![\w-])")


FOREIGN = {"en": _words(DE_ONLY), "de": _words(EN_ONLY)}


def ui_text(text: str, kind: str) -> str:
    """The words fsnb itself put there."""
    if kind == "html":
        text = re.sub(r"<(pre|style|code|svg)\b.*?</\1>", " ", text, flags=re.S)
        text = _html.unescape(re.sub(r"<[^>]+>", " ", text))
    if kind == "markdown":
        text = re.sub(r"(`+)[^`]*?\1", " ", text)
    return re.sub(r"\b(?:wissen|schritt\d|alternative)\.[a-z0-9_]+\b", " ", text)    # check ids are ids


def assert_only(lang: str, text: str, kind: str, where: str) -> None:
    found = sorted(set(FOREIGN[lang].findall(ui_text(text, kind))))
    assert not found, f"{where} ({lang}) has words of the other language: {found}"


@pytest.fixture(scope="module", params=SCENARIOS)
def lab(request, tmp_path_factory, lab_offset):
    up = fsnb_cli("lab", "up", "--scenario", request.param, "--port-offset", str(lab_offset), timeout=180)
    assert up.returncode == 0, up.stderr + up.stdout
    yield request.param, tmp_path_factory.mktemp(f"lang-{request.param}")
    fsnb_cli("lab", "down", "--port-offset", str(lab_offset))


@pytest.mark.parametrize("lang", ["de", "en"])
def test_cli_outputs_speak_one_language(lab, lang):
    name, tmp = lab
    journal = tmp / f"{lang}.jsonl"
    table = fsnb_cli("run", "--lang", lang, "--journal", str(journal), timeout=60)
    assert table.returncode in (0, 1), table.stderr
    assert_only(lang, table.stdout, "text", f"fsnb run table, {name}")
    md = fsnb_cli("run", "--lang", lang, "--format", "markdown", timeout=60)
    assert_only(lang, md.stdout, "markdown", f"fsnb run markdown, {name}")
    for fmt in ("html", "markdown"):
        rep = fsnb_cli("report", str(journal), "--format", fmt, "--lang", lang, timeout=60)
        assert rep.returncode == 0, rep.stderr
        assert_only(lang, rep.stdout, fmt, f"fsnb report {fmt}, {name}")
    if name != "healthy":   # a failing run also shows the diagnosis and the --fix answer
        assert "Diagnos" in table.stdout
        fix = fsnb_cli("run", "--lang", lang, "--fix", timeout=60)     # no terminal, no --yes: nothing is changed
        assert_only(lang, fix.stderr, "text", f"fsnb run --fix, {name}")


def test_json_keeps_both_languages_apart(lab):
    """JSON is data: it carries both texts; each field holds only its own language."""
    name, _ = lab
    out = json.loads(fsnb_cli("run", "--format", "json", timeout=60).stdout)
    for r in out["results"]:
        assert_only("de", r["summary"], "text", f"{name} {r['id']} summary")
        assert_only("en", r["summary_en"], "text", f"{name} {r['id']} summary_en")
    for f in out["diagnosis"]:
        assert_only("de", f["text_de"] + f["fix_de"], "markdown", f"{name} {f['cause']}")
        assert_only("en", f["text_en"] + f["fix_en"], "markdown", f"{name} {f['cause']}")
    for v in out["hypotheses"]:
        assert_only("de", v["hypothesis"] + v["reason_de"], "markdown", f"{name} hypothesis")
        assert_only("en", v["hypothesis_en"] + v["reason_en"], "markdown", f"{name} hypothesis")
