"""From a cause to its concrete fix, computed from the target's own files (issue #20).

`compute(finding, run, target)` → a typed FixPlan: the file edits (path, sha256 of the bytes fsnb read, the new
text, the unified diff), the reloads that make them take effect, and what only the operator can do. Nothing here
writes anything; fsnb/fix/apply.py applies a plan after a recorded confirmation, verifies it by a re-run and rolls
it back when the re-run is worse.

A plan is `applicable` only when fsnb can carry all of it out itself (edit + reload through the access it reads
with); otherwise it still shows the diff / the exact commands and says why fsnb does not apply it.

Every explanation in a plan (why a file changes, why a reload, why fsnb does not apply it, the operator's steps) is a
`T`: German and English from one declaration, rendered in the reader's language; commands and paths are the same in
both. The journal keeps the English as before, and the German beside it (FixPlanRecord).
Over 500 lines: one branch per cause with a computed fix, side by side (the text edits themselves are in edits.py).
"""
from __future__ import annotations

import difflib
import hashlib
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from fsnb.diagnosis.catalogue import CAUSES as BY_ID, Fix
from fsnb.errors import FsnbError
from fsnb.fix.edits import (FixRefused, active_param, commented, hostport, load_crypto, nginx_listen_default,
                            nginx_set_directive, pem_commands, pre_process_var, public_der, read_for_edit,
                            rebuild_pem, set_param, set_pre_process_var, tunnel_catch_all_last, tunnel_drop_path,
                            tunnel_set_service, xml_escape_bare_ampersands)
from fsnb.i18n import T, same

NOTHING = same("")
NO_PROFILE_FILE = T("fsnb weiß nicht, welche Datei das Profil enthält", "fsnb does not know which file holds the profile")
THEN_RUN = T("danach: fsnb run", "then: fsnb run")
ANOTHER_REASON = T("die Antwort 488 hat einen anderen Grund (die Log-Zeilen des Anrufs sagen, welchen)",
                   "the 488 has another reason (the call's log lines say which)")
NO_PROXY_PASS = T("keine location mit proxy_pass in {f}", "no location with proxy_pass in {f}")


# -- the plan -------------------------------------------------------------------------------------------------

@dataclass
class FileEdit:
    path: str
    before_sha256: str          # of the bytes fsnb read
    after: str | None           # the new text; None: the file is moved aside (to its backup), e.g. a shadowing wss.crt
    diff: str                   # unified diff, before → after
    why: T = NOTHING
    mode: int = 0o644           # the original's mode (the new file and the backup keep it)
    container: str = ""         # set: the file is inside this container (written through the engine)
    docker_host: str = ""


@dataclass
class Reload:
    kind: str                   # esl | nginx | cloudflared-standin | docker-restart
    command: str                # exactly what runs (an ESL api command, an argv as text, ...)
    why: T = NOTHING


@dataclass
class FixPlan:
    cause: str
    kind: str                   # catalogue Fix value
    summary_de: str
    summary_en: str
    edits: list[FileEdit] = field(default_factory=list)
    reloads: list[Reload] = field(default_factory=list)
    user_steps: list[T] = field(default_factory=list)       # what only the operator can do (exact commands)
    applicable: bool = False
    why_not: T = NOTHING
    explains: list[str] = field(default_factory=list)       # the checks the cause explains (re-run first)

    def summary(self, lang: str = "de") -> str:
        return self.summary_en if lang == "en" else self.summary_de

    def command(self) -> str:
        """What a confirmation is for: the cause and a digest of exactly these edits and reloads."""
        h = hashlib.sha256()
        for e in self.edits:
            # the new text as the bytes it becomes (a file's invalid UTF-8 is kept as surrogate escapes)
            h.update(f"{e.path}\0{e.before_sha256}\0".encode() + (e.after or "\0removed").encode("utf-8", "surrogateescape"))
        for r in self.reloads:
            h.update(f"{r.kind}\0{r.command}\0".encode())
        return f"fsnb fix {self.cause} [{h.hexdigest()[:12]}]"

    def text(self, lang: str = "de") -> str:
        """The plan as the terminal shows it: the diff as a diff, then the reloads, then the operator's part."""
        en = lang == "en"
        out = [("Fix for " if en else "Behebung für ") + f"{self.cause} ({self.kind}): {self.summary(lang)}"]
        for e in self.edits:
            if e.why:
                out.append(f"# {e.why(lang)}")
            if e.after is None:
                out.append(("  move aside (backup kept): " if en else "  beiseite legen (Sicherung bleibt): ") + e.path)
            out.append(e.diff.rstrip("\n"))
        if self.reloads:
            out.append("then:" if en else "danach:")
            out += [f"  {r.command}    # {r.why(lang)}" if r.why else f"  {r.command}" for r in self.reloads]
        if self.user_steps:
            out.append("you must:" if en else "Von Hand:")
            out += [f"  {s(lang)}" for s in self.user_steps]
        if not self.applicable:
            out.append(("fsnb does not apply this itself: " if en else "fsnb wendet das nicht selbst an: ")
                       + self.why_not(lang))
        return "\n".join(out)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pem_summary(text: str) -> str:
    """PEM blocks shown by what they are, never by their bytes: a private key never reaches a diff, the journal or
    a report; a certificate is named by its subject and fingerprint."""
    if "-----BEGIN " not in text:
        return text
    out, i, lines = [], 0, text.splitlines(keepends=True)
    while i < len(lines):
        s = lines[i].strip()
        if s.startswith("-----BEGIN ") and s.endswith("-----"):
            label = s[11:-5]
            j = i + 1
            while j < len(lines) and lines[j].strip() != f"-----END {label}-----":
                j += 1
            body = "".join(lines[i:j + 1])
            digest = hashlib.sha256(body.encode("utf-8", "surrogateescape")).hexdigest()[:16]
            what = ""
            if label == "CERTIFICATE":
                try:
                    from cryptography import x509
                    c = x509.load_pem_x509_certificate(body.encode())
                    what = f" {c.subject.rfc4514_string()} (issuer {c.issuer.rfc4514_string()})"
                except (ValueError, TypeError):
                    what = " (unparsable)"
            out.append(f"[{label}{what}, sha256 {digest}…, contents not shown]\n")
            i = j + 1
            continue
        out.append(lines[i])
        i += 1
    return "".join(out)


