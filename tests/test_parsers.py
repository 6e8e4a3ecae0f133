"""Parsers against the recorded transcripts (ground truth), and fuzzing: only typed errors, never a crash."""
from __future__ import annotations

import re

import pytest
import transcripts as T
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fsnb import target
from fsnb.errors import ConfigError, ProtocolError, TargetError
from fsnb.lab import pki
from fsnb.probe import esl, sip
from fsnb.read import certs, fsconfig, nginxconf, procnet, sofiastatus, tunnel

pytestmark = pytest.mark.unit

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def api_body(name: str) -> str:
    frames = esl.parse_frames(T.body(name))
    assert frames[0].content_type == "api/response"
    return frames[0].text


def test_every_esl_transcript_parses_into_frames():
    for f in sorted(T.ROOT.glob("1[0-9][0-9]*-esl-*.txt")) + [T.path("308a")]:
        name = f.name.split("-")[0]
        frames = esl.parse_frames(T.body(name))
        assert frames, name
        for fr in frames:
            if "Content-Length" in fr.headers:
                assert len(fr.body) == int(fr.headers["Content-Length"]), name


def test_bgapi_event_body():
    frames = esl.parse_frames(T.body("116b"))
    assert frames[0].reply_text.startswith("+OK Job-UUID: ")
    ev = frames[1].event()
    assert ev["Event-Name"] == "BACKGROUND_JOB" and ev["Job-Command"] == "status"
    assert ev["_body"].startswith("UP 0 years") and ev["FreeSWITCH-IPv6"] == "fd00::2"


def test_log_frames():
    frames = esl.parse_frames(T.body("118b"))
    assert len(frames) == 73 and all(f.content_type == "log/data" for f in frames)
    assert frames[0].headers["Log-File"] == "switch_time.c" and frames[0].text.endswith("definitions\n")


def test_sofia_status():
    rows = sofiastatus.parse_status(api_body("106"))
    internal = [r for r in rows if r.name == "internal"][0]
    assert (internal.type, internal.data, internal.state) == ("profile", "sip:mod_sofia@127.0.0.1:5060", "RUNNING (0)")
    assert any(r.type == "alias" and r.data == "internal" for r in rows)
    stopped = sofiastatus.parse_status(api_body("109b"))
    assert not any(r.name == "internal" for r in stopped)
    cli_out, _, _ = T.cli("202")
    assert sofiastatus.parse_status(cli_out) == rows


def test_profile_status():
    p = sofiastatus.parse_profile(api_body("107"))
    assert p.exists and p.wss_bind_url == "sips:mod_sofia@127.0.0.1:7443;transport=wss"
    assert sofiastatus.bind_url_hostport(p.wss_bind_url) == ("127.0.0.1", 7443)
    assert sofiastatus.bind_url_hostport(p.ws_bind_url) == ("127.0.0.1", 5066)
    assert p.values["SIP-IP"] == "127.0.0.1"
    assert not sofiastatus.parse_profile(api_body("109a")).exists
    assert not sofiastatus.parse_profile(api_body("110")).exists
    sec = T.sections("309")
    body = next(v for k, v in sec.items() if k.startswith("fs_cli -x 'sofia status profile internal'"))
    assert sofiastatus.bind_url_hostport(sofiastatus.parse_profile(body).wss_bind_url)[0] == "127.0.0.2"


def test_xmlstatus():
    rows = sofiastatus.parse_xmlstatus(api_body("108"))
    assert ("internal", "RUNNING (0) (WSS)") in [(r.name, r.state) for r in rows]
    assert not any("WSS" in r.state for r in sofiastatus.parse_xmlstatus(api_body("109c")))


