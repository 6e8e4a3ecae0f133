"""Issue #19: a secret leaves by no side door — no encoding carries it past redaction, and a target file cannot
make fsnb read another service's credential."""
from __future__ import annotations

import html
import json
import shlex
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fsnb import target
from fsnb.errors import TargetError
from fsnb.redact import MASK, Redactor

pytestmark = pytest.mark.unit

ODD = ["Bs\\lash-S3cret", "nb\u00a0sp-S3cret", "both'\"quotes-S3", "Bs\\lash\u00a0'\"-all", "ümlaut-pässwort"]
SPELLINGS = [lambda s: s, lambda s: repr(s), ascii, json.dumps, lambda s: json.dumps(s, ensure_ascii=False),
             html.escape, lambda s: quote(s, safe=""), quote_plus, shlex.quote, lambda s: repr(repr(s)),
             lambda s: repr(json.dumps(s)), lambda s: s.encode("unicode_escape").decode()]


@pytest.mark.parametrize("secret", ODD)
@pytest.mark.parametrize("spell", range(len(SPELLINGS)))
def test_every_spelling_of_a_secret_is_masked(secret, spell):
    """An ESL peer that echoed the password got it printed repr-escaped (`Bs\\\\lash-S3cret`), past redaction."""
    shown = f"peer said: {SPELLINGS[spell](secret)} (end)"
    out = Redactor([secret]).text(shown)
    assert MASK in out
    core = secret.replace("\\", "").replace("'", "").replace('"', "")[-6:]
    assert core not in out, out


@given(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x24f, blacklist_categories=("Cc",)), min_size=4, max_size=24))
def test_any_secret_in_any_spelling(secret):
    """Control characters are refused in secrets (target.MIN_SECRET…): any other character, in any spelling."""
    red = Redactor([secret])
    for spell in SPELLINGS:
        form = spell(secret)
        assert form not in red.text(f"<{form}>") or form in MASK


def _target(source: str) -> target.Target:
    return target.loads(f"[freeswitch]\nesl_password = '{source}'\n", partial=True)


@pytest.mark.parametrize("name", ["AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "HOME", "PATH", "OPENAI_API_KEY",
                                  "PGPASSWORD", "LC_ALL"])
def test_a_well_known_variable_is_not_a_secret_source(monkeypatch, name):
    monkeypatch.setenv(name, "some-value-1234")
    t = _target(f"env:{name}")
    with pytest.raises(target.SecretInvalid, match=name):
        t.freeswitch.esl_password.reveal()
    with pytest.raises(TargetError, match="freeswitch.esl_password"):
        t.check_secrets()


def test_a_variable_the_user_chose_is(monkeypatch):
    monkeypatch.setenv("FSNB_ESL_PASSWORD", "ClueCon-1234")
    assert _target("env:FSNB_ESL_PASSWORD").freeswitch.esl_password.reveal() == "ClueCon-1234"


def test_a_file_others_can_read_is_refused(tmp_path):
    f = tmp_path / "esl"
    f.write_text("ClueCon-1234\n")
    f.chmod(0o644)
    with pytest.raises(target.SecretInvalid, match="chmod 600"):
        _target(f"file:{f}").freeswitch.esl_password.reveal()
    f.chmod(0o600)
    assert _target(f"file:{f}").freeswitch.esl_password.reveal() == "ClueCon-1234"


def test_a_well_known_credential_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".ssh").mkdir()
    key = tmp_path / ".ssh" / "deploy"
    key.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    key.chmod(0o600)
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine x login y password z\n")
    netrc.chmod(0o600)
    for f in (key, netrc):
        with pytest.raises(target.SecretInvalid, match="well-known credential file"):
            _target(f"file:{f}").freeswitch.esl_password.reveal()
