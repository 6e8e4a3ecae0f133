"""Issue #18, asking the system itself: Docker's record of the container (dockerview), FreeSWITCH's command line
(fsprocess) as the first source of its directories, and the ports check in the container's own namespace."""
from __future__ import annotations

import asyncio
import os

import hostile
import pytest

from fsnb import target
from fsnb.checks import schritt1, schritt3
from fsnb.context import Ctx
from fsnb.read import dockerview, fsprocess, procnet

pytestmark = pytest.mark.unit

# GET /containers/<name>/json of a `docker run -d --name aidevelo-freeswitch -p 127.0.0.1:5060:5060/udp
# --restart unless-stopped -v /srv/fs/tls:/etc/freeswitch/tls:ro …` (the fields fsnb reads, as the engine writes them)
INSPECT = {
    "Id": "4f" * 32, "Path": "freeswitch",
    "Args": ["-nc", "-nf", "-nonat", "-conf", "/etc/freeswitch", "-certs", "/etc/freeswitch/tls", "-log",
             "/var/log/freeswitch", "-run", "/run/freeswitch"],
    "State": {"Status": "running", "Running": True, "Restarting": False, "Pid": 4242, "ExitCode": 0},
    "RestartCount": 3,
    "HostConfig": {"NetworkMode": "bridge", "RestartPolicy": {"Name": "unless-stopped"},
                   "PortBindings": {"5060/udp": [{"HostIp": "127.0.0.1", "HostPort": "5060"}]}},
    "NetworkSettings": {"Networks": {"bridge": {"IPAddress": "172.17.0.2"}},
                        "Ports": {"5060/udp": [{"HostIp": "127.0.0.1", "HostPort": "5060"}], "7443/tcp": None,
                                  "8021/tcp": None}},
    "Mounts": [{"Source": "/srv/fs/tls", "Destination": "/etc/freeswitch/tls", "RW": False}],
}


def test_docker_view_of_a_bridged_container():
    v = dockerview.of(INSPECT)
    assert v.network_mode == "bridge" and v.own_netns and v.networks == {"bridge": "172.17.0.2"}
    assert [p.text() for p in v.published] == ["127.0.0.1:5060 -> 5060/udp"]
    assert v.published_for(7443) == [] and v.published_for(5060) == [] and v.published_for(5060, "udp")
    assert v.mounts == ["/srv/fs/tls -> /etc/freeswitch/tls (ro)"]
    assert (v.restart_count, v.restart_policy, v.status) == (3, "unless-stopped", "running")
    assert "own network namespace" in v.summary()


@pytest.mark.parametrize("mode,own", [("host", False), ("none", True), ("default", True), ("container:abc", False)])
def test_which_network_modes_have_their_own_namespace(mode, own):
    assert dockerview.of({"HostConfig": {"NetworkMode": mode}}).own_netns is own


def test_docker_view_tolerates_hostile_records():
    assert dockerview.of(None) is None and dockerview.of([]) is None
    v = dockerview.of({"HostConfig": {"PortBindings": {"x/tcp": [{"HostPort": "1"}], "7443/tcp": [{"HostPort": "99999"}],
                                                       "5066/tcp": ["junk", {"HostPort": "5066"}]}},
                       "RestartCount": "many", "Mounts": ["junk"]})
    assert [p.text() for p in v.published] == ["0.0.0.0:5066 -> 5066/tcp"] and v.restart_count == 0


def _udp(*ports, host=None):
    return {f"{p}/udp": [{"HostIp": "", "HostPort": str(host or p)}] for p in ports}