def unified(path: str, before: str, after: str | None) -> str:
    hide = lambda t: re.sub(r'(<param\s+name="[^"]*(?:password|passwd)[^"]*"\s+value=")[^"]*(")', r"\1(not shown)\2",
                            pem_summary(t), flags=re.I)
    before, after = hide(before), (None if after is None else hide(after))
    b = before.splitlines(keepends=True)
    a = [] if after is None else after.splitlines(keepends=True)
    diff = "".join(difflib.unified_diff(b, a, f"a{path}" if path.startswith("/") else f"a/{path}",
                                        "/dev/null" if after is None else (f"b{path}" if path.startswith("/") else f"b/{path}")))
    # a file's invalid UTF-8 (kept as surrogate escapes to be written back as it was) shown as `\xff`: a lone
    # surrogate cannot be printed, written to the journal or put into HTML — it ended `fsnb fix` with a traceback
    return diff.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def edit(path: str, new_text: str | None, why: T = NOTHING, where: tuple[str, str] | None = None) -> FileEdit | None:
    """The edit of one file to `new_text` (None: move aside); None when nothing would change."""
    data, mode = read_for_edit(path, where)
    before = data.decode("utf-8", "surrogateescape")
    if new_text is not None and new_text == before:
        return None
    diff = unified(path, before, new_text)
    if len(diff) > MAX_DIFF:
        # the operator confirms what the diff shows: a change too large to read (a 4 MiB one-line file gives 8 MB of
        # diff, on the terminal, in the journal — past its 16 MiB line cap with two such files) is not offered; a
        # file moved aside is whole anyway, its diff shown cut
        if new_text is not None:
            raise FixRefused(T(f"{path}: die Änderung ergibt {len(diff)} Zeichen Diff, mehr als sich vor dem „ja“ "
                               f"prüfen lässt (höchstens {MAX_DIFF}) — nehmen Sie sie selbst vor",
                               f"{path}: the change is {len(diff)} characters of diff, more than can be reviewed before "
                               f"typing yes (at most {MAX_DIFF}) — make it yourself"))
        diff = diff[:MAX_DIFF] + f"\n… ({len(diff) - MAX_DIFF} more characters of the removed file not shown)\n"
    return FileEdit(path, sha256(data), new_text, diff, why, mode, *(where or ("", "")))


MAX_DIFF = 256 * 1024


# -- per cause -----------------------------------------------------------------------------------------------------

def _tunnel_plan(target, finish, p):
    """config.yml edited so that the public URL reaches nginx: the catch-all last, the rule's service the plain-HTTP
    nginx, no `path:` that misses the URL. The edited text is judged by cloudflared itself where present."""
    path, hostname = target.tunnel.config, target.tunnel.hostname
    text = read_for_edit(path)[0].decode("utf-8", "surrogateescape")
    host, _, port = target.nginx.address.rpartition(":")
    host = "localhost" if host in ("127.0.0.1", "localhost", "::1", "[::1]") else host
    want = f"http://{host}:{port}"
    new = tunnel_set_service(tunnel_drop_path(tunnel_catch_all_last(text), hostname), hostname, want)
    from fsnb.read import cloudflared
    from fsnb.read import tunnel as tunnel_reader
    cf = cloudflared.judge(new, target.tunnel.public_url, timeout=10.0)
    if cf is not None:
        if not cf.valid or cf.service != want:
            said = (cf.message or f"rule {cf.rule} → {cf.service}")[:300]      # cloudflared's own words
            raise FixRefused(T(f"cloudflared {cf.version} leitet die geänderte Konfiguration nicht zu {want}: {said}",
                               f"cloudflared {cf.version} does not route the edited config to {want}: {said}"))
    else:
        ing = tunnel_reader.parse(new, hostname)
        if ing.problems or ing.service != want:
            said = str(ing.problems[0] if ing.problems else ing.service)
            raise FixRefused(T(f"die berechnete Tunnel-Konfiguration würde nicht zu nginx leiten: {said}",
                               f"the computed tunnel config would not route to nginx: {said}"))
    from fsnb.lab import manager
    if target.tunnel.standin and manager.is_lab_dir(Path(path).parent.parent):
        reloads = [Reload("cloudflared-standin", "lab: the edge stand-in follows config.yml",
                          T("cloudflared liest seine Konfiguration beim Start", "cloudflared reads its config at start"))]
    else:
        reloads = []
        p.why_not = p.why_not or T("cloudflared läuft außerhalb der Reichweite von fsnb: starten Sie es nach der Änderung "
                                   "selbst neu",
                                   "cloudflared runs outside fsnb's reach: restart it yourself after the edit")
        p.user_steps.append(commented("systemctl restart cloudflared",
                                      T("oder: docker restart <cloudflared-Container>",
                                        "or: docker restart <cloudflared container>")))
    return finish([edit(path, new, T("die ingress-Regeln für den öffentlichen Hostnamen",
                                     "the ingress rules for the public hostname"))], reloads)


