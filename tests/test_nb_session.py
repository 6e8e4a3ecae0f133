"""The notebook's session and its pure views, without Jupyter, a lab or a network (issue #23)."""
from __future__ import annotations

import sys
import threading
from types import SimpleNamespace

import pytest

from fsnb import runner
from fsnb.checks import all_checks
from fsnb.diagnosis import rules
from fsnb.present.notebook import session as nbsession
from fsnb.present.notebook import views
from fsnb.present.notebook.session import Session, Snapshot
from fsnb.present.notebook.texts import all_ids
from fsnb.result import Result, Status

pytestmark = pytest.mark.unit

FS = SimpleNamespace(host="127.0.0.1", esl_port=8021, ws_port=5066, wss_port=7443, container=None, profile="internal",
                     certs_dir="/etc/freeswitch/tls")
TARGET = SimpleNamespace(name="edge<1>", freeswitch=FS, nginx=SimpleNamespace(address="127.0.0.1:8082"),
                         tunnel=SimpleNamespace(public_url="wss://example.test/", standin=False), lab="",
                         timeouts=SimpleNamespace(check=0.1))


def _r(cid: str, status: str = "pass", **observed) -> Result:
    return Result(id=cid, section=cid.split(".")[0], title_de=cid, title_en=cid, status=Status(status),
                  summary=f"{cid} {status}", summary_en=f"{cid} {status}", observed=observed)


def _all(**status) -> list[Result]:
    """A result for every check: pass, or the status given for an id (dots as __)."""
    return [_r(c.id, status.get(c.id.replace(".", "__"), "pass")) for c in all_checks()]


def _session(results=()) -> Session:
    s = Session.unusable("no target here", "en")
    s.error, s.target = None, TARGET
    s.results = {r.id: r for r in results}
    return s


