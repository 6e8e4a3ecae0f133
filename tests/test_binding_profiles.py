"""wissen.binding reads the other profiles of sip_profiles/*.xml: one binding the target profile's WSS address too
(sofia-sip: SO_REUSEPORT, no error) fails the check; commented-out profiles, other addresses and other ports do not."""
from __future__ import annotations

import asyncio
import os

import hostile
import pytest

from fsnb import target
from fsnb.checks import wissen
from fsnb.context import Ctx
from fsnb.diagnosis import observed as obs

pytestmark = pytest.mark.unit

VARS = '<include><X-PRE-PROCESS cmd="set" data="local_ip_v4=127.0.0.1"/></include>\n'


def _profile(name: str, *params: tuple[str, str], sip_ip: str = "$${local_ip_v4}") -> str:
    body = "".join(f'<param name="{k}" value="{v}"/>' for k, v in (("sip-ip", sip_ip),) + params)
    return f'<profile name="{name}"><settings>{body}</settings></profile>\n'


def _run(tmp_path, others: dict[str, str]) -> tuple:
    conf = tmp_path / "conf"
    (conf / "sip_profiles").mkdir(parents=True)
    (conf / "vars.xml").write_text(VARS)
    (conf / "sip_profiles/internal.xml").write_text(_profile("internal", ("ws-binding", ":5066"), ("wss-binding", ":7443")))
    for name, text in others.items():
        (conf / "sip_profiles" / name).write_text(text)
    os.environ["FSNB_T_PW"] = "pw"
    toml = hostile.target_toml(tmp_path, 1, 5066, 7443).replace(f'"{tmp_path}/nope"', f'"{conf}"')
    ctx = Ctx(target.loads(toml))
    out = asyncio.run(wissen.binding(ctx))
    return out, obs.Binding.of(out.observed, strict=True)


def test_another_profile_on_the_wss_port_fails(tmp_path):
    out, b = _run(tmp_path, {
        "internal-b.xml": _profile("internal-b", ("wss-binding", ":9999"), ("wss-binding", ":7443")),   # the last wins
        "external.xml": _profile("external", ("ws-binding", "127.0.0.1:7443")),
    })
    assert out.status.value == "fail", out.text.en
    assert b.shared_by_profiles == [
        f"external: ws-binding 127.0.0.1:7443 ({tmp_path}/conf/sip_profiles/external.xml)",
        f"internal-b: wss-binding :7443 ({tmp_path}/conf/sip_profiles/internal-b.xml)"]
    assert "internal-b" in out.text.de and "internal-b" in out.text.en
    assert any("internal-b.xml" in e.text for e in out.evidence)


def test_profiles_that_do_not_share_pass(tmp_path):
    out, b = _run(tmp_path, {
        "internal-ipv6.xml": _profile("internal-ipv6", ("wss-binding", ":7443"), sip_ip="::1"),   # another address
        "old.xml": "<include><!-- " + _profile("old", ("wss-binding", ":7443")) + " --></include>",  # commented out
        "internal-c.xml": _profile("internal-c", ("wss-binding", ":7444"), ("ws-binding", ":5067")),  # its own ports
        "wild.xml": _profile("wild", ("wss-binding", "0.0.0.0:7443")),   # a wildcard takes nothing from 127.0.0.1
        "broken.xml": "<profile name=",
    })
    assert out.status.value == "pass", out.text.en
    assert b.shared_by_profiles == []