def test_the_rtp_range_docker_publishes_as_udp():
    """Issue #22: one entry per published port (a range is many), on the same host port; every entry counts, not
    only the capped list the summary shows."""
    v = dockerview.of({"HostConfig": {"NetworkMode": "bridge"},
                       "NetworkSettings": {"Ports": {**_udp(*range(16384, 16485)), "7443/tcp": [{"HostPort": "7443"}]}}})
    assert v.udp_same_port == [(16384, 16484)]
    assert v.udp_unpublished(16384, 16484) == [] and v.udp_unpublished(16384, 32768) == [(16485, 32768)]
    assert v.udp_unpublished(16000, 16400) == [(16000, 16383)]
    full = dockerview.of({"NetworkSettings": {"Ports": _udp(*range(10000, 11000))}})
    assert len(full.published) <= 256 * 16 and full.udp_unpublished(10000, 10999) == []
    gaps = dockerview.of({"NetworkSettings": {"Ports": {**_udp(20000, 20001, 20003), **_udp(20002, host=30002)}}})
    assert gaps.udp_unpublished(20000, 20004) == [(20002, 20002), (20004, 20004)]   # another host port: not carried
    assert dockerview.of({"HostConfig": {"NetworkMode": "none"}}).udp_unpublished(1, 2) == [(1, 2)]


def test_cmdline_dirs():
    p = fsprocess.from_inspect(INSPECT)
    assert p.dir("conf") == "/etc/freeswitch" and p.dir("certs") == "/etc/freeswitch/tls"
    assert p.dir("log") == "/var/log/freeswitch" and p.flag("certs") == "-certs /etc/freeswitch/tls"
    base = fsprocess.parse(["/usr/local/freeswitch/bin/freeswitch", "-base", "/opt/fs", "-nc"], "x")
    assert base.dir("conf") == "/opt/fs/conf" and base.dir("certs") == "/opt/fs/certs" and base.flag("log") == "-base /opt/fs"
    assert fsprocess.parse(["freeswitch", "-nc"], "x").dir("conf") is None
    assert fsprocess.parse(["nginx", "-conf", "/x"], "x") is None
    assert fsprocess.parse(["freeswitch", "-conf", "relative/dir", "-certs"], "x").dirs == {}   # no value, not absolute
    sh = fsprocess.from_inspect({"Path": "/bin/sh", "Args": ["-c", "sleep 1; exec freeswitch -nc -conf /c -certs /t"]})
    assert sh.dirs == {"conf": "/c", "certs": "/t"}


def test_cmdline_split_is_bounded():
    assert fsprocess.split(b"freeswitch\0-conf\0/x\0") == ["freeswitch", "-conf", "/x"]
    assert len(fsprocess.split(b"a\0" * 100000)) <= fsprocess.MAX_CMDLINE // 2


def test_this_process_is_found_by_its_tree():
    assert fsprocess.in_tree(os.getpid()) is None     # python, not freeswitch


class FakeDocker:
    """A DockerHost as the checks see it: the container's own socket table, Docker's record, no files."""
    kind, identity, batches, timeout = "docker", "fake", False, 1.0

    def __init__(self, info: dict, socks: list[procnet.Socket]):
        self.info, self.socks = info, socks

    def via(self, what):
        return f"fake container: {what}"

    async def listeners(self):
        return self.socks

    async def docker_view(self):
        return dockerview.of(self.info)

    async def process(self):
        return fsprocess.from_inspect(self.info)

    async def exists(self, path):
        return False

    async def read_file(self, path, tail=None):
        from fsnb.errors import AccessError
        raise AccessError(f"{path}: no such file")

    async def read_many(self, wanted):
        return None

    async def list_dir(self, path):
        return []

    async def own_addresses(self):
        return {"127.0.0.1"}


def _ctx(tmp_path, info, socks) -> Ctx:
    os.environ["FSNB_T_PW"] = "lab-pw-1"
    # ports 1-4 on the loopback: nothing listens there, as nothing of the container's namespace does here
    ctx = Ctx(target.loads(hostile.target_toml(tmp_path, 1, 2, 3).replace('conf_dir = ', '# conf_dir = ')
                           .replace('log_file = ', '# log_file = ')))
    ctx._host = FakeDocker(info, socks)
    return ctx


def _listening(*ports):
    return [procnet.Socket("127.0.0.1", p, procnet.LISTEN, 4) for p in ports]


