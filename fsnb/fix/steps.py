"""The fix of a finding as an operator's steps for one target: what to do, and the exact command where there is one."""
from __future__ import annotations

from fsnb.i18n import T

REBUILD_PEM = "cat privkey.pem cert.pem chain.pem > {pem} && chmod 600 {pem}"


def fix_steps(finding, target, results: dict, lang: str) -> list[tuple[str, str | None]]:
    """The fix of a finding as steps (text, exact command or None) for this target; `results` by check id."""
    L = lang
    fs = target.freeswitch
    cert = results.get("wissen.zertifikat")
    certs_dir = (cert.observed.get("certs_dir") if cert else None) or fs.certs_dir or "$(fs_cli -x 'global_getvar certs_dir')"
    pem = f"{certs_dir.rstrip('/')}/wss.pem"
    where = (T(" (im Container {c}: `docker exec {c} …`)", " (in container {c}: `docker exec {c} …`)").format(c=fs.container)(L)
             if fs.container else "")
    prof = results.get("schritt2.profil")
    running = bool(prof and prof.observed.get("running"))
    again = f"sofia profile {fs.profile} {'restart' if running else 'start'}"
    if finding.cause == "wss-pem-bad":
        return [
            (T("wss.pem neu bauen — privater Schlüssel, eigenes Zertifikat, dann die Kette, genau in dieser Reihenfolge"
               + "{w}:", "Rebuild wss.pem — private key, own certificate, then the chain, in exactly this order{w}:")
             .format(w=where)(L), REBUILD_PEM.format(pem=pem)),
            (T("Prüfen, dass Schlüssel und Zertifikat zusammenpassen (beide Zeilen gleich):",
               "Check that key and certificate match (both lines equal):")(L),
             f"openssl x509 -in {pem} -noout -pubkey | sha256sum; openssl pkey -in {pem} -pubout | sha256sum"),
            (T("„Erneut prüfen“: sobald wss.pem in Ordnung ist, bietet fsnb hier an:",
               "“Check again”: once wss.pem is fine, fsnb offers here:")(L), again),
        ]
    if finding.cause in ("wss-cert-expired", "wss-cert-not-yet-valid"):
        return [(T("Gültiges Zertifikat ausstellen und wss.pem neu bauen (Schlüssel, Zertifikat, Kette){w}:",
                   "Issue a valid certificate and rebuild wss.pem (key, certificate, chain){w}:").format(w=where)(L),
                 REBUILD_PEM.format(pem=pem)),
                (T("FreeSWITCH liest wss.pem nur beim Profilstart:", "FreeSWITCH reads wss.pem only at profile start:")(L),
                 f"sofia profile {fs.profile} restart")]
    return [(finding.fix(L), None)]