def _obs(run, check: str) -> dict:
    r = next((x for x in run.results if x.id == check), None)
    return (r.observed or {}) if r else {}


def _certs_dir(target, run) -> str:
    """The certs_dir FreeSWITCH reads, as the certificate check found it (else the target's), without a trailing /."""
    return (_obs(run, "wissen.zertifikat").get("certs_dir") or target.freeswitch.certs_dir or "").rstrip("/")


def _profile_cmd(target, run) -> Reload:
    running = bool(_obs(run, "schritt2.profil").get("running"))
    verb = "restart" if running else "start"
    return Reload("esl", f"sofia profile {target.freeswitch.profile} {verb}",
                  T("Bindungen und wss.pem werden nur beim Start des Profils gelesen",
                    "bindings and wss.pem are read only when the profile starts"))


def _nginx_reload(target) -> Reload:
    return Reload("nginx", "nginx -t && nginx -s reload",
                  T("nginx liest seine Konfiguration beim Neuladen", "nginx reads its config on reload"))


def _access(target) -> str:
    """How fsnb reaches FreeSWITCH's files: local | docker | esl (none), as fsnb/read/host.for_target decides."""
    fs = target.freeswitch
    return fs.access if fs.access != "auto" else ("docker" if fs.container else "local")


def _holder(port: int) -> str:
    """Who listens on a local TCP port: 'pid N (cmdline)', read from /proc (never acted on)."""
    inodes: set[str] = set()
    try:
        for fn in ("/proc/net/tcp", "/proc/net/tcp6"):
            for line in Path(fn).read_text().splitlines()[1:]:
                f = line.split()
                if len(f) > 9 and f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f[9])
    except OSError:
        pass
    if not inodes:
        return ""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    with open(f"/proc/{pid}/cmdline", "rb") as fh:      # its starter's words: bounded
                        cmd = fh.read(4096).replace(b"\0", b" ").decode(errors="replace").strip()
                    return f"pid {pid} ({cmd[:160]})"
        except OSError:
            continue
    return ""


def compute(finding, run, target) -> FixPlan:
    """The concrete fix of `finding` for this target (see the module). Never raises for a cause it does not know:
    the plan then carries the catalogue's fix text as the operator's step."""
    cause = BY_ID[finding.cause]
    p = FixPlan(cause.id, cause.fix_kind.value, cause.fix_de, cause.fix_en, explains=list(finding.explains))
    try:
        _compute(p, finding, run, target)
    except FixRefused as exc:
        p.edits, p.reloads, p.applicable = [], [], False
        p.why_not = exc.text
    except (FsnbError, OSError, ValueError, subprocess.SubprocessError) as exc:
        # what the target's files or tools do to the computation (a config fsnb refuses to read, a cloudflared
        # that cannot run or never answers, an engine header that is no JSON) is a plan that says why it cannot be
        # offered — never a traceback
        p.edits, p.reloads, p.applicable = [], [], False
        said = f"{type(exc).__name__}: {str(exc)[:500]}"
        p.why_not = T(f"fsnb konnte diese Behebung nicht berechnen: {said}", f"fsnb could not compute this fix: {said}")
    if cause.fix_kind is Fix.NONE:
        p.why_not = T(cause.no_fix_because_de, cause.no_fix_because)
    elif not p.applicable and not p.why_not:
        p.why_not = T("fsnb hat für diese Ursache keine berechnete Behebung: der Behebungstext des Katalogs ist der "
                      "Schritt", "fsnb has no computed fix for this cause: the catalogue's fix text is the step")
    if not p.edits and not p.reloads and not p.user_steps:
        p.user_steps.append(T(cause.fix_de, cause.fix_en))
    _redact(p, target)
    return p


def _redact(p: FixPlan, target) -> None:
    """What a plan shows never holds a configured secret: `unified` hides `<param name="password" value="…">`, but
    the same password in single quotes, in a comment or in another file's line would reach the terminal, the
    journal, the report and the notebook as it is. Every shown text goes through the redactor (every spelling of
    every secret); the new text itself (`after`) is what gets written and keeps its bytes."""
    from fsnb.redact import Redactor
    try:
        secrets = target.secret_values()
    except Exception:       # a target without readable secrets: nothing of them to mask
        return
    if not secrets:
        return
    red = Redactor(secrets)
    both = lambda t: T(red.text(t.de), red.text(t.en))      # noqa: E731
    for e in p.edits:
        e.diff, e.why = red.text(e.diff), both(e.why)
    for r in p.reloads:
        r.why = both(r.why)
    p.user_steps = [both(x) for x in p.user_steps]
    p.why_not = both(p.why_not)


