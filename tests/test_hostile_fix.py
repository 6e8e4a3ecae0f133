"""Security probe round on the code issue #19's probes never saw: `fsnb fix`, nginx -T, the training records.

Each test fails on the code before its fix (the probe is named in its docstring)."""
from __future__ import annotations

import subprocess

import pytest

from fsnb.errors import FsnbError
from fsnb.read import nginxeff

pytestmark = pytest.mark.unit


@pytest.fixture
def fake_master(tmp_path):
    """A process that only *calls itself* an nginx master, naming an attacker's program as its binary."""
    marker = tmp_path / "PWNED"
    evil = tmp_path / "evil.sh"
    site = tmp_path / "site.conf"
    site.write_text("server { listen 1; }\n")
    evil.write_text(f"#!/bin/sh\ntouch {marker}\necho '# configuration file {site}:'\necho 'server {{ listen 1; }}'\n")
    evil.chmod(0o755)
    title = f"nginx: master process {evil} -c {tmp_path}/nginx.conf"
    proc = subprocess.Popen(["bash", "-c", f'exec -a "{title}" sleep 30'])
    try:
        for _ in range(200):        # until exec has happened (the name is visible in /proc)
            try:
                if open(f"/proc/{proc.pid}/cmdline", "rb").read().startswith(b"nginx: master"):
                    break
            except OSError:
                pass
            subprocess.run(["true"])
        yield site, marker, evil
    finally:
        proc.kill()
        proc.wait()


def test_a_process_named_nginx_master_is_not_run(fake_master):
    """Probe: `exec -a 'nginx: master process /tmp/evil.sh -c …' sleep` — every `fsnb run` ran /tmp/evil.sh (as
    root) for `nginx -T`, and took its output as nginx's config. The binary is now the one the kernel ran."""
    site, marker, evil = fake_master
    assert all(b != str(evil) for b, _, _ in nginxeff.masters())
    assert nginxeff.effective(str(site)) is None
    assert not marker.exists()


def test_fix_reload_never_runs_a_named_binary(fake_master):
    """Probe: the same process made `fsnb fix`'s reload run `/tmp/evil.sh -c … -t` and `-s reload`."""
    from fsnb.fix import apply
    site, marker, evil = fake_master
    with pytest.raises(FsnbError, match="0 nginx master"):
        apply.nginx_argv(str(site))
    assert not marker.exists()
