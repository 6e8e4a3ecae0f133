"""Step 5's media path by Docker's record, for browsers off the Docker host: an RTP range published on the host's
loopback only (`-p 127.0.0.1:…`) is not published for `client = lan | internet`, and the container's own address on
its Docker network is the Docker host's to reach, not the LAN's (review of issue #22)."""
from __future__ import annotations

import pytest
from test_docker_view import INSPECT, _config

from fsnb.read import dockerview

pytestmark = pytest.mark.unit


# -- review: where the browsers are decides what a publication on the host's loopback is worth --------------------
def _udp_on(host_ip, *ports):
    return {f"{p}/udp": [{"HostIp": host_ip, "HostPort": str(p)}] for p in ports}


@pytest.mark.parametrize("host_ip,loopback", [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True), ("::ffff:127.0.0.1", True),
    ("", False), ("0.0.0.0", False), ("::", False), ("192.168.1.10", False), ("fd00::1", False),
    ("moon", False), ("127.0.0.1.example", False),          # no address: not proven loopback, it counts
])
def test_which_host_ips_are_the_hosts_loopback(host_ip, loopback):
    assert dockerview.is_loopback(host_ip) is loopback
    assert dockerview.Published(16384, "udp", host_ip, 16384).loopback is loopback


def test_an_rtp_range_published_on_the_loopback_only():
    """`-p 127.0.0.1:16384-16484:16384-16484/udp`: published on the same host port, but the host's loopback only."""
    v = dockerview.of({"HostConfig": {"NetworkMode": "bridge"},
                       "NetworkSettings": {"Ports": _udp_on("127.0.0.1", *range(16384, 16485))}})
    assert v.udp_same_port == [(16384, 16484)] and v.udp_same_port_open == []
    assert v.udp_unpublished(16384, 16484) == [] and v.udp_unpublished(16384, 16484, loopback=False) == [(16384, 16484)]
    assert v.udp_loopback_only(16384, 16484) == [(16384, 16484)] and v.udp_loopback_ips == ["127.0.0.1"]
    assert v.udp_loopback_only(16000, 16400) == [(16384, 16400)]


def test_a_publication_off_the_loopback_counts_for_every_browser():
    """0.0.0.0 and :: (Docker records both for `-p P:P/udp`), a LAN address of the host, and a port published on
    the loopback and on 0.0.0.0 alike: all reachable off the host."""
    both = {f"{p}/udp": [{"HostIp": "0.0.0.0", "HostPort": str(p)}, {"HostIp": "::", "HostPort": str(p)}]
            for p in range(20000, 20003)}
    lan = _udp_on("192.168.1.10", 20003, 20004)
    mixed = {"20005/udp": [{"HostIp": "127.0.0.1", "HostPort": "20005"}, {"HostIp": "", "HostPort": "20005"}]}
    other_port = {"20006/udp": [{"HostIp": "", "HostPort": "30006"}, {"HostIp": "127.0.0.1", "HostPort": "20006"}]}
    v = dockerview.of({"NetworkSettings": {"Ports": {**both, **lan, **mixed, **other_port, **_udp_on("::1", 20007)}}})
    assert v.udp_same_port == [(20000, 20007)] and v.udp_same_port_open == [(20000, 20005)]
    assert v.udp_unpublished(20000, 20007, loopback=False) == [(20006, 20007)]
    assert v.udp_loopback_only(20000, 20008) == [(20006, 20007)] and v.udp_loopback_ips == ["127.0.0.1", "::1"]
    assert v.udp_unpublished(20000, 20008) == [(20008, 20008)]


def test_loopback_ips_are_bounded_and_parsed():
    ports = {f"{p}/udp": [{"HostIp": f"127.0.0.{p - 20000}", "HostPort": str(p)}] for p in range(20001, 20011)}
    ports["20011/udp"] = [{"HostIp": "::ffff:127.0.0.1", "HostPort": "20011"}]
    v = dockerview.of({"NetworkSettings": {"Ports": ports}})
    assert len(v.udp_loopback_ips) == dockerview.MAX_LOOPBACK_IPS and v.udp_loopback_ips[0] == "127.0.0.1"
    assert v.udp_loopback_only(20001, 20011) == [(20001, 20011)]


