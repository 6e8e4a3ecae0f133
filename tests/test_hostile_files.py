"""Issue #19: target files built to exhaust a parser are refused or read in bounded work (each failed before)."""
from __future__ import annotations

import base64
import os

import pytest

from fsnb.errors import ConfigError
from fsnb.lab import pki
from fsnb.read import certs, fsconfig, nginxconf, tunnel

pytestmark = pytest.mark.unit

SITE = """server {
    listen 127.0.0.1:8082;
    location / {
        proxy_pass https://127.0.0.1:7443;
    }
}
"""


def _nginx(tmp_path, include: str) -> str:
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"http {{\n    include {include};\n}}\n")
    return str(conf)


def test_an_include_of_a_device_is_refused(tmp_path):
    """`include /dev/zero;` filled 1.9 GB in 3 s: crossplane opened whatever the config named."""
    with pytest.raises(ConfigError, match="not a regular file"):
        nginxconf.parse(_nginx(tmp_path, "/dev/zero"))


def test_an_include_of_a_fifo_is_refused(tmp_path):
    fifo = tmp_path / "fifo.conf"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="not a regular file"):
        nginxconf.parse(_nginx(tmp_path, str(fifo)))


def test_an_include_of_a_huge_file_is_refused(tmp_path):
    big = tmp_path / "big.conf"
    big.write_text("# padding\n" * (nginxconf.MAX_CONFIG // 10 + 1) + SITE)
    with pytest.raises(ConfigError, match="larger than"):
        nginxconf.parse(_nginx(tmp_path, str(big)))


def test_too_many_included_files_are_refused(tmp_path):
    (tmp_path / "sites").mkdir()
    for i in range(nginxconf.MAX_FILES + 1):
        (tmp_path / "sites" / f"{i:03}.conf").write_text("# empty\n")
    with pytest.raises(ConfigError, match="more than"):
        nginxconf.parse(_nginx(tmp_path, str(tmp_path / "sites" / "*.conf")))


def test_ordinary_includes_are_still_followed(tmp_path):
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "fs.conf").write_text(SITE)
    locs = nginxconf.parse(_nginx(tmp_path, "sites/*.conf"))      # relative to the config's directory, as crossplane
    assert [(loc.scheme, loc.port, os.path.basename(loc.file)) for loc in locs] == [("https", 7443, "fs.conf")]


def test_a_doubling_variable_chain_in_vars_xml_is_refused():
    """26 lines of `$${a}$${a}` expanded to 4.2 GB (8.7 s); 20 are enough to pass the cap."""
    lines = ['<X-PRE-PROCESS cmd="set" data="v0=xxxxxxxxxxxxxxxx"/>']
    lines += [f'<X-PRE-PROCESS cmd="set" data="v{i}=$${{v{i - 1}}}$${{v{i - 1}}}"/>' for i in range(1, 21)]
    with pytest.raises(ConfigError, match="expands beyond"):
        fsconfig.parse_vars("<include>\n" + "\n".join(lines) + "\n</include>")


def test_ordinary_variables_still_expand():
    text = '<include><X-PRE-PROCESS cmd="set" data="a=127.0.0.1"/><X-PRE-PROCESS cmd="set" data="b=$${a}:7443 $${nope}"/></include>'
    assert fsconfig.parse_vars(text) == {"a": "127.0.0.1", "b": "127.0.0.1:7443 $${nope}"}


def test_yaml_numbers_are_yaml_12_as_cloudflared_reads_them():
    """A YAML 1.1 sexagesimal integer of 1 MiB took 24 s to convert; cloudflared (Go yaml.v3) reads `1:2:3` as a
    string anyway."""
    doc = tunnel._load("a: 1:2:3\nb: 8082\nc: 0x1F\nd: 1.5\ne: " + ":".join(["59"] * 1000) + "\n")
    assert doc["a"] == "1:2:3" and doc["b"] == 8082 and doc["c"] == 31 and doc["d"] == 1.5
    assert isinstance(doc["e"], str)


def test_an_oversized_private_key_is_not_loaded():
    """An RSA-16384 key held the GIL for 29 s in key validation; a block larger than any key FreeSWITCH needs is
    reported, not loaded."""
    ca = pki.CA()
    leaf = ca.issue(["localhost"])
    body = base64.encodebytes(os.urandom(12 * 1024)).decode()
    pem = leaf.cert_pem.decode() + f"-----BEGIN PRIVATE KEY-----\n{body}-----END PRIVATE KEY-----\n"
    rep = certs.analyse(pem, ["localhost"])
    assert any("larger than any key" in p.en for p in rep.problems), rep.problems


def test_a_normal_key_still_matches_without_rsa_validation():
    ca = pki.CA()
    leaf, other = ca.issue(["localhost"]), ca.issue(["localhost"])
    assert certs.analyse((leaf.key_pem + leaf.cert_pem).decode(), ["localhost"]).problems == []
    rep = certs.analyse((other.key_pem + leaf.cert_pem).decode(), ["localhost"])
    assert any("does not match" in p.en for p in rep.problems), rep.problems


@pytest.mark.parametrize("status", ["UP 99999 years, 0 days, 0 hours, 10 minutes, 1 seconds, 976 milliseconds, 462 microseconds",
                                    "UP 1" + "0" * 5000 + " years, 0 days, 0 hours, 0 minutes, 1 seconds, 0 milliseconds, 0 microseconds",
                                    "UP ٣ years, 0 days, 0 hours, 0 minutes, 1 seconds, 0 milliseconds, 0 microseconds"])
def test_an_impossible_uptime_scopes_nothing(status):
    """`status` saying `UP 99999 years` ended the run in an OverflowError (date value out of range)."""
    from fsnb.read import fsstatus
    up = fsstatus.uptime_seconds(status)
    assert up is None or fsstatus.started_at("2026-01-01 00:00:01", up) is None


def test_a_real_uptime_still_scopes_the_log():
    from fsnb.read import fsstatus
    up = fsstatus.uptime_seconds("UP 0 years, 0 days, 0 hours, 10 minutes, 1 seconds, 976 milliseconds, 462 microseconds")
    assert up == pytest.approx(601.976462)
    assert fsstatus.started_at("2026-01-01 00:10:04", up) == "2026-01-01 00:00:00"   # 2 s of slack
