"""ESL command injection (issue #11): a value from the target file, the environment or a prompt can never add a
second command to what fsnb sends. Values are held to FreeSWITCH's charset when the target loads (exit 2, naming
the key), and every frame is built so that no argument can end its line — checked against a recording ESL peer."""
from __future__ import annotations

import asyncio

import hostile
import pytest
from conftest import fsnb_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fsnb import target
from fsnb.errors import TargetError
from fsnb.probe import eslclient
from fsnb.probe.esl import UnsafeCommand, command_frame

INJECTION = "internal\n\napi sofia profile internal stop"
PROPS = settings(max_examples=150, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def recorder():
    rec = hostile.EslRecorder()
    s = hostile.Server(rec)
    rec.port = s.port
    yield rec
    s.close()


def _toml(tmp_path, port, **fs) -> str:
    text = hostile.target_toml(tmp_path, port, 1, 1, check=1.0)
    text = "\n".join(l for l in text.split("\n") if l.split(" = ")[0] not in fs)
    extra = "".join(f"{k} = {target._toml(v)}\n" for k, v in fs.items())
    return text.replace("[freeswitch]\n", "[freeswitch]\n" + extra, 1)


@pytest.mark.lab
def test_the_reported_injection_is_refused_at_load_naming_the_key(tmp_path, recorder):
    f = tmp_path / "t.toml"
    f.write_text(_toml(tmp_path, recorder.port, profile=INJECTION))
    before = recorder.connections
    p = fsnb_cli("run", "--target", str(f), env={"FSNB_T_PW": "recorder-pw"})
    assert p.returncode == 2, p.stdout + p.stderr
    assert "freeswitch.profile" in p.stderr and "Traceback" not in p.stderr
    assert recorder.connections == before          # nothing was sent: refused before any connection


@pytest.mark.unit
@pytest.mark.parametrize("key,value", [
    ("profile", "internal stop"), ("profile", "internal\r"), ("profile", "internal;stop"), ("profile", ""),
    ("container", "x\ny"), ("host", "127.0.0.1\nexit"), ("conf_dir", "/etc/freeswitch\x1b]0;x\x07"),
])
def test_values_outside_freeswitch_charset_are_refused(tmp_path, key, value):
    with pytest.raises(TargetError) as ei:
        target.loads(_toml(tmp_path, 1, **{key: value}))
    assert f"freeswitch.{key}" in str(ei.value)


@pytest.mark.lab
@PROPS
@given(profile=st.text(max_size=40))
def test_no_profile_value_produces_a_second_command(recorder, tmp_path_factory, profile):
    """Whatever the profile: either the target is refused, or each command fsnb builds from it is exactly one
    command at the peer."""
    tmp = tmp_path_factory.getbasetemp()
    try:
        t = target.loads(_toml(tmp, recorder.port, profile=profile))
    except TargetError:
        return
    name = t.freeswitch.profile
    g = eslclient.GuardedESL("127.0.0.1", recorder.port, "recorder-pw")
    try:
        for command in (f"sofia status profile {name}", f"sofia profile {name} start"):
            n = len(recorder.commands())
            asyncio.run(g.api(command, 2.0))
            # python-ESL writes `api <cmd> <arg>` with an empty arg: one trailing space
            assert [c.rstrip(b" ") for c in recorder.commands()[n:]] == [f"api {command}".encode()]
    finally:
        g.close()


@pytest.mark.lab
@PROPS
@given(command=st.text(max_size=60))
def test_guarded_esl_never_sends_a_command_that_could_end_its_line(recorder, command):
    g = eslclient.GuardedESL("127.0.0.1", recorder.port, "recorder-pw")
    n = len(recorder.commands())
    try:
        try:
            reply = asyncio.run(g.api(command, 2.0))
        except UnsafeCommand:
            assert recorder.commands()[n:] == []       # refused unsent
            return
        got = recorder.commands()[n:]
        assert len(got) == 1 and got[0][:-1] == f"api {command}".encode(), got      # exactly one command, exactly this one
        assert reply == f"+OK {len(recorder.frames)}"       # replies stay in step
    finally:
        g.close()


@pytest.mark.lab
@PROPS
@given(password=st.text(max_size=30))
def test_no_password_value_produces_a_second_command(recorder, password):
    """The ESL password goes into `auth <password>`: whatever is typed (or read) is checked before it is used, and
    the frame builder refuses a line break whatever the source."""
    s = target.Secret("prompt")
    try:
        s.ask("ESL password", lambda _: password)
        value = s.reveal()
    except TargetError as exc:
        assert len(password) < 4 or password not in str(exc)      # the message never repeats the value
        return
    frame = command_frame("auth", value)
    assert frame.count(b"\n") == 2 and frame.endswith(b"\n\n")
    n = len(recorder.frames)
    p = asyncio.run(eslclient.probe("127.0.0.1", recorder.port, value, 2.0))
    assert p.outcome == "ok", p
    assert [f for f in recorder.frames[n:] if not f.startswith(b"exit")] == [f"auth {value}".encode()]


@pytest.mark.lab
def test_a_read_only_run_sends_only_read_only_commands(tmp_path, recorder):
    """The whole runbook against the recording peer: every command is one of the reads the checks make."""
    f = tmp_path / "t.toml"
    f.write_text(_toml(tmp_path, recorder.port))
    n = len(recorder.commands())
    p = fsnb_cli("run", "--target", str(f), "--format", "json", env={"FSNB_T_PW": "recorder-pw"})
    assert p.returncode in (0, 1), p.stderr
    sent = [c.decode().rstrip(" ") for c in recorder.commands()[n:] if c != b"exit"]
    assert sent, "the run sent no ESL command at all"
    for c in sent:
        assert c.startswith(("api status", "api sofia status", "api global_getvar ", "api strftime ")), c
        assert not any(w in c for w in (" stop", " start", " restart", " kill")), c