def test_ports_in_the_containers_namespace_say_so(tmp_path):
    info = dict(INSPECT, HostConfig={"NetworkMode": "none"}, NetworkSettings={})
    out = asyncio.run(schritt3.ports(_ctx(tmp_path, info, _listening(1, 2, 3, 4))))
    assert out.status.value == "fail"
    assert "own network namespace" in out.text.en and "network mode none" in out.text.en, out.text.en
    assert "not on 127.0.0.1" not in out.text.en and "nicht auf 127.0.0.1" not in out.text.de
    assert out.observed["own_netns"] is True and out.observed["unpublished"] == ["wss 3", "ws 2", "sip 4", "esl 1"]
    assert any(e.label == "Docker" for e in out.evidence)


def test_a_published_port_that_still_refuses_says_why(tmp_path):
    info = dict(INSPECT, HostConfig={"NetworkMode": "bridge"},
                NetworkSettings={"Ports": {"3/tcp": [{"HostIp": "127.0.0.1", "HostPort": "3"}]}})
    out = asyncio.run(schritt3.ports(_ctx(tmp_path, info, _listening(3))))
    assert "is published (127.0.0.1:3 -> 3/tcp)" in out.text.en and "loopback" in out.text.en, out.text.en


def test_a_table_that_covers_the_address_never_says_not_on_it(tmp_path):
    """No Docker view (a local host whose table is another namespace's): the text must not contradict itself."""
    ctx = _ctx(tmp_path, INSPECT, _listening(3))

    async def none():
        return None
    ctx._host.docker_view = none
    out = asyncio.run(schritt3.ports(ctx))
    assert "not on 127.0.0.1" not in out.text.en and "another network namespace" in out.text.en, out.text.en


def test_esl_refused_says_where_it_listens(tmp_path):
    info = dict(INSPECT, HostConfig={"NetworkMode": "none"}, NetworkSettings={})
    out = asyncio.run(schritt1.esl(_ctx(tmp_path, info, _listening(1))))
    assert out.observed["outcome"] == "refused" and out.observed["listening_on"] == ["127.0.0.1"]
    assert "By FreeSWITCH's socket table, 1 listens on 127.0.0.1 — in the container's own network namespace" in out.text.en


def test_directories_come_from_the_command_line_without_esl(tmp_path):
    ctx = _ctx(tmp_path, INSPECT, [])

    async def dirs():
        return await ctx.conf_dir(), await ctx.certs_dir(), await ctx.log_file()
    (conf, cs), (certs, _), (log, _) = asyncio.run(dirs())
    assert (conf, certs, log) == ("/etc/freeswitch", "/etc/freeswitch/tls", "/var/log/freeswitch/freeswitch.log")
    assert cs == "FreeSWITCH command line: -conf /etc/freeswitch (Docker inspect: Path + Args)"


# freeswitch.log of the real docker-own-netns run: the namespace has no IPv6, so internal-ipv6/external-ipv6 fail
# to bind ::1 and are torn down — lines about those profiles, not about `internal`
NETNS_LOG = """2026-12-02 23:04:42.848000 0.00% [INFO] mod_logfile.c:100 Successfully Loaded [mod_logfile]
2026-12-02 23:04:42.848434 0.00% [NOTICE] sofia.c:6341 Started Profile internal [sofia_reg_internal]
2026-12-02 23:04:42.848934 0.00% [NOTICE] sofia.c:6341 Started Profile internal-ipv6 [sofia_reg_internal-ipv6]
2026-12-02 23:04:42.926904 0.00% [ERR] sofia.c:3293 Error Creating SIP UA for profile: internal-ipv6 (sip:mod_sofia@[::1]:14430;transport=udp,tcp) ATTEMPT 1 (RETRY IN 5 SEC)
2026-12-02 23:04:43.100000 0.00% [INFO] sofia.c:3474 Adding Alias [default] for profile [internal]
2026-12-02 23:04:52.918000 81.70% [ERR] sofia.c:3300 Error Creating SIP UA for profile: internal-ipv6 (sip:mod_sofia@[::1]:14430;transport=udp,tcp)
2026-12-02 23:04:52.918771 81.70% [DEBUG] sofia.c:3573 Write lock internal-ipv6
"""