def test_session_imports_no_jupyter():
    import subprocess
    code = ("import sys, fsnb.present.notebook.session, fsnb.present.notebook.views;"
            "print([m for m in ('IPython', 'ipywidgets') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_expected_is_the_run_engines_selection():
    for only in (None, ["schritt2"], ["schritt4"], ["schritt3.ports"], ["alternative"]):
        assert nbsession.expected(only) == {s.id for s in runner.selected(only)}
    assert nbsession.expected(None) == all_ids()
    step2 = nbsession.expected(["schritt2"])
    assert {c.id for c in all_checks() if c.section == "schritt2"} <= step2
    for c in all_checks():                       # every dependency of a selected check is selected
        if c.id in step2:
            assert set(c.needs) <= step2


def test_snapshot_settles_only_when_complete_and_idle():
    s = _session(_all()[:-1])
    snap = s.snapshot()
    assert not snap.complete and not snap.settled and snap.plan() is None
    s.results = {r.id: r for r in _all()}
    assert s.snapshot().settled and s.settled()
    s._running["r1"] = frozenset({"schritt1.esl", "schritt2.profil"})
    s._got["r1"] = 1
    snap = s.snapshot()
    assert snap.busy and not snap.settled and snap.expected == 2 and snap.got == 1
    assert snap.running == {"schritt1.esl", "schritt2.profil"}
    s._running.clear()
    s._got.clear()
    assert s.wait_idle(0.1)


def test_snapshot_is_in_the_analysis_order_and_knows_the_lead():
    s = _session(reversed(_all(schritt2__profil="fail")))
    snap = s.snapshot()
    from fsnb.checks import order_key
    assert [r.id for r in snap.results] == sorted((r.id for r in snap.results), key=order_key)
    assert snap.lead is not None and snap.lead.cause == rules.diagnose(snap.results)[0].cause
    assert [r.id for r in snap.section("schritt2")] == [r.id for r in snap.results if r.section == "schritt2"]
    assert s.lead().cause == snap.lead.cause


def test_listeners_errors_do_not_stop_the_session():
    s = _session()
    seen = []
    s._on_change.append(lambda: 1 / 0)
    s._on_change.append(lambda: seen.append("changed"))
    s._changed()
    assert seen == ["changed"]


def test_run_records_results_journals_once_and_tells_listeners(tmp_path, monkeypatch):
    from fsnb.journal import Journal, read
    res = _all()

    async def fake_run_async(target, *, only=None, on_result=None, **kw):
        specs = runner.selected(only)
        got = [r for r in res if r.id in {s.id for s in specs}]
        for r in got:
            on_result(r)
        return runner.Run(target, got, rules.diagnose(got), rules.hypotheses(got), 0.0, 0.0)

    monkeypatch.setattr(runner, "run_async", fake_run_async)
    s = _session()
    s.journal = Journal(tmp_path / "j.jsonl")
    heard, changes = [], []
    s._on_result.append(lambda r: heard.append(r.id))
    s._on_change.append(lambda: changes.append(s.busy))
    s.run(["schritt2"])
    assert set(heard) == nbsession.expected(["schritt2"]) and changes == [True, False]
    assert read(s.journal.path).of("diagnosis") == []          # no diagnosis from half the results
    done = threading.Event()
    s.run_in_background(None, done=lambda outcome: done.set())
    assert done.wait(10) and s.wait_idle(5) and s.settled()
    s.run(["schritt1"])                                        # the same state again: no second diagnosis
    recs = read(s.journal.path)
    assert len(recs.of("diagnosis")) == 1
    assert {r["id"] for r in recs.of("result")} == all_ids()


def test_header_and_step_views_escape_the_target():
    snap = Snapshot(TARGET, "en", _all(schritt2__profil="fail"), journal="/tmp/<j>.jsonl")
    head = views.header_html(snap)
    assert "edge&lt;1&gt;" in head and "&lt;j&gt;" in head and "<j>" not in head and "wss 7443" in head
    step = views.step_html(snap, "schritt2")
    assert 'data-section="schritt2"' in step and "FAIL" in step and "<details>" in step


def test_diagnosis_view_waits_then_concludes():
    res = _all(schritt2__profil="fail")
    waiting = views.diagnosis_view(Snapshot(TARGET, "de", res, frozenset({"schritt1.esl"}), 3, 1, True))
    assert isinstance(waiting, views.WaitingView) and "2 laufende" in waiting._repr_html_()
    half = views.diagnosis_view(Snapshot(TARGET, "en", res[:3]))
    assert "(3 of " in half._repr_html_()
    done = views.diagnosis_view(Snapshot(TARGET, "en", res))
    assert isinstance(done, views.DiagnosisView)
    html = done._repr_html_()
    assert "data-state='complete'" in html and "fsnb-hypotheses" in html and "Most likely cause" in html


def test_verdicts_are_coloured_by_their_judgement():
    from fsnb.present.notebook.texts import VERDICT_COLOUR
    verdicts = rules.hypotheses(_all())
    assert all(v.judgement is not None for v in verdicts)
    html = views.DiagnosisView([], verdicts, "en")._repr_html_()
    for v in verdicts:
        assert f"background:{VERDICT_COLOUR[v.judgement]}'>{v.verdict_en}<" in html
    odd = SimpleNamespace(hypothesis="1. x", verdict="seltsam", verdict_en="odd", reason_de="r", reason_en="r")
    assert ">odd<" in views.DiagnosisView([], [odd], "en")._repr_html_()
    assert rules.Judgement.parse("bestätigt") is rules.Judgement.CONFIRMED
    assert rules.Judgement.parse("refuted") is rules.Judgement.REFUTED and rules.Judgement.parse("?") is None


def test_action_view_shows_the_fix_steps_or_the_plan():
    assert "fsnb-wait" in views.action_html(Snapshot(TARGET, "en", _all()[:2]), None)
    assert "data-plan='none'" in views.action_html(Snapshot(TARGET, "en", _all()), None)
    res = _all(wissen__zertifikat="fail", schritt2__profil="fail", schritt3__ports="fail")
    snap = Snapshot(TARGET, "en", res)
    html = views.action_html(snap, None)
    assert "data-plan='steps'" in html and "fsnb-steps" in html and "fsnb-no-start" in html
    plan = SimpleNamespace(command="sofia profile internal start", reason_de="starten", reason_en="start it")
    html = views.action_html(snap, plan)
    assert "data-plan='command'" in html and "start it" in html and "fsnb-steps" not in html
    assert "(headless)" in views.command_html(plan, "en", headless=True)


def test_fix_steps_moved_to_the_fix_package():
    from fsnb.fix.steps import fix_steps
    lead = SimpleNamespace(cause="wss-pem-bad", fix=lambda lang: "rebuild")
    steps = fix_steps(lead, TARGET, {}, "en")
    assert steps[0][1] == "cat privkey.pem cert.pem chain.pem > /etc/freeswitch/tls/wss.pem && chmod 600 /etc/freeswitch/tls/wss.pem"
    assert steps[-1][1] == "sofia profile internal start"
    other = SimpleNamespace(cause="esl-bad-password", fix=lambda lang: f"fix ({lang})")
    assert fix_steps(other, TARGET, {}, "de") == [("fix (de)", None)]


def test_human_words_for_states():
    assert [views.human(v, "en") for v in (None, True, False, [], ["::1", "127.0.0.1"], "refused", "x")] == [
        "unknown", "yes", "no", "nowhere", "::1, 127.0.0.1", "unreachable", "x"]
