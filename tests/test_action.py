"""The only change fsnb makes: profile start/restart, confirmed and recorded, with before/after evidence."""
from __future__ import annotations

import pytest
from conftest import fsnb_cli, lab_secrets, port_free

from fsnb import journal
from fsnb.fix import actions
from fsnb.lab import manager
from fsnb.redact import Redactor
from fsnb.runner import run
from fsnb.target import load

pytestmark = pytest.mark.lab


def test_start_on_profile_stopped_makes_7443_listen(tmp_path, lab_offset):
    lab = manager.up("profile-stopped", offset=lab_offset)
    t = load(lab.target)
    assert port_free(lab.ports["wss"])
    r = run(t)
    p = actions.plan(r)
    assert p.command == "sofia profile internal start"
    j = journal.Journal(tmp_path / "incident.jsonl", Redactor(t.secret_values()))
    conf = actions.Confirmation.make(p.command, "test")
    res = actions.execute(t, p, conf, j)
    assert res.ok and not port_free(lab.ports["wss"])
    assert res.before["profile_running"] is False and res.after["profile_running"] is True
    assert res.after["wss_from_here"] == "open"
    assert "internal started successfully" in res.output
    recs = journal.read(tmp_path / "incident.jsonl").records
    kinds = [x["type"] for x in recs]
    assert kinds.index("confirmation") < kinds.index("action")
    c = next(x for x in recs if x["type"] == "confirmation")
    assert c["command"] == p.command and c["who"] and c["when"] and c["how"] == "test"
    a = next(x for x in recs if x["type"] == "action")
    assert a["before"]["wss_from_here"] == "refused" and a["after"]["wss_from_here"] == "open"
    assert any("Started Profile internal" in l for l in a["log"])     # log captured over ESL while it ran
    raw = (tmp_path / "incident.jsonl").read_text()
    for s in lab_secrets(lab_offset):
        assert s not in raw
    manager.down(lab_offset)


def test_restart_respects_the_guard_on_binding_added_live(tmp_path, lab_offset):
    lab = manager.up("wss-binding-missing", offset=lab_offset)
    t = load(lab.target)
    # a young profile (the restart guard bites: it must be up 10 s), then the operator fixes internal.xml
    manager.esl_api(lab.ports["esl"], lab_secrets(lab_offset)[0], "sofia profile internal stop")
    import time
    time.sleep(0.3)
    manager.esl_api(lab.ports["esl"], lab_secrets(lab_offset)[0], "sofia profile internal start")
    time.sleep(0.3)
    from fsnb.lab.layout import uncomment_wss
    uncomment_wss(manager.lab_dir(lab_offset) / "fs")
    r = run(t)
    p = actions.plan(r)
    assert p.command == "sofia profile internal restart"
    res = actions.execute(t, p, actions.Confirmation.make(p.command, "test"))
    assert any("must be up for at least 10 seconds" in a for a in res.attempts)
    assert res.ok and res.attempts[-1].endswith("restarting: internal")
    manager.down(lab_offset)


def test_nothing_changes_without_confirmation(lab_offset):
    lab = manager.up("profile-stopped", offset=lab_offset)
    p = fsnb_cli("run", "--fix", "--target", lab.target)   # no terminal, no --yes
    assert "nichts geändert" in p.stderr and port_free(lab.ports["wss"])
    p = fsnb_cli("run", "--fix", "--yes", "--target", lab.target, "--format", "json")
    assert p.returncode == 0, p.stderr
    assert not port_free(lab.ports["wss"])
    manager.down(lab_offset)


def test_confirmation_for_another_command_is_refused(lab_offset):
    lab = manager.up("profile-stopped", offset=lab_offset)
    t = load(lab.target)
    p = actions.plan(run(t))
    import pytest

    from fsnb.errors import FsnbError
    with pytest.raises(FsnbError):
        actions.execute(t, p, actions.Confirmation.make("sofia profile internal restart", "test"))
    assert port_free(lab.ports["wss"])
    manager.down(lab_offset)
