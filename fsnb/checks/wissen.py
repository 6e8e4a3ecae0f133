"""Was wir wissen — the analysis' "what works" list, verified instead of assumed.
Over 500 lines: one section of the analysis, six checks with their text tables; split by check it would scatter the section.
"""
from __future__ import annotations

import asyncio
import os
import subprocess
from urllib.parse import urlsplit

from fsnb import blocking
from fsnb.checks import T, check, fail, ok, same, warn
from fsnb.diagnosis import observed as obs
from fsnb.errors import AccessError, CheckTimeout, ConfigError, FsnbError, NotAFile
from fsnb.read import certs, cloudflared, files, fsconfig, tunnel
from fsnb.result import Evidence

ANALYSIS_CERTS = "/usr/local/freeswitch/certs"
# where operators put wss.pem (issue #18): the source install's, the package's and official image's certs dirs
USUAL_CERT_DIRS = (ANALYSIS_CERTS, "/etc/freeswitch/tls")
SEP = same("; ")

TEXTS = {
    "pem-not-file": T("{e} — FreeSWITCH kann es nicht laden ('Bad WSS.PEM'); ein Verzeichnis namens wss.pem entsteht, "
                      "wenn Docker eine fehlende Datei einbindet.", "{e} — FreeSWITCH cannot load it ('Bad WSS.PEM'); a "
                      "directory named wss.pem is what Docker creates when it bind-mounts a file that does not exist."),
    "no-certs-dir": T("Kein certs-Verzeichnis gefunden (weder per ESL noch am Standardort).",
                      "No certs dir found (neither via ESL nor at a default location)."),
    "analysis-dir": T("Die Analyse prüft {a}; FreeSWITCH liest {d}.", "The analysis checks {a}; FreeSWITCH reads {d}."),
    "pem-missing": T("wss.pem fehlt: {e}. FreeSWITCH erzeugt dann still ein selbstsigniertes (CN=FreeSWITCH).",
                     "wss.pem missing: {e}. FreeSWITCH then silently generates a self-signed one (CN=FreeSWITCH)."),
    "shadowed": T("In {d} liegen wss.crt und wss.key neben wss.pem: FreeSWITCH nimmt sie vor wss.pem und liefert auf 7443 "
                  "wss.crt aus (gültig bis {until}), nicht das Zertifikat aus wss.pem.",
                  "{d} holds wss.crt and wss.key beside wss.pem: FreeSWITCH takes them before wss.pem and serves wss.crt on "
                  "7443 (valid until {until}), not the certificate in wss.pem."),
    "pem-unusable": T("wss.pem ist unbrauchbar: ", "wss.pem is unusable: "),
    "pem-loads-but": T("wss.pem lädt, aber: ", "wss.pem loads, but: "),
    "elsewhere": T("Ein anderes wss.pem liegt in {o} ({subj}, gültig bis {until}) — FreeSWITCH liest es nicht: es "
                   "nimmt certs_dir {d} ({src}).",
                   "Another wss.pem is in {o} ({subj}, valid until {until}) — FreeSWITCH does not read it: it uses "
                   "certs_dir {d} ({src})."),
    "elsewhere-served": T("Das wss.pem des Betreibers liegt in {o} ({subj}, gültig bis {until}) und wird ignoriert: "
                          "FreeSWITCH liest certs_dir {d} ({src}) und liefert dort {what}.",
                          "The operator's wss.pem is in {o} ({subj}, valid until {until}) and is ignored: FreeSWITCH "
                          "reads certs_dir {d} ({src}) and serves {what} from there."),
    "mounted": T("{d} ist im Container ein Bind-Mount von {h} auf dem Docker-Host ({m}).",
                 "{d} is, in the container, a bind mount of {h} on the Docker host ({m})."),
    "self-generated": T("sein selbst erzeugtes (CN=FreeSWITCH)", "its self-generated one (CN=FreeSWITCH)"),
    "pem-ok": T("wss.pem in {d}: Schlüssel passt zum ersten Zertifikat, gültig bis {until}.",
                "wss.pem in {d}: key matches the first certificate, valid until {until}."),
    "xml-lenient": T("{p} ist kein wohlgeformtes XML ({f}); FreeSWITCHs Parser liest darüber hinweg (das Profil "
                     "läuft), XML-Werkzeuge und strenge Leser nicht.",
                     "{p} is not well-formed XML ({f}); FreeSWITCH's parser reads past it (the profile runs), XML "
                     "tools and strict readers do not."),
    "xml-broken": T("{e} — so kaputt, dass auch FreeSWITCH es ablehnt: das laufende Profil behält die alte "
                    "Konfiguration, `reloadxml` meldet '[error near line …]', nach einem Neustart startet FreeSWITCH nicht "
                    "('Cannot Initialize [[error near line …]]').",
                    "{e} — broken so that FreeSWITCH refuses it too: the running profile keeps its old config, "
                    "`reloadxml` reports '[error near line …]', after a restart FreeSWITCH does not start ('Cannot "
                    "Initialize [[error near line …]]')."),
    "no-conf-dir": T("FreeSWITCH-Konfigurationsverzeichnis nicht gefunden.", "FreeSWITCH conf dir not found."),
    "commented": T("auskommentiert", "commented out"),
    "binding-absent": T("wss-binding ist in {path} {how}: FreeSWITCH öffnet 7443 nicht.",
                        "wss-binding is {how} in {path}: FreeSWITCH will not open 7443."),
    "missing": T("nicht vorhanden", "missing"),
    "port-shared": T("ws-binding und wss-binding teilen sich {b}: sofia-sip bindet beide (SO_REUSEPORT), der Kernel "
                     "verteilt die Verbindungen — Klartext- und TLS-Handshakes scheitern zufällig.",
                     "ws-binding and wss-binding share {b}: sofia-sip binds both (SO_REUSEPORT) and the kernel spreads the "
                     "connections — plain and TLS handshakes fail at random."),
    "shared-by-profiles": T("Ein anderes Profil bindet die WSS-Adresse {b} dieses Profils ebenfalls: {o}. sofia-sip bindet "
                            "beide ohne Fehler (SO_REUSEPORT), der Kernel verteilt die Verbindungen — WSS-Clients landen "
                            "zeitweise im anderen Profil (REGISTER/Auth scheitert mal, anderer Kontext).",
                            "Another profile binds this profile's WSS address {b} too: {o}. sofia-sip binds both without "
                            "an error (SO_REUSEPORT) and the kernel spreads the connections — WSS clients land on the other "
                            "profile part of the time (REGISTER/auth fails now and then, another context)."),
    "binding-other-port": T("wss-binding {b} → FreeSWITCH bindet {eff}, das Ziel (und nginx) erwarten Port {t}.",
                            "wss-binding {b} → FreeSWITCH binds {eff}, the target (and nginx) expect port {t}."),
    "binding-twice": T("{n} wss-binding-Parameter in der Datei: FreeSWITCH nimmt den letzten ({b}).",
                       "{n} wss-binding params in the file: FreeSWITCH takes the last one ({b})."),
    "empty-ip": T(" (leere IP = sip-ip, nicht 0.0.0.0)", " (an empty IP means sip-ip, not 0.0.0.0)"),
    "binding-ok": T("wss-binding {b} → lauscht auf {eff}{note}. Wirksam erst nach Profil-(Re)Start.",
                    "wss-binding {b} → binds {eff}{note}. Takes effect only when the profile (re)starts."),
    "nginx-unreadable": T("nginx-Konfiguration nicht lesbar: {e}", "nginx config unreadable: {e}"),
    "no-proxy-pass": T("{f}: kein proxy_pass gefunden.", "{f}: no proxy_pass found."),
    "wss-in-other-profile": T("{path} hat kein wss-binding, aber ein anderes Profil bindet den WSS-Port: {o} — "
                              "WebSocket-Clients landen dort, nicht im Profil des Ziels.",
                              "{path} has no wss-binding, but another profile binds the WSS port: {o} — WebSocket "
                              "clients land there, not in the target's profile."),
    "listen-h2c": T("`listen {s}`: http2 ohne ssl — nginx spricht dort nur HTTP/2 (h2c), der Tunnel und Browser-"
                    "WebSockets kommen mit HTTP/1.1 und Upgrade", "`listen {s}`: http2 without ssl — nginx speaks only "
                    "HTTP/2 (h2c) there, the tunnel and browsers' WebSockets come with HTTP/1.1 and Upgrade"),
    "nothing-listens": T("nichts lauscht auf {a}", "nothing listens on {a}"),
    "http-to-tls": T("proxy_pass http:// an den TLS-Port {p}{via} (nginx: 502 'upstream prematurely closed')",
                     "proxy_pass http:// to the TLS port {p}{via} (nginx: 502 'upstream prematurely closed')"),
    "https-to-plain": T("proxy_pass https:// an den Klartext-Port {p}{via} (nginx: 502 nach ~10 s)",
                        "proxy_pass https:// to the plain port {p}{via} (nginx: 502 after ~10 s)"),
    "via-upstream": T(" über upstream {u} (server {s})", " via upstream {u} (server {s})"),
    "other-default": T("ein anderer Server-Block ist default_server auf Port {p} ({o}), dieser hat keinen "
                        "server_name: nginx schickt jede Anfrage dorthin, nicht zu proxy_pass (nginx -T)",
                        "another server block is default_server on port {p} ({o}) and this one has no server_name: "
                        "nginx sends every request there, not to proxy_pass (nginx -T)"),
    "other-default-named": T("ein anderer Server-Block ist default_server auf Port {p} ({o}): Anfragen, deren Host "
                             "nicht {n} ist (etwa 127.0.0.1:{p}), landen dort (nginx -T)",
                             "another server block is default_server on port {p} ({o}): requests whose Host is not "
                             "{n} (such as 127.0.0.1:{p}) go there (nginx -T)"),
    "no-http11": T("proxy_http_version 1.1 fehlt", "proxy_http_version 1.1 is missing"),
    "no-upgrade": T("proxy_set_header Upgrade $http_upgrade fehlt", "proxy_set_header Upgrade $http_upgrade is missing"),
    "no-connection": T('proxy_set_header Connection "upgrade" fehlt', 'proxy_set_header Connection "upgrade" is missing'),
    "read-timeout": T("proxy_read_timeout {t}: ruhende WebSockets werden getrennt",
                      "proxy_read_timeout {t}: idle WebSockets are cut"),
    "default-60s": T("60s (Standard)", "60s (default)"),
    "nginx-fragile": T("nginx leitet weiter, aber: {w} (FreeSWITCH antwortet auch ohne — fragil, nicht die Ursache).",
                       "nginx proxies, but: {w} (FreeSWITCH answers without them — fragile, not the cause)."),
    "nginx-ok": T("nginx lauscht auf {a}, proxy_pass {p}{via} mit HTTP/1.1, Upgrade und Connection.",
                  "nginx listens on {a}, proxy_pass {p}{via} with HTTP/1.1, Upgrade and Connection."),
    "tunnel-unreadable": T("cloudflared-Konfiguration nicht lesbar: {f} ({e})", "cloudflared config unreadable: {f} ({e})"),
    "tunnel-invalid": T("{j} lehnt die Tunnel-Konfiguration ab — cloudflared startet so nicht: {m}",
                        "{j} refuses the tunnel config — cloudflared does not start with it: {m}"),
    "tunnel-elsewhere": T("{u} trifft laut {j} Regel #{n} → {s}, aber nginx lauscht auf {a}.",
                          "{u} matches rule #{n} → {s} according to {j}, but nginx listens on {a}."),
    "tunnel-not-http": T("{u} trifft laut {j} Regel #{n} → {s}: ein {k}-Dienst ist kein HTTP — cloudflared reicht ihn "
                         "nur an `cloudflared access`-Clients als Bytestrom weiter; Browser-WebSockets erreichen nginx "
                         "auf {a} nie als HTTP (nötig: `http://`).",
                         "{u} matches rule #{n} → {s} according to {j}: a {k} service is not HTTP — cloudflared passes "
                         "it only to `cloudflared access` clients as a byte stream; browsers' WebSockets never reach "
                         "nginx on {a} as HTTP (needed: `http://`)."),
    "tunnel-status": T("{u} trifft laut {j} Regel #{n} → {s}: cloudflared antwortet selbst, nginx bekommt nichts.",
                       "{u} matches rule #{n} → {s} according to {j}: cloudflared answers itself, nginx gets nothing."),
    "tunnel-https": T("{u} trifft laut {j} Regel #{n} → {s}: cloudflared spricht TLS mit nginx auf {a}, das ohne ssl "
                      "lauscht — jede Anfrage scheitert (502).",
                      "{u} matches rule #{n} → {s} according to {j}: cloudflared speaks TLS to nginx on {a}, which "
                      "listens without ssl — every request fails (502)."),
    "tunnel-ok": T("{u} trifft laut {j} Regel #{n} → {s} (nginx).", "{u} matches rule #{n} → {s} (nginx) according to {j}."),
    "judge-cf": T("cloudflared {v}", "cloudflared {v}"),
    "judge-fsnb": T("fsnbs Lesart (kein cloudflared hier)", "fsnb's reading (no cloudflared here)"),
}


