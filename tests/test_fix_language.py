"""A fix plan speaks the operator's language: why a file changes, why a reload, why fsnb does not apply it, the
operator's steps and every refusal come in German with `--lang de` and in English with `--lang en` — from one `T`
each (fsnb/fix/plan.py, edits.py, apply.py, container.py); commands and paths are the same in both. The journal
keeps the English as before and the German beside it; a journal without the German still makes a report."""
from __future__ import annotations

import ast
import html
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from fsnb import journal
from fsnb.fix import apply as fixapply
from fsnb.fix import plan as fixplan
from fsnb.fix.edits import FixRefused
from fsnb.i18n import DE_ONLY, EN_ONLY, T
from fsnb.present import fixreport
from fsnb.present.notebook import fixview
from fsnb.target import Target

pytestmark = pytest.mark.unit

ESL = ('<configuration name="event_socket.conf" description="Socket Client">\n  <settings>\n'
       '    <param name="nat-map" value="false"/>\n    <param name="listen-ip" value="10.254.254.254"/>\n'
       '    <param name="listen-port" value="8021"/>\n  </settings>\n</configuration>\n')
PROFILE = '<profile name="internal"><settings>\n    <param name="ws-binding" value=":5066"/>\n</settings></profile>\n'


def _target(tmp_path: Path) -> Target:
    t = Target()
    fs = t.freeswitch
    fs.access, fs.conf_dir, fs.certs_dir, fs.wss_port = "local", str(tmp_path / "conf"), str(tmp_path / "certs"), 9
    (tmp_path / "conf/autoload_configs").mkdir(parents=True)
    (tmp_path / "conf/sip_profiles").mkdir()
    (tmp_path / "certs").mkdir()
    (tmp_path / "conf/autoload_configs/event_socket.conf.xml").write_text(ESL)
    (tmp_path / "conf/sip_profiles/internal.xml").write_text(PROFILE)
    return t


def _plan(cause: str, t: Target) -> fixplan.FixPlan:
    f = SimpleNamespace(cause=cause, explains=[])
    return fixplan.compute(f, SimpleNamespace(results=[], findings=[f]), t)


def _pair_pem(tmp_path: Path) -> None:
    from fsnb.lab import pki
    leaf = pki.CA("t").issue(["a"])
    (tmp_path / "certs/dtls-srtp.pem").write_bytes(leaf.key_pem + leaf.cert_pem)


def _texts(p: fixplan.FixPlan) -> list[T]:
    """Every explanation the plan carries (the commands and diffs are data)."""
    return [t for t in [p.why_not, *(r.why for r in p.reloads), *(e.why for e in p.edits), *p.user_steps] if t]


def _words(vocab) -> re.Pattern:
    return re.compile(r"(?<![\w.-])(" + "|".join(re.escape(w) for w in vocab) + r")(?![\w-])")


FOREIGN = {"de": _words(EN_ONLY), "en": _words(DE_ONLY)}
# English that must not be in a German explanation (outside `code`): the sentences' function words
ENGLISH = re.compile(r"(?<![\w.<-])(the|and|is|yourself|does|cannot|only|with|from|its|it|then|who|or)(?![\w>-])")
GERMAN = re.compile(r"(?<![\w.<-])(der|die|das|und|ist|nicht|selbst|Sie|nur|mit|danach|oder|wer)(?![\w>-])")


def _prose(s: str) -> str:
    """An explanation without its commands: the code spans, and the command before a step's `   # note`."""
    s = re.sub(r"`[^`]*`", " ", s)
    return s.split("   # ", 1)[1] if "   # " in s else s


