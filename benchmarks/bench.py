"""fsnb benchmarks (make bench). Prints a table and ends with `ratio whole-process runbook/manual: <x>`.

(a) what a user waits for: a whole `fsnb run --format json` process (fresh interpreter, imports included) vs.
    the analysis' manual procedure as a script (docker exec … fs_cli -x status, … sofia status profile internal,
    … netstat -tuln, the curl), alternating, medians — against the Docker lab (simulator) and, when it is built
    (tools/build-freeswitch), the real FreeSWITCH container; plus the in-process runbook as an extra row;
(b) a dead and a tarpit target: wall time vs. the configured timeout;
(c) 1, 10 and 50 lab targets concurrently, with the CPU they cost (fsnb's process vs. the labs and the kernel): on a
    small machine the 50 simulated nodes share its cores with fsnb, which bounds what concurrency can achieve.
Only loopback is used. Labs it starts are stopped at the end.
"""
from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("FSNB_LAB_DIR", tempfile.mkdtemp(prefix="fsnb-bench-"))

from fsnb import target as tgt  # noqa: E402
from fsnb.lab import dockerd, manager  # noqa: E402
from fsnb.present.fleet import run_fleet  # noqa: E402
from fsnb.runner import run  # noqa: E402

# the `fsnb` command as a user types it (the venv's console script), else `python -m fsnb`
FSNB = [str(Path(sys.executable).with_name("fsnb"))] if Path(sys.executable).with_name("fsnb").exists() else \
    [sys.executable, "-m", "fsnb"]
REPEAT = int(os.environ.get("FSNB_BENCH_REPEAT", "11"))
FAILED_RUNS: list[str] = []
ROOT = Path(__file__).resolve().parents[1]
BASE = 5000