def test_proc_net_tcp():
    out, _, _ = T.cli("604")
    socks = procnet.listeners(out)
    got = {(s.ip, s.port) for s in socks}
    assert {("127.0.0.1", 8021), ("127.0.0.1", 7443), ("127.0.0.1", 5066), ("127.0.0.1", 5060), ("0.0.0.0", 2024)} <= got
    assert all(s.listening for s in socks)
    assert ("127.0.0.1", 40018) not in got     # TIME_WAIT rows are not listeners
    # row 6 talks to 127.0.0.1:5066 (TIME_WAIT: inode 0); nothing talks to 127.0.0.2:5066
    assert procnet.inodes_connected_to(out, 4, 5066, "127.0.0.1") == {0}
    assert procnet.inodes_connected_to(out, 4, 5066, "127.0.0.2") == set()


def test_proc_net_tcp6():
    text = ("  sl  local_address                         remote_address                        st tx_queue rx_queue\n"
            "   0: 00000000000000000000000001000000:1D13 00000000000000000000000000000000:0000 0A 00000000:00000000\n"
            "   1: 0000000000000000FFFF00000100007F:13CA 00000000000000000000000000000000:0000 0A 00000000:00000000\n")
    assert {(s.ip, s.port) for s in procnet.parse(text, 6)} == {("::1", 7443), ("127.0.0.1", 5066)}


def test_sip_responses_from_transcripts():
    for name in ("410a", "410b", "411a", "411b", "411c", "501", "504a", "507b"):
        for d, _marker, data in T.exchanges(name):
            if d == "<" and data.startswith(b"SIP/2.0"):
                m = sip.parse(data.decode())
                assert m.status in (200, 401, 403) and m.header("Call-ID")


def test_nginx_config_from_transcripts(tmp_path):
    for name, scheme, port in (("501", "http", 5066), ("503", "http", 7443), ("504a", "https", 7443)):
        sec = T.sections(name)
        block = next(v for k, v in sec.items() if k.startswith("nginx config"))
        conf = tmp_path / f"{name}.conf"
        conf.write_text("server {\n    listen 127.0.0.1:8082;\n" + block + "}\n")
        locs = nginxconf.parse(str(conf))
        assert (locs[0].scheme, locs[0].port) == (scheme, port)
    locs = nginxconf.parse(str(tmp_path / "501.conf"))
    assert locs[0].http_version == "1.1" and locs[0].upgrade_header == "$http_upgrade"


def _one_location(tmp_path, conf: str, **files) -> nginxconf.ProxyLocation:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "nginx.conf").write_text(conf)
    locs = nginxconf.parse(str(tmp_path / "nginx.conf"))
    assert len(locs) == 1
    return locs[0]


SERVER = "    server {{ listen 127.0.0.1:8082; location / {{ proxy_pass {url}; proxy_http_version 1.1; }} }}\n"


def test_nginx_upstream_group_in_the_same_file(tmp_path):
    loc = _one_location(tmp_path, "http {\n    upstream freeswitch_wss { server 127.0.0.1:7443 max_fails=3; }\n"
                        + SERVER.format(url="http://freeswitch_wss") + "}\n")
    assert (loc.scheme, loc.host, loc.port) == ("http", "127.0.0.1", 7443)
    assert (loc.upstream_name, loc.upstream_servers) == ("freeswitch_wss", ["127.0.0.1:7443"])
    assert loc.proxy_pass == "http://freeswitch_wss"           # as written


def test_nginx_upstream_group_in_an_included_file(tmp_path):
    """The group in a file the main one `include`s (in http context, after the server that names it), its name
    in another case (nginx matches it case-insensitively), the server without a port: 80, whatever the scheme."""
    conf = "http {\n" + SERVER.format(url="https://FS/ws") + f"    include {tmp_path}/upstreams.conf;\n}}\n"
    loc = _one_location(tmp_path, conf, **{"upstreams.conf": "upstream fs {\n    server freeswitch.lan;\n}\n"})
    assert (loc.scheme, loc.host, loc.port, loc.upstream_name) == ("https", "freeswitch.lan", 80, "fs")


