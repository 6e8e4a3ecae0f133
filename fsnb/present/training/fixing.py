"""Fixing a case in the lab: what the trainee does (the exact file to edit, the command to run — in a terminal or
in the notebook), how fsnb grades it (a re-run of every check: is the case's cause gone, and nothing else broken?),
and fsnb's own fix as the fallback.
"""
from __future__ import annotations

import os
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from fsnb.fix import actions
from fsnb.i18n import T
from fsnb.lab import manager


@dataclass
class Task:
    """One step of the trainee's fix: what to do, and the exact path or command (None: none)."""
    text: T
    code: str | None = None


def fs_cli(target, offset: int, command: str) -> str:
    """The terminal command that sends `command` to the lab's FreeSWITCH (its password read from the lab's secrets
    file, never shown)."""
    pw = manager.lab_dir(offset) / "secrets" / "esl_password"
    return (f"{shlex.quote(sys.executable)} -m fsnb.lab.fs_cli -P {target.freeswitch.esl_port} "
            f"-p \"$(cat {shlex.quote(str(pw))})\" -x {shlex.quote(command)}")


def mark_training_lab(offset: int) -> None:
    """The lab at `offset` is a training's (the next round may restart it)."""
    d = manager.lab_dir(offset) / "training"
    d.mkdir(parents=True, exist_ok=True)
    (d / "round").write_text("training\n")


def is_training_lab(offset: int) -> bool:
    return (manager.lab_dir(offset) / "training" / "round").is_file()


def delivery_dir(offset: int) -> Path:
    """Where the lab's 'CA' delivered a fresh key, certificate and chain (the training's certbot live dir)."""
    return manager.lab_dir(offset) / "training" / "delivery"


def deliver_certificate(target, offset: int) -> Path:
    """Issue a fresh certificate for FreeSWITCH as a CA would deliver it (privkey.pem, cert.pem, chain.pem); the lab's
    clients trust its CA, as they would a real one."""
    from fsnb.lab import pki
    d = delivery_dir(offset)
    if (d / "cert.pem").is_file():
        return d
    d.mkdir(parents=True, exist_ok=True)
    ca = pki.CA("fsnb training CA")
    leaf = ca.issue(["localhost", "127.0.0.1", "127.0.0.2", manager.HOSTNAME])
    (d / "privkey.pem").write_bytes(leaf.key_pem)
    os.chmod(d / "privkey.pem", 0o600)
    (d / "cert.pem").write_bytes(leaf.cert_pem)
    (d / "chain.pem").write_bytes(ca.cert_pem)
    if target.tunnel.ca_file:
        with open(target.tunnel.ca_file, "ab") as fh:
            fh.write(ca.cert_pem)
    return d


CERT_CAUSES = ("wss-pem-bad", "wss-cert-expired", "wss-cert-not-yet-valid", "nginx-upstream-cert-rejected")


