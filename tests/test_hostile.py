"""Hostile endpoints: every check ends within its timeout with a typed result; python-ESL is always guarded;
no secret is ever written. Bounds asserted here are correctness limits (timeout + grace), not benchmarks."""
from __future__ import annotations

import asyncio
import json
import os
import time

import hostile
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fsnb import target
from fsnb.errors import CheckTimeout
from fsnb.journal import Journal
from fsnb.lab import pki
from fsnb.probe import eslclient, wsprobe
from fsnb.redact import MASK, Redactor
from fsnb.runner import run

TIMEOUT = 1.5


@pytest.fixture
def srv():
    servers = []

    def make(handler, tls=None):
        s = hostile.Server(handler, tls)
        servers.append(s)
        return s
    yield make
    for s in servers:
        s.close()


def probe(port, password="pw"):
    t0 = time.monotonic()
    p = asyncio.run(eslclient.probe("127.0.0.1", port, password, TIMEOUT))
    return p, time.monotonic() - t0


@pytest.mark.lab
@pytest.mark.parametrize("handler,outcome", [
    (hostile.tarpit, "no-answer"), (hostile.http_server, "not-esl"), (hostile.garbage, "not-esl"),
    (hostile.reset_mid_frame, "closed"), (hostile.slow_drip, "no-answer"), (hostile.huge_reply, "not-esl"),
])
def test_esl_probe_on_hostile_ports(srv, handler, outcome):
    s = srv(handler)
    p, took = probe(s.port)
    assert p.outcome == outcome, p
    assert took <= TIMEOUT + 0.5
    assert p.detail    # says what it found


@pytest.mark.unit
def test_esl_probe_refused():
    import socket
    with socket.socket() as x:
        x.bind(("127.0.0.1", 0))
        port = x.getsockname()[1]
    p, took = probe(port)
    assert p.outcome == "refused" and took < 0.5


@pytest.mark.lab
def test_python_esl_is_guarded(srv):
    """A server that greets, accepts the password and then never answers would hang ESLconnection.api() forever."""
    s = srv(hostile.esl_stall_after_auth)
    g = eslclient.GuardedESL("127.0.0.1", s.port, "pw")
    t0 = time.monotonic()
    with pytest.raises(CheckTimeout):
        asyncio.run(g.api("status", TIMEOUT))
    assert time.monotonic() - t0 <= TIMEOUT + 0.5
    g.close()


@pytest.mark.lab
def test_python_esl_connects_once_for_concurrent_calls(srv):
    """Calls arriving before the connection is up share it (each used to open, and leak, its own)."""
    s = srv(hostile.esl_minimal)
    hostile.ESL_CONNECTIONS.clear()
    g = eslclient.GuardedESL("127.0.0.1", s.port, "pw")

    async def three():
        return await asyncio.gather(*(g.api(f"cmd{i}", TIMEOUT) for i in range(3)))
    assert asyncio.run(three()) == ["+OK cmd0", "+OK cmd1", "+OK cmd2"]
    g.close()
    assert len(hostile.ESL_CONNECTIONS) == 1


@pytest.mark.lab
@pytest.mark.parametrize("handler", [hostile.tarpit, hostile.garbage, hostile.http_big_header])
def test_ws_hop_on_hostile_ports(srv, handler):
    s = srv(handler)
    t0 = time.monotonic()
    r = asyncio.run(wsprobe.run(wsprobe.HopTarget("x", f"ws://127.0.0.1:{s.port}/", "WS"), TIMEOUT))
    assert r.outcome in ("timeout", "not-http", "error"), r
    assert time.monotonic() - t0 <= TIMEOUT + 0.5


@pytest.mark.lab
@pytest.mark.parametrize("kind", ["expired", "wrong-host"])
def test_wss_bad_certificates(srv, tmp_path, kind):
    ca = pki.CA()
    leaf = ca.issue(["127.0.0.1"], days=-2) if kind == "expired" else ca.issue(["other.example"])
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(ca.cert_pem)
    s = srv(hostile.ws_ok, hostile.tls_context(leaf.cert_pem, leaf.key_pem, tmp_path))
    hop = wsprobe.HopTarget("wss", f"wss://127.0.0.1:{s.port}/", "WSS", server_hostname="127.0.0.1", ca_file=str(ca_file))
    r = asyncio.run(wsprobe.run(hop, TIMEOUT))
    # the handshake still completes unverified (so the path is tested), but the certificate is flagged
    assert r.tls_verified is False and r.status == 101


