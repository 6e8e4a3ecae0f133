"""The one change fsnb can make: start or restart the profile — only after an explicit, recorded confirmation.

While it runs, FreeSWITCH's log is captured over ESL (`log 7`); the before/after state (profile, 7443) is recorded.
"""
from __future__ import annotations

import asyncio
import datetime as _dt
import getpass
import re
import socket
import time
from dataclasses import dataclass, field

from fsnb.errors import FsnbError
from fsnb.journal import ActionRecord, ConfirmationRecord, Confirmed
from fsnb.probe import eslclient
from fsnb.probe.esl import FrameParser, command_frame
from fsnb.runner import run_async
from fsnb.target import Target


@dataclass
class Plan:
    command: str
    reason_de: str
    reason_en: str


class Confirmation(Confirmed):
    """who, when, command, how ("interactive" | "--yes" | "notebook" | ...): the journal's record of a confirmation."""

    @classmethod
    def make(cls, command: str, how: str) -> "Confirmation":
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "unknown"
        return cls(f"{user}@{socket.gethostname()}", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                   command, how)


@dataclass
class ActionResult:
    command: str
    output: str
    ok: bool
    summary: str
    before: dict
    after: dict
    log: list[str] = field(default_factory=list)
    attempts: list[str] = field(default_factory=list)
    log_at: list[float] = field(default_factory=list)   # per `log` line: seconds after the command was sent
    elapsed: float = 0.0                                  # command sent → verdict (7443 listening or given up)

    def to_dict(self) -> dict:
        from fsnb.schema import to_json
        return to_json(self)


def plan(run) -> Plan | None:
    """What the runbook would do about the profile: the fix of the leading cause, when fsnb can apply it
    (None: nothing fsnb can do that would help — e.g. a start is pointless while wss.pem is bad or a port
    is taken; the finding's fix says what to do first)."""
    by = {r.id: r for r in run.results}
    prof = by.get("schritt2.profil")
    name = run.target.freeswitch.profile
    fails = [f.cause for f in run.findings if f.severity == "fail"]
    if not prof or prof.status.value == "skip" or not fails:
        return None
    lead = fails[0]
    if lead == "profile-not-running":
        return Plan(f"sofia profile {name} start", "Profil läuft nicht: starten.", "Profile not running: start it.")
    if lead == "wss-binding-not-applied" and by.get("wissen.binding") and by["wissen.binding"].status.value == "pass":
        return Plan(f"sofia profile {name} restart", "wss-binding steht in der Konfiguration, ist aber nicht gebunden: "
                    "Profil neu starten (reloadxml/rescan reichen nicht).",
                    "wss-binding is configured but not bound: restart the profile (reloadxml/rescan are not enough).")
    running = bool(prof.observed.get("running"))
    verb = "restart" if running else "start"
    cert = by.get("wissen.zertifikat")
    if lead == "wss-pem-bad" and cert and cert.status.value == "pass":
        # the log still says 'Bad WSS.PEM' (it was true at the last start), but wss.pem is fine now
        return Plan(f"sofia profile {name} {verb}",
                    "wss.pem ist jetzt in Ordnung (Prüfung Zertifikat: OK); FreeSWITCH liest es nur beim Profilstart.",
                    "wss.pem is fine now (certificate check: OK); FreeSWITCH reads it only when the profile starts.")
    ports = by.get("schritt3.ports")
    wss = ((ports.observed.get("wss") if ports else None) or {})
    if lead == "bind-failed" and ports and not wss.get("listening_on") and wss.get("from_here") == "refused":
        # the log still has the bind error of the last start, but nothing holds the port any more
        return Plan(f"sofia profile {name} {verb}",
                    "Der Port ist jetzt frei (nichts lauscht mehr darauf); das Profil bindet erst beim Start.",
                    "The port is free now (nothing listens on it); the profile binds only when it starts.")
    return None


def _state(run) -> dict:
    by = {r.id: r for r in run.results}
    p = by.get("schritt2.profil")
    ports = by.get("schritt3.ports")
    wss = (ports.observed.get("wss") if ports else None) or {}
    return {"profile_running": p.observed.get("running") if p else None,
            "wss_bind_url": p.observed.get("wss_bind_url") if p else None,
            "wss_listening_on": wss.get("listening_on"), "wss_from_here": wss.get("from_here"),
            "checks": {r.id: r.status.value for r in run.results}}


