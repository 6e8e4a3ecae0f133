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


# -- the notebooks' prose (issue #21): headings and paragraphs follow `lang`, not only the widgets --------------------
GERMAN_PROSE = re.compile(r"(?<![\w.-])(und|der|das|ist|nicht|wird|für|oder|eine|wir|mit|auf|den|dem|Was|Mögliche|"
                          r"Lösung|Prüfe|Teste|Starte|Nächste|Notizen|Zeitleiste|Bericht)(?![\w-])")
ENGLISH_PROSE = re.compile(r"(?<![\w.-])(the|and|is|with|for|what|we|What|Possible|Solution|Next|Notes|Timeline|"
                           r"report|check that|listens now)(?![\w-])")


def _sentences(t: str) -> list[str]:
    """The prose of one language as sentences, Markdown marks and code spans taken out."""
    plain = re.sub(r"`[^`]*`", " ", t)
    plain = re.sub(r"[#*_]|^\d+\. ", " ", plain, flags=re.M)
    return [" ".join(s.split()) for s in re.split(r"(?<=[.:—])\s+|\n+", plain) if len(s.strip()) > 12]


def _shown(nb_path) -> str:
    """What a reader of the executed notebook sees of fsnb's own words: every HTML and Markdown output, with
    quoted target data (pre, code, code spans), styles and check ids left out."""
    import nbformat
    parts = []
    for c in nbformat.read(str(nb_path), 4).cells:
        if c.cell_type == "markdown":
            parts.append(ui_text(c.source, "markdown"))
        for o in c.get("outputs", []):
            d = o.get("data", {})
            join = lambda v: v if isinstance(v, str) else "".join(v)
            if "text/html" in d:
                html = re.sub(r"<textarea\b.*?</textarea>", " ", join(d["text/html"]), flags=re.S)   # the Markdown to copy
                parts.append(ui_text(html, "html"))
            if "text/markdown" in d:
                parts.append(ui_text(join(d["text/markdown"]), "markdown"))
    return "\n".join(parts)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_notebook_prose_follows_lang(tmp_path, lab_offset, lang):
    """The runbook and the incident-report notebook, run headless in each language: every heading and paragraph is in
    that language — none of the other language's prose sentences, function words or UI words."""
    from fsnb.lab import manager
    from fsnb.present.notebook import prose
    from fsnb.present.notebook.headless import run_notebook
    lab = manager.up("wss-pem-cert-only", offset=lab_offset)
    j = tmp_path / "j.jsonl"
    rb = run_notebook("runbook.ipynb", tmp_path / "rb", {"target": lab.target, "journal": str(j), "lang": lang})
    rep = run_notebook("incident-report.ipynb", tmp_path / "rep", {"journal": str(j), "lang": lang})
    other = "de" if lang == "en" else "en"
    for nb, kind in ((rb, "runbook"), (rep, "incident-report")):
        text = _shown(nb)
        mine = [s for t in prose.ALL[kind].values() for s in _sentences(t(lang))]
        theirs = [s for t in prose.ALL[kind].values() for s in _sentences(t(other))]
        flat = " ".join(re.sub(r"[#*_]", " ", text).split())
        assert mine and all(s in flat for s in mine[:3]), f"{kind} ({lang}) does not show its prose"
        leaked = [s for s in theirs if s in flat]
        assert not leaked, f"{kind} ({lang}) shows the other language's prose: {leaked[:3]}"
        found = sorted(set((GERMAN_PROSE if lang == "en" else ENGLISH_PROSE).findall(text)))
        assert not found, f"{kind} ({lang}) has prose words of the other language: {found}"
        assert_only(lang, text, "text", f"{kind} notebook")