@pytest.mark.lab
def test_wss_ca_file_missing_or_replaced(srv, tmp_path):
    """Client TLS contexts are cached per CA file: a missing file is a typed result, a replaced one is read again."""
    ca = pki.CA()
    leaf = ca.issue(["127.0.0.1"])
    s = srv(hostile.ws_ok, hostile.tls_context(leaf.cert_pem, leaf.key_pem, tmp_path))
    ca_file = tmp_path / "ca.pem"
    hop = wsprobe.HopTarget("wss", f"wss://127.0.0.1:{s.port}/", "WSS", server_hostname="127.0.0.1", ca_file=str(ca_file))
    r = asyncio.run(wsprobe.run(hop, TIMEOUT))
    assert r.outcome == "error" and str(ca_file) in r.detail
    ca_file.write_bytes(ca.cert_pem)
    assert asyncio.run(wsprobe.run(hop, TIMEOUT)).tls_verified is True
    ca_file.write_bytes(pki.CA("another CA").cert_pem)     # a new lab at the same path: the old trust must not stick
    assert asyncio.run(wsprobe.run(hop, TIMEOUT)).tls_verified is False


def _target(tmp_path, esl_port, ws_port, wss_port, env="FSNB_T_PW"):
    return target.loads(hostile.target_toml(tmp_path, esl_port, ws_port, wss_port, env, TIMEOUT))


@pytest.mark.lab
def test_whole_runbook_against_tarpits_is_bounded(srv, tmp_path, monkeypatch):
    monkeypatch.setenv("FSNB_T_PW", "tarpit-password")
    a, b, c = srv(hostile.tarpit), srv(hostile.tarpit), srv(hostile.tarpit)
    t0 = time.monotonic()
    r = run(_target(tmp_path, a.port, b.port, c.port))
    took = time.monotonic() - t0
    assert took <= TIMEOUT + 1.0 + 1.0, took      # checks run concurrently; each bounded by timeout + 1 s grace
    assert r.exit_code == 1
    by = {x.id: x for x in r.results}
    assert by["schritt1.esl"].observed["outcome"] == "no-answer"
    assert by["schritt2.profil"].status.value == "skip"
    assert all(x.status.value in ("pass", "fail", "warn", "skip", "error") for x in r.results)
    assert "esl-no-answer" in [f.cause for f in r.findings]
    # each check says what it saw within its own timeout: none is cut off at the engine's deadline because it
    # waited on another (the ws check once waited on ESL for the profile's config before probing)
    assert [x.id for x in r.results if x.error_type == "CheckTimeout"] == []


@pytest.mark.lab
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(secret=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="\"\\'`$"),
                      min_size=6, max_size=24).map(lambda s: "Zq7" + s))   # not a word of fsnb's own prose ("Aktion")
def test_no_secret_in_results_journal_or_report(srv, tmp_path_factory, secret):
    """The ESL password is reflected by a nasty server into what fsnb reads; it must never be written anywhere."""
    tmp = tmp_path_factory.mktemp("sec")
    os.environ["FSNB_T_PW"] = secret
    try:
        s = srv(hostile.esl_echo_password)
        t = _target(tmp, s.port, 1, 1)
        j = Journal(tmp / "j.jsonl", Redactor(t.secret_values()))
        r = run(t, on_result=lambda x: j.result(x, "r1"), only=["schritt1"])
        j.run(r, "r1")
        from fsnb.present import report
        data = report.load(tmp / "j.jsonl")
        blob = json.dumps(r.to_json()) + (tmp / "j.jsonl").read_text() + report.html(data) + report.markdown(data)
        assert secret not in blob
        assert "-ERR invalid" in json.dumps(r.to_json())    # the reflection was read (and redacted)
    finally:
        os.environ.pop("FSNB_T_PW", None)


_word = st.text(alphabet="abcdeXYZ*-", min_size=3, max_size=8)


@pytest.mark.unit
@given(secrets=st.lists(_word, min_size=1, max_size=4), parts=st.lists(st.one_of(_word, st.text(max_size=6)), max_size=12))
def test_redactor_masks_every_secret_also_when_they_overlap(secrets, parts):
    """Secrets glued together or overlapping: no secret survives, and no character of an occurrence leaks."""
    text = "".join(parts + secrets)
    out = Redactor(secrets).text(text)
    for s in secrets:
        assert s not in out.replace(MASK, "\0")   # a mask must not combine with neighbours into a secret either
    assert "bcd" not in Redactor(["abcd", "bcdef"]).text("abcdef")