def median_time(fn, n=REPEAT) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def busy_cpu() -> float:
    """CPU seconds the whole machine has been busy (all processes and the kernel), from /proc/stat."""
    with open("/proc/stat") as fh:
        v = [int(x) for x in fh.readline().split()[1:]]
    return (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")


def fleet_time(targets) -> tuple[float, float, float]:
    """Medians of: wall time, this process's CPU, everything else's CPU (simulators, nginx, kernel) for one fleet run."""
    samples = []
    for _ in range(3):
        m0, c0, t0 = busy_cpu(), time.process_time(), time.perf_counter()
        runs = run_fleet(targets)
        wall, client = time.perf_counter() - t0, time.process_time() - c0
        samples.append((wall, client, max(0.0, busy_cpu() - m0 - client)))
        bad = [f"{r.target.name}: {', '.join(f.cause for f in r.findings) or r.exit_code}" for r in runs if r.exit_code]
        if bad:        # timed like the others, and said: on a loaded machine a fleet's checks can hit their timeouts
            FAILED_RUNS.append(f"fleet of {len(targets)}: {len(bad)} healthy targets failed, e.g. {bad[:3]}")
    return tuple(statistics.median(x[i] for x in samples) for i in range(3))


def manual_script(lab, docker_host: str) -> None:
    env = {**os.environ, "DOCKER_HOST": docker_host}
    c = "aidevelo-freeswitch"
    # the analysis' steps 1-4 as read-only commands (busybox netstat has no -p)
    for cmd in ([ "docker", "exec", c, "fs_cli", "-x", "status"], ["docker", "exec", c, "fs_cli", "-x", "sofia status profile internal"],
                ["docker", "exec", c, "netstat", "-tuln"],
                ["curl", "-s", "-m", "3", "-o", "/dev/null", "-H", "Upgrade: websocket", "-H", "Connection: Upgrade",
                 f"http://localhost:{lab.ports['wss']}/"]):
        subprocess.run(cmd, env=env, capture_output=True, timeout=10)


def fsnb_process(target: str, docker_host: str) -> None:
    """One `fsnb run` as a user starts it: a new interpreter, its imports, the run, exit."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}   # a user's shell keeps .pyc
    env["DOCKER_HOST"] = docker_host
    p = subprocess.run([*FSNB, "run", "--target", target, "--format", "json"], env=env, capture_output=True, timeout=60)
    if p.returncode != 0:
        import json
        try:
            out = json.loads(p.stdout)
        except ValueError:      # no JSON: fsnb itself broke, the figures would mean nothing
            raise SystemExit(f"fsnb run failed against {target} (exit {p.returncode}): {p.stderr.decode()[-500:]}") from None
        # a healthy lab target that fails a check: timed like any run, and reported (not hidden, not fatal)
        FAILED_RUNS.append(f"{target}: {[d['cause'] for d in out['diagnosis']]} "
                           f"{ {r['id']: r['summary_en'] for r in out['results'] if r['status'] in ('fail', 'error')} }")


def alternating(a, b, n=REPEAT) -> tuple[float, float]:
    """Medians of a() and b(), run alternately so drifting machine load hits both alike."""
    ta, tb = [], []
    for _ in range(n):
        for fn, out in ((a, ta), (b, tb)):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return statistics.median(ta), statistics.median(tb)


def whole_process(lab, docker_host: str, what: str, rows: list) -> float:
    """The ratio of a whole `fsnb run` process to the manual script, alternating."""
    fsnb_process(lab.target, docker_host)     # warm: .pyc written, page cache filled
    manual_script(lab, docker_host)
    ours, manual = alternating(lambda: fsnb_process(lab.target, docker_host), lambda: manual_script(lab, docker_host))
    rows += [(f"(a) whole `fsnb run` process, {what}", ours, ""),
             (f"(a) manual procedure as a script (4 commands), {what}", manual, ""),
             (f"(a) ratio whole-process runbook/manual, {what}", ours / manual, "goal <= 0.5")]
    return ours / manual


def notebook_first_result(target: str) -> float:
    """JupyterLab in headless Chromium on the runbook: seconds from clicking Run > Run All Cells to the first
    step's result row on screen (what an on-call operator waits for). The browser test's harness is reused."""
    sys.path.insert(0, str(ROOT / "tests"))
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, FLAGS, VISIBLE, _accept_kernel_dialog, jupyterlab
    with tempfile.TemporaryDirectory() as tmp, \
            jupyterlab(Path(tmp), "runbook.ipynb", {"FSNB_TARGET": target}) as (url, _), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector(f"{VISIBLE} .jp-Notebook-ExecutionIndicator[data-status='idle'] >> visible=true",
                               timeout=60000)
        page.locator(f"{VISIBLE} .jp-Notebook").click()
        page.keyboard.press("Escape")
        _accept_kernel_dialog(page)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        t0 = time.perf_counter()
        page.get_by_text("Run All Cells", exact=True).click()
        page.wait_for_selector(f"{VISIBLE} tr[data-check]", timeout=120000)
        elapsed = time.perf_counter() - t0
        browser.close()
        return elapsed


def tarpit() -> tuple[socket.socket, int]:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(64)   # accepts (kernel backlog) and never answers
    return s, s.getsockname()[1]


def synthetic_target(esl: int, ws: int, wss: int, timeout: float) -> tgt.Target:
    t = tgt.Target(name=f"synthetic {esl}")
    t.freeswitch.container, t.freeswitch.access = "", "local"
    t.freeswitch.esl_port, t.freeswitch.ws_port, t.freeswitch.wss_port = esl, ws, wss
    t.freeswitch.esl_password = tgt.Secret("env:FSNB_BENCH_PW")
    t.freeswitch.conf_dir = t.freeswitch.log_file = "/nonexistent"
    t.nginx.address, t.nginx.config = f"127.0.0.1:{ws}", "/nonexistent"
    t.tunnel.config, t.tunnel.public_url = "/nonexistent", f"wss://127.0.0.1:{wss}/"
    t.timeouts.check = timeout
    return t


def step5(t) -> tuple[str, float, str]:
    """Step 5 alone: a real WebRTC call through edge stand-in → nginx → FreeSWITCH WSS, to the echo and back."""
    runs = [run(t, only=["schritt5.anruf"]) for _ in range(5)]
    calls = [next(r for r in x.results if r.id == "schritt5.anruf") for x in runs]
    rtts = [c.observed.get("echo_rtt") for c in calls if c.observed.get("echo_rtt") is not None]
    note = f"{sum(c.status.value == 'pass' for c in calls)}/5 with audio both ways" + \
        (f", echo {1000 * statistics.median(rtts):.0f} ms" if rtts else "")
    return ("(a) Step 5: a real WebRTC call (real FreeSWITCH), per run", statistics.median(c.duration for c in calls), note)


def main() -> int:
    os.environ["FSNB_BENCH_PW"] = "bench"
    rows = []
    engine_root = Path(os.environ["FSNB_LAB_DIR"]) / "docker"
    docker_host = dockerd.ensure(engine_root)
    os.environ["DOCKER_HOST"] = docker_host
    try:
        lab = manager.up("healthy", docker=True, offset=BASE)
        t = tgt.load(lab.target)
        ratio = whole_process(lab, docker_host, "Docker lab (simulator)", rows)
        run(t)  # warm up
        rows.append(("(a) runbook in-process (15 checks), Docker lab", median_time(lambda: run(t)), "extra row"))
        rows.append(("(a) notebook: Run All -> first step's result (JupyterLab, Chromium)",
                     statistics.median(notebook_first_result(lab.target) for _ in range(3)), "Docker lab"))
        manager.down(BASE)
        real_ratio = None
        if subprocess.run([str(ROOT / "tools" / "build-freeswitch"), "--check"], capture_output=True).returncode == 0:
            lab = manager.up("healthy", real=True, offset=BASE)
            real_ratio = whole_process(lab, docker_host, "real FreeSWITCH 1.11 container", rows)
            rows.append(step5(tgt.load(lab.target)))
            manager.down(BASE)
        else:
            rows.append(("(a) real FreeSWITCH: not built (tools/build-freeswitch)", 0.0, "skipped"))

        timeout = 2.0
        dead = synthetic_target(1, 2, 3, timeout)
        rows.append(("(b) dead target (nothing listens)", median_time(lambda: run(dead), 3), f"timeout {timeout}s"))
        s1, p1 = tarpit()
        s2, p2 = tarpit()
        s3, p3 = tarpit()
        pit = synthetic_target(p1, p2, p3, timeout)
        rows.append(("(b) tarpit target (accepts, never answers)", median_time(lambda: run(pit), 3), f"timeout {timeout}s"))
        for s in (s1, s2, s3):
            s.close()

        targets = []
        for i in range(50):
            info = manager.up("healthy", offset=BASE + 100 + i * 10)
            targets.append(tgt.load(info.target))
        time.sleep(1.0)   # let the labs settle after start-up
        fleet = {}
        for n in (1, 10, 50):
            fleet[n] = fleet_time(targets[:n])
            wall, client, rest = fleet[n]
            rows.append((f"(c) {n} lab target{'s concurrently' if n > 1 else ''}", wall,
                         f"CPU: fsnb {client:.2f}s, labs+kernel {rest:.2f}s"))
    finally:
        manager.down(None)
        dockerd.stop(engine_root)     # only if we started it (it records its own pid)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    print(f"{'benchmark':<58} {'median s':>9}  note")
    for name, secs, note in rows:
        print(f"{name:<58} {secs:>9.3f}  {note}")
    one, fifty = fleet[1][0], fleet[50]
    cores = os.cpu_count() or 1
    floor = (fifty[1] + fifty[2]) / cores
    print(f"(c) 50/1 targets: {fifty[0] / one:.1f}x (goal <= 3x). The 50 targets' CPU alone (fsnb {fifty[1]:.2f}s + "
          f"labs {fifty[2]:.2f}s) on {cores} cores needs >= {floor:.2f}s = {floor / one:.1f}x one target; "
          f"per target: fsnb {1000 * fifty[1] / 50:.0f} ms, labs {1000 * fifty[2] / 50:.0f} ms CPU")
    print(f"(c) fleet client CPU per target: {1000 * fifty[1] / 50:.1f} ms (goal <= 8 ms)")
    if real_ratio is not None:
        print(f"ratio whole-process runbook/manual (real FreeSWITCH): {real_ratio:.3f}")
    for line in FAILED_RUNS:
        print(f"note: an fsnb run against a healthy lab failed a check: {line}")
    print(f"ratio whole-process runbook/manual: {ratio:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