@check("wissen.zertifikat", "wissen", "Zertifikat: wss.pem im certs-Verzeichnis, das FreeSWITCH nutzt",
       "Certificate: wss.pem in the certs dir FreeSWITCH really uses", observes=obs.Certificate)
async def zertifikat(ctx):
    certs_dir, source = await ctx.certs_dir()
    try:
        _, prof, _ = await ctx.profile_config()
        if prof.get("tls-cert-dir"):     # the profile's own dir: sofia-sip looks for wss.pem there, not in certs_dir
            certs_dir, source = prof.get("tls-cert-dir"), T("tls-cert-dir im Profil", "tls-cert-dir of the profile").de
    except (AccessError, ConfigError):
        pass
    if not certs_dir:
        return fail(TEXTS["no-certs-dir"])
    path = f"{certs_dir.rstrip('/')}/wss.pem"
    ev = [Evidence("certs_dir", f"{certs_dir}  ({source})", source)]
    view = await ctx.docker_view()
    on_host = view.host_path(certs_dir) if view is not None else None
    if on_host is not None:     # Docker's own view: which file of the host the operator must edit
        ev.append(Evidence(T("Docker-Mount", "Docker mount"), TEXTS["mounted"].format(
            d=certs_dir, h=on_host[0], m="rw" if on_host[1] else "ro"), f"Docker engine: inspect {ctx.fs.container}"))
    if certs_dir.rstrip("/") != ANALYSIS_CERTS:
        ev.append(Evidence(T("Analyse", "Analysis"), TEXTS["analysis-dir"].format(a=ANALYSIS_CERTS, d=certs_dir)))
    try:
        pem = await ctx.read(path)
    except AccessError as exc:
        if isinstance(exc, NotAFile):
            return fail(TEXTS["pem-not-file"].format(e=exc), evidence=ev,
                        observed={"certs_dir": certs_dir, "present": True, "unusable": True, "problems": [str(exc)]})
        observed = {"certs_dir": certs_dir, "present": False}
        text = TEXTS["pem-missing"].format(e=exc)
        other = await _pem_elsewhere(ctx, certs_dir, "")
        if other is not None:
            observed.update(other_pem=other[0], other_pem_subject=other[1].subject)
            text = text + same(" ") + TEXTS["elsewhere"].format(o=other[0], subj=other[1].subject or "?",
                                                               until=other[1].not_after[:10] or "?", d=certs_dir,
                                                               src=source)
        return fail(text, evidence=ev, observed=observed)
    rep = await certs.analyse_async(pem, [ctx.fs.host], ctx.timeout)
    other = await _pem_elsewhere(ctx, certs_dir, pem)
    shadow = await _shadowing_pair(ctx, certs_dir)
    ev.append(Evidence("wss.pem", f"{path}\nblocks: {', '.join(rep.blocks)}\nsubject: {rep.subject}\nissuer: {rep.issuer}\n"
                       f"not after: {rep.not_after}\nSAN: {', '.join(rep.sans) or '-'}", ctx.machine().via(f"file {path}")))
    observed = {"certs_dir": certs_dir, "present": True, "blocks": rep.blocks, "subject": rep.subject,
                "not_after": rep.not_after, "not_before": rep.not_before, "sans": rep.sans,
                "problems": [p.en for p in rep.problems], "warnings": [w.en for w in rep.warnings],
                "self_signed_freeswitch": rep.self_signed_freeswitch, "unusable": rep.unusable, "validity": rep.validity}
    if other is not None:
        opath, orep = other
        observed.update(other_pem=opath, other_pem_subject=orep.subject)
        ev.append(Evidence(T("anderes wss.pem", "other wss.pem"), f"{opath}\nsubject: {orep.subject}\nissuer: "
                           f"{orep.issuer}\nnot after: {orep.not_after}", ctx.machine().via(f"file {opath}")))
        args = dict(o=opath, subj=orep.subject or "?", until=orep.not_after[:10] or "?", d=certs_dir, src=source)
        if rep.self_signed_freeswitch and not orep.self_signed_freeswitch and not orep.problems:
            return warn(TEXTS["elsewhere-served"].format(what=TEXTS["self-generated"], **args), evidence=ev,
                        observed=observed)
        ev.append(Evidence(T("Hinweis", "Note"), TEXTS["elsewhere"].format(**args)))
    if shadow is not None:
        crt_text, crt = shadow
        observed.update(shadowed_by="wss.crt", served_not_after=crt.not_after)
        ev.append(Evidence("wss.crt", f"{certs_dir.rstrip('/')}/wss.crt\nsubject: {crt.subject}\nnot after: {crt.not_after}",
                           ctx.machine().via(f"file {certs_dir.rstrip('/')}/wss.crt")))
        if crt_text.strip() != _first_cert(pem):
            return fail(TEXTS["shadowed"].format(d=certs_dir, until=crt.not_after[:10] or "?"), evidence=ev, observed=observed)
    if rep.problems:
        return fail(TEXTS["pem-unusable"] + SEP.join(rep.problems), evidence=ev, observed=observed)
    if rep.warnings:
        return warn(TEXTS["pem-loads-but"] + SEP.join(rep.warnings), evidence=ev, observed=observed)
    return ok(TEXTS["pem-ok"].format(d=certs_dir, until=rep.not_after[:10]), evidence=ev, observed=observed)


