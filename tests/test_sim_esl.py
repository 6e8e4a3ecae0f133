"""The simulator's ESL answers are the recorded FreeSWITCH 1.11 bytes (shared/fixtures/freeswitch 1xx)."""
from __future__ import annotations

import re
import time

import pytest
import transcripts as T
from conftest import api, esl_talk

from fsnb.probe import esl

pytestmark = pytest.mark.lab

AUTH = b"auth ClueCon\n\n"


def norm_status(b: bytes) -> bytes:
    b = re.sub(rb"UP 0 years, 0 days, \d+ hours, \d+ minutes, \d+ seconds, \d+ milliseconds, \d+ microseconds",
               b"UP <uptime>", b)
    b = re.sub(rb"min idle cpu 0\.00/\d+\.\d\d", b"min idle cpu <cpu>", b)
    return re.sub(rb"Content-Length: \d+", b"Content-Length: <n>", b)


def test_greeting(vanilla):
    assert esl_talk(vanilla.ports.esl, []) == b""  # greeting drained by the helper
    import socket
    with socket.create_connection(("127.0.0.1", vanilla.ports.esl), timeout=2) as s:
        time.sleep(0.1)
        assert s.recv(100) == T.body("101")


def test_auth_ok(vanilla):
    assert esl_talk(vanilla.ports.esl, [AUTH]) == T.body("102")


def test_auth_wrong_password_then_close(vanilla):
    assert esl_talk(vanilla.ports.esl, [b"auth wrongpass\n\n"], until_eof=True) == T.body("103")


@pytest.mark.parametrize("fixture,command", [
    ("105", "version"), ("106", "sofia status"), ("107", "sofia status profile internal"),
    ("108", "sofia xmlstatus"), ("110", "sofia status profile nosuch"), ("111e", "global_getvar local_ip_v4"),
    ("111f", "global_getvar nosuchvar"), ("112a", "module_exists mod_sofia"), ("112b", "module_exists mod_nosuch"),
    ("113", "reloadxml"), ("115a", "sofia loglevel tport 9"), ("115b", "sofia loglevel tport 0"),
    ("120", "nosuchcmd"), ("121a", "sofia.status"), ("121e", "sofia status profile internal json"),
    ("124", "sofia status profile internal reg"),
    ("121c", 'json {"command":"sofia.status","data":""}'),
    ("121d", 'json {"command":"sofia.status.info","data":"internal"}'),
])
def test_api_bytes(vanilla, fixture, command):
    assert api(vanilla.ports.esl, command) == T.body(fixture)


@pytest.mark.parametrize("fixture,command", [
    ("111a", "global_getvar certs_dir"), ("111b", "global_getvar conf_dir"), ("111c", "global_getvar log_dir"),
    ("111d", "eval $${certs_dir}"),
])
def test_api_paths(vanilla, fixture, command):
    # the simulator runs under a prefix as long as the recorder's /srv/fs, so byte counts match
    assert api(vanilla.ports.esl, command).replace(str(vanilla.prefix).encode(), b"/srv/fs") == T.body(fixture)


def test_status(vanilla):
    got = api(vanilla.ports.esl, "status")
    assert norm_status(got) == norm_status(T.body("104"))
    assert re.search(rb"Content-Length: (\d+)", got)


@pytest.mark.parametrize("fixture,command", [
    ("116a", "event plain BACKGROUND_JOB"), ("117a", "event plain CUSTOM sofia::profile_start"),
    ("117c", "event plain ALL"), ("118a", "log 7"), ("123", "nosuchcommand"),
])
def test_command_replies(vanilla, fixture, command):
    assert esl_talk(vanilla.ports.esl, [f"{command}\n\n".encode()], auth=AUTH) == T.body(fixture)


def test_api_before_auth(vanilla):
    assert esl_talk(vanilla.ports.esl, [b"api status\n\n"]) == T.body("122")


def test_exit(vanilla):
    assert esl_talk(vanilla.ports.esl, [b"exit\n\n"], until_eof=True, auth=AUTH) == T.body("119")


def _mask_event(b: bytes) -> bytes:
    b = re.sub(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", b"<uuid>", b)
    for h in (rb"Event-Date-Local", rb"Event-Date-GMT", rb"Event-Date-Timestamp", rb"Event-Sequence", rb"FreeSWITCH-IPv4",
              rb"FreeSWITCH-IPv6", rb"Content-Length"):
        b = re.sub(h + rb": [^\n]*", h + b": <x>", b)
    return norm_status(b)


def test_bgapi_background_job(vanilla):
    got = esl_talk(vanilla.ports.esl, [b"event plain BACKGROUND_JOB\n\n", b"bgapi status\n\n"], auth=AUTH, settle=0.4)
    want = T.body("116a") + T.body("116b")
    assert _mask_event(got) == _mask_event(want)


def test_acl_rude_rejection(tmp_path):
    from conftest import start_sim, stop_sim

    from fsnb.lab.layout import Ports
    sim = start_sim(tmp_path / "acl", ports=Ports.offset(30000), fs={"esl_acl": "fsnb_deny_all"})
    try:
        import socket
        with socket.create_connection(("127.0.0.1", sim.ports.esl), timeout=2) as s:
            s.settimeout(2)
            data = b""
            while chunk := s.recv(4096):
                data += chunk
        assert data == T.body("308a")
        assert 'Rejected by acl "fsnb_deny_all"' in sim.log
    finally:
        stop_sim(sim)


def test_show_modules_format(vanilla):
    """Same columns, row shape and footer as the recorded 26 KB answer; the lab lists only what it implements."""
    got = esl.parse_frames(api(vanilla.ports.esl, "show modules"))[0].text.replace(str(vanilla.prefix), "/srv/fs")
    want = esl.parse_frames(T.body("112c"))[0].text
    got_rows, want_rows = got.splitlines(), want.splitlines()
    assert got_rows[0] == want_rows[0] == "type,name,ikey,filename"
    assert set(got_rows[1:-2]) <= set(want_rows[1:-2])        # every row we print is a real row
    assert got_rows[-2] == "" and re.fullmatch(r"\d+ total\.", got_rows[-1])
