"""Text of FreeSWITCH 1.11 command outputs, as recorded in shared/fixtures/freeswitch.

The lab's simulator renders every API answer through these functions; the tests compare
them with the recorded transcripts byte for byte (only uptime/cpu may differ).
"""
from __future__ import annotations

import time

VERSION_SHORT = "1.11.3-dev git cc93a68 2026-08-21 14:10:14Z 64bit"
VERSION_LONG = "1.11.3-dev+git~20260821T141014Z~cc93a683ca~64bit"
USER_AGENT = f"FreeSWITCH-mod_sofia/{VERSION_LONG}"
RULE = "=" * 97
DISCONNECT_NOTICE = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n"
ALLOW = "INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, INFO, UPDATE, REGISTER, REFER, NOTIFY, PUBLISH, SUBSCRIBE"
ALLOW_EVENTS = ("talk, hold, conference, presence, as-feature-event, dialog, line-seize, call-info, sla, "
                "include-session-description, presence.winfo, message-summary, refer")


def status(started: float, idle_cpu: float = 99.27) -> str:
    us = int((time.time() - started) * 1_000_000)
    secs, micro = divmod(us, 1_000_000)
    mins, s = divmod(secs, 60)
    hours, m = divmod(mins, 60)
    days, h = divmod(hours, 24)
    years, d = divmod(days, 365)
    ms, micro = divmod(micro, 1000)
    return (f"UP {years} years, {d} days, {h} hours, {m} minutes, {s} seconds, {ms} milliseconds, {micro} microseconds\n"
            f"FreeSWITCH (Version {VERSION_SHORT}) is ready\n"
            "0 session(s) since startup\n"
            "0 session(s) - peak 0, last 5min 0 \n"
            "0 session(s) per Sec out of max 30, peak 0, last 5min 0 \n"
            "1000 session(s) max\n"
            f"min idle cpu 0.00/{idle_cpu:.2f}\n"
            "Current Stack Size/Max 240K/8192K\n")


def version() -> str:
    return f"FreeSWITCH Version {VERSION_LONG} (git cc93a68 2026-08-21 14:10:14Z 64bit)\n"


def sofia_status(rows: list[tuple[str, str, str, str]], profiles: int, aliases: int) -> str:
    """rows: (name, type, data, state) in FreeSWITCH's (hash) order."""
    out = [f"{'Name':>25}\t{'Type':>7}\t{'Data':>42}\tState", RULE]
    out += [f"{n:>25}\t{t:>7}\t{d:>42}\t{s}" for n, t, d, s in rows]
    out += [RULE, f"{profiles} profiles {aliases} alias" + ("" if aliases == 1 else "es")]
    return "\n".join(out) + "\n"


def sofia_xmlstatus(items: list[tuple[str, str, str, str, str]]) -> str:
    """items: (tag, name, type, data, state); a gateway is followed by a blank line as in FreeSWITCH."""
    out = ['<?xml version="1.0" encoding="ISO-8859-1"?>', "<profiles>"]
    for tag, name, typ, data, state in items:
        out += [f"<{tag}>", f"<name>{name}</name>", f"<type>{typ}</type>", f"<data>{data}</data>",
                f"<state>{state}</state>", f"</{tag}>"]
        if tag == "gateway":
            out.append("")
    out.append("</profiles>")
    return "\n".join(out) + "\n"


def profile_status(p: dict[str, str]) -> str:
    """`sofia status profile <name>`; `p` holds the values, WS/WSS lines only when bound/configured."""
    lines = [
        ("Name             ", p["name"]),
        ("Domain Name      ", "N/A"),
        ("Auto-NAT         ", "false"),
        ("DBName           ", f"sofia_reg_{p['name']}"),
        ("Pres Hosts       ", p["presence_hosts"]),
        ("Dialplan         ", p["dialplan"]),
        ("Context          ", p["context"]),
        ("Challenge Realm  ", p["challenge_realm"]),
        ("RTP-IP           ", p["rtp_ip"]),
        ("Ext-RTP-IP       ", p["ext_rtp_ip"]),
        ("SIP-IP           ", p["sip_ip"]),
        ("Ext-SIP-IP       ", p["ext_sip_ip"]),
        ("URL              ", p["url"]),
        ("BIND-URL         ", p["bind_url"]),
    ]
    if p.get("ws_bind_url"):
        lines.append(("WS-BIND-URL     ", p["ws_bind_url"]))
    if p.get("wss_bind_url"):
        lines.append(("WSS-BIND-URL     ", p["wss_bind_url"]))
    lines += [
        ("HOLD-MUSIC       ", p["hold_music"]),
        ("OUTBOUND-PROXY   ", "N/A"),
        ("CODECS IN        ", p["codecs_in"]),
        ("CODECS OUT       ", p["codecs_out"]),
        ("TEL-EVENT        ", p["tel_event"]),
        ("DTMF-MODE        ", "rfc2833"),
        ("CNG              ", "13"),
        ("SESSION-TO       ", "0"),
        ("MAX-DIALOG       ", "0"),
        ("MAX-RECV-RPS     ", "1000"),
        ("NOMEDIA          ", "false"),
        ("LATE-NEG         ", "true"),
        ("PROXY-MEDIA      ", "false"),
        ("AGGRESSIVENAT    ", "false"),
        ("CALLS-IN         ", "0"),
        ("FAILED-CALLS-IN  ", "0"),
        ("CALLS-OUT        ", "0"),
        ("FAILED-CALLS-OUT ", "0"),
        ("REGISTRATIONS    ", str(p.get("registrations", 0))),
    ]
    return RULE + "\n" + "".join(f"{k}\t{v}\n" for k, v in lines)


def registrations(regs: list[dict[str, str]]) -> str:
    out = "\nRegistrations:\n" + RULE + "\n"
    for r in regs:
        out += "".join(f"{k}\t{v}\n" for k, v in [
            ("Call-ID:    ", r["call_id"]), ("User:       ", r["user"]), ("Contact:    ", r["contact"]),
            ("Agent:      ", r["agent"]), ("Status:     ", r["status"]), ("Ping-Status:", "Reachable"),
            ("Ping-Time:", "0.00"), ("Host:       ", r["host"]), ("IP:         ", r["ip"]),
            ("Port:       ", r["port"]), ("Auth-User:  ", r["auth_user"]), ("Auth-Realm: ", r["realm"]),
            ("MWI-Account:", r["mwi"]),
        ]) + "\n"
    return out + f"Total items returned: {len(regs)}\n" + RULE + "\n"


INVALID_PROFILE = "Invalid Profile!\n"
RELOAD_XML = "Reload XML [Success]\n"


def restart_guard(name: str, wait: int) -> str:
    return f"Profile {name} must be up for at least 10 seconds to stop/restart.\nPlease wait {wait} seconds\n"


def command_not_found(cmd: str) -> str:
    return f"-ERR {cmd} Command not found!\n"


def loglevel(component: str, level: int) -> str:
    return f"Sofia log level for component [{component}] has been set to [{level}]"


# fs_cli (libs/esl/fs_cli.c) messages
FS_CLI_ERROR = "[ERROR] fs_cli.c:1699 main() Error Connecting []\n"
FS_CLI_RETRY = "[INFO] fs_cli.c:1705 main() Retrying\n"
