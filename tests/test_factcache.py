"""Facts kept by content (fsnb.factcache): a kept answer is the answer the parser gives, judged afresh where it
depends on the clock, never trusted when it does not read back, and never written when it is not a plain tree."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fsnb import certs, factcache, pki, tunnel
from fsnb.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
CA = pki.CA()
LEAF = CA.issue(["localhost", "127.0.0.1"])
PEMS = {v: pki.wss_pem(LEAF, CA, v).decode() for v in ("good", "cert-only", "wrong-key", "ca-first", "key-after")}
PEMS["expired"] = pki.wss_pem(CA.issue(["localhost"], days=-1), CA).decode()
PEMS["garbage"] = "-----BEGIN CERTIFICATE-----\nnot base64 !!\n-----END CERTIFICATE-----\n"
CONFIG = "ingress:\n  - hostname: a.example\n    service: http://localhost:8082\n  - service: http_status:404\n"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FSNB_CACHE_DIR", str(tmp_path / "facts"))
    monkeypatch.delenv("FSNB_CACHE", raising=False)
    return tmp_path / "facts"


def report(pem, hosts=("127.0.0.1",), now=None):
    r = certs.analyse(pem, list(hosts), now)
    return dataclasses.asdict(r) | {"ok": r.ok, "unusable": r.unusable}


@pytest.mark.parametrize("variant", sorted(PEMS))
def test_kept_certificate_facts_give_the_same_report(variant, cache, monkeypatch):
    monkeypatch.setenv("FSNB_CACHE", "off")
    fresh = report(PEMS[variant])
    assert not cache.exists()
    monkeypatch.delenv("FSNB_CACHE")
    assert report(PEMS[variant]) == fresh               # a miss: parsed and kept
    assert len(list(cache.glob("wss-pem-*.json"))) == 1
    monkeypatch.setattr(certs, "read", lambda pem: pytest.fail("a kept answer was parsed again"))
    assert report(PEMS[variant]) == fresh               # a hit


def test_validity_is_judged_on_every_run_not_kept(cache):
    pem = PEMS["good"]
    assert report(pem)["validity"] == "ok"
    later = LEAF.cert.not_valid_after_utc + dt.timedelta(days=1)
    earlier = LEAF.cert.not_valid_before_utc - dt.timedelta(days=1)
    assert report(pem, now=later)["validity"] == "expired" and "expired" in report(pem, now=later)["problems"][0]["en"]
    assert report(pem, now=earlier)["validity"] == "not-yet-valid"
    assert "SAN does not cover" in report(pem, hosts=["other.example"])["warnings"][0]["en"]   # host names: per run too


@pytest.mark.parametrize("junk", [b"", b"{", b"[]", b'{"blocks": 1}', json.dumps({"blocks": [], "leaf": True}).encode(),
                                  b"\xff\xfe", b"1" * (factcache.MAX_ENTRY + 10)])
def test_an_entry_that_does_not_read_back_is_a_miss(junk, cache):
    fresh = report(PEMS["good"])
    (entry,) = cache.glob("wss-pem-*.json")
    entry.write_bytes(junk)
    assert report(PEMS["good"]) == fresh
    assert json.loads(entry.read_text())["leaf"] is True   # rewritten with the parser's answer


def test_an_entry_that_is_not_a_file_is_a_miss_not_a_hang(cache):
    fresh = report(PEMS["good"])
    (entry,) = cache.glob("wss-pem-*.json")
    kept = entry.read_bytes()
    entry.unlink()
    os.mkfifo(entry)                         # open() would wait for a writer forever
    t0 = time.monotonic()
    assert report(PEMS["good"]) == fresh and time.monotonic() - t0 < 5
    entry.unlink()
    (cache / "elsewhere").write_bytes(kept)
    entry.symlink_to(cache / "elsewhere")     # not followed
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(certs, "read", lambda pem: {**json.loads(kept), "subject": "parsed again"})
    try:
        assert report(PEMS["good"])["subject"] == "parsed again"
    finally:
        monkeypatch.undo()


def test_tampered_facts_of_the_right_shape_are_what_a_cache_is(cache):
    """The cache is the user's own directory (0700): it is trusted as their .pyc files are, but only in shape."""
    report(PEMS["good"])
    (entry,) = cache.glob("wss-pem-*.json")
    assert oct(entry.stat().st_mode & 0o777) == "0o600" and oct(cache.stat().st_mode & 0o777) == "0o700"
    kept = json.loads(entry.read_text())
    kept["not_after"] = "not a date"
    entry.write_text(json.dumps(kept))
    assert report(PEMS["good"])["validity"] == "ok"          # not a date: a miss, parsed again


