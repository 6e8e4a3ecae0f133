"""Issue #11: every bad input gets exit 2 or a clear note — never a traceback, a hang, or a secret in the output."""
from __future__ import annotations

import json
import os
import time

import hostile
import pytest
from conftest import fsnb_cli

from fsnb import journal, target
from fsnb.errors import TargetError
from fsnb.lab import layout
from fsnb.read import certs, fsconfig
from fsnb.redact import Redactor

pytestmark = pytest.mark.unit


def _target_file(tmp_path, **replace) -> str:
    text = hostile.target_toml(tmp_path, 1, 2, 3, check=1.0)
    for old, new in replace.items():
        text = text.replace(old, new)
    f = tmp_path / "t.toml"
    f.write_text(text)
    return str(f)


def _usage_error(p, *needles):
    assert p.returncode == 2, (p.returncode, p.stdout[-500:], p.stderr[-500:])
    assert "Traceback" not in p.stderr, p.stderr
    for n in needles:
        assert n in p.stderr, p.stderr


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "0", "1e9"])
def test_timeouts_must_be_finite_and_sane(tmp_path, value):
    f = _target_file(tmp_path, **{"check = 1.0": f"check = {value}"})
    _usage_error(fsnb_cli("run", "--target", f, env={"FSNB_T_PW": "pw-1234"}), "timeouts.check")


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0"])
def test_timeout_option_must_be_finite_and_sane(tmp_path, value):
    f = _target_file(tmp_path)
    _usage_error(fsnb_cli("run", "--target", f, "--timeout", value, env={"FSNB_T_PW": "pw-1234"}), "--timeout")


def test_empty_target_file_is_an_error(tmp_path):
    f = tmp_path / "empty.toml"
    f.write_text("")
    _usage_error(fsnb_cli("run", "--target", str(f)), "missing sections", "[freeswitch]")


def test_a_password_typed_into_the_target_file_is_never_echoed(tmp_path):
    f = _target_file(tmp_path, **{'"env:FSNB_T_PW"': '"Sup3r-Secret-Value"'})
    p = fsnb_cli("run", "--target", f)
    _usage_error(p, "freeswitch.esl_password")
    assert "Sup3r-Secret-Value" not in p.stdout + p.stderr


@pytest.mark.parametrize("value", ["q7", "Z", "q7x-long\nexit", "q7y-long\x1b[2J"])
def test_unusable_secret_values_are_refused_without_repeating_them(tmp_path, value):
    pw = tmp_path / "pw"
    pw.write_text(value)
    pw.chmod(0o600)
    f = _target_file(tmp_path, **{'"env:FSNB_T_PW"': f'"file:{pw}"'})
    p = fsnb_cli("run", "--target", f)
    _usage_error(p, "freeswitch.esl_password")
    assert value not in p.stdout + p.stderr and "q7" not in p.stdout + p.stderr


def test_two_character_secret_policy():
    """Short secrets are refused (README: 'Short secrets'): a 2-character one never reaches a run, so it is
    never shown unmasked; ≥ 4 characters are masked everywhere."""
    s = target.Secret("prompt")
    with pytest.raises(TargetError, match="shorter than 4"):
        s.ask("ESL password", lambda _: "ab")
    assert Redactor(["abcd"]).text("x abcd y") == "x ******** y"


def test_port_offset_out_of_range_creates_nothing(lab_root):
    before = sorted(p.name for p in lab_root.iterdir())
    p = fsnb_cli("lab", "up", "--port-offset", "60000")
    _usage_error(p, "--port-offset 60000")
    _usage_error(fsnb_cli("lab", "up", "--port-offset", "-5"), "--port-offset")
    assert sorted(p.name for p in lab_root.iterdir()) == before      # no stray lab folder


