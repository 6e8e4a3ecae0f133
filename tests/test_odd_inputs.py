"""Issue #19: odd-but-valid values work (IPv6), invalid ones are refused at load with the key's name (exit 2) —
never a traceback. Each case here ended in a traceback before."""
from __future__ import annotations

import hostile
import pytest
from conftest import fsnb_cli

from fsnb import target
from fsnb.errors import TargetError
from fsnb.present import fleet
from fsnb.result import Status
from fsnb.runner import run

pytestmark = pytest.mark.unit

BASE = '[freeswitch]\ncontainer = ""\n[nginx]\n[tunnel]\n'


@pytest.mark.parametrize("text, key", [
    ("[freeswitch]\ncontainer = \"\"\n[nginx]\n[tunnel]\n[timeouts]\ncheck = 1" + "0" * 400 + "\n", "timeouts.check"),
    ("[freeswitch]\ncontainer = \"\"\n[nginx]\n[tunnel]\n[timeouts]\nconnect = 1" + "0" * 400 + "\n", "timeouts.connect"),
    ("[freeswitch]\ncontainer = \"\"\nesl_port = 1" + "0" * 5000 + "\n[nginx]\n[tunnel]\n", "too many digits"),
    ("[freeswitch]\ncontainer = \"\"\nesl_port = 1" + "0" * 4000 + "\n[nginx]\n[tunnel]\n", "freeswitch.esl_port"),
    (BASE + "x = " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
    ('[freeswitch]\ncontainer = ""\n[nginx]\naddress = "127.0.0.1:²³"\n[tunnel]\n', "nginx.address"),
    ('[freeswitch]\ncontainer = ""\n[nginx]\naddress = "127.0.0.1:0008082"\n[tunnel]\n', "nginx.address"),
    ('[freeswitch]\ncontainer = ""\n[nginx]\n[tunnel]\nconnect = "127.0.0.1:٨٠"\n', "tunnel.connect"),
])
def test_bad_values_are_refused_with_the_key(text, key):
    with pytest.raises(TargetError) as exc:
        target.loads(text)
    assert key in str(exc.value)
    assert len(str(exc.value)) < 300        # a 4000-digit number is not repeated back


def test_the_cli_says_so_with_exit_2(tmp_path):
    f = tmp_path / "t.toml"
    f.write_text("[freeswitch]\ncontainer = \"\"\n[nginx]\n[tunnel]\n[timeouts]\ncheck = 1" + "0" * 400 + "\n")
    p = fsnb_cli("run", "--target", str(f))
    assert p.returncode == 2 and "Traceback" not in p.stderr and "timeouts.check" in p.stderr, p.stderr


@pytest.mark.parametrize("host, port, want", [("::1", 7443, "[::1]:7443"), ("[::1]", 7443, "[::1]:7443"),
                                              ("127.0.0.1", 8021, "127.0.0.1:8021"), ("fs.example", 1, "fs.example:1")])
def test_netloc_brackets_ipv6(host, port, want):
    assert target.netloc(host, port) == want


@pytest.mark.parametrize("host", ["::1", "[::1]"])
def test_an_ipv6_host_gives_results_not_internal_errors(tmp_path, monkeypatch, host):
    """`freeswitch.host = "::1"` gave ERROR (InvalidURI: ws://::1:…) in three checks; nothing listens here, so
    every check must say what it found instead."""
    monkeypatch.setenv("FSNB_T_PW", "pw-1234")
    t = target.loads(hostile.target_toml(tmp_path, 1, 2, 3, check=1.0).replace('container = ""', f'container = ""\nhost = "{host}"', 1))
    assert t.freeswitch.host == host
    r = run(t)
    errors = {x.id: x.summary for x in r.results if x.status is Status.ERROR}
    assert not errors, errors


def test_fleet_file_refuses_control_characters_and_duplicates(tmp_path, monkeypatch):
    monkeypatch.setenv("FSNB_T_PW", "pw-1234")     # another test may have left a short one behind
    one = tmp_path / "one.toml"
    one.write_text(hostile.target_toml(tmp_path, 1, 2, 3, check=1.0))
    nul = tmp_path / "nul.txt"
    nul.write_text("one.toml\x00\n")
    with pytest.raises(TargetError, match="control character"):
        fleet.load_targets(str(nul))
    twice = tmp_path / "twice.txt"
    twice.write_text(f"one.toml\n{one}\n")
    with pytest.raises(TargetError, match="listed twice"):
        fleet.load_targets(str(twice))


def test_a_run_process_leaves_complete_output_and_journal(tmp_path, monkeypatch):
    """The command ends the ordinary way (a gc.freeze before exit only spares the last collection): stdout holds
    the whole JSON and the journal every result and the diagnosis."""
    import json
    monkeypatch.setenv("FSNB_T_PW", "pw-1234")
    f = tmp_path / "t.toml"
    f.write_text(hostile.target_toml(tmp_path, 1, 2, 3, check=1.0))
    j = tmp_path / "j.jsonl"
    p = fsnb_cli("run", "--target", str(f), "--format", "json", "--journal", str(j))
    assert p.returncode == 1, p.stderr
    out = json.loads(p.stdout)
    kinds = [json.loads(line)["type"] for line in j.read_text().splitlines()]
    assert kinds.count("result") == len(out["results"]) == 17
    assert kinds.count("diagnosis") == 1 and out["diagnosis"]