def _compute(p: FixPlan, finding, run, target) -> None:
    fs = target.freeswitch
    c = p.cause
    binding = _obs(run, "wissen.binding")
    nginx = _obs(run, "wissen.nginx")
    ports = _obs(run, "schritt3.ports")
    local = _access(target) == "local"
    # FreeSWITCH's files (nginx's, the tunnel's and the target's are here); access esl: none ("" refuses)
    where = None if local else (fs.container if _access(target) == "docker" else "", fs.docker_host)
    xml_file = binding.get("file") or (f"{fs.conf_dir.rstrip('/')}/sip_profiles/{fs.profile}.xml" if fs.conf_dir else "")

    def finish(edits, reloads, steps=()):
        p.edits = [e for e in edits if e]
        p.reloads = list(reloads)
        p.user_steps += list(steps)
        p.applicable = not p.why_not

    if c == "profile-not-running":
        return finish([], [Reload("esl", f"sofia profile {fs.profile} start",
                                  T("das Profil ist gestoppt", "the profile is stopped"))])
    if c == "mod-sofia-not-loaded":
        return finish([], [Reload("esl", "load mod_sofia", T("mod_sofia ist nicht geladen", "mod_sofia is not loaded"))])
    if c in ("wss-binding-not-applied", "wss-port-mismatch", "wss-binding-change-pending", "ws-wss-port-shared",
             "bound-elsewhere"):
        text = read_for_edit(xml_file, where)[0].decode("utf-8", "surrogateescape")
        new = text
        if c == "bound-elsewhere":
            want = ((ports.get("wss") or {}).get("expected") or fs.host)
            for name, key in (("ws-binding", "ws"), ("wss-binding", "wss")):
                now = binding.get(f"{key}_binding_effective") or binding.get(f"{key}_binding") or ""
                info = ports.get(key) or {}
                if now and info.get("listening_on") and want not in info["listening_on"]:
                    new = set_param(new, name, f"{want}:{hostport(now)[1]}")
        else:
            now = binding.get("wss_binding_effective") or binding.get("wss_binding") or ""
            host = hostport(now)[0] if now else ""
            new = set_param(new, "wss-binding", f"{host}:{fs.wss_port}")
        edits = [edit(xml_file, new, same(f"wss-binding/ws-binding in {Path(xml_file).name}"), where)]
        reloads = [] if c == "wss-binding-change-pending" else [_profile_cmd(target, run)]
        if c == "ws-wss-port-shared" and nginx.get("config_read"):
            e2 = _nginx_upstream_edit(target, nginx, ports, run)
            if e2:
                edits.append(e2)
                reloads.append(_nginx_reload(target))
        if c == "wss-binding-not-applied" and not any(edits) and reloads:
            reloads[0].why = T("wss-binding steht in der Datei, ist aber nicht gebunden: reloadxml/rescan binden nicht neu",
                               "wss-binding is in the file but not bound: reloadxml/rescan do not rebind")
        return finish(edits, reloads)
    if c == "profile-xml-broken":
        raise FixRefused(T("FreeSWITCH weist die Datei an der genannten Zeile zurück: welches Tag gemeint war, muss ein "
                           "Mensch entscheiden — reparieren Sie es dort, prüfen Sie mit `fs_cli -x reloadxml`",
                           "FreeSWITCH refuses the file at the line it names: which tag was meant is for a person to "
                           "decide — repair it there, check with `fs_cli -x reloadxml`"))
    if c == "profile-xml-not-well-formed":
        if not xml_file:
            raise FixRefused(NO_PROFILE_FILE)
        text = read_for_edit(xml_file, where)[0].decode("utf-8", "surrogateescape")
        # FreeSWITCH reads past a bare '&' already: the edit needs no reload to take effect
        return finish([edit(xml_file, xml_escape_bare_ampersands(text),
                            T("ein alleinstehendes '&' als &amp; geschrieben", "a bare '&' written as &amp;"), where)], [])
    if c in ("wss-pem-bad", "wss-pem-bad-pending"):
        certs_dir = _certs_dir(target, run)
        pem = f"{certs_dir}/wss.pem"
        new, why = rebuild_pem(pem, certs_dir, where)
        if new is None:
            p.why_not = why
            p.user_steps += pem_commands(pem)
            return finish([], [])
        e = edit(pem, new, T("Schlüssel, eigenes Zertifikat, dann die Kette", "key, leaf certificate, then the chain"), where)
        if e:
            e.mode = 0o600 if e.mode & 0o077 else e.mode
        return finish([e], [] if c == "wss-pem-bad-pending" else [_profile_cmd(target, run)])
    if c == "wss-cert-shadowed":
        certs_dir = _certs_dir(target, run)
        if where is not None and not where[0]:
            read_for_edit(f"{certs_dir}/wss.crt", where)      # access esl: refused, with why
        if where:
            from fsnb.fix.container import ContainerFiles
            there = ContainerFiles(*where).exists
        else:
            there = os.path.lexists
        edits = [edit(f"{certs_dir}/{n}", None, T("FreeSWITCH lädt wss.crt/wss.key vor wss.pem",
                                                  "FreeSWITCH loads wss.crt/wss.key before wss.pem"), where)
                 for n in ("wss.crt", "wss.key") if there(f"{certs_dir}/{n}")]
        return finish(edits, [_profile_cmd(target, run)])
    if c == "nginx-upstream-cert-rejected" and _obs(run, "wissen.zertifikat").get("validity") == "ok":
        e = _nginx_trust_edit(target, run, where)
        if e:
            return finish([e], [_nginx_reload(target)])
    if c in ("wss-cert-expired", "wss-cert-not-yet-valid", "certificate-untrusted", "wss-pem-warning",
             "nginx-upstream-cert-rejected"):
        pem = f"{_certs_dir(target, run) or '$certs_dir'}/wss.pem"
        p.why_not = T("braucht ein neues Zertifikat Ihrer CA (fsnb stellt keine Zertifikate aus)",
                      "needs a new certificate from your CA (fsnb does not issue certificates)")
        return finish([], [], [commented("certbot renew", T("oder die Erneuerung Ihrer CA", "or your CA's renewal")),
                               *pem_commands(pem), same(f"fs_cli -x 'sofia profile {fs.profile} restart'")])
    if c in ("nginx-scheme-mismatch", "nginx-upstream-down", "via-transport-mismatch", "nginx-upstream-protocol",
             "nginx-upstream-tls-failed"):
        e = _nginx_upstream_edit(target, nginx, ports, run)
        return finish([e], [_nginx_reload(target)] if e else [])
    if c == "nginx-websocket-config":
        f, line = _nginx_loc(target, nginx)
        text = read_for_edit(f)[0].decode("utf-8", "surrogateescape")
        new = text
        # inserted in reverse so that they end up in this order after proxy_pass
        for name, value in (("proxy_read_timeout", "3600s"), ("proxy_set_header", 'Connection "upgrade"'),
                            ("proxy_set_header", "Upgrade $http_upgrade"), ("proxy_http_version", "1.1")):
            new = nginx_set_directive(new, line, name, value)
        return finish([edit(f, new, T("WebSocket durch nginx: HTTP/1.1, Upgrade, Connection, langes read_timeout",
                                      "WebSocket through nginx: HTTP/1.1, Upgrade, Connection, long read timeout"))],
                      [_nginx_reload(target)])
    if c == "nginx-other-default-server":
        own_file, _ = _nginx_loc(target, nginx)
        other, other_line, own_line = nginx.get("other_default_file"), nginx.get("other_default_line"), \
            nginx.get("own_server_line")
        if not (other and other_line and own_line):
            raise FixRefused(T("nginx -T hat nicht gesagt, wo der andere Default-Server steht",
                               "nginx -T did not say where the other default server is"))
        port = int(target.nginx.address.rpartition(":")[2])
        # the proxy block becomes the port's default, the other block stops being it (nginx refuses two)
        mine = nginx_listen_default(read_for_edit(own_file)[0].decode("utf-8", "surrogateescape"), own_line, port, True)
        theirs = nginx_listen_default(read_for_edit(other)[0].decode("utf-8", "surrogateescape"), other_line, port, False)
        return finish([edit(own_file, mine, T("der proxy_pass-Block ist der Default-Server des Ports",
                                              "the proxy_pass block is the default server of the port")),
                       edit(other, theirs, T("dieser Block ist nicht mehr der Default-Server des Ports",
                                             "this block is no longer the default server of the port"))],
                      [_nginx_reload(target)])
    if c in ("tunnel-origin-unreachable", "tunnel-config-invalid", "tunnel-origin-tls"):
        return _tunnel_plan(target, finish, p)
    if c in ("esl-not-listening", "esl-acl-rejects", "esl-address-mismatch"):
        f = f"{fs.conf_dir.rstrip('/')}/autoload_configs/event_socket.conf.xml"
        text = read_for_edit(f, where)[0].decode("utf-8", "surrogateescape")
        if c == "esl-not-listening":
            new = set_param(text, "listen-ip", "127.0.0.1", after_param="nat-map")
            why = T("listen-ip 127.0.0.1: ESL lauscht auf der Loopback-Adresse",
                    "listen-ip 127.0.0.1: ESL listens on the loopback address")
        elif c == "esl-address-mismatch":      # where the target (and fs_cli) connect
            import ipaddress
            try:
                want = str(ipaddress.ip_address(fs.host))
            except ValueError:
                want = "127.0.0.1" if fs.host == "localhost" else ""
            if not want:
                raise FixRefused(T(f"das Ziel nennt ESL über einen Hostnamen ({fs.host}): setzen Sie listen-ip selbst auf "
                                   "dessen Adresse",
                                   f"the target names ESL by host name ({fs.host}): set listen-ip to its address yourself"))
            new = set_param(text, "listen-ip", want, after_param="nat-map")
            why = T(f"listen-ip {want}: ESL lauscht dort, wo das Ziel (und fs_cli) es erreichen",
                    f"listen-ip {want}: ESL listens where the target (and fs_cli) connect")
        elif fs.host in ("127.0.0.1", "localhost", "::1"):
            new = set_param(text, "apply-inbound-acl", "loopback.auto", after_param="password")
            why = T("apply-inbound-acl loopback.auto: ESL nimmt Verbindungen von diesem Rechner an",
                    "apply-inbound-acl loopback.auto: ESL accepts connections from this host")
        else:
            raise FixRefused(T(f"fsnb erreicht ESL von außen ({fs.host}): welche ACL-Liste das erlaubt, entscheiden Sie "
                               "(acl.conf.xml)",
                               f"fsnb reaches ESL from outside ({fs.host}): which ACL list allows it is yours to "
                               "decide (acl.conf.xml)"))
        if _access(target) == "docker":
            reloads = [Reload("docker-restart", f"docker restart {fs.container}",
                              T("mod_event_socket liest seine Konfiguration nur beim Laden, und ESL ist nicht erreichbar, "
                                "um es neu zu laden",
                                "mod_event_socket reads its config only at load, and ESL is not reachable to reload it"))]
        else:
            reloads = []
            p.why_not = p.why_not or (T("mod_event_socket liest seine Konfiguration nur beim Laden, und fsnb erreicht ESL "
                                        "nicht, um `reload mod_event_socket` zu senden: starten Sie FreeSWITCH nach der "
                                        "Änderung selbst neu",
                                        "mod_event_socket reads its config only at load and fsnb cannot reach ESL to "
                                        "`reload mod_event_socket`: restart FreeSWITCH yourself after the edit")
                                      if c != "esl-address-mismatch" else
                                      T("mod_event_socket liest seine Konfiguration nur beim Laden: starten Sie "
                                        "FreeSWITCH nach der Änderung selbst neu (oder `fs_cli -H <die Adresse, auf der "
                                        "es jetzt lauscht> -x 'reload mod_event_socket'`)",
                                        "mod_event_socket reads its config only at load: restart FreeSWITCH yourself "
                                        "after the edit (or `fs_cli -H <the address it listens on now> -x 'reload "
                                        "mod_event_socket'`)"))
            p.user_steps.append(commented("systemctl restart freeswitch", THEN_RUN))
        return finish([edit(f, new, why, where)], reloads)
    if c in ("esl-bad-password", "sip-register-rejected"):
        return finish(*_target_secret(p, target, where))
    if c in ("bind-failed", "nginx-port-taken", "esl-no-answer", "esl-port-not-esl"):
        port = {"bind-failed": fs.wss_port, "esl-no-answer": fs.esl_port, "esl-port-not-esl": fs.esl_port,
                "nginx-port-taken": int(target.nginx.address.rpartition(":")[2] or 0)}[c]
        who = _holder(port) if local else ""
        named = f": {who}" if who else ""
        p.why_not = T(f"ein anderes Programm belegt den Port{named} — fsnb nennt es und beendet es nie",
                      f"another program holds the port{named} — fsnb names it and never stops it")
        steps = [commented(f"ss -ltnp 'sport = :{port}'", T(f"wer ihn belegt{named}", f"who holds it{named}"))]
        steps.append(T("beenden oder verlegen Sie dieses Programm selbst, danach: fs_cli -x 'sofia profile internal start'",
                       "stop or move that program yourself, then: fs_cli -x 'sofia profile internal start'")
                     if c == "bind-failed" else
                     T("beenden oder verlegen Sie dieses Programm selbst", "stop or move that program yourself"))
        return finish([], [], steps)
    if c == "dtls-srtp-failed":
        return finish(*_dtls_pem(p, target, run, where))
    if c == "no-common-codec":
        return finish(*_codec_prefs(target, run, where, xml_file))
    cause = BY_ID[c]
    p.why_not = T(cause.no_fix_because_de, cause.no_fix_because) or \
        T("fsnb hat für diese Ursache noch keine berechnete Behebung: der Behebungstext des Katalogs ist der Schritt",
          "fsnb has no computed fix for this cause yet: the catalogue's fix text is the step")
    finish([], [], [T(cause.fix_de, cause.fix_en)])


