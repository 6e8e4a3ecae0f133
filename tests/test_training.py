"""The training (issue #21, trainee part): the case pool, labels, the answer list, complete solutions, hints that
point at evidence, observations without verdicts, a free lab offset."""
from __future__ import annotations

import random
import re
import socket
from types import SimpleNamespace

import pytest

from fsnb import target as tgt
from fsnb.diagnosis.catalogue import CAUSES
from fsnb.fix.steps import fix_steps
from fsnb.lab import manager, scenarios
from fsnb.present import training
from fsnb.present.training import casebook as C
from fsnb.present.training import fixing, observe
from fsnb.result import Evidence, Result, Status


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


@pytest.mark.unit
def test_pool_holds_every_cause_the_lab_has():
    for real in (False, True):
        runnable = [s for s in scenarios.SCENARIOS if s.cause and not s.hostile and (s.real if real else s.sim)]
        pool = training.pool(real)
        assert {s.name for s in pool} == {s.name for s in runnable}
        assert {s.cause for s in pool} == {s.cause for s in runnable}
    causes = {s.cause for s in training.pool()}
    assert {"nginx-websocket-config", "profile-xml-not-well-formed"} <= causes       # the warning-level ones too
    assert len(causes) >= 20


@pytest.mark.unit
def test_random_never_repeats_and_reaches_every_case(home):
    rng, last, seen = random.Random(3), None, []
    for _ in range(400):
        s = training.draw(rng)
        assert s.name != last
        if last is not None:
            assert s.cause != scenarios.get(last).cause       # not even the same cause with another scenario
        C.remember(s.name, 4200)
        assert C.last_case() == s.name and C.last_offset() == 4200
        last = s.name
        seen.append(s.name)
    assert set(seen) == {s.name for s in training.pool()}
    # a new kernel (a new Random, same seed) still does not repeat: the last case is in the state dir
    first = training.draw(random.Random(1))
    C.remember(first.name)
    assert all(training.draw(random.Random(1)).name != first.name for _ in range(5))


@pytest.mark.unit
@pytest.mark.parametrize("lang", ["de", "en"])
def test_labels_and_briefings_are_distinct_and_say_nothing(lang):
    labels = [l for l, _ in training.labels(lang=lang)]
    assert len(labels) == len(set(labels)) == len(training.pool())
    shorts = [training.label(s)(lang) for s in training.pool()]
    assert len(set(shorts)) == len(shorts)
    briefs = [training.symptom(s)(lang) for s in training.pool()]
    assert len(set(briefs)) == len(briefs)
    assert all(s.briefing for s in scenarios.SCENARIOS if s.cause)   # no case falls back to the default
    secret = {s.name for s in scenarios.SCENARIOS} | set(CAUSES)
    for text in labels + briefs:
        leaks = [w for w in secret if re.search(rf"(?<![\w.-]){re.escape(w)}(?![\w-])", text)]
        assert not leaks, (text, leaks)


@pytest.mark.unit
@pytest.mark.parametrize("lang", ["de", "en"])
def test_answer_list_every_case_ordered_by_hop_in_full(lang):
    groups = training.answer_groups(lang)
    ids = [cid for _, items in groups for _, cid in items]
    assert len(ids) == len(set(ids))
    assert {s.cause for s in training.cases(True)} | {s.cause for s in training.cases()} <= set(ids)
    assert set(ids) == set(CAUSES) - {"unexplained-failure"}
    # by hop, browser → ESL, and within a hop in the catalogue's (rank) order
    order = [n for n, _ in C.HOPS]
    nodes = [CAUSES[c].node for c in ids]
    assert nodes == sorted(nodes, key=order.index)
    for _, items in groups:
        ranks = [CAUSES[c].rank for _, c in items]
        assert ranks == sorted(ranks)
    for text, cid in (i for _, items in groups for i in items):      # the full catalogue text, never cut
        assert text == (CAUSES[cid].en if lang == "en" else CAUSES[cid].de)


