"""Step 5 where it cannot call: the simulator (it carries no media) and a target without SIP credentials —
both say why, as a skip, never as a failure."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import fsnb_cli

from fsnb.lab import manager

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def sim_target(lab_offset):
    p = fsnb_cli("lab", "up", "--scenario", "healthy", "--port-offset", str(lab_offset), timeout=120)
    assert p.returncode == 0, p.stderr
    yield manager.lab_dir(lab_offset) / "target.toml"
    fsnb_cli("lab", "down", "--port-offset", str(lab_offset))


def _step5(target: Path, lang: str = "en") -> tuple[dict, dict]:
    p = fsnb_cli("run", "--target", str(target), "--format", "json", "--lang", lang, timeout=90)
    out = json.loads(p.stdout)
    by = {r["id"]: r for r in out["results"]}
    return by["schritt5.anruf"], out


def test_simulator_says_it_carries_no_media(sim_target):
    call, out = _step5(sim_target)
    assert call["status"] == "skip", call
    assert call["observed"]["why_not"] == "simulator"
    assert "405" in call["summary_en"] and "simulator carries no media" in call["summary_en"]
    assert out["exit"] == 0 and not [d for d in out["diagnosis"] if d["severity"] == "fail"]


def test_without_sip_credentials_step5_says_why(sim_target, tmp_path):
    text = re.sub(r'(?m)^password = "file:[^"]*sip_password"\n', "", Path(sim_target).read_text())
    assert "sip_password" not in text
    t = tmp_path / "nocred.toml"
    t.write_text(text)
    call, out = _step5(t, "de")
    assert call["status"] == "skip" and call["observed"]["why_not"] == "no-credentials", call
    assert "Zugangsdaten" in call["summary"] and out["exit"] == 0