async def _pem_elsewhere(ctx, certs_dir: str, served: str):
    """A wss.pem at a usual place (or the target's certs_dir) other than the one FreeSWITCH reads, that is not the
    same file: (path, its analysis), or None. The operator's certificate is often there, ignored."""
    seen = {certs_dir.rstrip("/")}
    for d in (ctx.fs.certs_dir, *USUAL_CERT_DIRS):
        d = (d or "").rstrip("/")
        if not d or d in seen:
            continue
        seen.add(d)
        try:
            text = await ctx.read(f"{d}/wss.pem")
        except AccessError:
            continue
        if text.strip() == served.strip():
            continue
        return f"{d}/wss.pem", await certs.analyse_async(text, [ctx.fs.host], ctx.timeout)
    return None


def _first_cert(pem: str) -> str:
    blocks, _ = certs.pem_blocks(pem)
    return next((text.strip() for label, text in blocks if label == "CERTIFICATE"), "")


async def _shadowing_pair(ctx, certs_dir: str):
    """(wss.crt text, its analysis) when wss.crt and wss.key both lie in the certs dir: sofia-sip loads that pair
    in preference to wss.pem (seen on the real 1.11). None when they do not."""
    base = certs_dir.rstrip("/")
    try:
        crt = await ctx.read(f"{base}/wss.crt")
        await ctx.read(f"{base}/wss.key")
    except AccessError:
        return None
    blocks, _ = certs.pem_blocks(crt)
    first = next((text for label, text in blocks if label == "CERTIFICATE"), "")
    return first, await certs.analyse_async(first, [ctx.fs.host], ctx.timeout)