def test_nginx_upstream_group_with_several_servers(tmp_path):
    conf = ("upstream fs {\n    server [::1]:7443 weight=2;\n    server 127.0.0.1:7443 backup;\n"
            "    keepalive 8;\n}\n" + SERVER.format(url="http://fs"))
    loc = _one_location(tmp_path, conf)
    assert (loc.host, loc.port) == ("::1", 7443)                 # the first server
    assert loc.upstream_servers == ["[::1]:7443", "127.0.0.1:7443"]


def test_nginx_upstream_unix_socket_has_no_port(tmp_path):
    loc = _one_location(tmp_path, "upstream fs { server unix:/run/fs.sock; }\n" + SERVER.format(url="http://fs"))
    assert (loc.host, loc.port, loc.upstream_name) == ("unix:/run/fs.sock", 0, "fs")


def test_nginx_proxy_pass_not_naming_a_group_stays_as_it_was(tmp_path):
    """No such group; a port after a group's name (nginx refuses that — it is no group then); a variable host;
    a group of the same name in `stream {}` (not one proxy_pass in http can name)."""
    groups = "upstream fs { server 127.0.0.1:7443; }\nstream { upstream tcp { server 127.0.0.1:7443; } }\n"
    for url, host, port in (("http://other", "other", 80), ("http://fs:9000", "fs", 9000),
                            ("https://other/", "other", 443), ("http://$fs", "$fs", 80), ("http://tcp", "tcp", 80)):
        loc = _one_location(tmp_path, groups + SERVER.format(url=url))
        assert (loc.host, loc.port, loc.upstream_name, loc.upstream_servers) == (host, port, "", []), url


def test_nginx_bad_addresses_are_config_errors(tmp_path):
    """A broken `[v6` host once escaped as a bare ValueError; a bad port of the group's server is named."""
    for conf, said in (("upstream fs { server 127.0.0.1:99999; }\n" + SERVER.format(url="http://fs"),
                        "upstream fs: server 127.0.0.1:99999"),
                       (SERVER.format(url="http://[::1"), "proxy_pass http://[::1")):
        (tmp_path / "nginx.conf").write_text(conf)
        with pytest.raises(ConfigError, match=re.escape(said)):
            nginxconf.parse(str(tmp_path / "nginx.conf"))


def test_wss_pem_analysis():
    ca = pki.CA()
    leaf = ca.issue(["localhost", "127.0.0.1"])
    good = certs.analyse(pki.wss_pem(leaf, ca).decode(), ["127.0.0.1"])
    assert good.ok and not good.warnings
    assert "no PRIVATE KEY" in certs.analyse(pki.wss_pem(leaf, ca, "cert-only").decode(), []).problems[0]
    assert "does not match" in certs.analyse(pki.wss_pem(leaf, ca, "wrong-key").decode(), []).problems[0]
    assert "leaf must come first" in certs.analyse(pki.wss_pem(leaf, ca, "ca-first").decode(), []).problems[0]
    assert certs.analyse(pki.wss_pem(leaf, ca, "key-after").decode(), []).ok       # 304c3 works
    expired = ca.issue(["localhost"], days=-1)
    assert "expired" in certs.analyse(pki.wss_pem(expired, ca).decode(), []).problems[0]
    assert "SAN does not cover" in certs.analyse(pki.wss_pem(leaf, ca).decode(), ["freeswitch.aidevelo.ai"]).warnings[0]


def test_fsconfig_commented_binding():
    text = ('<profile name="internal"><settings><param name="ws-binding" value=":5066"/>'
            '<!-- <param name="wss-binding" value=":7443"/> --></settings></profile>')
    p = fsconfig.parse_profile(text, "internal", {})
    assert p.get("wss-binding") is None and p.commented["wss-binding"] == ":7443"
    assert fsconfig.split_binding(":7443", "10.0.0.5") == ("10.0.0.5", 7443)
    assert fsconfig.split_binding("[::1]:7443", "x") == ("::1", 7443)