def tasks(cause: str, target, offset: int, profile_running: bool = True) -> list[Task]:
    """The trainee's fix of `cause` in this lab, step by step, with the lab's exact paths and commands."""
    fs = target.freeswitch
    lab = manager.lab_dir(offset)
    conf = Path(fs.conf_dir)
    internal = conf / "sip_profiles" / "internal.xml"
    esl_conf = conf / "autoload_configs" / "event_socket.conf.xml"
    pem = Path(fs.certs_dir) / "wss.pem"
    nginx_conf = lab / "nginx/sites/freeswitch.conf"
    reload = f"{manager._nginx_bin()} -p {lab / 'nginx'} -c {lab / 'nginx/nginx.conf'} -s reload"
    again = fs_cli(target, offset, f"sofia profile {fs.profile} {'restart' if profile_running else 'start'}")
    start = fs_cli(target, offset, f"sofia profile {fs.profile} start")
    restart = fs_cli(target, offset, f"sofia profile {fs.profile} restart")
    wait = T("(Ein Neustart geht erst 10 s nach dem letzten Start; „Please wait“ heißt: gleich noch einmal.)",
             "(A restart works only 10 s after the last start; “Please wait” means: once more in a moment.)")
    edit = lambda de, en, path: Task(T(de, en), str(path))
    if cause == "profile-not-running":
        return [Task(T("Das Profil starten (Notebook: Befehl unten; Terminal:)", "Start the profile (notebook: the "
                       "command below; terminal:)"), start)]
    if cause == "wss-binding-not-applied":
        return [edit("In dieser Datei die Zeile mit wss-binding aktiv machen (die Kommentarzeichen <!-- --> um "
                     "<param name=\"wss-binding\" …/> entfernen; steht sie schon aktiv da, nichts ändern):",
                     "In this file make the wss-binding line active (remove the comment marks <!-- --> around "
                     "<param name=\"wss-binding\" …/>; if it is active already, change nothing):", internal),
                Task(T("Dann das Profil neu starten — reloadxml/rescan binden nicht neu:",
                       "Then restart the profile — reloadxml/rescan do not rebind:"), restart), Task(wait)]
    if cause == "bind-failed":
        return [Task(T("Wer hält den WSS-Port? (Spalte users: Programm und pid)", "Who holds the WSS port? (column "
                       "users: program and pid)"), f"ss -ltnp 'sport = :{fs.wss_port}'"),
                Task(T("Dieses fremde Programm beenden (die pid aus der Zeile davor):",
                       "Stop that foreign program (the pid from the line before):"), "kill <pid>"),
                Task(T("Dann das Profil starten:", "Then start the profile:"), start)]
    if cause in CERT_CAUSES:
        d = delivery_dir(offset)
        out = [Task(T("Die CA hat Schlüssel, Zertifikat und Kette geliefert in:", "The CA delivered key, certificate "
                      "and chain to:"), str(d)),
               Task(T("wss.pem daraus neu bauen — Schlüssel, Zertifikat, Kette, genau in dieser Reihenfolge:",
                      "Rebuild wss.pem from them — key, certificate, chain, in exactly this order:"),
                    f"cat {d}/privkey.pem {d}/cert.pem {d}/chain.pem > {pem} && chmod 600 {pem}"),
               Task(T("FreeSWITCH liest wss.pem nur beim Profilstart:", "FreeSWITCH reads wss.pem only at profile "
                      "start:"), again), Task(wait)]
        if cause == "nginx-upstream-cert-rejected":
            ca = target.tunnel.ca_file or "<ca.pem>"
            out += [edit(f"nginx prüft gegen die CA, die wss.pem ausgestellt hat, und einen Namen aus dessen SAN: in "
                         f"nginx' Konfiguration `proxy_ssl_trusted_certificate {ca};` und `proxy_ssl_name localhost;` "
                         f"(proxy_ssl_verify bleibt an) — oder, für ein internes wss.pem, `proxy_ssl_verify off;`:",
                         f"nginx verifies against the CA that issued wss.pem and a name of its SAN: in nginx's config "
                         f"`proxy_ssl_trusted_certificate {ca};` and `proxy_ssl_name localhost;` (proxy_ssl_verify "
                         f"stays on) — or, for an internal wss.pem, `proxy_ssl_verify off;`:", nginx_conf),
                    Task(T("nginx neu laden:", "Reload nginx:"), reload)]
        return out
    if cause == "wss-cert-shadowed":
        return [Task(T("Das alte Paar neben wss.pem entfernen:", "Remove the old pair beside wss.pem:"),
                     f"rm {Path(fs.certs_dir) / 'wss.crt'} {Path(fs.certs_dir) / 'wss.key'}"),
                Task(T("Dann das Profil neu starten:", "Then restart the profile:"), restart), Task(wait)]
    if cause == "bound-elsewhere":
        return [edit("In dieser Datei ws-binding und wss-binding auf die Adresse legen, die nginx anspricht "
                     "(127.0.0.1 statt 127.0.0.2, oder nur `:port` = sip-ip):",
                     "In this file put ws-binding and wss-binding on the address nginx targets (127.0.0.1 instead of "
                     "127.0.0.2, or just `:port` = sip-ip):", internal),
                Task(T("Dann das Profil neu starten:", "Then restart the profile:"), restart), Task(wait)]
    if cause == "ws-wss-port-shared":
        return [edit(f"In dieser Datei wss-binding auf den eigenen Port legen: `:{fs.wss_port}`",
                     f"In this file give wss-binding its own port: `:{fs.wss_port}`", internal),
                edit(f"In nginx' Konfiguration an `https://127.0.0.1:{fs.wss_port}` weiterleiten:",
                     f"In nginx's config proxy to `https://127.0.0.1:{fs.wss_port}`:", nginx_conf),
                Task(T("Profil neu starten, nginx neu laden:", "Restart the profile, reload nginx:"),
                     f"{restart}; {reload}"), Task(wait)]
    if cause in ("nginx-scheme-mismatch", "nginx-upstream-down", "via-transport-mismatch", "nginx-websocket-config"):
        what = {
            "nginx-scheme-mismatch": T(f"proxy_pass passend zum Port: `https://127.0.0.1:{fs.wss_port}` (TLS) — oder "
                                       f"`http://127.0.0.1:{fs.ws_port}` (Klartext)",
                                       f"proxy_pass matching the port: `https://127.0.0.1:{fs.wss_port}` (TLS) — or "
                                       f"`http://127.0.0.1:{fs.ws_port}` (plain)"),
            "nginx-upstream-down": T(f"proxy_pass auf den Port, auf dem FreeSWITCH WSS bindet: "
                                     f"`https://127.0.0.1:{fs.wss_port}`", f"proxy_pass to the port FreeSWITCH binds "
                                     f"WSS on: `https://127.0.0.1:{fs.wss_port}`"),
            "via-transport-mismatch": T(f"an wss weiterleiten: `proxy_pass https://127.0.0.1:{fs.wss_port};` (mit "
                                        f"`proxy_ssl_verify off;`)", f"proxy to wss: `proxy_pass "
                                        f"https://127.0.0.1:{fs.wss_port};` (with `proxy_ssl_verify off;`)"),
            "nginx-websocket-config": T("im location-Block ergänzen: `proxy_http_version 1.1; proxy_set_header Upgrade "
                                        "$http_upgrade; proxy_set_header Connection \"upgrade\"; proxy_read_timeout "
                                        "3600s;`", "add to the location block: `proxy_http_version 1.1; "
                                        "proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "
                                        "\"upgrade\"; proxy_read_timeout 3600s;`"),
        }[cause]
        return [Task(T("In nginx' Konfiguration — ", "In nginx's config — ") + what, str(nginx_conf)),
                Task(T("nginx neu laden:", "Reload nginx:"), reload)]
    if cause in ("tunnel-origin-unreachable", "tunnel-config-invalid", "tunnel-origin-tls"):
        port = target.nginx.address.rsplit(':', 1)[-1]
        what = {
            "tunnel-origin-unreachable": T(
                f"die Regel für den öffentlichen Hostnamen auf nginx zeigen lassen: `service: http://localhost:{port}`, "
                "ohne `path:`, der die URL verfehlt, vor jeder Regel, die alles trifft",
                f"make the rule for the public hostname point at nginx: `service: http://localhost:{port}`, without a "
                "`path:` that misses the URL, before any rule that matches everything"),
            "tunnel-config-invalid": T(
                "die Regel ohne Hostnamen (`- service: http_status:404`) als letzte und nur als letzte Regel; prüfen mit "
                "`cloudflared tunnel --config config.yml ingress validate`",
                "the rule without a hostname (`- service: http_status:404`) last, and only last; check with "
                "`cloudflared tunnel --config config.yml ingress validate`"),
            "tunnel-origin-tls": T(
                f"nginx spricht dort Klartext: `service: http://localhost:{port}` statt https://",
                f"nginx speaks plain HTTP there: `service: http://localhost:{port}` instead of https://"),
        }[cause]
        return [Task(T("In der Tunnel-Konfiguration ", "In the tunnel config ") + what, str(target.tunnel.config)),
                Task(T("cloudflared neu starten (im Lab folgt der Stand-in der Datei, sobald du „Meine Behebung prüfen“ "
                       "drückst).", "Restart cloudflared (in the lab the stand-in follows the file as soon as you press "
                       "“Check my fix”)."))]
    restart_fs = Task(T("Das Log seit dem Start hält die „Socket Error“-Zeilen fest: FreeSWITCH neu starten "
                        "(`systemctl restart freeswitch`; hier: der Knopf „FreeSWITCH neu starten“), dann ist auch das "
                        "Log sauber.", "The log since the start keeps the “Socket Error” lines: restart FreeSWITCH "
                        "(`systemctl restart freeswitch`; here: the button “Restart FreeSWITCH”), then the log is clean "
                        "too."))
    if cause == "esl-not-listening":
        return [edit("In dieser Datei listen-ip auf eine lokale Adresse setzen: `127.0.0.1` "
                     "(mod_event_socket versucht es im Lab laufend neu; sonst `reload mod_event_socket` an der Konsole):",
                     "In this file set listen-ip to a local address: `127.0.0.1` (in the lab mod_event_socket "
                     "retries all the time; else `reload mod_event_socket` at the console):", esl_conf), restart_fs]
    if cause == "esl-acl-rejects":
        return [edit("In dieser Datei apply-inbound-acl auf eine Liste setzen, die 127.0.0.1 erlaubt: `loopback.auto`:",
                     "In this file set apply-inbound-acl to a list allowing 127.0.0.1: `loopback.auto`:", esl_conf),
                Task(T("ESL weist dich ab, also kein `reload mod_event_socket` über ESL: FreeSWITCH neu starten "
                       "(`systemctl restart freeswitch`; hier: der Knopf „FreeSWITCH neu starten“).",
                       "ESL rejects you, so no `reload mod_event_socket` over ESL: restart FreeSWITCH (`systemctl "
                       "restart freeswitch`; here: the button “Restart FreeSWITCH”)."))]
    if cause in ("esl-bad-password", "sip-register-rejected"):
        key, name = ("esl_password", "esl_password") if cause == "esl-bad-password" else ("password", "sip_password")
        return [edit(f"Die Zieldatei des Operators nennt die falsche Passwortquelle: dort `{key} = \"file:…\"` auf "
                     f"`file:{lab / 'secrets' / name}` setzen (die Datei, die auch FreeSWITCH nutzt):",
                     f"The operator's target file names the wrong password source: set `{key} = \"file:…\"` there to "
                     f"`file:{lab / 'secrets' / name}` (the file FreeSWITCH uses too):", target_path(offset))]
    if cause in ("esl-no-answer", "esl-port-not-esl"):
        return [Task(T("Wer hält den ESL-Port?", "Who holds the ESL port?"), f"ss -ltnp 'sport = :{fs.esl_port}'"),
                Task(T("Dieses Programm beenden (mod_event_socket bindet im Lab dann von selbst neu; sonst "
                       "`reload mod_event_socket`):", "Stop that program (in the lab mod_event_socket then binds by "
                       "itself; else `reload mod_event_socket`):"), "kill <pid>"), restart_fs]
    from fsnb.diagnosis.catalogue import CAUSES
    c = CAUSES.get(cause)
    return [Task(T(c.fix_de, c.fix_en))] if c else []