@check("wissen.binding", "wissen", "Konfiguration: wss-binding in internal.xml", "Config: wss-binding in internal.xml",
       observes=obs.Binding)
async def binding(ctx):
    conf_dir, source = await ctx.conf_dir()
    if not conf_dir:
        return fail(TEXTS["no-conf-dir"])
    try:
        path, prof, variables = await ctx.profile_config()
    except (AccessError, ConfigError) as exc:
        observed = {"conf_dir": conf_dir}
        if "not well-formed" in str(exc):    # one FreeSWITCH refuses too (its reloadxml: '[error near line N]: …')
            observed["xml_error"] = str(exc)
            return fail(TEXTS["xml-broken"].format(e=str(exc)), observed=observed)
        return fail(same(str(exc)), observed=observed)
    sip_ip = prof.get("sip-ip") or variables.get("local_ip_v4", "")
    observed = {"conf_dir": conf_dir, "file": path, "read": True, "sip_ip": sip_ip, "ws_binding": prof.get("ws-binding"),
                "wss_binding": prof.get("wss-binding"), "wss_commented": "wss-binding" in prof.commented}
    lines = [f"{k} = {v}" for k, v in prof.params if k in ("sip-ip", "sip-port", "ws-binding", "wss-binding", "tls-cert-dir")]
    lines += [f"<!-- {k} = {v} -->" for k, v in prof.commented.items() if k in ("ws-binding", "wss-binding")]
    ev = [Evidence(path, "\n".join(lines), ctx.machine().via(f"file {path}"))]
    for key in ("ws-binding", "wss-binding"):
        if prof.get(key):
            try:
                ip, port = fsconfig.split_binding(prof.get(key), sip_ip)
                observed[key.replace("-", "_") + "_effective"] = f"{ip}:{port}"
            except ConfigError as exc:
                observed["binding_malformed"] = f"{key}: {prof.get(key)}"
                return fail(same(f"{key}: {exc}"), evidence=ev, observed=observed)
    observed["wss_binding_count"] = prof.count("wss-binding")
    observed["tls_cert_dir"] = prof.get("tls-cert-dir") or None
    shared = observed.get("ws_binding_effective")
    if shared and shared == observed.get("wss_binding_effective"):
        observed["port_shared"] = True
        return fail(TEXTS["port-shared"].format(b=shared), evidence=ev, observed=observed)
    if not prof.get("wss-binding"):
        # the WSS port bound by another profile instead (the binding put into external.xml): clients reach that one
        others = await _shared_by_profiles(ctx, path, prof.name, variables, f"{sip_ip}:{ctx.fs.wss_port}")
        if others:
            observed["wss_in_other_profile"] = others
            ev.append(Evidence(T("andere Profile", "other profiles"), "\n".join(others),
                               ctx.machine().via(f"files {conf_dir.rstrip('/')}/sip_profiles/*.xml")))
            return fail(TEXTS["wss-in-other-profile"].format(path=path, o="; ".join(others)), evidence=ev,
                        observed=observed)
        how = TEXTS["commented"] if observed["wss_commented"] else TEXTS["missing"]
        return fail(TEXTS["binding-absent"].format(path=path, how=how), evidence=ev, observed=observed)
    eff = observed.get("wss_binding_effective") or ""
    if eff.rpartition(":")[2] != str(ctx.fs.wss_port):
        observed["port_mismatch"] = True
        return fail(TEXTS["binding-other-port"].format(b=prof.get("wss-binding"), eff=eff, t=ctx.fs.wss_port),
                    evidence=ev, observed=observed)
    observed["shared_by_profiles"] = await _shared_by_profiles(ctx, path, prof.name, variables, eff)
    if observed["shared_by_profiles"]:
        ev.append(Evidence(T("andere Profile", "other profiles"), "\n".join(observed["shared_by_profiles"]),
                           ctx.machine().via(f"files {conf_dir.rstrip('/')}/sip_profiles/*.xml")))
        return fail(TEXTS["shared-by-profiles"].format(b=eff, o="; ".join(observed["shared_by_profiles"])),
                    evidence=ev, observed=observed)
    if observed["wss_binding_count"] > 1:
        return warn(TEXTS["binding-twice"].format(n=observed["wss_binding_count"], b=prof.get("wss-binding")),
                    evidence=ev, observed=observed)
    note = TEXTS["empty-ip"] if prof.get("wss-binding", "").startswith(":") else same("")
    b, eff = prof.get("wss-binding"), observed.get("wss_binding_effective")
    if prof.xml_flaw:
        observed["xml_flaw"] = prof.xml_flaw
        return warn(TEXTS["xml-lenient"].format(p=path, f=prof.xml_flaw) + same(" ")
                    + TEXTS["binding-ok"].format(b=b, eff=eff, note=note), evidence=ev, observed=observed)
    return ok(TEXTS["binding-ok"].format(b=b, eff=eff, note=note), evidence=ev, observed=observed)


