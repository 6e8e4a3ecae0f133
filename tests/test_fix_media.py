"""The computed fixes of Step 5's causes that fsnb can carry out itself: no-common-codec (PCMU/PCMA added where the
profile's inbound-codec-prefs comes from) and dtls-srtp-failed (a dtls-srtp.pem whose key is not its certificate's
moved aside, FreeSWITCH restarted to make a new one). The real FreeSWITCH applies them in tests/test_real_fix.py."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from fsnb.fix import edits, plan
from fsnb.fix.edits import FixRefused

pytestmark = pytest.mark.unit

VARS = ('<include>\n  <!-- <X-PRE-PROCESS cmd="set" data="global_codec_prefs=PCMU"/> -->\n'
        '  <X-PRE-PROCESS cmd="set" data="global_codec_prefs=OPUS,G722"/>\n'
        '  <X-PRE-PROCESS cmd="set" data="outbound_codec_prefs=$${global_codec_prefs}"/>\n</include>\n')
PROFILE = ('<profile name="internal"><settings>\n'
           '    <param name="inbound-codec-prefs" value="{v}"/>\n</settings></profile>\n')


def _target(conf, certs="", access="local"):
    fs = SimpleNamespace(conf_dir=str(conf), certs_dir=str(certs), profile="internal", container="fs",
                         access=access, docker_host="")
    return SimpleNamespace(freeswitch=fs)


RUN = SimpleNamespace(results=[SimpleNamespace(id="schritt2.profil", observed={"running": True})])


def test_vars_xml_edits_take_the_active_set_only():
    assert edits.pre_process_var(VARS, "global_codec_prefs") == "OPUS,G722"
    out = edits.set_pre_process_var(VARS, "global_codec_prefs", "OPUS,G722,PCMU,PCMA")
    assert out.count("OPUS,G722,PCMU,PCMA") == 1 and "data=\"global_codec_prefs=PCMU\"/> -->" in out
    with pytest.raises(FixRefused):
        edits.set_pre_process_var(VARS, "no_such_var", "x")
    assert edits.active_param(PROFILE.format(v="$${global_codec_prefs}"), "inbound-codec-prefs") == \
        "$${global_codec_prefs}"


def test_codec_prefs_from_vars_gain_pcmu_and_pcma(tmp_path):
    (tmp_path / "vars.xml").write_text(VARS)
    prof = tmp_path / "internal.xml"
    prof.write_text(PROFILE.format(v="$${global_codec_prefs}"))
    e, reloads, steps = plan._codec_prefs(_target(tmp_path), RUN, None, str(prof))
    assert e[0].path.endswith("vars.xml") and '+  <X-PRE-PROCESS cmd="set" data="global_codec_prefs=OPUS,G722,PCMU,PCMA"/>' \
        in e[0].diff
    assert [r.command for r in reloads] == ["sofia profile internal restart"] and not steps


def test_codec_prefs_in_the_profile_itself(tmp_path):
    prof = tmp_path / "internal.xml"
    prof.write_text(PROFILE.format(v="OPUS,PCMU"))
    e, _, _ = plan._codec_prefs(_target(tmp_path), RUN, None, str(prof))
    assert '+    <param name="inbound-codec-prefs" value="OPUS,PCMU,PCMA"/>' in e[0].diff


@pytest.mark.parametrize("value", ["PCMA,PCMU", "$${nowhere}"])
def test_codec_prefs_that_cannot_be_the_reason_are_refused(tmp_path, value):
    (tmp_path / "vars.xml").write_text(VARS)
    prof = tmp_path / "internal.xml"
    prof.write_text(PROFILE.format(v=value))
    with pytest.raises(FixRefused):
        plan._codec_prefs(_target(tmp_path), RUN, None, str(prof))


def _pem(tmp_path, matching: bool):
    from fsnb.lab import pki
    ca = pki.CA("t")
    a, b = ca.issue(["a"]), ca.issue(["b"])
    f = tmp_path / "dtls-srtp.pem"
    f.write_bytes(a.key_pem + (a if matching else b).cert_pem)
    return f, a


def test_dtls_pem_whose_key_is_not_its_certificates_is_moved_aside(tmp_path):
    f, a = _pem(tmp_path, matching=False)
    p = SimpleNamespace(why_not="")
    e, reloads, _ = plan._dtls_pem(p, _target(tmp_path, tmp_path, access="docker"), RUN, None)
    assert e[0].path == str(f) and e[0].after is None and reloads[0].command == "docker restart fs"
    assert a.key_pem.decode().splitlines()[1] not in e[0].diff and "contents not shown" in e[0].diff
    local = SimpleNamespace(why_not="")
    e, reloads, steps = plan._dtls_pem(local, _target(tmp_path, tmp_path), RUN, None)
    assert not reloads and "restart it yourself" in local.why_not
    assert steps[0].en.startswith(f"mv {f} ") and steps[0].de.startswith(f"mv {f} ")     # the command in both


def test_dtls_pem_that_belongs_together_is_left_alone(tmp_path):
    _pem(tmp_path, matching=True)
    with pytest.raises(FixRefused, match="belong together"):
        plan._dtls_pem(SimpleNamespace(why_not=""), _target(tmp_path, tmp_path), RUN, None)