CAUSES = {
    # an edit shown, the restart the operator's (why_not, a step with a comment)
    "esl-not-listening": dict(applicable=False, edits=1, why_not="restart FreeSWITCH yourself"),
    # applicable: an edit and a reload with its why
    "wss-binding-not-applied": dict(applicable=True, edits=1, why_not=""),
    # refused while computed (FixRefused)
    "dtls-srtp-failed": dict(applicable=False, edits=0, why_not="belong together"),
    # nothing to edit: the operator's steps with comments
    "wss-cert-expired": dict(applicable=False, edits=0, why_not="needs a new certificate"),
    "bind-failed": dict(applicable=False, edits=0, why_not="another program holds the port"),
    # no fix at all: the catalogue's reason and fix text
    "unexplained-failure": dict(applicable=False, edits=0, why_not="no known cause"),
}


@pytest.mark.parametrize("cause", sorted(CAUSES))
def test_a_plan_speaks_the_language_it_is_shown_in(tmp_path, cause):
    t = _target(tmp_path)
    _pair_pem(tmp_path)
    p = _plan(cause, t)
    want = CAUSES[cause]
    assert p.applicable == want["applicable"] and len(p.edits) == want["edits"], (p.applicable, p.why_not)
    assert want["why_not"] in p.why_not.en if want["why_not"] else not p.why_not
    texts = _texts(p)
    assert texts, cause
    shown = {lang: (p.text(lang), html.unescape(fixview.plan_html(p, lang))) for lang in ("de", "en")}
    for t_ in texts:
        assert t_.de.strip() and t_.en.strip()
        for lang, other in (("de", "en"), ("en", "de")):
            for out in shown[lang]:
                assert t_(lang) in out, (lang, t_(lang))
                if t_.de != t_.en:       # a text the same in both (a file's name, a bare command) is no language
                    assert t_(other) not in out, (lang, t_(other))
        if t_.de != t_.en:
            de, en = _prose(t_.de), _prose(t_.en)
            assert not ENGLISH.findall(de) and not FOREIGN["de"].findall(de), t_.de
            assert not GERMAN.findall(en) and not FOREIGN["en"].findall(en), t_.en
    # the commands themselves are not translated
    for s in p.user_steps:
        assert s.de.split("   # ")[0] == s.en.split("   # ")[0] or "   # " not in s.en
    for r in p.reloads:
        assert all(r.command in out for out in (*shown["de"], *shown["en"]))


def test_the_journal_keeps_both_and_the_report_shows_the_readers(tmp_path):
    t = _target(tmp_path)
    p = _plan("esl-not-listening", t)
    j = journal.Journal(tmp_path / "j.jsonl")
    j.write(fixapply.plan_record(p))
    rec = journal.read(tmp_path / "j.jsonl").records[-1]
    assert rec["why_not"] == p.why_not.en and rec["why_not_de"] == p.why_not.de         # English as before, German beside
    assert rec["user_steps"] == [s.en for s in p.user_steps] and rec["user_steps_de"] == [s.de for s in p.user_steps]
    assert fixreport.items([rec], "de")[0]["why_not"] == p.why_not.de
    assert fixreport.items([rec], "en")[0]["why_not"] == p.why_not.en
    assert p.why_not.de in "\n".join(fixreport.markdown([rec], "de")) and p.why_not.en not in \
        "\n".join(fixreport.markdown([rec], "de"))
    # a journal of an older fsnb (English only): its report still reads, in English where it has nothing else
    old = {k: v for k, v in rec.items() if not k.endswith("_de")}
    assert fixreport.items([old], "de")[0]["why_not"] == p.why_not.en
    assert fixreport.items([old], "de")[0]["user_steps"] == rec["user_steps"]