def target_path(offset: int) -> Path:
    return manager.lab_dir(offset) / "target.toml"


# -- grading ------------------------------------------------------------------------------------------------------
def settle(target, timeout: float = 6.0) -> bool:
    """Give a profile start/restart a moment (FreeSWITCH answers the command before its listeners are up): wait
    until the WSS port accepts a connection, at most `timeout` s. True when it does."""
    import socket
    import time
    time.sleep(0.5)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection((target.freeswitch.host or "127.0.0.1", target.freeswitch.wss_port), 0.3).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


@dataclass
class Grade:
    fixed: bool
    remaining: list          # the findings still there (the case's cause first, if it is)
    failed: list[str]        # the checks that still fail


def grade(cause: str, findings: list, results: list) -> Grade:
    """Fixed: the case's cause is no longer named and nothing fails (a warning case: its warning is gone)."""
    failed = [r.id for r in results if r.status.failed]
    still = [f for f in findings if f.cause == cause or f.severity == "fail"]
    still.sort(key=lambda f: f.cause != cause)
    return Grade(not still and not failed, still, failed)


# -- fsnb's own fix (the fallback) ------------------------------------------------------------------------------------
def fsnb_fix(tr) -> list[str]:
    """fsnb fixes the case in the lab itself, as an operator would; returns what it did. Causes without a fix of
    its own here: the lab is rebuilt healthy (said so)."""
    cause, t, L = tr.scenario.cause, tr.rb.target, tr.lang
    fs = t.freeswitch
    done: list[str] = []
    if cause == "wss-pem-bad" or cause in ("wss-cert-expired", "wss-cert-not-yet-valid"):
        d = deliver_certificate(t, tr.offset)
        pem = Path(fs.certs_dir) / "wss.pem"
        pem.write_bytes(b"".join((d / n).read_bytes() for n in ("privkey.pem", "cert.pem", "chain.pem")))
        os.chmod(pem, 0o600)
        done.append(T("wss.pem neu gebaut: Schlüssel + Zertifikat + Kette → {p}",
                      "wss.pem rebuilt: key + certificate + chain → {p}").format(p=str(pem))(L))
    elif cause == "bind-failed":
        for name in manager.stop_blockers(tr.offset):
            done.append(T("Das fremde Programm auf dem Port beendet ({n})",
                          "Stopped the foreign program on the port ({n})").format(n=name)(L))
    elif cause == "wss-binding-not-applied":
        xml = Path(fs.conf_dir) / "sip_profiles/internal.xml"
        if xml.is_file() and re.search(r'<!--\s*<param name="wss-binding"', xml.read_text()):
            if tr.real:
                from fsnb.lab import realconf
                realconf.uncomment_wss(Path(fs.conf_dir))
            else:
                from fsnb.lab import layout
                layout.uncomment_wss(manager.lab_dir(tr.offset) / "fs")
        done.append(T("internal.xml: wss-binding aktiv", "internal.xml: wss-binding active")(L))
    elif cause != "profile-not-running":
        manager.down(tr.offset)
        healthy = manager.up("healthy", offset=tr.offset, real=tr.real)
        mark_training_lab(tr.offset)
        tr.lab = healthy
        tr.rb.retarget(healthy.target, str(tr.rb.journal.path))
        return [T("Für diesen Fall hat fsnb im Lab keine eigene Behebung: das Lab wurde gesund neu aufgebaut "
                  "(neue Passwörter, gleiche Ports).", "fsnb has no fix of its own for this case in the lab: the lab "
                  "was rebuilt healthy (new passwords, same ports).")(L)]
    run = tr.rb.run()
    plan = actions.plan(run)
    if plan is not None:
        conf = actions.Confirmation.make(plan.command, "training (lab)")
        res = actions.execute(t, plan, conf, tr.rb.journal)
        if not res.ok and "Please wait" in " ".join(res.attempts):     # the restart guard: once more
            res = actions.execute(t, plan, actions.Confirmation.make(plan.command, "training (lab)"), tr.rb.journal)
        done.append(f"{plan.command} → " + (T("{p} lauscht", "{p} listens") if res.ok else
                                            T("{p} lauscht nicht", "{p} does not listen")).format(p=str(fs.wss_port))(L))
    return done