WILDCARD = ("", "0.0.0.0", "::")


async def _shared_by_profiles(ctx, own_path: str, own_name: str, variables: dict, wss: str) -> list[str]:
    """The other profiles whose ws- or wss-binding (the last of each, as FreeSWITCH applies them) lands on `wss`,
    the profile's effective WSS ip:port: "name: param value (path)"."""
    ip, _, port = wss.rpartition(":")
    found = []
    for path, other in await _other_profiles(ctx, own_path, own_name, variables):
        other_ip = other.get("sip-ip") or variables.get("local_ip_v4", "")
        for key in ("ws-binding", "wss-binding"):
            try:
                o_ip, o_port = fsconfig.split_binding(other.get(key) or "", other_ip)
            except ConfigError:
                continue
            # the same address shares the connections; on a wildcard this profile loses its address' connections to a
            # more specific listener (a wildcard other profile takes nothing from a specific one: not counted)
            if str(o_port) == port and (o_ip == ip or ip in WILDCARD):
                found.append(f"{other.name}: {key} {other.get(key)} ({path})")
    return found


async def _other_profiles(ctx, own_path: str, own_name: str, variables: dict) -> list:
    """(path, parsed profile) of every other sip_profiles/*.xml (vanilla sofia.conf.xml includes them all), at most
    40. A file that does not parse or holds no <profile> outside comments is no profile FreeSWITCH starts: skipped."""
    conf, _ = await ctx.conf_dir()
    base = f"{conf.rstrip('/')}/sip_profiles"
    try:
        names = await ctx.machine().list_dir(base)
    except AccessError:
        return []
    names = [n for n in sorted(names) if n.endswith(".xml") and f"{base}/{n}" != own_path][:40]

    async def one(name: str):
        try:
            path, text = await ctx.conf_file(f"sip_profiles/{name}")
            other = await fsconfig.parse_async(fsconfig.parse_profile, text, name[:-4], variables, timeout=ctx.timeout)
        except (AccessError, ConfigError):
            return None
        return None if other.name == own_name else (path, other)
    return [x for x in await asyncio.gather(*(one(n) for n in names)) if x]