def _dtls_pem(p: FixPlan, target, run, where) -> tuple[list, list, list]:
    """dtls-srtp.pem whose key is not its certificate's: moved aside, FreeSWITCH restarted — it makes a new one when
    it starts without it (switch_core_media_init); fsnb writes no key of its own. A pair that belongs together is
    left alone: DTLS fails for another reason then, the call's log lines say which."""
    from fsnb.read.certs import pem_blocks
    fs = target.freeswitch
    certs_dir = _certs_dir(target, run)
    if not certs_dir:
        raise FixRefused(T("fsnb kennt FreeSWITCHs certs_dir nicht (setzen Sie certs_dir im Ziel)",
                           "fsnb does not know FreeSWITCH's certs_dir (set certs_dir in the target)"))
    pem = f"{certs_dir}/dtls-srtp.pem"
    keys, certs = load_crypto(pem_blocks(read_for_edit(pem, where)[0].decode("utf-8", "replace"))[0])
    if keys and certs and {public_der(k) for _, k in keys} & {public_der(c) for _, c in certs}:
        raise FixRefused(T(f"{pem}: Schlüssel und Zertifikat gehören zusammen — DTLS scheitert aus einem anderen "
                           "Grund; FreeSWITCHs Log-Zeilen des Anrufs (die Belege von Schritt 5) sagen, aus welchem",
                           f"{pem}: its key and certificate belong together — DTLS fails for another reason; "
                           "FreeSWITCH's log lines of the call (Step 5's evidence) say which"))
    e = edit(pem, None, T("sein Schlüssel gehört nicht zu seinem Zertifikat: FreeSWITCH erzeugt ein neues dtls-srtp.pem, "
                          "wenn es ohne diese Datei startet",
                          "its key is not its certificate's: FreeSWITCH makes a new dtls-srtp.pem when it starts "
                          "without one"), where)
    if _access(target) == "docker":
        return [e], [Reload("docker-restart", f"docker restart {fs.container}",
                            T("FreeSWITCH erzeugt dtls-srtp.pem nur beim Start",
                              "FreeSWITCH makes dtls-srtp.pem only when it starts"))], []
    p.why_not = T("FreeSWITCH erzeugt ein neues dtls-srtp.pem nur beim Start, und fsnb startet FreeSWITCH nur in einem "
                  "Container neu: legen Sie die Datei beiseite und starten Sie es selbst neu",
                  "FreeSWITCH makes a new dtls-srtp.pem only when it starts, and fsnb restarts FreeSWITCH only in "
                  "a container: move the file aside and restart it yourself")
    return [e], [], [commented(f"mv {pem} {pem}.bad && systemctl restart freeswitch", THEN_RUN)]


