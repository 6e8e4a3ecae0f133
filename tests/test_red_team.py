"""The red team's round (issue #18 item 5): the readings behind its new causes, each on its smallest input. The
whole faults run as real-lab scenarios (tests/test_real_scenarios.py: nginx-redirect-https, nginx-deny-loopback,
nginx-listen-http2, nginx-upstream-tls1, wss-binding-no-colon, wss-binding-in-external, container-paused)."""
from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from fsnb.errors import ConfigError
from fsnb.read import certs, dockerview, fsconfig


@pytest.mark.unit
@pytest.mark.parametrize("value", ["7443", "localhost", "127.0.0.1", " 7443 "])
def test_a_binding_without_colon_binds_nothing(value):
    """sofia-sip takes the port after the last ':' (sofia.c); without one the port stays 0 and nothing is bound."""
    with pytest.raises(ConfigError, match="binds nothing"):
        fsconfig.split_binding(value, "127.0.0.1")
    assert fsconfig.split_binding("localhost:7443", "127.0.0.1") == ("localhost", 7443)   # resolved: it works (seen)


@pytest.mark.unit
@pytest.mark.parametrize("value,port", [("0", 8021), ("", 8021), ("auto", 8021), (" 8022", 8022), ("8023x", 8023),
                                        ("70000", 4464)])
def test_esl_listen_port_as_mod_event_socket_reads_it(value, port):
    """`listen-port 0`: the real mod_event_socket listened on 8021 ('Socket up listening on 127.0.0.1:8021'), and
    fsnb told the operator to put port 0 into the target."""
    assert fsconfig.esl_port(value) == port


def _pem(key) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), False).sign(key, hashes.SHA256()))
    k = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return (k + cert.public_bytes(serialization.Encoding.PEM)).decode()


@pytest.mark.unit
def test_a_key_openssl_3_refuses_makes_wss_pem_unusable():
    """RSA 1024: the real FreeSWITCH logged 'Bad WSS.PEM certificate.' while fsnb said 'loads'; RSA 2048 and P-256
    are fine."""
    weak = certs.analyse(_pem(rsa.generate_private_key(65537, 1024)), ["localhost"])
    assert weak.unusable and any("1024" in p.en for p in weak.problems), weak.problems
    for key in (rsa.generate_private_key(65537, 2048), ec.generate_private_key(ec.SECP256R1())):
        rep = certs.analyse(_pem(key), ["localhost"])
        assert not rep.unusable, rep.problems


@pytest.mark.unit
def test_a_utf8_bom_before_wss_pem_is_read_past_as_openssl_does():
    """A wss.pem saved with a BOM: the real FreeSWITCH served it, `openssl pkey` read it; fsnb said 'no PRIVATE KEY
    block' and named wss-pem-bad-pending."""
    pem = _pem(ec.generate_private_key(ec.SECP256R1()))
    rep = certs.analyse("\ufeff" + pem, ["localhost"])
    assert not rep.unusable and rep.blocks == ["PRIVATE KEY", "CERTIFICATE"], (rep.blocks, rep.problems)


@pytest.mark.lab
def test_a_stopped_process_state_is_read():
    """/proc/<pid>/stat's state after the last ')' (a comm may hold ')' and spaces): T once SIGSTOPped, else not."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from fsnb.read import fsprocess
    p = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert fsprocess.read_state(p.pid) in ("S", "R")
        os.kill(p.pid, signal.SIGSTOP)
        for _ in range(100):     # the stop is asynchronous: wait for the kernel to show it (bounded)
            if fsprocess.read_state(p.pid) == "T":
                break
            time.sleep(0.01)
        assert fsprocess.read_state(p.pid) == "T"
    finally:
        p.kill()
        p.wait()
    assert fsprocess.read_state(p.pid) == ""


@pytest.mark.unit
def test_docker_state_paused_is_read():
    v = dockerview.of({"HostConfig": {"NetworkMode": "host"}, "State": {"Status": "paused", "Paused": True}})
    assert v.status == "paused" and not v.own_netns


@pytest.mark.lab
def test_a_redirect_is_the_hops_answer_not_a_hop_to_follow():
    """nginx's `return 301 https://…` made the probe follow it (websockets ≥ 14) and end in InvalidURI, shown as an
    internal error; a browser's WebSocket fails on any status but 101 — so the hop's answer is the 301."""
    from fsnb.probe import wsprobe

    async def main():
        seen = []

        async def handle(reader, writer):
            seen.append(await reader.readuntil(b"\r\n\r\n"))
            writer.write(b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://127.0.0.1/\r\nContent-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")
            await writer.drain()
            writer.close()
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            res = await wsprobe.run(wsprobe.HopTarget("nginx", f"ws://127.0.0.1:{port}/", "WSS"), 3.0)
        return res, seen
    res, seen = asyncio.run(main())
    assert res.outcome == "http-status" and res.status == 301, (res.outcome, res.detail)
    assert "Location: https://127.0.0.1/" in res.response and len(seen) == 1   # asked once, never followed
