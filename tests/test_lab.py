"""The lab: scenarios, up/down/status, idempotence, port offsets, and what `up` writes."""
from __future__ import annotations

import json
import socket

import pytest
from conftest import fsnb_cli, port_free

from fsnb import target as tgt
from fsnb.lab import manager


@pytest.mark.unit
def test_scenarios_json_lists_enough_with_fields():
    p = fsnb_cli("lab", "scenarios", "--json")
    assert p.returncode == 0, p.stderr
    items = json.loads(p.stdout)
    assert len(items) >= 15
    for s in items:
        assert {"name", "cause", "exit", "description"} <= s.keys()
        assert s["exit"] in (0, 1)
    by = {s["name"]: s for s in items}
    assert by["healthy"]["cause"] is None and by["healthy"]["exit"] == 0
    assert by["nginx-no-upgrade-headers"]["exit"] == 0 and by["nginx-no-upgrade-headers"]["cause"]
    # the analysis' four hypotheses and the knowledge catalogue are covered
    causes = {s["cause"] for s in items}
    assert {"profile-not-running", "wss-binding-not-applied", "esl-not-listening", "via-transport-mismatch",
            "bind-failed", "wss-pem-bad", "esl-acl-rejects", "esl-bad-password", "bound-elsewhere",
            "nginx-scheme-mismatch", "tunnel-origin-unreachable"} <= causes


@pytest.mark.unit
@pytest.mark.parametrize("lang", ["de", "en"])
def test_scenarios_listed_in_each_language(lang):
    """Issue #21: `fsnb lab scenarios --lang en` describes every scenario in English (German by default)."""
    from fsnb.lab import scenarios
    args = ("--lang", lang) if lang == "en" else ()
    p = fsnb_cli("lab", "scenarios", *args)
    assert p.returncode == 0, p.stderr
    for sc in scenarios.SCENARIOS:
        mine, other = (sc.description_en, sc.description) if lang == "en" else (sc.description, sc.description_en)
        assert mine in p.stdout and (mine == other or other not in p.stdout), sc.name
    assert ("(default)" in p.stdout) == (lang == "en") and ("(Standard)" in p.stdout) == (lang == "de")


@pytest.mark.unit
def test_scenarios_say_whether_they_can_be_real():
    p = fsnb_cli("lab", "scenarios", "--json")
    items = json.loads(p.stdout)
    assert all(isinstance(s["real"], bool) for s in items)
    assert sum(s["real"] for s in items) >= 12
    for s in items:
        if not s["real"]:
            assert s["real_why_not"], s["name"]


@pytest.mark.lab
def test_up_is_idempotent_replaces_and_down_stops_only_its_own(port_offsets):
    off = port_offsets.take()
    p = fsnb_cli("lab", "up", "--scenario", "healthy", "--port-offset", str(off))
    assert p.returncode == 0, p.stderr
    state1 = json.loads((manager.lab_dir(off) / "state.json").read_text())
    p = fsnb_cli("lab", "up", "--scenario", "healthy", "--port-offset", str(off))
    assert p.returncode == 0
    state2 = json.loads((manager.lab_dir(off) / "state.json").read_text())
    assert state1["procs"] == state2["procs"]          # same processes: nothing restarted
    t = tgt.load(manager.lab_dir(off) / "target.toml")
    assert t.freeswitch.esl_port == 8021 + off and t.nginx.address == f"127.0.0.1:{8082 + off}"
    assert t.freeswitch.esl_password.source.startswith("file:")   # never the value
    assert "lab-esl-" not in (manager.lab_dir(off) / "target.toml").read_text()
    p = fsnb_cli("lab", "up", "--scenario", "profile-stopped", "--port-offset", str(off))
    assert p.returncode == 0
    state3 = json.loads((manager.lab_dir(off) / "state.json").read_text())
    assert state3["scenario"] == "profile-stopped" and state3["procs"] != state1["procs"]
    # a foreign listener that the lab did not start survives `down`
    foreign = socket.socket()
    foreign.bind(("127.0.0.1", 0))
    foreign.listen()
    try:
        assert "stopped" in fsnb_cli("lab", "down", "--port-offset", str(off)).stdout
        assert port_free(8021 + off) and port_free(8082 + off)
        foreign_port = foreign.getsockname()[1]
        socket.create_connection(("127.0.0.1", foreign_port), timeout=1).close()
    finally:
        foreign.close()
    assert fsnb_cli("lab", "down", "--port-offset", str(off)).stdout.strip() == "stopped: nothing was running"


@pytest.mark.lab
def test_status_reports_labs(port_offsets):
    off = port_offsets.take()
    manager.up("healthy", offset=off)
    p = fsnb_cli("lab", "status")
    assert p.returncode == 0 and f"port offset {off}" in p.stdout and "state         up" in p.stdout
    manager.down(off)