def test_the_containers_own_addresses():
    v = dockerview.of({"HostConfig": {"NetworkMode": "app_default"}, "NetworkSettings": {
        "IPAddress": "172.17.0.2",
        "Networks": {"app_default": {"IPAddress": "172.18.0.5", "GlobalIPv6Address": "fd00:0:0:0::5"},
                     "bridge": {"IPAddress": "172.17.0.2", "GlobalIPv6Address": ""}}}})
    # a user network's driver is not in the record (macvlan's addresses are the LAN's): the default bridge only
    assert v.addresses == ["172.17.0.2"]
    assert dockerview.of(dict(INSPECT)).addresses == ["172.17.0.2"]
    macvlan = dockerview.of({"HostConfig": {"NetworkMode": "lan"}, "NetworkSettings": {
        "Networks": {"lan": {"IPAddress": "192.168.1.40"}}}})
    assert macvlan.addresses == []


def test_the_containers_own_addresses_tolerate_hostile_records():
    """Only addresses; loopback and unspecified are no network's; bounded; host networking has none of its own."""
    nets = {f"n{i}": {"IPAddress": f"10.0.{i}.2", "GlobalIPv6Address": ["x"]} for i in range(40)}
    nets.update(a={"IPAddress": "not-an-ip"}, b={"IPAddress": "127.0.0.1"}, c={"IPAddress": "0.0.0.0"},
                d={"IPAddress": "1" * 5000}, e="junk", f={"IPAddress": 17})
    v = dockerview.of({"HostConfig": {"NetworkMode": "bridge"}, "NetworkSettings": {"IPAddress": ["10.9.9.9"],
                                                                                   "Networks": nets}})
    assert v.addresses == []                     # not one of them is the default bridge's
    for junk in ("not-an-ip", "127.0.0.1", "0.0.0.0", "1" * 5000, 17):
        assert dockerview.of({"HostConfig": {"NetworkMode": "bridge"}, "NetworkSettings": {
            "Networks": {"bridge": {"IPAddress": junk}}}}).addresses == []
    assert dockerview.of({"NetworkSettings": {"Networks": {"a": {"IPAddress": "::1"}, "b": {"IPAddress": "junk"}}}}
                         ).addresses == []
    host = dockerview.of({"HostConfig": {"NetworkMode": "host"}, "NetworkSettings": {"IPAddress": "192.168.1.5",
                                                                                    "Networks": {"host": {"IPAddress": "192.168.1.5"}}}})
    assert host.addresses == []


_LOOPBACK_RANGE = dict(INSPECT, NetworkSettings={"Networks": {"bridge": {"IPAddress": "172.17.0.2"}},
                                                 "Ports": _udp_on("127.0.0.1", *range(16384, 16585))})


def _one_language(out):
    from test_language import assert_only
    assert_only("de", out.text.de, "text", "schritt5.config de")
    assert_only("en", out.text.en, "text", "schritt5.config en")


@pytest.mark.parametrize("client,rtp_ip", [("lan", "192.168.1.10"), ("internet", "93.184.216.34")])
def test_an_rtp_range_on_the_hosts_loopback_is_unpublished_for_browsers_off_the_host(tmp_path, client, rtp_ip):
    from fsnb.diagnosis import observed as obs
    out = _config(tmp_path, _LOOPBACK_RANGE, rtp_ip=rtp_ip, client=client)
    where = {"lan": "the LAN", "internet": "the internet"}[client]
    assert out.status.value == "fail", out.text.en
    assert (f"none of its RTP range 16384-16584 as UDP on an address of the host that browsers on {where} reach"
            in out.text.en), out.text.en
    assert "; 16384-16584/udp is published on 127.0.0.1 only, the host's loopback, which browsers" in out.text.en
    assert "nur auf 127.0.0.1 veröffentlicht" in out.text.de and "on the same host port" not in out.text.en
    assert out.observed["rtp_unpublished"] == ["16384-16584/udp"]
    assert out.observed["rtp_loopback_only"] == ["16384-16584/udp"]
    docker = next(e for e in out.evidence if e.label == "Docker")
    assert f"16384-16584/udp published on 127.0.0.1 only: browsers on {where} cannot reach it" in docker.text
    assert "not published as UDP" not in docker.text, docker.text
    obs.MediaConfig.of(out.observed, strict=True)
    _one_language(out)