@pytest.mark.unit
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_redactor_leaves_text_without_secrets_alone(text):
    if "auth" in text.lower() or "response=" in text.lower() or "password" in text.lower() or "s3cret-x" in text:
        return
    assert Redactor(["s3cret-x"]).text(text) == text


@pytest.mark.lab
def test_python_esl_stuck_in_connect_does_not_keep_the_process_alive():
    """ESLconnection() waits for auth/request with no timeout: a peer that accepts and never greets once hung the
    interpreter at exit, joining that thread. fsnb now waits for the greeting itself (the relay, under the
    deadline), so the call ends typed and the process exits."""
    script = (
        "import asyncio, socket\n"
        "from fsnb.probe import eslclient\n"
        "from fsnb.errors import CheckTimeout\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(4)   # accepts (backlog), never greets\n"
        "g = eslclient.GuardedESL('127.0.0.1', s.getsockname()[1], 'pw')\n"
        "try:\n"
        "    asyncio.run(g.api('status', 0.5))\n"
        "except CheckTimeout as exc:\n"
        "    print('typed:', exc)\n"
        "g.close()\n")
    import subprocess
    import sys
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("typed:"), p.stdout     # at the greeting deadline or the call's, whichever ends first


@pytest.mark.unit
def test_fifos_and_devices_named_as_files_do_not_block(tmp_path):
    """A FIFO named as log, tunnel or nginx config (or a secret file) would block open()/read() forever, and the
    stuck thread would keep the process from exiting. Each is reported as what it is; the run ends."""
    import subprocess
    import sys
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    pw = tmp_path / "pw-fifo"
    os.mkfifo(pw)
    (tmp_path / "t.toml").write_text(f"""
name = "fifos"
[freeswitch]
container = ""
access = "local"
esl_port = 1
sip_port = 4
ws_port = 2
wss_port = 3
esl_password = "env:FSNB_T_PW"
conf_dir = "{tmp_path}"
log_file = "{fifo}"
[nginx]
address = "127.0.0.1:2"
config = "{fifo}"
error_log = "{fifo}"
[tunnel]
config = "{fifo}"
public_url = "wss://127.0.0.1:3/"
""")
    env = {**os.environ, "FSNB_T_PW": "not-used"}
    p = subprocess.run([sys.executable, "-m", "fsnb", "run", "--target", str(tmp_path / "t.toml"), "--format", "json"],
                       capture_output=True, text=True, timeout=60, env=env)
    assert p.returncode == 1, p.stderr
    out = json.loads(p.stdout)
    by = {r["id"]: r for r in out["results"]}
    assert "FIFO" in by["wissen.tunnel"]["summary_en"] and "FIFO" in by["schritt2.log"]["summary_en"]
    assert "not a regular file" in by["wissen.nginx"]["summary_en"]
    assert by["schritt3.ports"]["status"] == "fail"           # not an ERR after waiting on the blocked read
    causes = [f["cause"] for f in out["diagnosis"]]
    assert "freeswitch-down" in causes and "wss-binding-not-applied" not in causes   # unread != missing
    # a secret file that is a FIFO: a clear error, not a hang
    (tmp_path / "t.toml").write_text((tmp_path / "t.toml").read_text().replace("env:FSNB_T_PW", f"file:{pw}"))
    p = subprocess.run([sys.executable, "-m", "fsnb", "run", "--target", str(tmp_path / "t.toml")],
                       capture_output=True, text=True, timeout=60)
    assert "FIFO" in p.stdout + p.stderr


@pytest.mark.unit
def test_a_fifo_included_by_nginx_is_refused_not_waited_on(tmp_path):
    """crossplane opened `include`d files itself: a FIFO there blocked its thread for good (the check ended at its
    deadline as CheckTimeout). fsnb now checks every included file before crossplane reads it: a plain failure."""
    import subprocess
    import sys
    fifo = tmp_path / "included.conf"
    os.mkfifo(fifo)
    (tmp_path / "nginx.conf").write_text(f"events {{}}\nhttp {{\n    include {fifo};\n}}\n")
    (tmp_path / "t.toml").write_text(hostile.target_toml(tmp_path, 1, 2, 3, check=TIMEOUT))
    p = subprocess.run([sys.executable, "-m", "fsnb", "run", "--target", str(tmp_path / "t.toml"), "--format", "json"],
                       capture_output=True, text=True, timeout=60, env={**os.environ, "FSNB_T_PW": "x-pw"})
    assert p.returncode == 1, p.stderr
    by = {r["id"]: r for r in json.loads(p.stdout)["results"]}
    assert by["wissen.nginx"]["status"] == "fail" and "not a regular file" in by["wissen.nginx"]["summary_en"]