G711 = ("PCMU", "PCMA")     # in FreeSWITCH's core (no module to load) and in every browser's offer


def _codec_prefs(target, run, where, xml_file: str) -> tuple[list, list, list]:
    """The profile's inbound-codec-prefs — or the vars.xml variable it names — keeps its codecs and gains PCMU and
    PCMA, which every FreeSWITCH build and every browser has; the profile restart re-reads vars.xml too."""
    if not xml_file:
        raise FixRefused(NO_PROFILE_FILE)
    text = read_for_edit(xml_file, where)[0].decode("utf-8", "surrogateescape")
    raw = active_param(text, "inbound-codec-prefs")
    if raw is None:
        raise FixRefused(T(f"{xml_file} setzt kein inbound-codec-prefs: FreeSWITCHs Voreinstellungen würden PCMU "
                           "anbieten — ", f"{xml_file} sets no inbound-codec-prefs: FreeSWITCH's defaults would offer "
                           "PCMU — ") + ANOTHER_REASON)
    more = lambda v: ",".join([*(x for x in v.split(",") if x.strip()), *(g for g in G711 if g not in v.upper())])
    name = re.fullmatch(r"\$\$\{([A-Za-z0-9_]{1,64})\}", raw.strip())
    if not name:
        if all(g in raw.upper() for g in G711):
            raise FixRefused(T(f"inbound-codec-prefs nennt PCMU und PCMA schon ({raw}): ",
                               f"inbound-codec-prefs already names PCMU and PCMA ({raw}): ") + ANOTHER_REASON)
        return [edit(xml_file, set_param(text, "inbound-codec-prefs", more(raw)),
                     T("PCMU und PCMA werden auch angeboten", "PCMU and PCMA offered too"), where)], \
            [_profile_cmd(target, run)], []
    vars_file = f"{target.freeswitch.conf_dir.rstrip('/')}/vars.xml"
    vtext = read_for_edit(vars_file, where)[0].decode("utf-8", "surrogateescape")
    value = pre_process_var(vtext, name.group(1))
    if value is None or "$${" in value:
        raise FixRefused(T(f"inbound-codec-prefs ist {raw}, das vars.xml nicht als einfache Liste setzt: ergänzen Sie "
                           "PCMU,PCMA dort, wo es gesetzt wird",
                           f"inbound-codec-prefs is {raw}, which vars.xml does not set as a plain list: add PCMU,PCMA "
                           "where it is set"))
    var = name.group(1)
    if all(g in value.upper() for g in G711):
        raise FixRefused(T(f"{var} nennt PCMU und PCMA schon ({value}): ",
                           f"{var} already names PCMU and PCMA ({value}): ") + ANOTHER_REASON)
    return [edit(vars_file, set_pre_process_var(vtext, var, more(value)),
                 T(f"{var} (das inbound-codec-prefs des Profils) bietet auch PCMU und PCMA an",
                   f"{var} (the profile's inbound-codec-prefs) offers PCMU and PCMA too"), where)], \
        [_profile_cmd(target, run)], []


