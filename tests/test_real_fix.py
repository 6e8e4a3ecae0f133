"""Issue #20 against the real FreeSWITCH: the computed fix of a container file (internal.xml inside the FreeSWITCH
container, written through the Docker engine), the profile restart over ESL, verified by the re-run."""
from __future__ import annotations

import json

import pytest
import realfs
from conftest import fsnb_cli, lab_secrets

from fsnb import journal
from fsnb.lab import manager

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def real_engine():
    yield from realfs.module_lab(())


def _fix_yes(target: str, tmp_path, timeout: float) -> tuple[list[dict], str]:
    """`fsnb fix --yes` on the lab's target: the journal's records and what it printed."""
    j = tmp_path / "fix.jsonl"
    f = fsnb_cli("fix", "--target", target, "--yes", "--journal", str(j), "--lang", "en", timeout=timeout)
    assert f.returncode == 0, f.stdout + f.stderr
    return journal.read(j).records, f.stdout


def _record(recs: list[dict], kind: str) -> dict:
    return next(x for x in recs if x["type"] == kind)


def _call_passes(target: str) -> None:
    d = json.loads(fsnb_cli("run", "--target", target, "--format", "json").stdout)
    call = next(r for r in d["results"] if r["id"] == "schritt5.anruf")
    assert d["exit"] == 0 and call["status"] == "pass", (d["diagnosis"], call["summary_en"])


def test_real_wss_binding_missing_fixed_in_the_container(real_engine, port_offsets, tmp_path):
    off = port_offsets.take()
    st = realfs.up("wss-binding-missing", off)
    try:
        target = str(manager.lab_dir(off) / "target.toml")
        d = json.loads(fsnb_cli("run", "--target", target, "--format", "json").stdout)
        assert d["exit"] == 1 and d["diagnosis"][0]["cause"] == "wss-binding-not-applied"
        recs, _ = _fix_yes(target, tmp_path, 180)
        applied = _record(recs, "fix-applied")
        assert applied["edits"][0]["path"].endswith("sip_profiles/internal.xml")
        assert '+    <param name="wss-binding"' in applied["edits"][0]["diff"]
        assert _record(recs, "fix-verification")["verdict"] == "verified"
        d2 = json.loads(fsnb_cli("run", "--target", target, "--format", "json").stdout)
        assert d2["exit"] == 0, d2["diagnosis"]
        assert st["container_id"]
    finally:
        realfs.down(off)


def test_real_esl_listen_ip_fixed_with_a_container_restart(real_engine, port_offsets, tmp_path):
    """ESL cannot be reached to `reload mod_event_socket`: the edit in the container, then `docker restart`."""
    off = port_offsets.take()
    realfs.up("esl-listen-ip", off)
    try:
        target = str(manager.lab_dir(off) / "target.toml")
        recs, _ = _fix_yes(target, tmp_path, 240)
        plan = _record(recs, "fix-plan")
        assert plan["cause"] == "esl-not-listening" and plan["reloads"][0].startswith("docker restart ")
        assert '+    <param name="listen-ip" value="127.0.0.1"/>' in plan["edits"][0]["diff"]
        assert _record(recs, "fix-verification")["verdict"] == "verified"
        assert json.loads(fsnb_cli("run", "--target", target, "--format", "json").stdout)["exit"] == 0
    finally:
        realfs.down(off)


def test_real_bare_ampersand_escaped_and_freeswitch_reads_it(real_engine, port_offsets, tmp_path):
    """The XML fix judged by FreeSWITCH itself: after `&` → `&amp;`, its own parser takes the file (reloadxml
    answers +OK) and the profile still runs."""
    off = port_offsets.take()
    realfs.up("profile-bare-ampersand", off)
    try:
        target = str(manager.lab_dir(off) / "target.toml")
        recs, _ = _fix_yes(target, tmp_path, 180)
        assert _record(recs, "fix-verification")["verdict"] == "verified"
        assert 'value="AIDevelo &amp; Co"' in _record(recs, "fix-applied")["edits"][0]["diff"]
        esl_port = realfs.state(off)["ports"]["esl"]
        api = lambda cmd: manager.esl_api(esl_port, lab_secrets(off)[0], cmd, timeout=10)  # noqa: E731
        assert "+OK" in api("reloadxml")
        assert any(line.split()[:2] == ["internal", "profile"] and "RUNNING" in line
                   for line in api("sofia status").splitlines())
    finally:
        realfs.down(off)


def test_real_dtls_pem_moved_aside_and_freeswitch_makes_a_new_one(real_engine, port_offsets, tmp_path):
    """dtls-srtp.pem whose key is not its certificate's: moved aside in the container, `docker restart`, and
    FreeSWITCH's own new dtls-srtp.pem carries the call (Step 5 green on the re-run)."""
    off = port_offsets.take()
    realfs.up("media-dtls-key-mismatch", off)
    try:
        target = str(manager.lab_dir(off) / "target.toml")
        recs, printed = _fix_yes(target, tmp_path, 240)
        plan = _record(recs, "fix-plan")
        assert plan["cause"] == "dtls-srtp-failed" and plan["reloads"][0].startswith("docker restart ")
        assert plan["edits"][0]["path"].endswith("/dtls-srtp.pem") and "/dev/null" in plan["edits"][0]["diff"]
        assert "PRIVATE KEY-----\n" not in json.dumps(recs) and "contents not shown" in plan["edits"][0]["diff"]
        assert _record(recs, "fix-verification")["verdict"] == "verified"
        _call_passes(target)
        for secret in lab_secrets(off):
            assert secret not in printed
    finally:
        realfs.down(off)


def test_real_codec_prefs_gain_g711_and_the_call_has_audio(real_engine, port_offsets, tmp_path):
    """global_codec_prefs=OPUS,G722 on a build without them: vars.xml gains PCMU,PCMA, the profile restarts (it
    re-reads vars.xml), and FreeSWITCH now answers the browser's offer."""
    off = port_offsets.take()
    realfs.up("media-no-common-codec", off)
    try:
        target = str(manager.lab_dir(off) / "target.toml")
        recs, _ = _fix_yes(target, tmp_path, 240)
        plan = _record(recs, "fix-plan")
        assert plan["cause"] == "no-common-codec" and plan["edits"][0]["path"].endswith("/vars.xml")
        assert 'global_codec_prefs=OPUS,G722,PCMU,PCMA"/>' in plan["edits"][0]["diff"]
        assert _record(recs, "fix-verification")["verdict"] == "verified"
        _call_passes(target)
    finally:
        realfs.down(off)