def test_another_profiles_failure_is_not_this_profiles():
    from fsnb.checks import schritt2
    f = schritt2.scan(NETNS_LOG, "internal")
    assert not f["bind_error"] and not f["stopped_after"] and f["started_ok"]
    assert len(f["other_profile_errors"]) == 1
    g = schritt2.scan(NETNS_LOG, "internal-ipv6")
    assert len(g["bind_error"]) == 2 and g["stopped_after"] is False     # it never started: nothing to stop


def test_a_bare_ampersand_is_read_as_freeswitch_reads_it_and_named():
    from fsnb.read import fsconfig
    text = ('<profile name="internal"><settings>\n  <param name="user-agent-string" value="AIDevelo & Co"/>\n'
            '  <param name="wss-binding" value=":7443"/><param name="x" value="a &amp; b &#38; c"/></settings></profile>')
    prof = fsconfig.parse_profile(text, "internal", {})
    assert prof.get("wss-binding") == ":7443" and prof.get("user-agent-string") == "AIDevelo & Co"
    assert prof.get("x") == "a & b & c"
    assert prof.xml_flaw == "not well-formed (invalid token): line 2, column 51: a bare '&' (write &amp;)"
    assert fsconfig.parse_profile(text.replace(" & Co", ""), "internal", {}).xml_flaw is None
    with pytest.raises(fsconfig.ConfigError, match="mismatched tag"):     # FreeSWITCH refuses this one too
        fsconfig.parse_profile(text.replace("</settings>", "</settingz>"), "internal", {})


# `nginx -T` of the lab's nginx in scenario nginx-other-default-server (nginx 1.22; paths shortened)
NGINX_T = """# configuration file /lab/nginx/nginx.conf:
daemon off;
events { worker_connections 256; }
http {
    include /lab/nginx/sites/*.conf;
}

# configuration file /lab/nginx/sites/000-default.conf:
server {
    listen 127.0.0.1:8082 default_server;
    location / { return 404; }
}

# configuration file /lab/nginx/sites/freeswitch.conf:
server {
    listen 127.0.0.1:8082;
    location / {
        proxy_pass https://127.0.0.1:7443;
    }
}
server {
    listen 8443 ssl default;
    server_name other.example;
}
"""


def test_nginx_T_dump_shows_every_server_block_on_the_port():
    from fsnb.read import nginxeff
    assert [f for f, _ in nginxeff.sections(NGINX_T)] == [
        "/lab/nginx/nginx.conf", "/lab/nginx/sites/000-default.conf", "/lab/nginx/sites/freeswitch.conf"]
    on = nginxeff.on_port(nginxeff.servers_of(NGINX_T), 8082)
    assert [s.text() for s in on] == ["/lab/nginx/sites/000-default.conf:1 (no server_name) default_server",
                                      "/lab/nginx/sites/freeswitch.conf:1 (no server_name)"]
    other = nginxeff.on_port(nginxeff.servers_of(NGINX_T), 8443)
    assert [s.text() for s in other] == ["/lab/nginx/sites/freeswitch.conf:7 server_name other.example default_server"]


def test_nginx_T_is_not_run_without_a_master_that_includes_the_file(tmp_path):
    from fsnb.read import nginxeff
    assert nginxeff.effective(str(tmp_path / "not-included.conf"), timeout=3) is None


def test_a_containers_path_on_the_docker_host():
    v = dockerview.of(dict(INSPECT, Mounts=[
        {"Source": "/srv/fs", "Destination": "/etc/freeswitch", "RW": True},
        {"Source": "/srv/fs/tls", "Destination": "/etc/freeswitch/tls", "RW": False}]))
    assert v.host_path("/etc/freeswitch/tls/wss.pem") == ("/srv/fs/tls/wss.pem", False)   # the deepest mount wins
    assert v.host_path("/etc/freeswitch/vars.xml") == ("/srv/fs/vars.xml", True)
    assert v.host_path("/etc/freeswitchx") is None and v.host_path("/usr/local") is None
    assert "/srv/fs/tls -> /etc/freeswitch/tls (ro)" in v.summary()


# -- issue #22: schritt5.config reads the same Docker record for the RTP range -----------------------------------
_SWITCH = ('<configuration name="switch.conf"><settings><param name="rtp-start-port" value="16384"/>'
           '<param name="rtp-end-port" value="16584"/></settings></configuration>')


