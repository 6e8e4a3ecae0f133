"""Issue #18 on the real FreeSWITCH: its container in its own network namespace (Docker's `none`, loopback only —
the lab's engine has no bridge), with and without its ports published (a loopback forwarder stands in for
docker-proxy: fsnb/lab/nsforward.py). The targets name no directories: with ESL unreachable they must come from
FreeSWITCH's command line. FreeSWITCH never leaves the loopback: its sockets, and no multicast group in its
namespace beyond the kernel's all-hosts group."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import realfs
from conftest import fsnb_cli

from fsnb.lab import manager

# offsets of their own, moved with FSNB_TEST_OFFSET_START (two sessions side by side use different ones)
OFF = int(os.environ.get("FSNB_TEST_OFFSET_START", "1260")) + 370


GROUPS_BEFORE: set[str] = set()


@pytest.fixture(scope="module")
def real_lab():
    GROUPS_BEFORE.update(realfs.multicast_groups())
    yield from realfs.module_lab((OFF,))


def _run(target: str):
    p = fsnb_cli("run", "--target", target, "--format", "json", "--lang", "en", timeout=120)
    try:
        return json.loads(p.stdout), p
    except ValueError:
        pytest.fail(f"fsnb run gave no JSON (exit {p.returncode}): {p.stderr[-2000:]}")


def _netns_groups(pid: int) -> set[str]:
    """Multicast groups joined in the process's own network namespace (/proc/<pid>/net/igmp), all-hosts aside."""
    out, dev = set(), None
    for line in Path(f"/proc/{pid}/net/igmp").read_text().splitlines()[1:]:
        f = line.split()
        if not line.startswith((" ", "\t")) and len(f) >= 2:
            dev = f[1].rstrip(":")
        elif f and len(f[0]) == 8 and f[0] != "010000E0":      # 224.0.0.1: every interface is in it
            out.add(f"{dev} {f[0]}")
    return out


def _only_lo(pid: int) -> None:
    """The namespace has no interface but its loopback: even a wildcard socket there reaches nothing else."""
    devs = [line.split(":")[0].strip() for line in Path(f"/proc/{pid}/net/dev").read_text().splitlines()[2:]]
    assert devs == ["lo"], devs


def _common(out: dict, st: dict, wildcard: bool = False) -> dict:
    by = {r["id"]: r for r in out["results"]}
    pid = realfs.fs_pid(st)
    _only_lo(pid)
    if wildcard:     # ESL on 0.0.0.0 — of a namespace that has only lo; every other socket on the loopback
        socks = realfs.process_sockets(pid)
        wide = [s for s in socks if s["local"] and not realfs.is_loopback(s["local"][0]) and s["local"][1] != 0]
        assert wide and all(realfs.is_unspecified(s["local"][0]) for s in wide), wide
        assert not realfs.multicast_groups() - GROUPS_BEFORE
    else:
        realfs.assert_loopback_only(pid, GROUPS_BEFORE)
    assert not _netns_groups(pid)
    assert Path(f"/proc/{pid}/ns/net").resolve() != Path("/proc/self/ns/net").resolve()
    assert os.readlink(f"/proc/{pid}/ns/net") != os.readlink("/proc/self/ns/net"), "not in its own namespace"
    # the directories came from FreeSWITCH's command line (the target names none)
    cert = by["wissen.zertifikat"]
    assert cert["observed"]["certs_dir"] == st["real"]["dirs"] + "/etc/freeswitch/tls", cert
    assert "FreeSWITCH command line: -certs" in json.dumps(cert["evidence"]), cert["evidence"]
    assert "is, in the container, a bind mount of " + st["real"]["dirs"] in json.dumps(cert["evidence"])
    assert by["wissen.binding"]["status"] == "pass", by["wissen.binding"]
    # every check's text agrees with its evidence: never "listens on X, not on X"
    for r in out["results"]:
        for text in (r.get("summary_en") or "", r.get("summary") or ""):
            assert "not on 127.0.0.1" not in text or "listens on 127.0.0.1" not in text, (r["id"], text)
    return by


@pytest.mark.docker
@pytest.mark.real
def test_own_netns_unpublished_names_the_containers_network(real_lab):
    st = realfs.up("docker-own-netns", OFF)
    assert realfs.container(st).attrs["HostConfig"]["NetworkMode"] == "none"
    out, p = _run(str(manager.lab_dir(OFF) / "target.toml"))
    by = _common(out, st)
    causes = [d["cause"] for d in out["diagnosis"]]
    assert p.returncode == 1 and causes[0] == "container-ports-not-published", (causes, p.stderr[-1500:])
    assert "unexplained-failure" not in causes, out["diagnosis"]
    assert "bound-elsewhere" not in causes
    ports = by["schritt3.ports"]
    assert ports["observed"]["own_netns"] is True and ports["observed"]["network_mode"] == "none"
    assert "own network namespace" in ports["summary_en"], ports["summary_en"]
    esl = by["schritt1.esl"]
    assert esl["observed"]["outcome"] == "refused" and esl["observed"]["listening_on"] == ["127.0.0.1"]
    assert "own network namespace" in esl["summary_en"], esl["summary_en"]
    assert "-p 127.0.0.1:7443:7443" in out["diagnosis"][0]["fix_en"]