def _target(tmp_path):
    t = tgt.Target(name="lab", lab="x")
    fs = t.freeswitch
    fs.conf_dir, fs.certs_dir = str(tmp_path / "conf"), str(tmp_path / "certs")
    fs.esl_port, fs.wss_port, fs.ws_port = 13521, 12943, 10566
    t.nginx = tgt.NginxTarget(address="127.0.0.1:13582", config=str(tmp_path / "nginx.conf"), error_log="")
    t.tunnel = tgt.TunnelTarget(config=str(tmp_path / "config.yml"), hostname="h", public_url="wss://h/",
                                connect="127.0.0.1:1", ca_file="", standin=True)
    return t


@pytest.mark.unit
@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_case_has_a_complete_solution(tmp_path, lang, monkeypatch):
    """cause → deciding evidence → fix for every case, warnings included: the cause's text, where its deciding
    evidence is, the operator's fix steps and the trainee's steps in the lab (with a path or a command)."""
    monkeypatch.setenv("FSNB_LAB_DIR", str(tmp_path / "labs"))
    t = _target(tmp_path)
    for s in set(training.cases()) | set(training.cases(True)):
        c = CAUSES[s.cause]
        assert training.cause_long(s.cause, lang) == (c.en if lang == "en" else c.de)
        assert CAUSES[s.cause].deciding, f"{s.cause}: where is its deciding evidence?"
        assert CAUSES[s.cause].keywords, f"{s.cause}: no keywords to grade a reasoning"
        finding = SimpleNamespace(cause=s.cause, fix=lambda L, c=c: c.fix_en if L == "en" else c.fix_de)
        steps = fix_steps(finding, t, {}, lang)
        assert steps and all(text.strip() for text, _ in steps)
        tasks = fixing.tasks(s.cause, t, 5000)
        assert tasks and all(x.text(lang).strip() for x in tasks), s.cause
        if s.cause in ("tunnel-config-invalid", "nginx-websocket-config", "wss-binding-not-applied",
                       "nginx-scheme-mismatch", "esl-bad-password", "profile-not-running", "wss-pem-bad"):
            assert any(x.code for x in tasks), f"{s.cause}: the trainee needs the exact file or command"


def _r(cid, evidence, status=Status.FAIL, observed=None):
    return Result(cid, cid.split(".")[0], cid, cid, status, "VERDICT-TEXT", "VERDICT-TEXT",
                  [Evidence(lbl, text) for lbl, text in evidence], observed or {})


@pytest.mark.unit
def test_pointers_name_the_check_and_the_line():
    log = _r("schritt2.log", [("freeswitch.log", "2026 [INFO] fine\n2026 [ERR] sofia.c:3308 Error Creating SIP UA for "
                                                 "profile: internal. Bad WSS.PEM certificate.")])
    cert = _r("wissen.zertifikat", [("wss.pem", "/x/wss.pem\nblocks: CERTIFICATE\nsubject: CN=x")])
    ptrs = observe.pointers("wss-pem-bad", {r.id: r for r in (log, cert)})
    assert [p.check for p in ptrs] == ["schritt2.log", "wissen.zertifikat"]
    assert "Bad WSS.PEM" in ptrs[0].line and ptrs[1].line == "blocks: CERTIFICATE"
    text = observe.pointer_text(ptrs[0], "de")
    assert "Bad WSS.PEM" in text and "freeswitch.log" in text and "unten" not in text and "below" not in text
    assert observe.reasoning_hits("wss-pem-bad", "Das Log sagt Bad WSS.PEM", ptrs)
    assert observe.reasoning_hits("tunnel-config-invalid", "es fehlt die catch-all Regel", [])
    assert not observe.reasoning_hits("wss-pem-bad", "keine Ahnung", ptrs)


@pytest.mark.unit
def test_observations_hold_the_verdict_back():
    r = _r("wissen.binding", [("internal.xml", "<!-- wss-binding = :7443 -->")], observed={"wss_commented": True})
    before = observe.observations_html([r], "de", revealed=False)
    assert "wss-binding = :7443" in before and "wss_commented" in before
    assert "VERDICT-TEXT" not in before and "fsnb-status-fail" not in before
    badge = observe.section_badge([r], False, "de")
    assert "gelesen" in badge and "fsnb-status-fail" not in badge
    after = observe.observations_html([r], "de", revealed=True)
    assert "VERDICT-TEXT" in after and "fsnb-status-fail" in after