def test_an_rtp_range_on_the_hosts_loopback_is_published_for_a_browser_on_the_host(tmp_path):
    out = _config(tmp_path, _LOOPBACK_RANGE, rtp_ip="127.0.0.1", client="host")
    assert out.status.value == "pass", out.text.en
    assert out.observed["rtp_unpublished"] == [] and out.observed["rtp_loopback_only"] == []
    docker = next(e for e in out.evidence if e.label == "Docker")
    assert "16384-16584/udp published on 127.0.0.1 only: browsers on this host reach it" in docker.text, docker.text


def test_part_of_the_rtp_range_on_the_loopback_names_that_part(tmp_path):
    ports = {**_udp_on("127.0.0.1", *range(16384, 16485)), **_udp_on("0.0.0.0", *range(16485, 16585))}
    out = _config(tmp_path, dict(INSPECT, NetworkSettings={"Ports": ports}), rtp_ip="192.168.1.10", client="lan")
    assert out.status.value == "fail" and ("only part of its RTP range 16384-16584 as UDP on the same host port on an "
                                           "address browsers on the LAN reach — missing: 16384-16484/udp") in out.text.en
    assert ("; 16384-16484/udp is published on 127.0.0.1 only, the host's loopback, which browsers on the LAN cannot "
            "reach") in out.text.en, out.text.en
    assert "16384-16484/udp ist nur auf 127.0.0.1 veröffentlicht" in out.text.de, out.text.de
    # the loopback part and a part published nowhere, both in the evidence
    ports = _udp_on("127.0.0.1", *range(16384, 16485))
    out = _config(tmp_path, dict(INSPECT, NetworkSettings={"Ports": ports}), rtp_ip="192.168.1.10", client="lan")
    docker = next(e for e in out.evidence if e.label == "Docker")
    assert ("not published as UDP: 16485-16584/udp; 16384-16484/udp published on 127.0.0.1 only: browsers on the LAN "
            "cannot reach it") in docker.text, docker.text
    assert out.observed["rtp_unpublished"] == ["16384-16584/udp"] and out.observed["rtp_loopback_only"] == ["16384-16484/udp"]
    _one_language(out)


@pytest.mark.parametrize("host_ip", ["", "0.0.0.0", "::", "192.168.1.10"])
def test_an_rtp_range_off_the_loopback_is_published_for_the_lan(tmp_path, host_ip):
    ports = _udp_on(host_ip, *range(16384, 16585))
    out = _config(tmp_path, dict(INSPECT, NetworkSettings={"Ports": ports}), rtp_ip="192.168.1.10", client="lan")
    assert out.status.value == "pass", out.text.en
    assert out.observed["rtp_unpublished"] == [] and out.observed["rtp_loopback_only"] == []


# -- review: the container's own address on its Docker network is the Docker host's to reach -----------------------
_OPEN_RANGE = dict(INSPECT, NetworkSettings={"Networks": {"bridge": {"IPAddress": "172.17.0.2"}},
                                             "Ports": _udp_on("0.0.0.0", *range(16384, 16585))})


def test_the_containers_bridge_address_is_not_reachable_from_the_lan(tmp_path):
    from fsnb.diagnosis import observed as obs
    out = _config(tmp_path, _OPEN_RANGE, rtp_ip="172.17.0.2", client="lan")
    assert out.status.value == "fail" and out.observed["reachable"] is False, out.text.en
    assert "cannot reach 172.17.0.2: it is the container's own address on its Docker network" in out.text.en
    assert "(loopback)" not in out.text.en and "Loopback" not in out.text.de
    assert out.observed["container_addresses"] == ["172.17.0.2"]
    assert "container addresses: 172.17.0.2" in next(e for e in out.evidence if e.label == "Docker").text
    obs.MediaConfig.of(out.observed, strict=True)
    _one_language(out)


@pytest.mark.parametrize("info,rtp_ip,client", [
    (_OPEN_RANGE, "172.17.0.2", "host"),                                   # the Docker host reaches its bridge
    (None, "172.17.0.2", "lan"),                                           # no Docker record: today's judgement
    (dict(_OPEN_RANGE, HostConfig={"NetworkMode": "host"}), "172.17.0.2", "lan"),   # host networking: no own address
    (_OPEN_RANGE, "172.17.0.3", "lan"),                                    # a private address, not the container's
    (_OPEN_RANGE, "192.168.1.10", "lan"),
], ids=["host-client", "view-unknown", "host-network", "other-private", "lan-address"])
def test_a_private_address_stays_reachable_from_the_lan_without_proof_it_is_the_containers(tmp_path, info, rtp_ip, client):
    out = _config(tmp_path, info, rtp_ip=rtp_ip, client=client)
    assert out.status.value == "pass" and out.observed["reachable"] is True, out.text.en