@pytest.mark.docker
@pytest.mark.real
@pytest.mark.parametrize("name", ["docker-own-netns-published", "docker-own-netns-wildcard"])
def test_own_netns_published_is_healthy(real_lab, name):
    """Signalling through the published ports is healthy; the RTP range is not published (the lab forwards TCP
    only, and Docker's record publishes nothing), so Step 5 names the unpublished range — and says only that."""
    st = realfs.up(name, OFF)
    out, p = _run(str(manager.lab_dir(OFF) / "target.toml"))
    by = _common(out, st, wildcard=name.endswith("wildcard"))
    causes = [d["cause"] for d in out["diagnosis"]]
    bad = {r["id"]: r["summary_en"] for r in out["results"] if r["status"] != "pass"}
    assert p.returncode == 1 and causes == ["rtp-ports-not-published"], (causes, bad)
    assert set(bad) <= {"schritt5.anruf", "schritt5.config"}, bad
    conf = by["schritt5.config"]
    assert conf["status"] == "fail" and conf["observed"]["own_netns"] is True, conf
    rtp = f"{conf['observed']['rtp_start']}-{conf['observed']['rtp_end']}/udp"
    assert conf["observed"]["rtp_unpublished"] == [rtp] and "none of its RTP range" in conf["summary_en"], conf
    assert "-p 16384-16484:16384-16484/udp" in out["diagnosis"][0]["fix_en"]


@pytest.mark.docker
@pytest.mark.real
@pytest.mark.parametrize("name", ["nginx-tls-to-plain-variable", "nginx-http-to-tls-variable",
                                  "nginx-other-default-server"])
def test_nginx_error_log_names_the_cause_on_the_real_freeswitch(real_lab, name):
    """The upstream behind a variable: no config-based finding; nginx's error log of this request names it."""
    from fsnb.lab import scenarios
    st = realfs.up(name, OFF)
    out, p = _run(str(manager.lab_dir(OFF) / "target.toml"))
    realfs.assert_loopback_only(realfs.fs_pid(st), GROUPS_BEFORE)
    causes = [d["cause"] for d in out["diagnosis"]]
    assert p.returncode == 1 and causes[0] == scenarios.get(name).cause and "unexplained-failure" not in causes, causes


@pytest.mark.docker
@pytest.mark.real
@pytest.mark.parametrize("name", ["esl-password-symbols", "no-ws-port"])
def test_healthy_variants_on_the_real_freeswitch(real_lab, name):
    """A password with spaces and symbols; no WS port at all: healthy, exit 0."""
    st = realfs.up(name, OFF)
    out, p = _run(str(manager.lab_dir(OFF) / "target.toml"))
    realfs.assert_loopback_only(realfs.fs_pid(st), GROUPS_BEFORE)
    causes = [d["cause"] for d in out["diagnosis"]]
    assert p.returncode == 0 and causes == [], (causes, {r["id"]: r["summary_en"] for r in out["results"]
                                                         if r["status"] not in ("pass", "skip")})


@pytest.mark.docker
@pytest.mark.real
def test_esl_on_another_address_says_where(real_lab):
    st = realfs.up("esl-other-address", OFF)
    out, p = _run(str(manager.lab_dir(OFF) / "target.toml"))
    realfs.assert_loopback_only(realfs.fs_pid(st), GROUPS_BEFORE)
    causes = [d["cause"] for d in out["diagnosis"]]
    assert p.returncode == 1 and causes[0] == "esl-address-mismatch" and "esl-not-listening" not in causes, causes
    esl = next(r for r in out["results"] if r["id"] == "schritt1.esl")
    assert esl["observed"]["listening_on"] == ["127.0.0.2"] and "listens on 127.0.0.2" in esl["summary_en"]


@pytest.mark.docker
@pytest.mark.real
def test_the_operators_certificate_elsewhere_is_named(real_lab):
    """-certs names the lab's dir (no wss.pem: FreeSWITCH generates one); the operator's is in /etc/freeswitch/tls."""
    st = realfs.up("wss-pem-in-other-dir", OFF)
    out, p = _run(str(manager.lab_dir(OFF) / "target.toml"))
    realfs.assert_loopback_only(realfs.fs_pid(st), GROUPS_BEFORE)
    causes = [d["cause"] for d in out["diagnosis"]]
    assert p.returncode == 0 and causes == ["wss-pem-in-other-dir"], causes
    cert = next(r for r in out["results"] if r["id"] == "wissen.zertifikat")
    assert cert["observed"]["other_pem"] == "/etc/freeswitch/tls/wss.pem" and cert["observed"]["self_signed_freeswitch"]
    assert "is ignored: FreeSWITCH reads certs_dir" in cert["summary_en"] and "-certs " in cert["summary_en"]


@pytest.mark.docker
@pytest.mark.real
@pytest.mark.parametrize("name,code", [("profile-bare-ampersand", 0), ("profile-xml-broken", 1)])
def test_xml_flaws_are_named_as_freeswitch_reads_them(real_lab, name, code):
    """A bare & FreeSWITCH reads past (the profile runs: a warning); a wrong closing tag it refuses too."""
    from fsnb.lab import scenarios
    st = realfs.up(name, OFF)
    out, p = _run(str(manager.lab_dir(OFF) / "target.toml"))
    realfs.assert_loopback_only(realfs.fs_pid(st), GROUPS_BEFORE)
    causes = [d["cause"] for d in out["diagnosis"]]
    assert p.returncode == code and causes and causes[0] == scenarios.get(name).cause, causes
    assert "unexplained-failure" not in causes
    by = {r["id"]: r for r in out["results"]}
    assert by["schritt2.profil"]["status"] == "pass"      # the running profile is fine either way
    if code == 0:
        assert "a bare '&'" in by["wissen.binding"]["observed"]["xml_flaw"]
    else:
        assert "mismatched tag" in by["wissen.binding"]["observed"]["xml_error"]
