"""fsnb's model of cloudflared's ingress (fsnb/read/tunnel.py) against the real cloudflared (issue #18): where they
differ, fsnb is wrong. The real one also decides the lab's edge stand-in and the tunnel check wherever it is present."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from fsnb.read import cloudflared, tunnel

pytestmark = pytest.mark.real

ROOT = Path(__file__).resolve().parents[1]
HOST = "freeswitch.aidevelo.ai"


@pytest.fixture(scope="module")
def cf_binary():
    """The real cloudflared built from ../shared/vendor/cloudflared (tools/build-cloudflared); fails in CI without it."""
    tool = ROOT / "tools" / "build-cloudflared"
    if subprocess.run([str(tool), "--check"], capture_output=True).returncode != 0:
        if not (ROOT.parent / "shared" / "vendor" / "cloudflared").is_dir() and not os.environ.get("CI"):
            pytest.skip("no cloudflared sources beside the checkout")
        p = subprocess.run([str(tool)], capture_output=True, text=True, timeout=900)
        if p.returncode != 0:
            pytest.fail(f"cloudflared could not be built: {p.stderr[-1000:]}")
    return subprocess.run([str(tool), "--print-path"], capture_output=True, text=True).stdout.strip()


RULE = f"  - hostname: {HOST}\n    service: http://localhost:8082\n"
CATCH = "  - service: http_status:404\n"
CONFIGS = {
    "healthy": "ingress:\n" + RULE + CATCH,
    "no catch-all": "ingress:\n" + RULE,
    "catch-all first": "ingress:\n" + CATCH + RULE,
    "star catch-all first": "ingress:\n  - hostname: '*'\n    service: http_status:503\n" + RULE + CATCH,
    "path does not match /": f"ingress:\n  - hostname: {HOST}\n    path: ^/ws$\n    service: http://localhost:8082\n" + CATCH,
    "path matches /": f"ingress:\n  - hostname: {HOST}\n    path: ^/$\n    service: http://localhost:8082\n" + CATCH,
    "wildcard host": "ingress:\n  - hostname: '*.aidevelo.ai'\n    service: http://localhost:8082\n" + CATCH,
    "other host first": "ingress:\n  - hostname: www.aidevelo.ai\n    service: http://localhost:9000\n" + RULE + CATCH,
    "wrong host only": "ingress:\n  - hostname: freeswitch.example.org\n    service: http://localhost:8082\n" + CATCH,
    "https origin": f"ingress:\n  - hostname: {HOST}\n    service: https://localhost:8082\n" + CATCH,
    "port in hostname": f"ingress:\n  - hostname: {HOST}:443\n    service: http://localhost:8082\n" + CATCH,
    "bad wildcard": "ingress:\n  - hostname: free*.aidevelo.ai\n    service: http://localhost:8082\n" + CATCH,
    "service with a path": f"ingress:\n  - hostname: {HOST}\n    service: http://localhost:8082/ws\n" + CATCH,
    "service without scheme": f"ingress:\n  - hostname: {HOST}\n    service: localhost:8082\n" + CATCH,
    "bad status": "ingress:\n" + RULE + "  - service: http_status:99\n",
    "bad path regex": f"ingress:\n  - hostname: {HOST}\n    path: '(['\n    service: http://localhost:8082\n" + CATCH,
    "no rules": "tunnel: x\ningress: []\n",
    "catch-all with path last": "ingress:\n" + RULE + "  - path: ^/x\n    service: http_status:404\n",
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_fsnbs_model_gives_cloudflareds_answer(cf_binary, name):
    text = CONFIGS[name]
    real = cloudflared.judge(text, f"wss://{HOST}/", timeout=20, binary=cf_binary)
    model = tunnel.parse(text, HOST, "/")
    assert (model.invalid is None) == real.valid, (name, model.invalid, real.message)
    if real.valid:
        assert (model.rule, model.service) == (real.rule, real.service), name


def test_cloudflared_makes_no_connection(cf_binary):
    """fsnb runs only cloudflared's offline commands (../shared/vendor/cloudflared/README.md): `ingress rule`
    answers with no network at all — in a network namespace of its own whose only interface, loopback, is down."""
    if subprocess.run(["unshare", "--net", "true"], capture_output=True).returncode != 0:
        pytest.fail("unshare --net is needed to show cloudflared answers without any network")
    text = CONFIGS["healthy"]
    p = subprocess.run(["unshare", "--net", cf_binary, "--no-autoupdate", "tunnel", "--config", "/dev/stdin",
                        "ingress", "rule", f"https://{HOST}/"], input=text.encode(), capture_output=True, timeout=30)
    assert p.returncode == 0 and b"Matched rule #1" in p.stdout, p.stdout + p.stderr