def test_the_calls_sdp_naming_the_containers_address_is_unreachable_from_the_lan():
    from fsnb.checks import schritt5
    from fsnb.probe import media, sdp
    r = media.MediaResult("ice-failed", answer=sdp.parse("v=0\r\nc=IN IP4 172.17.0.2\r\nm=audio 16400 UDP/TLS/RTP/SAVPF 0\r\n"
                                                           "a=candidate:1 1 udp 1 192.168.1.10 16400 typ host\r\n"))
    assert schritt5._observed(r, "lan", 1.0, ("172.17.0.2",))["unreachable"] == ["172.17.0.2"]
    assert schritt5._observed(r, "lan", 1.0)["unreachable"] == []              # without Docker's record
    assert schritt5._observed(r, "host", 1.0, ("172.17.0.2",))["unreachable"] == []


# -- the findings the two checks' results lead to (diagnose on the checks' own results) ----------------------------
_ICE_FAILED = dict(outcome="ice-failed", ice_state="failed", dtls_state="new", packets_received=0, echo_rtt=None)


def _found(out, **call_changes):
    from test_diagnosis import call, res, with_

    from fsnb.diagnosis.rules import diagnose
    changes = {"schritt5.config": res("schritt5.config", out.status.value, **out.observed)}
    if call_changes:
        changes["schritt5.anruf"] = call(**call_changes)
    return [f.cause for f in diagnose(with_(changes))]


def test_a_loopback_rtp_range_is_the_unpublished_range_finding_for_the_lan(tmp_path):
    out = _config(tmp_path, _LOOPBACK_RANGE, rtp_ip="192.168.1.10", client="lan")
    assert _found(out, client="lan", **_ICE_FAILED) == ["rtp-ports-not-published"]
    assert _found(out) == ["rtp-ports-not-published"]          # the config's proof alone: any call may lack audio


def test_a_loopback_rtp_range_is_no_finding_for_a_browser_on_the_host(tmp_path):
    assert _found(_config(tmp_path, _LOOPBACK_RANGE, rtp_ip="127.0.0.1", client="host")) == []


def test_the_containers_bridge_address_is_the_unreachable_address_finding_for_the_lan(tmp_path):
    out = _config(tmp_path, _OPEN_RANGE, rtp_ip="172.17.0.2", client="lan")
    assert _found(out, client="lan", addresses=["172.17.0.2"], unreachable=["172.17.0.2"], **_ICE_FAILED) == [
        "media-address-unreachable"]
    assert _found(_config(tmp_path, None, rtp_ip="172.17.0.2", client="lan")) == []    # no Docker record: no proof


def test_the_call_check_reads_the_containers_addresses_from_dockers_record(tmp_path, monkeypatch):
    """schritt5.anruf: an answer naming the container's bridge address fails for a LAN client though the call (from
    this host) had audio; without Docker's record the same answer passes."""
    import asyncio

    from test_docker_view import _ctx

    from fsnb.checks import schritt5
    from fsnb.probe import media, sdp
    from fsnb.target import Secret
    answer = "v=0\r\nc=IN IP4 172.17.0.2\r\nm=audio 16400 UDP/TLS/RTP/SAVPF 0\r\n"

    async def fake_call(spec):
        return media.MediaResult("ok", answer=sdp.parse(answer), ice_state="completed", dtls_state="connected",
                                 packets_sent=20, packets_received=18, echo_rtt=0.05, bye_status=200)
    monkeypatch.setattr(media, "call", fake_call)

    def run(info):
        ctx = _ctx(tmp_path, info, [])
        ctx.target.media.client = "lan"
        ctx.target.sip.password = Secret("env:FSNB_T_PW")
        return asyncio.run(schritt5.call(ctx))
    out = run(_OPEN_RANGE)
    assert out.status.value == "fail" and out.observed["unreachable"] == ["172.17.0.2"], out.text.en
    assert "browsers on the LAN cannot reach 172.17.0.2" in out.text.en
    assert run(dict(_OPEN_RANGE, HostConfig={"NetworkMode": "host"})).status.value == "pass"   # no own address
    assert run(None).status.value == "pass"                                # no Docker record: today's judgement