def _nginx_loc(target, nginx: dict) -> tuple[str, int]:
    from fsnb.read import nginxconf
    locs = nginxconf.serving(nginxconf.parse(target.nginx.config), target.nginx.address)
    if not locs:
        raise FixRefused(NO_PROXY_PASS.format(f=target.nginx.config))
    loc = locs[0]
    return loc.file, loc.line


def _nginx_upstream_edit(target, nginx: dict, ports: dict, run) -> FileEdit | None:
    """proxy_pass (or its upstream's server) pointed at FreeSWITCH's wss listener: https://<bound address>:<wss>."""
    from fsnb.read import nginxconf
    fs = target.freeswitch
    locs = nginxconf.serving(nginxconf.parse(target.nginx.config), target.nginx.address)
    if not locs:
        raise FixRefused(NO_PROXY_PASS.format(f=target.nginx.config))
    loc = locs[0]
    listening = (ports.get("wss") or {}).get("listening_on") or []
    host = loc.host if (not listening or loc.host in listening or "0.0.0.0" in listening) else listening[0]
    hp = f"[{host}]" if ":" in host else host
    text = read_for_edit(loc.file)[0].decode("utf-8", "surrogateescape")
    if loc.upstream_name:
        new = nginx_set_directive(text, loc.line, "proxy_pass", f"https://{loc.upstream_name}")
        m = re.search(r"upstream\s+" + re.escape(loc.upstream_name) + r"\s*\{(.*?)\}", new, re.S)
        if not m:
            raise FixRefused(T(f"upstream {loc.upstream_name} steht nicht in {loc.file}: ändern Sie seine server-Zeile "
                               "selbst",
                               f"upstream {loc.upstream_name} is not in {loc.file}: edit its server line yourself"))
        body = re.sub(r"server\s+[^;\s]+", f"server {hp}:{fs.wss_port}", m.group(1), count=1)
        new = new[:m.start(1)] + body + new[m.end(1):]
    else:
        new = nginx_set_directive(text, loc.line, "proxy_pass", f"https://{hp}:{fs.wss_port}")
    return edit(loc.file, new, T("nginx → FreeSWITCHs wss-Listener (TLS)", "nginx → FreeSWITCH's wss listener (TLS)"))


def _fs_password(target, where, cause: str) -> tuple[str, T]:
    """(the password FreeSWITCH expects, where it comes from): event_socket.conf.xml's `password`, or the SIP
    user's directory entry (vanilla directory/default/1000–1019.xml: `$${default_password}` from vars.xml)."""
    from fsnb.read import fsconfig
    conf = target.freeswitch.conf_dir.rstrip("/")
    if not conf:
        raise FixRefused(T("das Ziel nennt kein conf_dir: fsnb kann das Passwort, das FreeSWITCH erwartet, nicht lesen",
                           "the target names no conf_dir: fsnb cannot read the password FreeSWITCH expects"))
    rd = lambda rel: read_for_edit(f"{conf}/{rel}", where)[0].decode("utf-8", "replace")   # noqa: E731
    try:
        variables = fsconfig.parse_vars(rd("vars.xml"))
    except FixRefused:
        variables = {}
    if cause == "esl-bad-password":
        return fsconfig.parse_event_socket(rd("autoload_configs/event_socket.conf.xml"), variables).password, \
            same("event_socket.conf.xml")
    user = target.sip.user
    try:
        text = rd(f"directory/default/{user}.xml")
        m = re.search(r'<param\s+name="password"\s+value="([^"]*)"', text)
        if m:
            return fsconfig.expand(m.group(1), variables), same(f"directory/default/{user}.xml")
    except FixRefused:
        pass
    if user.isdigit() and 1000 <= int(user) <= 1019 and "default_password" in variables:
        return variables["default_password"], T("vars.xml default_password (Benutzer 1000–1019 der Vanilla-Konfiguration)",
                                                "vars.xml default_password (vanilla users 1000–1019)")
    raise FixRefused(T(f"kein Passwort für den SIP-Benutzer {user} in directory/default/{user}.xml oder vars.xml",
                       f"no password for SIP user {user} in directory/default/{user}.xml or vars.xml"))