@pytest.mark.unit
def test_a_thread_stuck_in_a_blocking_call_does_not_keep_fsnb_alive():
    """A pool thread blocked for good in a call its deadline abandoned (a library's own read, a peer that never
    answers): the process still ends, with the command's exit code (blocking.exit_if_stuck)."""
    import subprocess
    import sys
    code = ("import threading\nfrom fsnb import blocking\n"
            "blocking.POOL.submit(blocking.counted(threading.Event().wait))\n"
            "import time; time.sleep(0.2)\nblocking.exit_if_stuck(3)\nraise SystemExit(0)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert p.returncode == 3, p.stderr


# -- issue #19: nothing an ESL peer sends reaches python-ESL unchecked; every ESL failure is typed ----------------
BAD_LENGTHS = ["-2", "-100", str(-2**32), str(2**63 - 1), "-1"]


@pytest.mark.lab
def test_python_esl_never_sees_a_bad_content_length(srv, tmp_path):
    """A peer that answers `api status` with Content-Length -2, -100, -2**32 or 2**63-1 made python-ESL segfault
    (exit 139, the whole run gone); -1 handed back heap bytes as the reply. The real python-ESL runs against each
    (schritt1 in a child process, so a crash shows as its exit code): the process survives and the check reports
    the refused frame, typed."""
    import subprocess
    import sys
    ports = []
    for n in BAD_LENGTHS:
        s = srv(hostile.esl_api_reply(b"Content-Type: api/response\nContent-Length: " + n.encode(), b"UP 0 years"))
        ports.append(s.port)
    script = (
        "import json, sys\n"
        "from fsnb import target\n"
        "from fsnb.runner import run\n"
        "sys.path.insert(0, %r)\n"
        "import hostile\n"
        "for port in %r:\n"
        "    t = target.loads(hostile.target_toml(%r, port, 1, 1, check=1.5))\n"
        "    r = {x.id: x for x in run(t, only=['schritt1']).results}['schritt1.esl']\n"
        "    print(json.dumps({'status': r.status.value, 'summary': r.summary_en, 'observed': r.observed,\n"
        "                      'error_type': r.error_type}), flush=True)\n"
    ) % (os.path.dirname(__file__), ports, str(tmp_path))
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "FSNB_T_PW": "pw-hostile"})
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr[-2000:])
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    assert len(lines) == len(BAD_LENGTHS)
    for n, r in zip(BAD_LENGTHS, lines, strict=True):
        assert r["status"] == "fail" and not r["error_type"], (n, r)
        assert f"Content-Length {n!r}" in r["summary"] or f"body of {n} bytes" in r["summary"], (n, r)
        assert r["observed"]["violation"] in ("bad-length", "too-large"), (n, r)
        assert "UP 0 years" not in json.dumps(r)


@pytest.mark.lab
def test_relay_passes_well_formed_replies_as_utf8(srv):
    """Invalid UTF-8 in a reply ends typed: the relay hands python-ESL the body as UTF-8 (bytes replaced)."""
    body = b"UP \xff\xfe\xc3 0 years"
    s = srv(hostile.esl_api_reply(b"Content-Type: api/response\nContent-Length: %d" % len(body), body))
    g = eslclient.GuardedESL("127.0.0.1", s.port, "pw")
    try:
        assert asyncio.run(g.api("status", TIMEOUT)) == "UP \ufffd\ufffd\ufffd 0 years"
    finally:
        g.close()


@pytest.mark.unit
@pytest.mark.parametrize("handler", ["esl_close_after_auth", "esl_close_on_api", "esl_status_only", "invalid_utf8",
                                     "unsolicited_flood"])