def _port_of(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


@check("wissen.nginx", "wissen", "nginx: lauscht auf 8082 und leitet WebSocket richtig weiter",
       "nginx: listens on 8082 and proxies WebSocket correctly", observes=obs.Nginx)
async def nginx(ctx):
    t = ctx.target
    host, port = _port_of(t.nginx.address)
    try:
        _, w = await asyncio.wait_for(asyncio.open_connection(host, port), ctx.timeout)
        w.close()
        listening = True
    except (OSError, asyncio.TimeoutError):
        listening = False
    try:
        loc = await ctx.nginx_location()
    except ConfigError as exc:
        return fail(TEXTS["nginx-unreadable"].format(e=exc), observed={"listening": listening})
    if loc is None:
        return fail(TEXTS["no-proxy-pass"].format(f=t.nginx.config), observed={"listening": listening})
    observed = {"listening": listening, "config_read": True, "proxy_pass": loc.proxy_pass, "scheme": loc.scheme,
                "upstream_host": loc.host, "upstream_port": loc.port, "http_version": loc.http_version,
                "upgrade": loc.upgrade_header, "connection": loc.connection_header, "read_timeout": loc.read_timeout}
    via, servers = same(""), []
    if loc.upstream_name:   # upstream_host/port are the group's first server: say which group, and all its servers
        observed["upstream_name"] = loc.upstream_name
        via = TEXTS["via-upstream"].format(u=loc.upstream_name, s=", ".join(loc.upstream_servers))
        servers = [f"upstream_servers: {', '.join(loc.upstream_servers)}"]
    lines = [f"{k}: {v}" for k, v in observed.items()] + servers
    ev = [Evidence(f"{loc.file}:{loc.line}", "\n".join(lines), f"crossplane {loc.file}")]
    problems: list[T] = []
    warnings: list[T] = []
    if not listening:
        problems.append(TEXTS["nothing-listens"].format(a=t.nginx.address))
    fs = ctx.fs
    if loc.scheme == "http" and loc.port == fs.wss_port:
        observed["scheme_mismatch"] = True
        problems.append(TEXTS["http-to-tls"].format(p=fs.wss_port, via=via))
    if loc.scheme == "https" and loc.port == fs.ws_port:
        observed["scheme_mismatch"] = True
        problems.append(TEXTS["https-to-plain"].format(p=fs.ws_port, via=via))
    h2c = next((spec for spec in loc.listen if "http2" in spec.split() and "ssl" not in spec.split()), None)
    if h2c:     # nginx ≤ 1.24: a plain listener with http2 takes HTTP/2 prior knowledge only, never an HTTP/1.1 Upgrade
        observed["listen_h2c"] = h2c
        problems.append(TEXTS["listen-h2c"].format(s=h2c))
    if loc.http_version != "1.1":
        warnings.append(TEXTS["no-http11"])
    if not loc.upgrade_header:
        warnings.append(TEXTS["no-upgrade"])
    if not loc.connection_header or "upgrade" not in loc.connection_header.lower():
        warnings.append(TEXTS["no-connection"])
    others = await _other_servers(ctx, port, loc.file, observed, ev)
    if others is not None:
        problems.append(others)
    if _seconds(loc.read_timeout) < 300:
        timeout = same(loc.read_timeout) if loc.read_timeout else TEXTS["default-60s"]
        warnings.append(TEXTS["read-timeout"].format(t=timeout))
    observed["problems"], observed["warnings"] = [p.en for p in problems], [w.en for w in warnings]
    if problems:
        return fail(SEP.join(problems), evidence=ev, observed=observed)
    if warnings:
        return warn(TEXTS["nginx-fragile"].format(w=SEP.join(warnings)), evidence=ev, observed=observed)
    return ok(TEXTS["nginx-ok"].format(a=t.nginx.address, p=loc.proxy_pass, via=via), evidence=ev, observed=observed)


async def _other_servers(ctx, port: int, own_file: str, observed: dict, ev: list):
    """nginx's own view (`nginx -T` of the running nginx that includes the target's file): the other server
    blocks on the port. A default_server among them takes every request whose Host this block does not name."""
    from fsnb.read import nginxeff
    try:
        eff = await asyncio.wait_for(blocking.to_thread(nginxeff.effective, ctx.target.nginx.config, ctx.timeout),
                                     ctx.timeout + 1)
    except (asyncio.TimeoutError, OSError):
        return None
    if eff is None:
        return None
    own = {own_file, os.path.realpath(own_file), ctx.target.nginx.config, os.path.realpath(ctx.target.nginx.config)}
    on_port = nginxeff.on_port(eff.servers, port)
    mine = [s for s in on_port if s.file in own]
    other = [s for s in on_port if s.file not in own]
    observed["effective_from"] = eff.command
    observed["servers_on_port"] = [s.text() for s in on_port]
    ev.append(Evidence(T("nginx -T: Server auf Port {p}", "nginx -T: servers on port {p}").format(p=port),
                       "\n".join(s.text() for s in on_port) or "—", eff.command))
    default = next((s for s in other if s.default), None)
    if default is None or any(s.default for s in mine):
        return None
    observed["other_default"] = default.text()
    observed["other_default_file"], observed["other_default_line"] = default.file, default.line
    observed["own_server_line"] = mine[0].line if mine else None
    names = ", ".join(n for s in mine for n in s.server_names) or None
    if names:
        return TEXTS["other-default-named"].format(p=port, o=default.text(), n=names)
    return TEXTS["other-default"].format(p=port, o=default.text())


def _seconds(v: str | None) -> float:
    if not v:
        return 60.0
    mult = {"s": 1, "m": 60, "h": 3600, "d": 86400, "ms": 0.001}
    for unit in ("ms", "s", "m", "h", "d"):
        if v.endswith(unit):
            try:
                return float(v[:-len(unit)]) * mult[unit]
            except ValueError:
                return 60.0
    try:
        return float(v)
    except ValueError:
        return 60.0


@check("wissen.tunnel", "wissen", "Cloudflare Tunnel: Hostname → http://localhost:8082", "Cloudflare Tunnel: hostname → nginx",
       observes=obs.Tunnel)
async def tunnel_check(ctx):
    """Which rule cloudflared uses for the public URL, and whether it takes the config at all: cloudflared's own
    answer where it is on this machine (fsnb/read/cloudflared.py), else fsnb's model of it — the evidence says which."""
    t = ctx.target
    try:
        text = await blocking.to_thread(files.read_text, os.path.expanduser(t.tunnel.config))
    except OSError as exc:
        return fail(TEXTS["tunnel-unreadable"].format(f=t.tunnel.config, e=exc.strerror))
    url = cloudflared.request_url(t.tunnel.public_url)
    path = urlsplit(url).path or "/"
    try:
        ing = await blocking.to_thread(tunnel.parse, text, t.tunnel.hostname, path)   # off the loop: the deadline holds
    except ConfigError as exc:
        return fail(same(str(exc)), observed={"config_read": False, "parse_error": str(exc)})
    ev = [Evidence(t.tunnel.config, ctx.redactor.text(text), f"local file {t.tunnel.config}")]
    budget = max(0.5, ctx.timeout - 0.5)
    try:
        cf = await files.off_loop(cloudflared.judge, text, t.tunnel.public_url, budget, timeout=budget + 0.2,
                                  what="cloudflared")
    except (OSError, subprocess.SubprocessError, CheckTimeout) as exc:   # no verdict: fsnb's reading, and why
        cf = None
        ev.append(Evidence("cloudflared", f"cloudflared gave no answer: {type(exc).__name__} {exc}", "cloudflared"))
    if cf is not None:
        judge = TEXTS["judge-cf"].format(v=cf.version)
        ev.append(Evidence("cloudflared ingress validate / rule", ctx.redactor.text(cf.output),
                           f"{cf.binary} --no-autoupdate tunnel --config … ingress validate; … ingress rule {cf.url}"))
        invalid, rule, service = (None if cf.valid else cf.message), cf.rule, cf.service
    else:
        judge = TEXTS["judge-fsnb"]
        invalid, rule, service = ing.invalid, ing.rule, ing.service
        # the model's verdict as evidence too, in cloudflared's words (what the summary says must be shown)
        ev.append(Evidence(TEXTS["judge-fsnb"], ("Validation failed: " + invalid) if invalid else
                           f"Validation OK\nMatched rule #{rule or '—'}: service {service or '—'}",
                           "fsnb/read/tunnel.py (cloudflared 2023.7's validateIngress/FindMatchingRule)"))
    observed = {"config_read": True, "hostname": t.tunnel.hostname, "service": service, "catch_all": ing.catch_all,
                "standin": t.tunnel.standin, "judge": f"cloudflared {cf.version}" if cf else "fsnb",
                "invalid": invalid, "rule": rule, "model_agrees": None if cf is None else (
                    (invalid is None) == (ing.invalid is None) and (invalid is not None or ing.rule == rule))}
    if invalid:
        return fail(TEXTS["tunnel-invalid"].format(j=judge, m=same(invalid)), evidence=ev, observed=observed)
    fmt = dict(u=url, j=judge, n=rule, s=service, a=t.nginx.address)
    if (service or "").startswith("http_status:"):
        observed["routes_to_nginx"] = False
        return fail(TEXTS["tunnel-status"].format(**fmt), evidence=ev, observed=observed)
    svc = tunnel.service_target(service or "")
    nhost, nport = _port_of(t.nginx.address)
    local = {"localhost", "127.0.0.1", "::1", nhost}
    observed["routes_to_nginx"] = bool(svc and svc[2] == nport and svc[1] in local)
    scheme = urlsplit(service or "").scheme
    if svc is None and scheme and scheme not in ("http", "https", "ws", "wss"):
        # tcp://, ssh://, rdp://, unix:…: cloudflared bridges such a service only for `cloudflared access` clients
        # (a byte stream inside its own WebSocket) — a browser's HTTP/WebSocket request never reaches nginx as HTTP
        observed["not_http_service"] = scheme
        return fail(TEXTS["tunnel-not-http"].format(**fmt, k=scheme), evidence=ev, observed=observed)
    if not observed["routes_to_nginx"]:
        return fail(TEXTS["tunnel-elsewhere"].format(**fmt), evidence=ev, observed=observed)
    if svc[0] in ("https", "wss"):
        loc = await _nginx_location_or_none(ctx)
        tls = bool(loc and any("ssl" in spec.split()[1:] for spec in loc.listen))
        observed["origin_tls_mismatch"] = not tls
        if not tls:
            return fail(TEXTS["tunnel-https"].format(**fmt), evidence=ev, observed=observed)
    return ok(TEXTS["tunnel-ok"].format(**fmt), evidence=ev, observed=observed)


async def _nginx_location_or_none(ctx):
    try:
        return await ctx.nginx_location()
    except FsnbError:
        return None