def test_fsconfig_diff_from_transcript():
    diff = T.sections("306")["config change BEFORE start: diff -u original sip_profiles/internal.xml (rc 1)"]
    new = [l[1:] for l in diff.splitlines() if l.startswith("+") and not l.startswith("+++")]
    text = '<profile name="internal"><settings>' + "\n".join(new) + "</settings></profile>"
    assert fsconfig.parse_profile(text, "internal", {}).commented == {"wss-binding": ":7443"}


def test_tunnel_config():
    ing = tunnel.parse("ingress:\n  - hostname: a.example\n    service: http://localhost:8082\n  - service: http_status:404\n", "a.example")
    assert ing.service == "http://localhost:8082" and ing.catch_all and not ing.warnings
    assert tunnel.service_target(ing.service) == ("http", "localhost", 8082)
    bad = tunnel.parse("ingress:\n  - hostname: a.example\n    service: http://localhost:8082\n", "a.example")
    assert not bad.catch_all and bad.invalid.startswith("The last ingress rule must match all URLs")   # as cloudflared


# -- fuzzing: every parser fails only with its typed error --------------------------------------------
@FUZZ
@given(st.binary(max_size=2048))
def test_fuzz_esl(data):
    try:
        esl.parse_frames(data)
    except ProtocolError:
        pass


@FUZZ
@given(st.text(max_size=2000))
def test_fuzz_sofia(text):
    for fn in (sofiastatus.parse_status, sofiastatus.parse_profile, sofiastatus.parse_xmlstatus):
        try:
            fn(text)
        except ProtocolError:
            pass
    sofiastatus.bind_url_hostport(text)


@FUZZ
@given(st.text(max_size=2000))
def test_fuzz_sip(text):
    try:
        sip.parse(text)
    except ProtocolError:
        pass
    try:
        sip.parse_challenge(text)
    except ProtocolError:
        pass


@FUZZ
@given(st.text(max_size=3000))
def test_fuzz_procnet(text):
    try:
        procnet.parse(text, 4)
        procnet.parse(text, 6)
    except ProtocolError:
        pass
    assert isinstance(procnet.inodes_connected_to(text, 4, 5066), set)   # skips what it cannot read, never raises
    assert isinstance(procnet.inodes_connected_to(text, 6, 5066), set)


@FUZZ
@given(st.text(max_size=2000))
def test_fuzz_fsconfig(text):
    for fn in (fsconfig.parse_vars, lambda t: fsconfig.parse_profile(t, "internal", {}),
               lambda t: fsconfig.parse_event_socket(t, {}), fsconfig.parse_acl):
        try:
            fn(text)
        except ConfigError:
            pass


@FUZZ
@given(st.text(max_size=2000))
def test_fuzz_tunnel(text):
    try:
        tunnel.parse(text, "a.example")
    except ConfigError:
        pass


@FUZZ
@given(st.text(max_size=1500))
def test_fuzz_target(text):
    try:
        target.loads(text)
    except TargetError:
        pass


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=600))
def test_fuzz_nginx(tmp_path_factory, text):
    f = tmp_path_factory.mktemp("ng") / "x.conf"
    f.write_text(text)
    try:
        nginxconf.parse(str(f))
    except ConfigError:
        pass


@FUZZ
@given(st.text(max_size=3000))
def test_fuzz_pem(text):
    certs.analyse(text, ["x.example"])   # never raises: problems are reported