def test_esl_peers_end_in_typed_results_never_a_traceback(srv, tmp_path, monkeypatch, handler):
    """`sofia status` never answered (UnboundLocalError), a hang-up after auth or on an api command
    (ConnectionError), a reply that is not UTF-8, a flood of frames nobody asked for: each check ends with a
    typed result, none with an internal error and its traceback."""
    if handler == "invalid_utf8":
        body = b"UP \xff\xfe 0 years"
        h = hostile.esl_api_reply(b"Content-Type: api/response\nReply-Text: \xff\xfe\nContent-Length: %d" % len(body), body)
    elif handler == "unsolicited_flood":
        h = hostile.esl_api_reply(b"Content-Type: text/event-plain\nContent-Length: 2\n\nx\n" * 100
                                  + b"Content-Type: api/response\nContent-Length: 2", b"UP")
    else:
        h = getattr(hostile, handler)
    s = srv(h)
    monkeypatch.setenv("FSNB_T_PW", "pw-hostile")
    t0 = time.monotonic()
    r = run(_target(tmp_path, s.port, 1, 1), only=["schritt1", "schritt2"])
    assert time.monotonic() - t0 <= 2 * (TIMEOUT + 1.0) + 1.0
    from fsnb.errors import FsnbError

    def typed(name):
        return not name or any(c.__name__ == name for c in _subclasses(FsnbError))
    for x in r.results:
        assert typed(x.error_type), (x.id, x.error_type, x.summary_en)
        assert not any(e.label == "Traceback" for e in x.evidence), (x.id, x.summary_en)
        assert x.status.value in ("pass", "fail", "warn", "skip"), (x.id, x.status, x.summary_en)


def _subclasses(cls):
    out = {cls}
    for c in cls.__subclasses__():
        out |= _subclasses(c)
    return out


@pytest.mark.unit
def test_the_probes_hop_target_is_not_named_like_the_observed_hop():
    """wsprobe.Hop (where to dial) and observed.Hop (what a check saw) were twins by name; the probe's is HopTarget."""
    from fsnb.diagnosis import observed
    assert not hasattr(wsprobe, "Hop")
    assert wsprobe.HopTarget.__name__ != observed.Hop.__name__


# -- issue #19: SIP over WebSocket, replies matched to their requests, every read loop bounded -----------------
@pytest.mark.lab
def test_ws_hop_ends_at_its_deadline_under_a_flood_of_foreign_sip(srv):
    """A peer that answers the handshake with `sip` and then streams SIP answers with a foreign Call-ID kept
    `fsnb run` at 98 % CPU for 90 s under a 2 s timeout: the read loop now looks at its clock and counts the
    frames that answer nothing it sent (bounded), and the hop ends within its timeout."""
    s = srv(hostile.ws_sip_foreign_flood)
    t0 = time.monotonic()
    cpu0 = time.process_time()
    r = asyncio.run(asyncio.wait_for(wsprobe.run(wsprobe.HopTarget("x", f"ws://127.0.0.1:{s.port}/", "WS"), 1.0), 6.0))
    took = time.monotonic() - t0
    assert took <= 1.0 + 0.5, took
    assert r.outcome == "sip-no-answer", r
    assert 0 < r.unmatched <= wsprobe.MAX_UNMATCHED, r.unmatched
    assert "answer none of" in r.detail
    assert time.process_time() - cpu0 < 1.5


@pytest.mark.lab
def test_sip_replies_are_matched_to_their_requests(srv):
    """A peer that answers the probe's Via control OPTIONS too and rejects REGISTER with 403 was reported as
    'REGISTER -> 200 OK' (the control's late answer, read as REGISTER's). Replies now match by Call-ID, CSeq and
    Via branch; the 403 is REGISTER's."""
    s = srv(hostile.ws_sip_options_ok_register_403)
    hop = wsprobe.HopTarget("public", f"ws://127.0.0.1:{s.port}/", "WSS")
    r = asyncio.run(wsprobe.run(hop, TIMEOUT, "1000", "sip-pw", "127.0.0.1"))
    assert r.outcome == "ok", r
    assert r.sip_response.startswith("SIP/2.0 200 OK")
    assert r.register == ["REGISTER -> SIP/2.0 403 Forbidden"], r.register


@pytest.mark.lab
def test_esl_probe_ends_at_its_deadline_when_the_peer_is_always_ready(srv):
    """Blank lines after the greeting never complete a frame; the probe's read loop had a 10 ms floor on its wait,
    so a peer that always had bytes ready kept it reading past its timeout."""
    s = srv(hostile.esl_blank_lines_after_auth)
    p, took = probe(s.port)
    assert p.outcome == "no-answer", p
    assert took <= TIMEOUT + 0.5, took


