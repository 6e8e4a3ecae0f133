"""Step 5's judge: the same call placed by a real browser — headless Chromium (Debian's, driven by Playwright) with
JsSIP from npm (tools/build-jssip), fake media devices — through the lab's public URL, where the target says the
browsers are.

Where the browser is decides what it can reach, so the judge puts it there instead of reasoning about it:
- `host` (the target's [media] client = host): Chromium in this machine's network namespace, loopback candidates
  allowed (Chromium leaves them out unless told) and no mDNS names (Chromium would hide its addresses behind them).
- `lan` / `internet`: Chromium in a network namespace of its own whose only interface is a loopback — another
  machine as far as FreeSWITCH's 127.0.0.1 goes. The public URL and the TURN server are reached over TCP through
  fsnb.lab.nsforward --reverse (the tunnel carries TCP, not UDP); RTP to FreeSWITCH has no way there, as from
  outside. Nothing in that namespace can reach anything but its own loopback.

What the browser saw is its own: JsSIP's events and `RTCPeerConnection.getStats()` plus the level of the audio it
played. `Seen.stage` reduces it to the stage where the call stopped; the tests compare that with fsnb's verdict.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "tests/webrtc/judge.html"
ORIGIN = "https://judge.fsnb.invalid"      # served by Playwright's router: the page never touches a network
CHROMIUM = os.environ.get("FSNB_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
         "--disable-extensions", "--no-default-browser-check", "--metrics-recording-only",
         "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",   # a beep a second, no prompt
         "--autoplay-policy=no-user-gesture-required",
         "--allow-loopback-in-peer-connection",
         # the page's origin is "public", the lab is on the loopback: Chromium's local-network checks would block
         # the WebSocket; mDNS names would hide the candidates' addresses (and send multicast)
         "--disable-features=WebRtcHideLocalIpsWithMdns,LocalNetworkAccessChecks,"
         "BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights",
         "--ignore-certificate-errors"]          # the lab's edge stand-in has the lab CA's certificate
HEARD = 0.05           # peak level of the played audio: the fake device's beep echoed is ~0.7, silence 0


def bundle() -> Path:
    """The JsSIP bundle (built once by tools/build-jssip, `make test` does it first)."""
    p = subprocess.run([str(REPO / "tools/build-jssip")], capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError(f"tools/build-jssip failed: {p.stderr[-2000:]}")
    return Path(p.stdout.strip().splitlines()[-1])


@dataclass
class Seen:
    """What the browser saw of one call (the page's record, as returned)."""
    register: str
    invite_status: int | None
    invite_reason: str
    confirmed: bool
    ended: str
    levels: list[float]
    stats: list[dict]
    events: list = field(default_factory=list)
    offer: str = ""                   # the SDP the browser sent, and FreeSWITCH's answer
    answer: str = ""
    attempts: int = 1
    first_try: str = ""               # when the browser dialled twice: what the first call saw

    def of(self, kind: str) -> list[dict]:
        return [s for s in self.stats if s.get("type") == kind]

    @property
    def ice(self) -> str:
        return next((t.get("iceState", "") for t in self.of("transport")), "")

    @property
    def dtls(self) -> str:
        return next((t.get("dtlsState", "") for t in self.of("transport")), "")

    @property
    def pair_ok(self) -> bool:
        return any(p.get("state") == "succeeded" and p.get("nominated") for p in self.of("candidate-pair"))

    @property
    def received(self) -> int:
        return sum(s.get("packetsReceived", 0) for s in self.of("inbound-rtp"))

    @property
    def sent(self) -> int:
        return sum(s.get("packetsSent", 0) for s in self.of("outbound-rtp"))

    @property
    def heard(self) -> bool:
        return max(self.levels, default=0.0) >= HEARD

    @property
    def addresses(self) -> set[str]:
        """Every address a candidate of this call names, local or remote."""
        return {c.get("address") or c.get("ip") for kind in ("local-candidate", "remote-candidate")
                for c in self.of(kind)} - {None, ""}

    @property
    def relayed(self) -> bool:
        pairs = [p for p in self.of("candidate-pair") if p.get("nominated") and p.get("state") == "succeeded"]
        local = {c["id"]: c for c in self.of("local-candidate")}
        return any(local.get(p.get("localCandidateId"), {}).get("candidateType") == "relay" for p in pairs)

    @property
    def stage(self) -> str:
        """Where the call stopped, in the browser's own terms."""
        if self.register != "registered":
            return "register-failed"
        if not self.confirmed:
            return "invite-failed" if self.invite_status and self.invite_status >= 300 else "no-answer"
        if not self.pair_ok:
            return "ice-failed"
        if self.dtls != "connected":
            return "dtls-failed"
        if self.received == 0:
            return "no-media-back"
        return "audio" if self.heard else "silent"

    def brief(self) -> str:
        return (f"stage={self.stage} register={self.register!r} invite={self.invite_status} {self.invite_reason!r} "
                f"ended={self.ended!r} ice={self.ice} dtls={self.dtls} sent={self.sent} received={self.received} "
                f"peak={max(self.levels, default=0)} relayed={self.relayed} addresses={sorted(self.addresses)} "
                f"attempts={self.attempts}" + (f" (first: {self.first_try})" if self.first_try else ""))


def _wait_line(proc: subprocess.Popen, word: str, what: str) -> None:
    line = proc.stdout.readline() if proc.stdout else ""
    if word not in line:
        proc.kill()
        raise RuntimeError(f"{what} did not start: {line!r}")


@contextlib.contextmanager
def elsewhere(ports: list[int]):
    """A network namespace with only a loopback (held by a `sleep` this process starts), with TCP `ports` relayed
    from inside it to this machine's 127.0.0.1. Yields its /proc path; stops both processes by pid."""
    holder = subprocess.Popen(["unshare", "--net", "--", "sh", "-c", "ip link set lo up && echo up && exec sleep 600"],
                              stdout=subprocess.PIPE, text=True)
    fwd = None
    try:
        _wait_line(holder, "up", "the browser's namespace")
        ns = f"/proc/{holder.pid}/ns/net"
        fwd = subprocess.Popen([sys.executable, "-m", "fsnb.lab.nsforward", "--reverse", "--netns", ns,
                                *map(str, ports)], stdout=subprocess.PIPE, text=True, cwd=REPO)
        _wait_line(fwd, "forwarding", "the relay into the browser's namespace")
        yield ns
    finally:
        for p in (fwd, holder):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait(5)


def _launcher(ns: str | None, tmp: Path) -> str:
    """Chromium itself, or a wrapper that starts it inside the namespace (Playwright drives it over a pipe)."""
    if ns is None:
        return CHROMIUM
    w = tmp / "chromium-in-netns"
    w.write_text(f'#!/bin/sh\nexec nsenter --net={ns} -- {CHROMIUM} "$@"\n')
    w.chmod(0o700)
    return str(w)


@dataclass
class CallTarget:
    """What the browser is given: the public URL and how this machine reaches it, the SIP account, TURN."""
    ws_url: str
    connect: tuple[str, int]          # where the public URL's host:port really is (the edge stand-in)
    user: str
    password: str
    domain: str
    callee: str
    client: str                        # host | lan | internet
    turn: str = ""                     # turn:127.0.0.1:PORT
    turn_user: str = ""
    turn_password: str = ""


def place_call(t: CallTarget, *, listen_ms: int = 3000, answer_ms: int = 8000) -> Seen:
    from playwright.sync_api import sync_playwright
    js = bundle()
    u = urlsplit(t.ws_url)
    public = f"{u.hostname}:{u.port or 443}"
    ports = [t.connect[1]]
    ice = []
    if t.turn:
        turn_port = int(t.turn.rsplit(":", 1)[1])
        ports.append(turn_port)
        # over TCP: from the browser's namespace only the relayed TCP ports lead anywhere (as through a tunnel)
        ice = [{"urls": f"turn:127.0.0.1:{turn_port}?transport=tcp", "username": t.turn_user,
                "credential": t.turn_password}]
    rules = f"--host-resolver-rules=MAP {public} 127.0.0.1:{t.connect[1]}, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
    with contextlib.ExitStack() as stack:
        ns = None if t.client == "host" else stack.enter_context(elsewhere(ports))
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fsnb-judge-")))
        pw = stack.enter_context(sync_playwright())
        b = pw.chromium.launch(executable_path=_launcher(ns, tmp), args=[*FLAGS, rules], headless=True)
        stack.callback(b.close)
        page = b.new_context(ignore_https_errors=True).new_page()
        files = {f"{ORIGIN}/judge.html": PAGE, f"{ORIGIN}/jssip.bundle.js": js}
        page.route(f"{ORIGIN}/**", lambda r: r.fulfill(path=str(files[r.request.url])) if r.request.url in files
                   else r.abort())
        cfg = {"ws": t.ws_url, "uri": f"sip:{t.user}@{t.domain}", "password": t.password,
               "callee": f"sip:{t.callee}@{t.domain}", "ice_servers": ice, "register_ms": 5000,
               "answer_ms": answer_ms, "listen_ms": listen_ms}
        first = ""
        for attempt in (1, 2):
            page.goto(f"{ORIGIN}/judge.html")
            seen = Seen(**page.evaluate("cfg => placeCall(cfg)", cfg), attempts=attempt, first_try=first)
            first = f"{seen.stage}: {seen.events}"
            # a user whose call gets no answer at all dials again, once (the real FreeSWITCH now and then leaves
            # an INVITE unanswered right after other calls; a FreeSWITCH that never answers fails both)
            if seen.stage != "no-answer":
                break
    return seen
