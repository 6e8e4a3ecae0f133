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
import hashlib
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
HEARD = 0.01           # totalAudioEnergy of the played audio over the call: the beeps echoed ~0.1/s, silence 0


def loopback_shim() -> Path:
    """tests/webrtc/loopback_bind.c built once (gcc) into the cache: preloaded into the browser on this host, it
    refuses bind() to any address but the loopback, so Chromium gathers no candidate on this machine's other
    addresses — FreeSWITCH would otherwise check and answer them (they stay on the machine, but off the loopback)."""
    src = REPO / "tests/webrtc/loopback_bind.c"
    key = hashlib.sha256(src.read_bytes()).hexdigest()[:12]
    out = Path(os.environ.get("FSNB_CACHE", Path.home() / ".cache/fsnb")) / f"loopback-bind-{key}.so"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(f".{os.getpid()}.tmp")
        subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-o", str(tmp), str(src), "-ldl"], check=True, timeout=60)
        tmp.replace(out)
    return out


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
    frames: list[str] = field(default_factory=list)   # the WebSocket's SIP messages, first lines (Playwright's record)
    console: list[str] = field(default_factory=list)  # the page's console (JsSIP's debug log with debug=True)

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
    def energy(self) -> float:
        """getStats()' totalAudioEnergy of what the browser played: the echoed beeps give ~0.1 a second, silence 0."""
        return sum(s.get("totalAudioEnergy", 0.0) for s in self.of("inbound-rtp"))

    @property
    def heard(self) -> bool:
        return self.energy >= HEARD

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
                f"energy={self.energy:.3f} peak={max(self.levels, default=0)} relayed={self.relayed} addresses={sorted(self.addresses)} "
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
    w = tmp / "chromium-judge"
    if ns is None:
        w.write_text(f'#!/bin/sh\nexec env LD_PRELOAD={loopback_shim()} {CHROMIUM} "$@"\n')
    else:
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


class Judge:
    """The browsers of a test module, started once each: one per place (this host, or a namespace of its own) and
    public URL; every call gets a fresh browser context. `close()` stops them (and the namespace's processes)."""

    def __init__(self):
        self._stack = contextlib.ExitStack()
        self._pw = None
        self._browsers: dict[tuple, object] = {}
        self._js = bundle()

    def close(self) -> None:
        self._stack.close()

    def _browser(self, t: CallTarget):
        u = urlsplit(t.ws_url)
        public = f"{u.hostname}:{u.port or 443}"
        turn_port = int(t.turn.rsplit(":", 1)[1]) if t.turn else None
        key = (t.client == "host", public, t.connect[1], turn_port)
        if key not in self._browsers:
            if self._pw is None:
                from playwright.sync_api import sync_playwright
                self._pw = self._stack.enter_context(sync_playwright())
            ports = [t.connect[1]] + ([turn_port] if turn_port else [])
            ns = None if t.client == "host" else self._stack.enter_context(elsewhere(ports))
            tmp = Path(self._stack.enter_context(tempfile.TemporaryDirectory(prefix="fsnb-judge-")))
            rules = f"--host-resolver-rules=MAP {public} 127.0.0.1:{t.connect[1]}, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
            b = self._pw.chromium.launch(executable_path=_launcher(ns, tmp), args=[*FLAGS, rules], headless=True)
            self._stack.callback(b.close)
            self._browsers[key] = b
        return self._browsers[key]

    def call(self, t: CallTarget, *, listen_ms: int = 3000, answer_ms: int = 8000, debug: bool = False) -> Seen:
        """One call as a softphone page places it; dialled again once if it got no answer at all."""
        ice = []
        if t.turn:
            # over TCP: from the browser's namespace only the relayed TCP ports lead anywhere (as through a tunnel)
            ice = [{"urls": f"turn:127.0.0.1:{t.turn.rsplit(':', 1)[1]}?transport=tcp", "username": t.turn_user,
                    "credential": t.turn_password}]
        files = {f"{ORIGIN}/judge.html": PAGE, f"{ORIGIN}/jssip.bundle.js": self._js}
        cfg = {"ws": t.ws_url, "uri": f"sip:{t.user}@{t.domain}", "password": t.password,
               "callee": f"sip:{t.callee}@{t.domain}", "ice_servers": ice, "register_ms": 5000,
               "answer_ms": answer_ms, "listen_ms": listen_ms, "debug": debug}
        context = self._browser(t).new_context(ignore_https_errors=True)
        try:
            page = context.new_page()
            page.route(f"{ORIGIN}/**", lambda r: r.fulfill(path=str(files[r.request.url]))
                       if r.request.url in files else r.abort())
            frames: list[str] = []

            def watch(ws):
                for way, ev in (("->", "framesent"), ("<-", "framereceived")):
                    ws.on(ev, lambda payload, way=way: frames.append(
                        f"{way} {str(payload).splitlines()[0][:60] if payload else ''} ({len(payload or '')} B)"))
            page.on("websocket", watch)
            console: list[str] = []
            page.on("console", lambda m: console.append(m.text[:300]) if len(console) < 2000 else None)
            first = ""
            for attempt in (1, 2):
                page.goto(f"{ORIGIN}/judge.html")
                frames.clear()
                console.clear()
                seen = Seen(**page.evaluate("cfg => placeCall(cfg)", cfg), attempts=attempt, first_try=first,
                            frames=list(frames), console=list(console))
                first = f"{seen.stage}: {seen.events} {seen.frames}"
                # a user whose call gets no answer at all dials again, once (the real FreeSWITCH now and then
                # leaves an INVITE unanswered right after a fresh start; one that never answers fails both)
                if seen.stage != "no-answer":
                    break
        finally:
            context.close()
        return seen
