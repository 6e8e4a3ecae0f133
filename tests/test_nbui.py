"""The notebook views without a lab: the chain's break point, the action result, the waiting diagnosis, the tidy
table, the report's scoped CSS (issue #14)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from fsnb.diagnosis.rules import diagnose
from fsnb.fix import actions
from fsnb.present import chain_picture, notebook
from fsnb.result import Result, Status

pytestmark = pytest.mark.unit


def _r(cid: str, status: str, section: str | None = None, **observed) -> Result:
    return Result(id=cid, section=section or cid.split(".")[0], title_de=cid, title_en=cid, status=Status(status),
                  summary=f"{cid} {status}", summary_en=f"{cid} {status}", observed=observed)


def test_chain_marks_the_break_and_its_consequences():
    """A finding's hop is the break point; hops whose failures it explains are consequences; the others keep
    their own state (nginx and the tunnel config passed, ESL is fine)."""
    res = [_r("wissen.nginx", "pass"), _r("wissen.tunnel", "pass"), _r("schritt4.nginx", "fail"),
           _r("schritt4.public", "fail"), _r("schritt3.ports", "fail"), _r("wissen.zertifikat", "fail"),
           _r("schritt2.profil", "fail"), _r("schritt1.esl", "pass")]
    lead = SimpleNamespace(cause="wss-pem-bad", severity="fail",
                           explains=["wissen.zertifikat", "schritt3.ports", "schritt2.profil", "schritt4.nginx",
                                     "schritt4.public"])
    states = dict(chain_picture.hop_states(res, [lead]))
    assert states == {"browser": "consequence", "cloudflare": "consequence", "nginx": "consequence",
                      "freeswitch": "root", "profile": "consequence", "esl": "pass",
                      "media": None}    # no Step 5 result among these: the media path is not checked
    # unfinished results: no break point, only what each hop saw so far
    assert "root" not in dict(chain_picture.hop_states(res[:3]))
    svg = chain_picture.svg(res, findings=[lead], target={"freeswitch": {"wss_port": 8143, "ws_port": 5766, "esl_port": 8721},
                                                  "nginx": {"address": "127.0.0.1:8782"}}, lang="en")
    assert ":8782" in svg and "wss :8143" in svg and ":8021" not in svg and "break point" in svg


def test_action_result_puts_the_deciding_errors_first():
    rb = notebook.Runbook.unusable("x", "de")
    rb.target = SimpleNamespace(freeswitch=SimpleNamespace(wss_port=7443))
    res = actions.ActionResult("sofia profile internal start", "+OK", False, "", {"wss_from_here": "refused",
                               "profile_running": False, "wss_listening_on": []}, {"wss_from_here": "refused",
                               "profile_running": None}, log=[
                                   "[DEBUG] sofia.c:1 noise", "[WARNING] sofia.c:2 deprecated",
                                   "[ERR] sofia.c:3308 Error Creating SIP UA for profile: internal. Bad WSS.PEM certificate.",
                                   "[DEBUG] more noise"], log_at=[0.1, 0.2, 0.4, 0.5], elapsed=4.3)
    html = rb.action_result_html(actions.Plan("sofia profile internal start", "", ""), res)
    deciding = html.split("fsnb-deciding")[1].split("</div></div>")[0]
    assert deciding.index("Bad WSS.PEM") < deciding.index("deprecated") and "noise" not in deciding
    assert "+0.4 s" in deciding and "nach 4.3 s" in html
    assert "None" not in html and "False" not in html and "[]" not in html
    assert "nirgends" in html and "nicht erreichbar" in html


def test_diagnosis_waits_while_checks_run():
    rb = notebook.Runbook.unusable("x", "de")
    rb.error = None
    rb.results = {r.id: r for r in [_r("schritt1.esl", "pass")]}
    rb._running["r1"] = frozenset({"schritt1.esl", "schritt2.profil"})
    rb._got["r1"] = 1
    view = rb.diagnosis_view()
    assert isinstance(view, notebook.WaitingView) and "1 laufende" in view._repr_html_()
    rb._running.clear()
    assert "noch nicht alle" in rb.diagnosis_view()._repr_html_().lower()
    assert rb.wait_idle(0.1)


def test_scope_css_limits_every_rule():
    css = "body{margin:0}\nh1{font-size:22px}h2{border-bottom:1px solid}td,th{padding:4px}"
    out = notebook.scope_css(css, ".fsnb-report")
    assert out.splitlines() == [".fsnb-report{margin:0}", ".fsnb-report h1{font-size:22px}",
                                ".fsnb-report h2{border-bottom:1px solid}", ".fsnb-report td,.fsnb-report th{padding:4px}"]


def test_tidy_table_one_row_per_check_per_run_in_order(tmp_path):
    from fsnb.journal import Journal
    j = Journal(tmp_path / "j.jsonl")
    for run, ids in (("a", ["schritt2.profil", "wissen.nginx"]), ("b", ["schritt1.esl"])):
        for cid in ids:
            j.result(_r(cid, "pass"), run)
    df = notebook.tidy(j.path, "en")
    assert list(df["Check"]) == [notebook.check_title(c, "en") for c in ("wissen.nginx", "schritt2.profil", "schritt1.esl")]
    assert [x.split(" ·")[0] for x in df["Run"]] == ["1", "1", "2"]
    html = notebook.styled_table(df, "en").to_html()
    assert html.count(">1 · ") == 1 and "None" not in html


def test_findings_render_in_english_without_german_words():
    res = [_r("schritt2.profil", "fail", running=False), _r("schritt3.ports", "fail")]
    findings = diagnose(res)
    html = notebook.DiagnosisView(findings, [], "en", results=res)._repr_html_()
    assert "Most likely cause" in html and "Ursache" not in html and "Behebung" not in html


def test_summary_and_action_after_a_successful_fix():
    """Issue #21: once an action fixed the cause, neither the summary nor the action card opens with 'no cause
    found' — they say what was resolved, and by which command; before the results are in, the summary waits."""
    from fsnb.present.notebook import views
    from fsnb.present.notebook.session import Snapshot
    from fsnb.present.notebook.texts import all_ids
    ok = [_r(cid, "pass") for cid in sorted(all_ids())]
    for lang, resolved, none in (("de", "Behoben", "Keine Aktion nötig"), ("en", "Resolved", "No action needed")):
        snap = Snapshot(target=None, lang=lang, results=ok)
        assert snap.settled and snap.lead is None
        finding = SimpleNamespace(cause="profile-not-running", text=lambda L: "Profil gestoppt" if L == "de" else "profile stopped")
        fixed = (finding, "sofia profile internal start")
        card = views.action_html(snap, None, fixed)
        assert none not in card and resolved in card and "<code>sofia profile internal start</code>" in card
        assert none in views.action_html(snap, None)                      # nothing was ever wrong: nothing to do
        top = views.summary_html(snap, None, fixed)
        assert "data-state='fixed'" in top and resolved in top and "fsnb-action-plan" not in top
        assert "data-state='ok'" in views.summary_html(snap, None)
        waiting = views.summary_html(Snapshot(target=None, lang=lang, results=ok[:3]), None)
        assert "data-state='waiting'" in waiting


@pytest.mark.parametrize("config, call, state", [("pass", "skip", "skip"), ("pass", "pass", "pass"),
                                                 ("fail", "skip", "fail"), ("pass", "fail", "fail")])
def test_media_path_is_judged_by_the_call(config, call, state):
    """The media bar says OK only when a call had audio; a passing config without a call is not a verdict."""
    res = [_r("schritt5.config", config), _r("schritt5.anruf", call)]
    assert dict(chain_picture.hop_states(res))["media"] == state