# a peer flooding log frames filled 4 GB in 28 s: what is kept is bounded (the reading stays bounded by `seconds`)
MAX_LOG_LINES, MAX_LOG_LINE = 5000, 4096


async def _capture_log(host: str, port: int, password: str, seconds: float, lines: list[str],
                       stop: asyncio.Event | None = None, times: list[float] | None = None) -> None:
    """ESL `log 7` on its own connection, for at most `seconds` or until `stop` is set."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
    except (OSError, asyncio.TimeoutError):
        return
    parser = FrameParser()
    end = time.monotonic() + seconds
    try:
        writer.write(command_frame("auth", password) + command_frame("log", "7"))
        while time.monotonic() < end and not (stop and stop.is_set()):
            try:
                data = await asyncio.wait_for(reader.read(65536), min(0.2, max(0.01, end - time.monotonic())))
            except asyncio.TimeoutError:
                continue
            if not data:
                break
            for f in parser.feed(data):
                if f.content_type == "log/data" and len(lines) < MAX_LOG_LINES:
                    lines.append(f.text.rstrip("\n")[:MAX_LOG_LINE])
                    if times is not None:
                        times.append(time.monotonic())
    except (OSError, FsnbError):
        pass
    finally:
        writer.close()


async def execute_async(target: Target, p: Plan, confirmation: Confirmation, journal=None, settle: float = 4.0) -> ActionResult:
    if confirmation.command != p.command:
        raise FsnbError("the confirmation is for another command; nothing was changed")
    before = await run_async(target, only=["schritt1", "schritt2", "schritt3"])
    if journal:
        journal.write(ConfirmationRecord(confirmation.who, confirmation.when, confirmation.command, confirmation.how))
    fs = target.freeswitch
    password = fs.esl_password.reveal()
    log_lines: list[str] = []
    log_times: list[float] = []
    stop = asyncio.Event()
    cap = asyncio.ensure_future(_capture_log(fs.host, fs.esl_port, password, settle + 1.0, log_lines, stop, log_times))
    await asyncio.sleep(0.1)
    esl = eslclient.GuardedESL(fs.host, fs.esl_port, password)
    attempts, output = [], ""
    t_cmd = time.monotonic()
    try:
        for _ in range(3):
            output = await esl.api(p.command, target.timeouts.check)
            attempts.append(output.strip())
            # FreeSWITCH's guard says at most 10; a peer's 5,000-digit number is no guard (int() would refuse it)
            m = re.search(r"Please wait ([0-9]{1,4}) seconds", output)
            if not m:
                break
            # the restart guard (must be up 10 s): wait as FreeSWITCH asks, bounded
            await asyncio.sleep(min(int(m.group(1)) + 0.5, 11))
    except FsnbError as exc:
        output = f"ERROR: {exc}"
    finally:
        esl.close()
    # FreeSWITCH answers before the listeners exist: poll for the result instead of trusting the reply
    deadline = time.monotonic() + settle
    after = None
    while time.monotonic() < deadline:
        await asyncio.sleep(0.3)
        after = await run_async(target, only=["schritt2", "schritt3"])
        st = _state(after)
        if st["wss_from_here"] == "open" and st["profile_running"]:
            break
    await asyncio.sleep(0.3)   # the last log lines of the start arrive right after the listeners
    stop.set()
    await cap
    elapsed = time.monotonic() - t_cmd
    st_after = _state(after) if after else {}
    ok = bool(st_after.get("profile_running")) and st_after.get("wss_from_here") == "open"
    keep = [i for i, l in enumerate(log_lines) if re.search(r"\[(ERR|CRIT|ALERT|WARNING|NOTICE)\]|internal|tport|wss", l)][-60:]
    summary = ("7443 lauscht jetzt (Profil läuft)." if ok else
               "Nach dem Befehl lauscht 7443 nicht — siehe die [ERR]-Zeilen des Logs.")
    res = ActionResult(p.command, output, ok, summary, _state(before), st_after, [log_lines[i] for i in keep], attempts,
                       [round(log_times[i] - t_cmd, 2) if i < len(log_times) else 0.0 for i in keep], round(elapsed, 2))
    if journal:
        journal.write(ActionRecord(**res.to_dict(), confirmation=confirmation))
    return res


def execute(target: Target, p: Plan, confirmation: Confirmation, journal=None) -> ActionResult:
    from fsnb.runner import run_sync
    return run_sync(execute_async(target, p, confirmation, journal))
