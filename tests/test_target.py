"""Target files: defaults are the analysis' deployment; unknown keys and wrong types name the key."""
from __future__ import annotations

import json

import pytest

from fsnb import target
from fsnb.errors import TargetError

pytestmark = pytest.mark.unit


def test_defaults_are_the_analysis_deployment():
    t = target.loads("", partial=True)
    assert t.freeswitch.container == "aidevelo-freeswitch" and t.freeswitch.profile == "internal"
    assert (t.freeswitch.esl_port, t.freeswitch.ws_port, t.freeswitch.wss_port) == (8021, 5066, 7443)
    assert t.nginx.address == "127.0.0.1:8082" and t.tunnel.hostname == "freeswitch.aidevelo.ai"


@pytest.mark.parametrize("text,key", [
    ("[freeswitch]\nesl_prot = 1\n", "freeswitch.esl_prot"),
    ("[freeswitch]\nesl_port = 'x'\n", "freeswitch.esl_port"),
    ("[freeswitch]\nesl_port = 70000\n", "freeswitch.esl_port"),
    ("[timeouts]\ncheck = -1\n", "timeouts.check"),
    ("[freeswitch]\nesl_password = 'ClueCon'\n", "freeswitch.esl_password"),
    ("[freeswitch]\naccess = 'ssh'\n", "freeswitch.access"),
    ("nginx = 3\n", "nginx"),
    ("[bogus]\nx=1\n", "bogus"),
    ("[freeswitch\n", "TOML"),
])
def test_errors_name_the_key(text, key):
    with pytest.raises(TargetError) as ei:
        target.loads(text)
    assert key in str(ei.value)


def test_secret_sources(tmp_path, monkeypatch):
    f = tmp_path / "pw"
    f.write_text("s3cret\n")
    f.chmod(0o600)
    t = target.loads(f"[freeswitch]\nesl_password = 'file:{f}'\n[sip]\npassword = 'env:SIP_PW'\n", partial=True)
    monkeypatch.setenv("SIP_PW", "sip-secret")
    assert t.freeswitch.esl_password.reveal() == "s3cret"
    assert sorted(t.secret_values()) == ["s3cret", "sip-secret"]
    assert "s3cret" not in target.dumps(t) and "sip-secret" not in repr(t)
    monkeypatch.delenv("SIP_PW")
    with pytest.raises(TargetError, match="SIP_PW"):
        t.sip.password.reveal()


def test_roundtrip():
    t = target.loads("name = 'x'\n[freeswitch]\ncontainer = ''\nesl_port = 9021\n", partial=True)
    again = target.loads(target.dumps(t))
    assert again.freeswitch.esl_port == 9021 and again.name == "x"


def test_cli_usage_errors(tmp_path):
    from conftest import fsnb_cli
    bad = tmp_path / "t.toml"
    bad.write_text("[freeswitch]\nesl_prot = 1\n")
    p = fsnb_cli("run", "--target", str(bad))
    assert p.returncode == 2 and "freeswitch.esl_prot" in p.stderr
    p = fsnb_cli("run", "--target", str(tmp_path / "missing.toml"))
    assert p.returncode == 2 and "missing.toml" in p.stderr
    assert fsnb_cli("run", "--format", "yaml").returncode == 2


def test_secret_file_inside_the_repository_is_refused():
    from pathlib import Path
    inside = Path(__file__).resolve().parents[1] / "README.md"
    t = target.loads(f"[freeswitch]\nesl_password = 'file:{inside}'\n", partial=True)
    with pytest.raises(TargetError, match="inside the fsnb repository"):
        t.freeswitch.esl_password.reveal()


def test_prompt_secret_is_asked_once_before_the_run_and_redacted(tmp_path):
    """Asked mid-run, a prompt would stall every check while the operator types; it is asked up front, once, and
    the typed value is redacted like any other secret (it used to be left out of redaction)."""
    t = target.loads('[freeswitch]\nesl_password = "prompt"\n', partial=True)
    with pytest.raises(TargetError, match="not asked"):
        t.freeswitch.esl_password.reveal()
    asked = []
    t.ask_secrets(lambda label: asked.append(label) or "typed-secret-42")
    t.ask_secrets(lambda label: asked.append(label) or "other")
    assert asked == ["ESL password: "] and t.freeswitch.esl_password.reveal() == "typed-secret-42"
    assert "typed-secret-42" in t.secret_values()
    assert "typed-secret-42" not in json.dumps(t.public())
    with pytest.raises(TargetError, match="nothing typed"):
        target.loads('[freeswitch]\nesl_password = "prompt"\n', partial=True).ask_secrets(lambda _: (_ for _ in ()).throw(EOFError()))


def test_prompt_without_a_terminal_is_a_clear_error(tmp_path):
    import subprocess
    import sys
    f = tmp_path / "t.toml"
    f.write_text('[freeswitch]\nesl_port = 1\nesl_password = "prompt"\n[nginx]\n[tunnel]\n')
    p = subprocess.run([sys.executable, "-m", "fsnb", "run", "--target", str(f)], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "no terminal to ask on" in p.stderr
