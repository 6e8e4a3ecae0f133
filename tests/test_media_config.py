"""Step 5's static side: the [media] target keys (bad ones exit 2 with the key's name) and the media config reader."""
import pytest
from conftest import fsnb_cli

from fsnb import target as tgt
from fsnb.errors import TargetError
from fsnb.read import fsconfig, mediaconf

pytestmark = pytest.mark.unit

BASE = "[freeswitch]\n[nginx]\n[tunnel]\n[media]\n"


@pytest.mark.parametrize("line, key", [
    ('client = "moon"', "media.client"),
    ('echo = "91 96"', "media.echo"),
    ('echo = "9196\\r\\nBYE"', "media.echo"),
    ('turn = "http://turn.example"', "media.turn"),
    ('turn_user = "a b"', "media.turn_user"),
    ("listen = 100", "media.listen"),
    ("listen = -1", "media.listen"),
    ('turn_password = "hunter22"', "media.turn_password"),
    ('colour = "red"', "media.colour"),
])
def test_bad_media_keys_are_refused_with_their_name(line, key):
    with pytest.raises(TargetError, match=key.replace(".", r"\.")):
        tgt.loads(BASE + line + "\n")


def test_bad_media_key_exits_2_naming_it(tmp_path):
    f = tmp_path / "t.toml"
    f.write_text(BASE + 'client = "moon"\n')
    p = fsnb_cli("run", "--target", str(f))
    assert p.returncode == 2 and "media.client" in p.stderr and "Traceback" not in p.stderr


def test_media_defaults_and_round_trip():
    t = tgt.loads(BASE + 'client = "lan"\nturn = "turn:127.0.0.1:3478"\nturn_password = "env:FSNB_TURN_PW"\n')
    assert (t.media.echo, t.media.client, t.media.listen) == ("9196", "lan", 1.0)
    again = tgt.loads(tgt.dumps(t))
    assert again.media == t.media and 'turn_password = "env:FSNB_TURN_PW"' in tgt.dumps(t)


VARS = """<include>
  <X-PRE-PROCESS cmd="set" data="local_ip_v4=10.0.0.5"/>
  <X-PRE-PROCESS cmd="stun-set" data="external_rtp_ip=stun:stun.freeswitch.org"/>
</include>"""
PROFILE = """<profile name="internal"><settings>
  <param name="rtp-ip" value="$${local_ip_v4}"/>
  <param name="ext-rtp-ip" value="$${external_rtp_ip}"/>
  <param name="inbound-codec-prefs" value="OPUS,PCMU"/>
</settings></profile>"""
SWITCH_DEFAULT = """<configuration name="switch.conf"><settings>
    <!-- <param name="rtp-start-port" value="16384"/> -->
    <!-- <param name="rtp-end-port" value="32768"/> -->
</settings></configuration>"""


def _read(vars_text=VARS, switch=SWITCH_DEFAULT):
    variables = fsconfig.parse_vars(vars_text)
    return mediaconf.read(vars_text, fsconfig.parse_profile(PROFILE, "internal", variables), switch)


def test_stun_set_external_rtp_ip_and_default_range():
    c = _read()
    assert (c.rtp_ip, c.ext_rtp_ip, c.ext_kind) == ("10.0.0.5", "stun:stun.freeswitch.org", "stun")
    assert (c.rtp_start, c.rtp_end, c.rtp_range_set, c.codec_prefs) == (16384, 32768, False, "OPUS,PCMU")


def test_configured_rtp_range_and_plain_addresses():
    switch = SWITCH_DEFAULT.replace("<!-- ", "").replace(" -->", "").replace("16384", "20000").replace("32768", "20100")
    c = _read(VARS.replace('cmd="stun-set" data="external_rtp_ip=stun:stun.freeswitch.org"',
                           'cmd="set" data="external_rtp_ip=203.0.113.9"'), switch)
    assert (c.ext_rtp_ip, c.ext_kind, c.rtp_start, c.rtp_end, c.rtp_range_set) == ("203.0.113.9", "ip", 20000, 20100, True)
    assert mediaconf.ext_kind("autonat:192.0.2.1") == "autonat" and mediaconf.ext_kind("host:fs.example") == "host"


@pytest.mark.parametrize("addr, client, reach", [
    ("127.0.0.1", "host", True), ("127.0.0.1", "lan", False), ("127.0.0.1", "internet", False),
    ("10.0.0.5", "lan", True), ("10.0.0.5", "internet", False), ("172.17.0.2", "internet", False),
    ("8.8.8.8", "internet", True), ("fs.example", "internet", None),
])
def test_who_reaches_which_address(addr, client, reach):
    assert mediaconf.reachable_from(addr, client) is reach


@pytest.mark.parametrize("addr, client, container, reach", [
    ("172.17.0.2", "lan", ("172.17.0.2",), False),          # the container's own bridge address: the host's only
    ("172.17.0.2", "internet", ("172.17.0.2",), False),
    ("172.17.0.2", "host", ("172.17.0.2",), True),
    ("172.17.0.2", "lan", (), True),                         # no Docker record: a private address, reachable
    ("172.17.0.3", "lan", ("172.17.0.2",), True),            # another address than the container's
    ("fd00::2", "lan", ("fd00:0::0002",), False),            # compared as addresses
    ("[fd00::2]", "lan", ("fd00::2",), False),
    ("fs.example", "lan", ("172.17.0.2",), None),
    ("10.0.0.5", "lan", ("junk", ""), True),
])
def test_the_containers_own_address_is_reachable_from_the_host_only(addr, client, container, reach):
    assert mediaconf.reachable_from(addr, client, container) is reach
