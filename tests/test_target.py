"""Target files: defaults are the analysis' deployment; unknown keys and wrong types name the key."""
from __future__ import annotations

import pytest

from fsnb import target
from fsnb.errors import TargetError


def test_defaults_are_the_analysis_deployment():
    t = target.loads("")
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
    t = target.loads(f"[freeswitch]\nesl_password = 'file:{f}'\n[sip]\npassword = 'env:SIP_PW'\n")
    monkeypatch.setenv("SIP_PW", "sip-secret")
    assert t.freeswitch.esl_password.reveal() == "s3cret"
    assert sorted(t.secret_values()) == ["s3cret", "sip-secret"]
    assert "s3cret" not in target.dumps(t) and "sip-secret" not in repr(t)
    monkeypatch.delenv("SIP_PW")
    with pytest.raises(TargetError, match="SIP_PW"):
        t.sip.password.reveal()


def test_roundtrip():
    t = target.loads("name = 'x'\n[freeswitch]\ncontainer = ''\nesl_port = 9021\n")
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
    t = target.loads(f"[freeswitch]\nesl_password = 'file:{inside}'\n")
    with pytest.raises(TargetError, match="inside the fsnb repository"):
        t.freeswitch.esl_password.reveal()