def test_a_refusal_says_it_in_the_operators_language(tmp_path, monkeypatch, capsys):
    """FixRefused carries both texts; str() stays English (journal, JSON, an exception's match); `fsnb fix --lang`
    prints the reader's."""
    from fsnb.present import cli, cli_fix
    t = _target(tmp_path)
    t.freeswitch.access = "esl"
    p = _plan("wss-binding-not-applied", t)
    assert "access 'esl'" in p.why_not.en and "ändern Sie sie selbst" in p.why_not.de
    with pytest.raises(FixRefused) as exc:
        fixplan.edit(str(tmp_path / "nowhere.xml"), "x")
    assert str(exc.value) == exc.value.text.en and exc.value.text.de.endswith("existiert nicht")

    def refuse(args):
        raise FixRefused(T("nichts wurde geschrieben", "nothing was written"))
    monkeypatch.setattr(cli_fix, "cli_fix", refuse)
    for lang, said, not_said in (("de", "nichts wurde geschrieben", "nothing"), ("en", "nothing was written", "nichts")):
        assert cli.main(["fix", "--lang", lang]) == 2
        err = capsys.readouterr().err
        assert f"fsnb: {said}" in err and not_said not in err


def test_apply_refuses_in_both_languages(tmp_path):
    from fsnb.fix.actions import Confirmation
    t = _target(tmp_path)
    p = _plan("esl-not-listening", t)
    with pytest.raises(FixRefused) as exc:
        fixapply.apply(t, p, None, Confirmation.make(p.command(), "test"))
    assert exc.value.text.de.startswith("fsnb wendet diese Behebung nicht selbst an: ") and p.why_not.de in exc.value.text.de
    assert str(exc.value).startswith("fsnb does not apply this fix itself: ") and p.why_not.en in str(exc.value)


FIX = Path(__file__).resolve().parents[1] / "fsnb" / "fix"


def _is_plain_string(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)) or \
        (isinstance(node, ast.BinOp) and (_is_plain_string(node.left) or _is_plain_string(node.right)))


def test_every_explanation_of_the_fix_package_is_declared_in_both_languages():
    """The source, read: no refusal, no why, no why-not and no operator's step is a plain (English-only) string."""
    bad = []
    for path in sorted(FIX.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            where = f"{path.name}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                args = {"FixRefused": node.args[:1], "Reload": node.args[2:3], "edit": node.args[2:3],
                        "FileEdit": node.args[4:5]}.get(node.func.id, [])
                args += [k.value for k in node.keywords if k.arg == "why"]
                bad += [f"{where} {node.func.id}(…)" for a in args if _is_plain_string(a)]
            elif isinstance(node, ast.Assign) and any(isinstance(x, ast.Attribute) and x.attr in ("why", "why_not")
                                                     for x in node.targets):
                if _is_plain_string(node.value):
                    bad.append(f"{where} why/why_not =")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append" \
                    and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "user_steps":
                bad += [f"{where} user_steps.append" for a in node.args if _is_plain_string(a)]
    assert not bad, bad


def test_the_notebook_says_a_refusal_in_its_language(tmp_path, monkeypatch):
    """The fix view's apply: a file changed after the plan was shown — the refusal in the notebook's language."""
    import time
    f = tmp_path / "internal.xml"
    f.write_text(PROFILE)
    p = fixplan.FixPlan("wss-binding-not-applied", "config-edit", "", "",
                        [fixplan.edit(str(f), PROFILE.replace(":5066", ":5067"))], applicable=True)
    monkeypatch.setattr(fixview, "compute_for", lambda session: p)
    for lang, said, not_said in (("de", "hat sich geändert, seit fsnb die Datei gelesen hat", "changed since"),
                                 ("en", "changed since fsnb read it", "hat sich geändert")):
        session = SimpleNamespace(headless=False, lang=lang, journal=None, _on_change=[], target=None,
                                  snapshot=lambda: None, run_in_background=lambda *_: None)
        box = fixview.panel(session)
        (typed, go), out = box.children[1].children, box.children[2]
        typed.value = "ja" if lang == "de" else "yes"
        f.write_text(PROFILE + "<!-- changed meanwhile -->\n")
        go.click()
        end = time.monotonic() + 10
        while "FixRefused" not in out.value and time.monotonic() < end:
            time.sleep(0.05)
        assert said in out.value and not_said not in out.value, out.value
        f.write_text(PROFILE)