def test_the_location_nginx_uses_for_the_target_address(tmp_path):
    """The server block that listens on the target's nginx address, by port and host — not the first block whose
    listen merely contains the port's digits (`18082` used to match 8082)."""
    conf = tmp_path / "sites.conf"
    blocks = [("18082", "http://127.0.0.1:1"), ("127.0.0.2:8082", "http://127.0.0.1:2"), ("unix:/run/x.sock", "http://127.0.0.1:3"),
              ("127.0.0.1:8082 default_server", "http://127.0.0.1:4"), ("[::]:9000", "http://127.0.0.1:5"),
              ("localhost:9100", "http://127.0.0.1:6"), ("9200 ssl", "http://127.0.0.1:7")]
    conf.write_text("".join(f"server {{ listen {lst}; location / {{ proxy_pass {up}; }} }}\n" for lst, up in blocks))
    locs = nginxconf.parse(str(conf))
    first = lambda address: nginxconf.serving(locs, address)[0].port
    assert first("127.0.0.1:8082") == 4
    assert first("127.0.0.2:8082") == 2
    assert first("127.0.0.1:9000") == 5 and first("[::1]:9000") == 5          # a wildcard serves every address
    assert first("127.0.0.1:9100") == 6 and first("[::1]:9100") == 6          # localhost: both loopbacks
    assert first("10.0.0.1:9200") == 7
    assert [x.port for x in nginxconf.serving(locs, "127.0.0.1:7777")] == [1, 2, 3, 4, 5, 6, 7]   # none: all, in order


@pytest.mark.unit
def test_digest_challenge_parser_is_linear_and_capped():
    """A 60 KB `WWW-Authenticate: Digest` header took 10 s in the challenge parser (a regex restarting at every
    position of a long word): it is refused by size now, and the largest accepted one parses in one pass."""
    import time
    t0 = time.monotonic()
    with pytest.raises(ProtocolError):
        sip.parse_challenge("Digest " + "a" * 60000)
    for worst in ("a" * (sip.MAX_CHALLENGE - 7), "a=" * ((sip.MAX_CHALLENGE - 7) // 2), '"' * (sip.MAX_CHALLENGE - 7),
                  "a=\"" + "\\" * (sip.MAX_CHALLENGE - 10)):
        sip.parse_challenge("Digest " + worst)
    assert time.monotonic() - t0 < 0.5


@pytest.mark.unit
def test_digest_challenge_values():
    ch = sip.parse_challenge('Digest realm="a,b", NONCE="x\\"y", qop="auth,auth-int", algorithm=MD5,stale=FALSE')
    assert ch == {"realm": "a,b", "nonce": 'x"y', "qop": "auth,auth-int", "algorithm": "MD5", "stale": "FALSE"}
    assert sip.parse_challenge('Digest junk, realm=r , =x, "q", nonce="n') == {"realm": "r", "nonce": "n"}
    with pytest.raises(ProtocolError):
        sip.parse_challenge('Basic realm="x"')


@given(st.lists(st.tuples(st.from_regex(r"[a-z]{1,8}", fullmatch=True),
                          st.text(alphabet=st.characters(blacklist_characters='"\\', blacklist_categories=("Cs",)),
                                  max_size=20)), max_size=6))
def test_digest_challenge_roundtrip(params):
    value = "Digest " + ", ".join(f'{k}="{v}"' for k, v in params)
    assert sip.parse_challenge(value) == dict(params)


@pytest.mark.unit
def test_a_certificate_cryptography_warns_about_is_a_finding_not_stderr(tmp_path):
    """FreeSWITCH's own generated wss.pem may carry a serial number that is not positive: cryptography warns (to
    stderr, in the operator's output) and will refuse such certificates later. fsnb reports it as a warning."""
    import subprocess
    import warnings

    from fsnb.read import certs
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tmp_path / "k"),
                    "-out", str(tmp_path / "c"), "-days", "1", "-subj", "/CN=FreeSWITCH", "-set_serial", "-5"],
                   check=True, capture_output=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # a warning that escaped would raise here
        r = certs.analyse((tmp_path / "k").read_text() + (tmp_path / "c").read_text(), ["localhost"])
    assert any("RFC 5280" in w.en for w in r.warnings), r.warnings