def _target_secret(p: FixPlan, target, where):
    """TARGET_EDIT: the target's secret file gets the password FreeSWITCH expects. The diff never shows either
    value; a source other than file: (env:, prompt) is the operator's to change."""
    secret = target.freeswitch.esl_password if p.cause == "esl-bad-password" else target.sip.password
    name = "esl_password" if p.cause == "esl-bad-password" else "sip.password"
    want, src = _fs_password(target, where, p.cause)
    if not secret.source.startswith("file:"):
        p.why_not = T(f"das {name} des Ziels kommt aus {secret.source or 'nirgends'}: setzen Sie es selbst auf das Passwort "
                      f"aus {src.de}",
                      f"the target's {name} comes from {secret.source or 'nowhere'}: set it to the password of {src.en} "
                      "yourself")
        return [], [], [T(f"{name}: das Passwort aus {src.de}", f"{name}: the password of {src.en}")]
    from fsnb.target import _secret_value_problem
    problem = _secret_value_problem(want or "")
    if problem:
        # FreeSWITCH's file is the target's to write, not fsnb's to trust: a value the target would refuse (a line
        # break, 1–3 characters) written into the secret file would make every later run exit 2 — and a short one
        # could not be redacted
        raise FixRefused(T(f"das Passwort aus {src.de} ist so nicht verwendbar ({problem}): fsnb schreibt es nicht in "
                           f"das {name} des Ziels — setzen Sie es selbst (und erwägen Sie ein stärkeres)",
                           f"the password of {src.en} {problem}: fsnb does not put it into the target's {name} — set it "
                           "yourself (and consider a stronger one)"))
    path = str(Path(secret.source[5:]).expanduser())
    data, mode = read_for_edit(path)
    if data.decode("utf-8", "replace").strip() == want:
        raise FixRefused(T(f"{path} enthält schon das Passwort aus {src.de}",
                           f"{path} already holds the password of {src.en}"))
    diff = (f"--- a{path}\n+++ b{path}\n@@ the target's {name} (values not shown) @@\n"
            f"-(the password fsnb used)\n+(the password of {src.en})\n")
    return [FileEdit(path, sha256(data), want + "\n", diff,
                     T(f"das {name} des Ziels ← {src.de}", f"the target's {name} ← {src.en}"), mode)], []


def _nginx_trust_edit(target, run, where) -> FileEdit | None:
    """nginx verifies FreeSWITCH's (valid) certificate against CAs that do not include its issuer: point
    `proxy_ssl_trusted_certificate` at a CA file of the operator's that holds the issuer (the target's ca_file, or
    a ca/chain file beside wss.pem). None when there is none."""
    from cryptography import x509

    from fsnb.read.certs import pem_blocks
    certs_dir = _certs_dir(target, run)
    try:
        pem = read_for_edit(f"{certs_dir}/wss.pem", where)[0].decode("utf-8", "replace")
    except FixRefused:
        return None
    _, certs = load_crypto(pem_blocks(pem)[0])
    leaf = next((c for _, c in certs), None)
    if leaf is None:
        return None
    cands = [target.tunnel.ca_file] if target.tunnel.ca_file else []
    if not where and certs_dir:
        cands += [str(p) for p in sorted(Path(certs_dir).glob("*")) if p.name.startswith(("ca", "chain", "fullchain"))]
    for path in cands:
        try:
            data = read_for_edit(path)[0].decode("utf-8", "replace")
        except FixRefused:
            continue
        blocks = [b for label, b in pem_blocks(data)[0] if label == "CERTIFICATE"]
        if any(x509.load_pem_x509_certificate(b.encode()).subject == leaf.issuer for b in blocks):
            f, line = _nginx_loc(target, _obs(run, "wissen.nginx"))
            text = read_for_edit(f)[0].decode("utf-8", "surrogateescape")
            new = nginx_set_directive(text, line, "proxy_ssl_trusted_certificate", path)
            # nginx checks the upstream's name against the certificate's DNS names only: with proxy_pass to an
            # IP address, name one the certificate carries
            from cryptography.x509.oid import ExtensionOID
            try:
                dns = leaf.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value \
                    .get_values_for_type(x509.DNSName)
            except x509.ExtensionNotFound:
                dns = []
            loc = _obs(run, "wissen.nginx")
            if dns and re.fullmatch(r"[0-9.]+|\[?[0-9a-fA-F:]+\]?", loc.get("upstream_host") or "") \
                    and not loc.get("ssl_name"):
                new = nginx_set_directive(new, line, "proxy_ssl_name", dns[0])
            return edit(f, new, T("nginx vertraut der CA, die FreeSWITCHs Zertifikat ausgestellt hat",
                                  "nginx trusts the CA that issued FreeSWITCH's certificate"))
    return None