@pytest.mark.unit
def test_free_offset_skips_busy_ports_and_recorded_labs(tmp_path, monkeypatch):
    monkeypatch.setenv("FSNB_LAB_DIR", str(tmp_path / "labs"))
    start = 40000 - 8021            # ESL lands on 40000
    with socket.socket() as s:      # something holds a port of the first offset
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 40000))
        s.listen()
        off = manager.free_offset(start=start, step=10)
        assert off != start and not manager.lab_ports(off) & {40000}
    # a lab recorded at an offset: neither it nor an offset sharing a port with it is handed out
    d = manager.lab_dir(off)
    d.mkdir(parents=True)
    manager._save_state(d, {"offset": off, "mode": "local", "procs": {}})
    nxt = manager.free_offset(start=off, step=10)
    assert nxt != off and not manager.lab_ports(nxt) & manager.lab_ports(off)
    assert manager.free_offset(start=start, prefer=off) == off        # one's own last lab: reused


# -- in the lab ------------------------------------------------------------------------------------------------------
def _shown_path(html: str, name: str) -> str:
    """The path of `name` as the trainee reads it in the fix steps."""
    import html as _html
    paths = [m for m in re.findall(r"<code[^>]*>([^<]+)</code>", html) if m.endswith(name)]
    assert paths, f"{name} is not shown in the fix steps"
    return _html.unescape(paths[0])


@pytest.mark.lab
def test_warning_case_has_a_right_answer_and_a_complete_solution(home, lab_offset):
    tr = training.Training("nginx-no-upgrade-headers", headless=True, port_offset=lab_offset)
    try:
        assert "nginx-websocket-config" in [c for _, c in tr.choices()]
        tr.record_guess("nginx-websocket-config", "proxy_http_version 1.1 und Upgrade fehlen")
        html = tr.reveal_html()
        assert "data-right='true'" in html and "data-severity='warn'" in html and "data-reasoning='hit'" in html
        sol = tr.solution()
        assert sol["text"] and sol["pointers"] and sol["fix"] and sol["tasks"]
        assert any(p.check == "wissen.nginx" and p.line for p in sol["pointers"])
        for part in ("fsnb-why-cause", "fsnb-why-evidence", "fsnb-why-fix", "Entscheidender Beleg", "Behebung"):
            assert part in html
        assert "Deine Begründung nennt den entscheidenden Beleg." in html
        tr._revealed()
        assert str(manager.lab_dir(lab_offset) / "nginx/sites/freeswitch.conf") in tr.tasks_html()
    finally:
        manager.down(lab_offset)


@pytest.mark.lab
def test_trainee_edits_the_lab_file_and_the_rerun_grades_it(home, lab_offset):
    tr = training.Training("wss-binding-missing", headless=True, port_offset=lab_offset)
    try:
        tr.rb.run()
        assert "Beleg" in tr.hint_texts("wissen")[1] and "wss-binding" in tr.hint_texts("wissen")[1]
        assert "schritt1" not in tr.hint_texts("schritt1")[1]          # points elsewhere, by the step's name
        g = tr.check_fix()
        assert not g.fixed and g.remaining[0].cause == "wss-binding-not-applied"
        tr.record_guess("wss-binding-not-applied", "wss-binding ist auskommentiert")
        tr.reveal_html()
        tr._revealed()
        xml = _shown_path(tr.tasks_html(), "internal.xml")
        text = open(xml).read()
        fixed = re.sub(r"<!--\s*(<param name=\"wss-binding\"[^>]*/>)\s*-->", r"\1", text)
        assert fixed != text
        open(xml, "w").write(fixed)                                  # the trainee's edit
        assert "restarting" in tr.command("sofia profile internal restart")
        assert manager._wait_port("127.0.0.1", tr.rb.target.freeswitch.wss_port, 10)
        g = tr.check_fix()
        assert g.fixed, (g.remaining, g.failed)
        assert "data-fixed='true'" in tr.grade_html(g) and "von dir" in tr.grade_html(g)
    finally:
        manager.down(lab_offset)