@pytest.mark.lab
def test_up_refuses_busy_ports(port_offsets):
    off = port_offsets.take()
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 8082 + off))
    blocker.listen()
    try:
        p = fsnb_cli("lab", "up", "--scenario", "healthy", "--port-offset", str(off))
        assert p.returncode == 2 and f"nginx {8082 + off}" in p.stderr
        assert port_free(8021 + off)          # nothing was left running
    finally:
        blocker.close()


@pytest.mark.unit
def test_unknown_scenario_is_a_usage_error(port_offsets):
    p = fsnb_cli("lab", "up", "--scenario", "nosuch", "--port-offset", str(port_offsets.take()))
    assert p.returncode == 2 and "unknown scenario" in p.stderr


@pytest.mark.lab
@pytest.mark.parametrize("name", ["port-7443-taken", "wss-pem-cert-only", "wss-binding-missing", "profile-stopped"])
def test_scenarios_reproduce_nothing_on_7443(name, port_offsets):
    off = port_offsets.take()
    lab = manager.up(name, offset=off)
    try:
        wss = lab.ports["wss"]
        if name == "port-7443-taken":
            # something listens, but it is not FreeSWITCH: the profile is down, so 5060/5066 are closed too
            assert not port_free(wss) and port_free(lab.ports["ws"])
        else:
            assert port_free(wss)
    finally:
        manager.down(off)


@pytest.mark.lab
def test_nginx_scenarios_answer_without_101(port_offsets):
    import asyncio

    import websockets
    from websockets.exceptions import InvalidStatus
    off = port_offsets.take()
    lab = manager.up("nginx-http-to-tls", offset=off)
    try:
        async def go():
            await websockets.connect(f"ws://127.0.0.1:{lab.ports['nginx']}/", subprotocols=["sip"], open_timeout=3)
        with pytest.raises(InvalidStatus) as ei:
            asyncio.run(go())
        assert ei.value.response.status_code == 502
        err = (manager.lab_dir(off) / "nginx/error.log").read_text()
        assert "upstream prematurely closed connection while reading response header from upstream" in err
    finally:
        manager.down(off)


@pytest.mark.lab
def test_python_esl_and_websockets_talk_to_the_lab_as_to_freeswitch(port_offsets):
    """Issue 2's acceptance: python-ESL `api status`, WSS-BIND-URL, ws/wss with `sip`, SIP OPTIONS -> 200 OK."""
    import asyncio
    import ssl

    import ESL
    import websockets

    from fsnb.probe import sip
    off = port_offsets.take()
    lab = manager.up("healthy", offset=off)
    try:
        pw = (manager.lab_dir(off) / "secrets/esl_password").read_text().strip()
        con = ESL.ESLconnection("127.0.0.1", str(lab.ports["esl"]), pw)
        assert con.connected()
        assert con.api("status").getBody().startswith("UP ")
        assert "WSS-BIND-URL" in con.api("sofia status profile internal").getBody()
        con.disconnect()
        ctx = ssl.create_default_context(cafile=str(manager.lab_dir(off) / "pki/ca.pem"))

        async def go(url, transport, tls):
            async with websockets.connect(url, subprotocols=["sip"], ssl=ctx if tls else None, open_timeout=3) as ws:
                await ws.send(sip.options("sip:127.0.0.1", transport).serialize())
                return ws.subprotocol, (await asyncio.wait_for(ws.recv(), 3)).split("\r\n")[0]
        assert asyncio.run(go(f"ws://127.0.0.1:{lab.ports['ws']}/", "WS", False)) == ("sip", "SIP/2.0 200 OK")
        assert asyncio.run(go(f"wss://127.0.0.1:{lab.ports['wss']}/", "WSS", True)) == ("sip", "SIP/2.0 200 OK")
    finally:
        manager.down(off)


@pytest.mark.docker
def test_a_stopped_private_engine_leaves_no_mount_behind(docker_host):
    """dockerd can leave its `exec/netns/default` nsfs mount or the data root's bind mount behind when it stops
    (seen after `fsnb lab down --all` with a container; they piled up under /tmp): dockerd.stop unmounts whatever
    is still mounted under its own root, deepest first, so the directory can be removed. The leftovers are
    made deterministic here: a tmpfs with a mount inside it, under the exec root of a real private dockerd."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from fsnb.lab import dockerd
    root = Path(tempfile.mkdtemp(prefix="fsnb-e", dir="/tmp"))     # short: containerd's socket path lies under it
    try:
        dockerd.ensure(root, prefer_existing=False)
        left = root / "exec" / "left-behind"
        left.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "fsnb-test", str(left)], check=True)
        (left / "inner").mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "fsnb-test", str(left / "inner")], check=True)
        assert {str(left), str(left / "inner")} <= set(dockerd.mounts_under(root))
    finally:
        dockerd.stop(root)
    assert dockerd.mounts_under(root) == []
    shutil.rmtree(root)
