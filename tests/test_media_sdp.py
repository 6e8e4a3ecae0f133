"""Step 5's SDP reading and repair: FreeSWITCH's real answer, and hostile ones."""
import socket

import pytest

from fsnb.errors import ProtocolError
from fsnb.probe import sdp
from fsnb.probe.loopback_ice import loopback_only, udp_sockets
from fsnb.probe.media import _only_loopback_candidates

pytestmark = pytest.mark.unit

# FreeSWITCH 1.11's answer to aiortc's offer, as recorded on the real lab (no a=mid, no direction)
FS_ANSWER = """v=0
o=FreeSWITCH 1796235053 1796235054 IN IP4 192.0.2.2
s=FreeSWITCH
c=IN IP4 127.0.0.1
t=0 0
a=msid-semantic: WMS NCkpHdDY5YRxDlRGfOr6Q9TQGoK0JUNO
m=audio 31764 UDP/TLS/RTP/SAVPF 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=ptime:20
a=fingerprint:sha-256 D9:AE:27:87:A5:FA:B4:71:E3:80:99:ED:5B:45:E6:CD:55:E1:DE:7D:DF:FF:73:D3:8B:64:7D:84:D5:F8:01:95
a=setup:active
a=rtcp-mux
a=rtcp:31764 IN IP4 127.0.0.1
a=ice-ufrag:WJNI5Yg4K9EzSMNW
a=ice-pwd:0nfhWgrYVZcrIZR0BgS8YIc4
a=candidate:6232666621 1 udp 2130706431 127.0.0.1 31764 typ host generation 0
a=end-of-candidates
a=ssrc:1193074905 cname:az9upekBgaP2nO6L
""".replace("\n", "\r\n")


def test_reads_freeswitch_answer():
    a = sdp.parse(FS_ANSWER)
    assert (a.connection, a.port, a.profile) == ("127.0.0.1", 31764, "UDP/TLS/RTP/SAVPF")
    assert a.codecs == ["PCMU/8000", "telephone-event/8000"]
    assert a.candidates == [sdp.Candidate("127.0.0.1", 31764, "udp", "host")]
    assert (a.fingerprint, a.setup, a.direction, a.mid, a.ssrcs) == ("sha-256", "active", "", "", [1193074905])
    assert a.addresses() == ["127.0.0.1"]


def test_repair_adds_mid_and_direction_once():
    fixed, added = sdp.repair_answer(FS_ANSWER, "0")
    assert added == ["a=mid:0", "a=sendrecv"]
    assert fixed.count("a=mid:0") == 1 and fixed.count("a=sendrecv") == 1
    again, added2 = sdp.repair_answer(fixed, "0")
    assert added2 == [] and again == fixed


def test_one_way_direction_is_kept():
    one_way = FS_ANSWER.replace("a=ptime:20", "a=ptime:20\r\na=recvonly")
    assert sdp.parse(one_way).direction == "recvonly"
    fixed, added = sdp.repair_answer(one_way, "0")
    assert added == ["a=mid:0"] and "a=sendrecv" not in fixed


@pytest.mark.parametrize("bad, why", [
    ("x" * (sdp.MAX_SDP + 1), "exceeds"),
    ("v=0\r\n" + "a=x\r\n" * (sdp.MAX_LINES + 1), "lines"),
    ("hello", "v=0"),
    ("v=0\r\nm=video 9 RTP/AVP 96\r\n", "audio"),
    ("v=0\r\nm=audio x RTP/AVP 0\r\n", "port"),
])
def test_hostile_sdp_is_refused_with_a_reason(bad, why):
    with pytest.raises(ProtocolError, match=why):
        sdp.parse(bad)


def test_names_and_junk_candidates_are_dropped_never_resolved():
    text = FS_ANSWER.replace("a=end-of-candidates", "\r\n".join([
        "a=candidate:1 1 udp 1 fs.example.com 4000 typ host",     # a name: would need DNS
        "a=candidate:2 1 udp 1 abc.local 4000 typ host",          # mDNS
        "a=candidate:3 1 udp 1 10.0.0.5 notaport typ host",
        "a=candidate:4 1 udp 1 10.0.0.5 4000 typ relay",
    ] + [f"a=candidate:{i} 1 udp 1 127.0.0.{i} 4000 typ host" for i in range(5, 60)]))
    a = sdp.parse(text)
    assert len(a.candidates) == sdp.MAX_CANDIDATES
    assert sdp.Candidate("10.0.0.5", 4000, "udp", "relay") in a.candidates
    assert not any("example" in c.address or "local" in c.address for c in a.candidates)
    assert a.dropped >= 3


def test_probe_contacts_loopback_candidates_only():
    text = FS_ANSWER.replace("a=end-of-candidates",
                             "a=candidate:9 1 udp 1 172.17.0.2 4000 typ host\r\na=candidate:8 1 udp 1 fs.example 1 typ host")
    kept, dropped = _only_loopback_candidates(text)
    assert dropped == ["172.17.0.2", "fs.example"]
    assert "172.17.0.2" not in kept and "127.0.0.1 31764" in kept


def test_loopback_only_pins_aioice_host_addresses():
    import aioice.ice
    with loopback_only():
        assert aioice.ice.get_host_addresses(True, True) == ["127.0.0.1"]
    with pytest.raises(ValueError):
        with loopback_only(("192.0.2.1",)):
            pass


def test_udp_socket_listing_sees_this_process_sockets():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.3", 0))
    try:
        assert ("127.0.0.3", s.getsockname()[1]) in udp_sockets()
    finally:
        s.close()