@pytest.mark.lab
def test_a_new_case_resets_the_header_and_the_lab(home, lab_offset):
    tr = training.Training("esl-acl", headless=True, port_offset=lab_offset)
    try:
        tr.rb._header = SimpleNamespace(value=tr.rb.header_html())     # the live header widget
        old = str(tr.rb.journal.path)
        assert old in tr.rb._header.value
        import time
        time.sleep(1.1)                                                  # journals are named by the second
        tr.switch("random")
        assert tr.scenario.name != "esl-acl" and tr.scenario.cause != "esl-acl-rejects"
        assert str(tr.rb.journal.path) != old and str(tr.rb.journal.path) in tr.rb._header.value
        assert old not in tr.rb._header.value
        assert manager.info(lab_offset).scenario == tr.scenario.name and C.last_case() == tr.scenario.name
        assert tr.guess is None and not tr.revealed
    finally:
        manager.down(lab_offset)


@pytest.mark.lab
def test_without_an_offset_the_training_takes_a_free_one(home, port_offsets, monkeypatch):
    busy = port_offsets.take()
    manager.up("healthy", offset=busy)          # somebody's lab is running
    try:
        off = manager.free_offset(start=busy, step=10)
        assert off != busy
        C.remember("profile-stopped", busy)     # the last round used that offset; somebody else's lab holds it now
        tr = training.Training("profile-stopped", headless=True, port_offset=None)
        assert tr.offset >= 100 and tr.offset != busy and not manager.lab_ports(tr.offset) & manager.lab_ports(busy)
        assert manager.info(busy).running and manager.info(busy).scenario == "healthy"   # left alone
        assert C.last_offset() == tr.offset
        again = training.Training("esl-acl", headless=True, port_offset=None)     # the next round: the same lab
        assert again.offset == tr.offset and manager.info(tr.offset).scenario == "esl-acl"
        manager.down(tr.offset)
    finally:
        manager.down(busy)


def _as_trainee(cmd: str) -> str:
    """A command as the trainee types it into a terminal (this fsnb importable there)."""
    import os
    import subprocess
    from pathlib import Path

    import fsnb
    p = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=40,
                       env={**os.environ, "PYTHONPATH": str(Path(fsnb.__file__).resolve().parents[1])})
    return p.stdout + p.stderr


def _edit(path: str, pattern: str, repl: str) -> None:
    text = open(path).read()
    new = re.sub(pattern, repl, text)
    assert new != text, (path, pattern)
    open(path, "w").write(new)


@pytest.mark.lab
@pytest.mark.parametrize("scenario", ["esl-wrong-password", "esl-acl", "wss-pem-cert-only", "nginx-http-to-tls",
                                      "profile-stopped"])
def test_the_trainee_steps_as_shown_fix_the_case(home, lab_offset, scenario):
    """The steps after the reveal are right: done as written (the target file edited, FreeSWITCH restarted, wss.pem
    rebuilt from the CA's delivery with the exact command shown, nginx edited and reloaded), the re-run grades the
    case fixed."""
    import time
    tr = training.Training(scenario, headless=True, port_offset=lab_offset)
    try:
        tr.rb.run()
        prof = tr._by().get("schritt2.profil")
        tasks = fixing.tasks(tr.scenario.cause, tr.rb.target, lab_offset, bool(prof and prof.observed.get("running")))
        code = [t.code for t in tasks]
        fs = tr.rb.target.freeswitch
        if scenario == "esl-wrong-password":
            _edit(code[0], r"esl_password_wrong", "esl_password")
        elif scenario == "esl-acl":
            _edit(code[0], r'name="apply-inbound-acl" value="[^"]*"', 'name="apply-inbound-acl" value="loopback.auto"')
            manager.restart_process(lab_offset, "freeswitch")         # the button "FreeSWITCH neu starten"
        elif scenario == "wss-pem-cert-only":
            _as_trainee(code[1])
            assert "started successfully" in _as_trainee(code[2])
        elif scenario == "profile-stopped":     # the notebook's command line; "check my fix" right after it
            assert "started successfully" in tr.command("sofia profile internal start")
        else:
            _edit(code[0], r"proxy_pass \S+;", f"proxy_pass https://127.0.0.1:{fs.wss_port};")
            _as_trainee(code[1])
            time.sleep(1.5)
        g = tr.check_fix()
        assert g.fixed, (g.remaining, g.failed)
    finally:
        manager.down(lab_offset)