def _media_ctx(tmp_path, info, rtp_ip="127.0.0.1", client="host"):
    from fsnb.read import fsconfig
    ctx = _ctx(tmp_path, info, [])
    ctx.target.media.client = client
    vars_text = '<include><X-PRE-PROCESS cmd="set" data="x=1"/></include>'
    prof = fsconfig.parse_profile(f'<profile name="internal"><settings><param name="rtp-ip" value="{rtp_ip}"/>'
                                  '</settings></profile>', "internal", {})

    async def profile_config():
        return "internal.xml", prof, {}

    async def conf_file(rel):
        return rel, _SWITCH if rel.endswith("switch.conf.xml") else vars_text
    ctx.profile_config, ctx.conf_file = profile_config, conf_file
    return ctx


def _config(tmp_path, info, **kw):
    from fsnb.checks import schritt5
    return asyncio.run(schritt5.config(_media_ctx(tmp_path, info, **kw)))


def test_media_config_names_an_unpublished_rtp_range(tmp_path):
    """The lab's own-netns container: Docker publishes nothing, the SDP names the container's loopback."""
    out = _config(tmp_path, dict(INSPECT, HostConfig={"NetworkMode": "none"}, NetworkSettings={}))
    assert out.status.value == "fail" and "none of its RTP range 16384-16584 as UDP" in out.text.en, out.text.en
    assert "keinen Port seines RTP-Bereichs" in out.text.de
    assert out.observed["own_netns"] is True and out.observed["rtp_unpublished"] == ["16384-16584/udp"]
    docker = next(e for e in out.evidence if e.label == "Docker")
    assert "RTP range 16384-16584/udp (switch.conf.xml): not published as UDP: 16384-16584/udp" in docker.text


def test_media_config_names_the_missing_part_of_the_rtp_range(tmp_path):
    ports = {f"{p}/udp": [{"HostIp": "", "HostPort": str(p)}] for p in range(16384, 16485)}
    out = _config(tmp_path, dict(INSPECT, NetworkSettings={"Ports": ports}), rtp_ip="192.0.2.10", client="lan")
    assert out.status.value == "fail" and "missing: 16485-16584/udp" in out.text.en, out.text.en
    assert out.observed["rtp_unpublished"] == ["16485-16584/udp"]


@pytest.mark.parametrize("info,rtp_ip", [
    (dict(INSPECT, HostConfig={"NetworkMode": "host"}), "127.0.0.1"),             # host networking
    (None, "127.0.0.1"),                                                           # Docker's record unknown
    (dict(INSPECT, NetworkSettings={"Ports": {f"{p}/udp": [{"HostPort": str(p)}] for p in range(16384, 16585)}}),
     "192.0.2.10"),                                                                # the whole range published
    (dict(INSPECT, NetworkSettings={}), "172.17.0.2"),     # a browser on this host reaches the bridge address itself
], ids=["host-network", "view-unknown", "range-published", "host-client-bridge-address"])
def test_media_config_passes_without_proof_of_an_unpublished_range(tmp_path, info, rtp_ip):
    out = _config(tmp_path, info, rtp_ip=rtp_ip)
    assert out.status.value == "pass", out.text.en
    if info is None:
        assert out.observed.get("own_netns") is None and not any(e.label == "Docker" for e in out.evidence)


def test_an_rtp_range_published_on_other_host_ports_is_not_published(tmp_path):
    """The SDP names FreeSWITCH's own port: `-p 20000-20200:16384-16584/udp` carries no call."""
    ports = {f"{p}/udp": [{"HostIp": "", "HostPort": str(p + 3616)}] for p in range(16384, 16585)}
    out = _config(tmp_path, dict(INSPECT, NetworkSettings={"Ports": ports}), rtp_ip="192.0.2.10", client="lan")
    assert out.status.value == "fail" and "none of its RTP range 16384-16584 as UDP on the same host port" in out.text.en
    assert "0.0.0.0:20000 -> 16384/udp" in out.text.en and " …" in out.text.en and len(out.text.en) < 800, out.text.en