def test_another_parser_or_library_is_another_key(cache, tmp_path):
    src = tmp_path / "parser.py"
    src.write_text("v1")
    calls = []
    compute = lambda: calls.append(1) or {"n": len(calls)}
    assert factcache.facts("k", b"data", compute, source=str(src))["n"] == 1
    assert factcache.facts("k", b"data", compute, source=str(src))["n"] == 1
    factcache._IDENTITY.clear()                # a new process
    os.utime(src, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert factcache.facts("k", b"data", compute, source=str(src))["n"] == 2
    assert factcache.facts("k", b"other", compute, source=str(src))["n"] == 3
    assert factcache.facts("k2", b"data", compute, source=str(src))["n"] == 4


def test_off_and_unwritable_cost_only_the_parse(cache, monkeypatch, tmp_path):
    monkeypatch.setenv("FSNB_CACHE", "off")
    assert tunnel.parse(CONFIG, "a.example").service == "http://localhost:8082"
    assert not cache.exists()
    monkeypatch.delenv("FSNB_CACHE")
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setenv("FSNB_CACHE_DIR", str(blocked / "facts"))       # under a file: cannot be created
    assert tunnel.parse(CONFIG, "a.example").service == "http://localhost:8082"
    assert report(PEMS["good"])["ok"]


def test_yaml_that_is_not_a_plain_tree_is_never_kept(cache):
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True))
    t0 = time.monotonic()
    with pytest.raises(ConfigError):       # no ingress; aliases never expanded, never serialised
        tunnel.parse(laughs + "ingress: *i\n", "a.example")
    assert time.monotonic() - t0 < 5
    for text in (laughs, "ingress:\n  - {1: x, service: y}\n", "when: 2024-01-01\n" + CONFIG):
        try:
            tunnel.parse(text, "a.example")
        except ConfigError:
            pass
    assert not list(cache.glob("*.json")) if cache.exists() else True
    tunnel.parse(CONFIG, "a.example")
    assert len(list(cache.glob("cloudflared-yml-*.json"))) == 1
    assert tunnel.parse(CONFIG, "b.example").problems            # the host name is judged per run


def test_a_repeated_run_imports_neither_cryptography_nor_yaml(cache):
    """What the cache is for: a fresh interpreter that finds the facts kept does not load the parsers' libraries."""
    code = ("import sys, json; from fsnb import certs, tunnel; pem, cfg = json.load(sys.stdin);"
            "r = certs.analyse(pem, ['127.0.0.1']); i = tunnel.parse(cfg, 'a.example');"
            "print(json.dumps([r.ok, i.service, 'cryptography' in sys.modules, 'yaml' in sys.modules]))")
    env = {**os.environ, "FSNB_CACHE_DIR": str(cache)}
    runs = [json.loads(subprocess.run([sys.executable, "-c", code], input=json.dumps([PEMS["good"], CONFIG]), text=True,
                                      capture_output=True, env=env, cwd=ROOT, timeout=60, check=True).stdout)
            for _ in range(2)]
    assert runs[0] == [True, "http://localhost:8082", True, True]
    assert runs[1] == [True, "http://localhost:8082", False, False]
