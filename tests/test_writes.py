"""Issue #19: outputs and journals never follow a link they did not expect, and are private (0600 / 0700)."""
from __future__ import annotations

import json
import os
import stat

import hostile
import pytest
from conftest import fsnb_cli

from fsnb import journal
from fsnb.present import output

pytestmark = pytest.mark.unit


def _victim(tmp_path):
    v = tmp_path / "victim.txt"
    v.write_text("precious\n")
    return v


def _target(tmp_path):
    f = tmp_path / "t.toml"
    f.write_text(hostile.target_toml(tmp_path, 1, 2, 3, check=1.0))
    return str(f)


def test_run_refuses_a_journal_that_is_a_link(tmp_path, monkeypatch):
    monkeypatch.setenv("FSNB_T_PW", "pw-1234")
    victim = _victim(tmp_path)
    link = tmp_path / "j.jsonl"
    link.symlink_to(victim)
    p = fsnb_cli("run", "--target", _target(tmp_path), "--journal", str(link))
    assert p.returncode == 2 and "symbolic link" in p.stderr and "Traceback" not in p.stderr, p.stderr
    assert victim.read_text() == "precious\n"


def test_report_refuses_an_out_that_is_a_link(tmp_path):
    victim = _victim(tmp_path)
    j = tmp_path / "j.jsonl"
    journal.Journal(j).write({"type": "note", "text": "x"})
    link = tmp_path / "report.html"
    link.symlink_to(victim)
    p = fsnb_cli("report", str(j), "--format", "html", "--out", str(link))
    assert p.returncode == 2 and "symbolic link" in p.stderr, p.stderr
    assert victim.read_text() == "precious\n"


def test_a_link_planted_after_the_check_is_replaced_not_followed(tmp_path, monkeypatch):
    victim = _victim(tmp_path)
    out = tmp_path / "report.md"
    out.symlink_to(victim)
    monkeypatch.setattr(output, "refuse_link", lambda *a: None)     # the race: planted after fsnb looked
    output.write_private(out, "# report\n")
    assert not out.is_symlink() and out.read_text() == "# report\n"
    assert victim.read_text() == "precious\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_the_journal_never_appends_through_a_link(tmp_path):
    victim = _victim(tmp_path)
    link = tmp_path / "j.jsonl"
    link.symlink_to(victim)
    with pytest.raises(OSError):
        journal.Journal(link).write({"type": "note", "text": "x"})
    assert victim.read_text() == "precious\n"


def test_journal_and_report_are_private(tmp_path):
    j = tmp_path / "new" / "j.jsonl"
    journal.Journal(j).write({"type": "note", "text": "x"})
    assert stat.S_IMODE(j.stat().st_mode) == 0o600 and stat.S_IMODE(j.parent.stat().st_mode) == 0o700
    assert json.loads(j.read_text())["text"] == "x"
    out = output.write_private(tmp_path / "r.html", "<p>x</p>")
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600


def test_report_of_a_journal_with_two_entries_in_one_millisecond(tmp_path):
    """`fsnb report` on a fleet journal fsnb itself wrote crashed 3 of 4 times (TypeError: '<' not supported between
    T and T): two timeline entries of the same millisecond were compared by their texts."""
    from fsnb.present import report
    j = tmp_path / "fleet.jsonl"
    ts = "2026-12-02T10:00:00.123+00:00"
    lines = [{"schema": 1, "ts": ts, "incident": "x", "type": "diagnosis", "run": f"r{i}", "items": [], "hypotheses": []}
             for i in range(2)]
    lines += [{"schema": 1, "ts": ts, "incident": "x", "type": "meta", "fsnb": "0.1", "host": f"h{i}"} for i in range(2)]
    j.write_text("".join(json.dumps(x) + "\n" for x in lines))
    data = report.load(j)
    assert report.markdown(data, "en") and report.html(data, "en")