# -- issue #19: a whole `fsnb run` process against each hostile peer: bounded in time and memory -----------------
MEMORY_CAP_MB = 256          # README "When the target is hostile"
ESL_PEERS = ["tarpit", "garbage", "reset_mid_frame", "slow_drip", "huge_reply", "esl_stall_after_auth",
             "esl_echo_password", "esl_close_after_auth", "esl_close_on_api", "esl_status_only",
             "esl_blank_lines_after_auth"]
WS_PEERS = ["tarpit", "http_big_header", "ws_sip_foreign_flood", "ws_sip_options_ok_register_403"]


# The peak is measured by a small launcher that forks the run: Linux carries the pre-exec memory of a process into
# its ru_maxrss, so a run forked straight from pytest reported pytest's own size (375 MB in CI), not fsnb's.
_LAUNCHER = ("import os, sys\n"
             "pid = os.fork()\n"
             "if pid == 0:\n    os.execv(sys.argv[2], sys.argv[2:])\n"
             "_, st, ru = os.wait4(pid, 0)\n"
             "open(sys.argv[1], 'w').write(str(ru.ru_maxrss))\n"
             "sys.exit(os.waitstatus_to_exitcode(st) & 255)\n")


def _run_process(tmp_path, esl_port: int, ws_port: int, wss_port: int) -> tuple[float, float, int, str]:
    """(wall seconds, peak RSS in MB, exit code, stderr) of one `fsnb run` process."""
    import subprocess
    import sys
    (tmp_path / "t.toml").write_text(hostile.target_toml(tmp_path, esl_port, ws_port, wss_port, check=TIMEOUT))
    peak_file, err_file = tmp_path / "peak-kb", tmp_path / "stderr"
    t0 = time.monotonic()
    with err_file.open("wb") as err:
        p = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, str(peak_file), sys.executable, "-m", "fsnb", "run",
                            "--target", str(tmp_path / "t.toml"), "--format", "json"],
                           stdout=subprocess.DEVNULL, stderr=err, env={**os.environ, "FSNB_T_PW": "x-pw-1234"})
    took = time.monotonic() - t0
    return took, int(peak_file.read_text()) / 1024, p.returncode, err_file.read_text(errors="replace")


@pytest.mark.unit
def test_the_peak_memory_measure_is_the_runs_own(tmp_path):
    """The launcher reports the forked program's own peak, not its parent's: a child that allocates 300 MB is seen
    above 300, one that allocates nothing well below the pytest process it came from."""
    import subprocess
    import sys
    sizes = {}
    for mb in (0, 300):
        f = tmp_path / f"peak-{mb}"
        subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, str(f), sys.executable, "-S", "-c",
                        f"b = bytearray({mb} * 2**20)"], check=True)
        sizes[mb] = int(f.read_text()) / 1024
    assert sizes[300] >= 300 and sizes[0] < 64, sizes


@pytest.mark.lab
@pytest.mark.parametrize("esl_peer", ESL_PEERS)
def test_fsnb_run_against_a_hostile_esl_peer_is_bounded(srv, tmp_path, esl_peer):
    s = srv(getattr(hostile, esl_peer))
    took, peak, code, err = _run_process(tmp_path, s.port, 1, 2)
    assert code == 1 and "Traceback" not in err, (code, err[-2000:])
    assert took <= TIMEOUT + 1.0 + 3.0, took           # timeout + grace + the interpreter's start and imports
    assert peak <= MEMORY_CAP_MB, peak


@pytest.mark.lab
@pytest.mark.parametrize("ws_peer", WS_PEERS)
def test_fsnb_run_against_a_hostile_websocket_peer_is_bounded(srv, tmp_path, ws_peer):
    s = srv(getattr(hostile, ws_peer))
    took, peak, code, err = _run_process(tmp_path, 1, s.port, s.port)
    assert code == 1 and "Traceback" not in err, (code, err[-2000:])
    assert took <= TIMEOUT + 1.0 + 3.0, took
    assert peak <= MEMORY_CAP_MB, peak


