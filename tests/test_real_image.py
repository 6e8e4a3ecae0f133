"""`fsnb lab up --real --image NAME`: a FreeSWITCH image the user already has, with the lab's container layout —
tested with a self-contained image made from the build (real.build_image: nothing mounted from the host but the
lab's own dirs). And what `--real` says when the build cannot be had."""
from __future__ import annotations

import json

import pytest
import realfs
from conftest import fsnb_cli

from fsnb.lab import manager

OFF = realfs.IMAGE_OFFSET


@pytest.fixture(scope="module")
def image():
    gen = realfs.module_lab((OFF,))
    host = next(gen)
    import docker

    from fsnb.lab import real
    c = docker.DockerClient(base_url=host, timeout=120)
    tag = real.build_image(c, real.require_prefix())
    yield tag
    next(gen, None)


@pytest.mark.docker
@pytest.mark.real
def test_image_from_the_build_runs_as_the_lab(image):
    st = realfs.up("healthy", OFF, "--image", image)
    assert st["mode"] == "real" and st["real"]["image"] == image and st["real"]["prefix"] is None
    c = realfs.container(st)
    assert c.attrs["Config"]["Image"] == image
    binds = c.attrs["HostConfig"]["Binds"]
    assert not any(":/usr" in b for b in binds), binds          # self-contained: no host /usr, no prefix mount
    r = c.exec_run(["fs_cli", "-x", "status"], demux=True)
    assert r.exit_code == 0 and b"is ready" in r.output[0], r
    p = fsnb_cli("lab", "status")
    assert f"(image {image})" in p.stdout
    p = fsnb_cli("run", "--target", str(manager.lab_dir(OFF) / "target.toml"), "--format", "json", timeout=90)
    out = json.loads(p.stdout)
    assert p.returncode == 0 and out["diagnosis"] == [], [d["cause"] for d in out["diagnosis"]]


@pytest.mark.docker
@pytest.mark.real
def test_image_scenario_is_made_the_real_way(image):
    st = realfs.up("wss-pem-wrong-key", OFF, "--image", image)
    log = (manager.lab_dir(OFF) / "fs/var/log/freeswitch/freeswitch.log").read_text()
    assert "Bad WSS.PEM certificate." in log
    p = fsnb_cli("run", "--target", str(manager.lab_dir(OFF) / "target.toml"), "--format", "json", timeout=90)
    assert p.returncode == 1 and json.loads(p.stdout)["diagnosis"][0]["cause"] == "wss-pem-bad"
    assert realfs.container(st).attrs["Config"]["Image"] == image


@pytest.mark.real
def test_real_without_sources_names_what_is_missing(tmp_path):
    p = fsnb_cli("lab", "up", "--real", "--scenario", "healthy", "--port-offset", str(OFF + 40),
                 env={"FSNB_FS_SOURCES": str(tmp_path / "nowhere")}, timeout=60)
    assert p.returncode == 2
    assert "real FreeSWITCH unavailable" in p.stderr and str(tmp_path / "nowhere") in p.stderr, p.stderr


@pytest.mark.real
def test_scenario_that_cannot_be_real_says_why():
    p = fsnb_cli("lab", "up", "--real", "--scenario", "hostile-target", "--port-offset", str(OFF + 40), timeout=60)
    assert p.returncode == 2 and "cannot run on a real FreeSWITCH" in p.stderr, p.stderr