# -- fsnb report on things that are not journals -----------------------------------------------------------
def test_report_refuses_fifos_devices_and_directories(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path, why in [(fifo, "FIFO"), ("/dev/zero", "character device"), (tmp_path, "directory")]:
        t0 = time.monotonic()
        p = fsnb_cli("report", str(path), timeout=30)
        assert time.monotonic() - t0 < 20
        _usage_error(p, why)
    p = fsnb_cli("report", "/proc/version")
    _usage_error(p, "no results", "not JSON")


def _journal_with(tmp_path, *records) -> str:
    good = {"schema": 1, "ts": "2026-01-01T00:00:00.000+00:00", "type": "result", "run": "r1", "id": "schritt1.esl",
            "section": "schritt1", "title_de": "t", "title_en": "t", "status": "pass", "summary": "ok"}
    lines = [json.dumps(good)] + [r if isinstance(r, str) else json.dumps(r) for r in records]
    f = tmp_path / "j.jsonl"
    f.write_text("\n".join(lines) + "\n")
    return str(f)


WRONG = [
    {"type": "result", "id": "x", "status": "pass", "ts": 5},
    {"type": "result", "id": "x", "status": "bogus"},
    {"type": "result", "id": ["x"], "status": "pass"},
    {"type": "result", "id": "x", "status": "pass", "evidence": "text"},
    {"type": "diagnosis", "run": "r1", "items": "x"},
    {"type": "diagnosis", "run": "r1", "items": [1, 2]},
    {"type": "action", "command": "c", "confirmation": "yes", "log": [1]},
    {"type": "confirmation", "who": {"a": 1}},
    {"type": "meta", "target": "x"},
    {"type": 7},
]


@pytest.mark.parametrize("rec", WRONG, ids=range(len(WRONG)))
@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_records_of_the_wrong_shape_are_skipped_with_a_note(tmp_path, rec, fmt):
    p = fsnb_cli("report", _journal_with(tmp_path, rec), "--format", fmt)
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr and "wrong shape" in p.stderr and "schritt1.esl" in p.stdout


def test_foreign_lines_are_told_from_truncated_ones(tmp_path):
    f = _journal_with(tmp_path, '{"hello": "world"}', "[1, 2]", "not json at all")
    with open(f, "a") as fh:
        fh.write('{"type": "result", "id": "sch')
    j = journal.read(f)
    notes = "\n".join(j.problems)
    assert "line 2: foreign line" in notes and "line 3: foreign line" in notes
    assert "line 4: unreadable, not JSON" in notes and "line 5: truncated last line" in notes
    assert len(j.records) == 1


def test_report_streams_a_huge_journal_with_a_bound(tmp_path):
    f = tmp_path / "big.jsonl"
    with open(f, "wb") as fh:
        fh.write(b"x" * (journal.MAX_LINE + 10) + b"\n")
    j = journal.read(f, limit=journal.MAX_LINE * 4)
    assert "longer than" in j.problems[0] and not j.records


def test_output_paths_are_checked_up_front(tmp_path):
    j = _journal_with(tmp_path)
    _usage_error(fsnb_cli("report", j, "--out", str(tmp_path / "missing/dir/r.html")), "does not exist")
    _usage_error(fsnb_cli("report", j, "--out", str(tmp_path)), "not a regular file")
    f = _target_file(tmp_path)
    t0 = time.monotonic()
    _usage_error(fsnb_cli("run", "--target", f, "--journal", str(tmp_path / "nope/j.jsonl"), env={"FSNB_T_PW": "pw-1234"}),
                 "--journal")
    assert time.monotonic() - t0 < 10         # refused before the run, not after it
    _usage_error(fsnb_cli("notebook", "--target", f, "--out", str(tmp_path / "missing/deeper")), "--out")


def test_notebook_target_resolves_against_the_callers_directory(tmp_path):
    """`fsnb notebook --target t.toml` used to resolve against --out and report 'no target' with exit 0."""
    import subprocess
    import sys
    (tmp_path / "t.toml").write_text("")      # relative, in the caller's directory: must be *this* file (empty: 2)
    p = subprocess.run([sys.executable, "-m", "fsnb", "notebook", "--target", "t.toml", "--out", "out"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=60,
                       env={**os.environ, "PYTHONPATH": str(__import__("pathlib").Path(__file__).parents[1])})
    _usage_error(p, str(tmp_path / "t.toml"), "missing sections")
    p = subprocess.run([sys.executable, "-m", "fsnb", "notebook", "--target", "nope.toml"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=60,
                       env={**os.environ, "PYTHONPATH": str(__import__("pathlib").Path(__file__).parents[1])})
    _usage_error(p, str(tmp_path / "nope.toml"))


# -- parsers: linear time on adversarial files ----------------------------------------------------------------
def test_pem_of_repeated_begin_lines_is_linear():
    pem = "-----BEGIN CERTIFICATE-----\n" * 12000          # 336 KB: ~25 s with the old regex
    t0 = time.monotonic()
    rep = certs.analyse(pem, ["x.example"])
    assert time.monotonic() - t0 < 0.5 and "no CERTIFICATE block" in [p.en for p in rep.problems]
    big = "-----BEGIN CERTIFICATE-----\n" * 80000          # over the cap: refused, not parsed
    assert "not analysed" in certs.analyse(big, []).problems[0]


def test_profile_with_comment_openers_in_cdata_is_linear():
    text = layout.internal_xml(":5066", ":7443", "commented")
    text = text.replace("</profile>", "<![CDATA[" + "<!--" * 25000 + "]]></profile>")   # ~100 KB: 18.5 s before
    t0 = time.monotonic()
    prof = fsconfig.parse_profile(text, "internal", {})
    assert time.monotonic() - t0 < 0.5
    assert prof.commented == {"wss-binding": ":7443"} and prof.get("wss-binding") is None