@pytest.mark.lab
def test_fix_log_capture_is_bounded_against_a_flood(srv):
    """`--fix` while the peer floods log frames filled 4 GB in 28 s: what is kept is capped."""
    from fsnb.fix import actions

    async def log_flood(reader, writer):
        writer.write(b"Content-Type: auth/request\n\n")
        await writer.drain()
        body = b"2026-12-02 10:00:00.000 [ERR] flood " + b"x" * 8000 + b"\n"
        frame = b"Content-Type: log/data\nContent-Length: %d\n\n" % len(body) + body
        end = asyncio.get_running_loop().time() + 3
        while asyncio.get_running_loop().time() < end:
            writer.write(frame * 32)
            await writer.drain()
    s = srv(log_flood)
    lines: list[str] = []
    t0 = time.monotonic()
    asyncio.run(actions._capture_log("127.0.0.1", s.port, "pw-1234", 2.0, lines))
    assert time.monotonic() - t0 < 4
    assert 0 < len(lines) <= actions.MAX_LOG_LINES and max(map(len, lines)) <= actions.MAX_LOG_LINE


@pytest.mark.unit
def test_fix_survives_a_please_wait_of_5000_digits(monkeypatch, tmp_path):
    """`--fix` answered with "Please wait ⟨5,000 digits⟩ seconds" ended in ValueError and the action went
    unjournaled; it is no guard message, and the action is journaled with what the peer said."""
    from fsnb.fix import actions
    from fsnb.runner import Run

    class FakeESL:
        def __init__(self, *a):
            pass

        async def api(self, command, timeout):
            return "-ERR Please wait " + "9" * 5000 + " seconds\n"

        def close(self):
            pass

    async def no_log(*a, **k):
        return None

    async def fake_run(target, only=None):
        return Run(target, [], [], [], 0.0, 0.0)
    monkeypatch.setattr(actions.eslclient, "GuardedESL", FakeESL)
    monkeypatch.setattr(actions, "_capture_log", no_log)
    monkeypatch.setattr(actions, "run_async", fake_run)
    monkeypatch.setenv("FSNB_T_PW", "pw-1234")
    t = target.loads(hostile.target_toml(tmp_path, 1, 2, 3, check=1.0))
    j = Journal(tmp_path / "j.jsonl")
    p = actions.Plan("sofia profile internal start", "x", "x")
    res = asyncio.run(actions.execute_async(t, p, actions.Confirmation.make(p.command, "--yes"), j, settle=0.5))
    assert not res.ok and len(res.attempts) == 1
    assert [json.loads(x)["type"] for x in (tmp_path / "j.jsonl").read_text().splitlines()] == ["confirmation", "action"]


ODD_PASSWORDS = ["Bs\\lash-S3cret", "nb\u00a0sp-S3cret", "both'\"quotes-S3cret"]


async def esl_echo_everything(reader, writer):
    """Greets, accepts auth while echoing it, then answers every api with what it received, repr'd and JSON'd,
    plus bytes that are not UTF-8."""
    writer.write(b"Content-Type: auth/request\n\n")
    await writer.drain()
    while True:
        data = await reader.readuntil(b"\n\n")
        text = data.decode(errors="replace").strip()
        body = f"{text!r} {json.dumps(text)} {text}".encode() + b" \xff\xfe\xc3(\n"
        writer.write(b"Content-Type: api/response\nContent-Length: %d\n\n" % len(body) + body)
        await writer.drain()


@pytest.mark.lab
@pytest.mark.parametrize("peer", ["esl_echo_password", "esl_echo_everything"])
@pytest.mark.parametrize("password", ODD_PASSWORDS)
def test_an_echoing_esl_peer_never_gets_a_password_printed(srv, tmp_path, password, peer):
    """An ESL peer that echoed the password got it printed repr-escaped (`Bs\\\\lash-S3cret`), past redaction; an
    ESL reply with invalid UTF-8 and --journal ended the run with no output. Neither output nor journal carry the
    password in any spelling, and the run reports."""
    import subprocess
    import sys
    s = srv(getattr(hostile, peer, None) or globals()[peer])
    (tmp_path / "t.toml").write_text(hostile.target_toml(tmp_path, s.port, 1, 2, check=TIMEOUT))
    j = tmp_path / "j.jsonl"
    p = subprocess.run([sys.executable, "-m", "fsnb", "run", "--target", str(tmp_path / "t.toml"), "--format", "json",
                        "--journal", str(j)], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "FSNB_T_PW": password})
    assert p.stdout.strip() and "Traceback" not in p.stderr, p.stderr[-2000:]
    json.loads(p.stdout)
    shown = p.stdout + p.stderr + j.read_text()
    assert "S3cret" not in shown, "password leaked"
