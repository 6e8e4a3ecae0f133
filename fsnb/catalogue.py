"""The cause catalogue: what can keep WSS on 7443 from working, with the fix (from shared/knowledge/causes.md)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cause:
    id: str
    de: str
    en: str
    fix_de: str
    fix_en: str
    severity: str = "fail"   # fail | warn


CAUSES: dict[str, Cause] = {c.id: c for c in [
    Cause("wss-pem-bad", "wss.pem ist unbrauchbar: FreeSWITCH meldet 'Bad WSS.PEM certificate.' und das ganze Profil bleibt aus.",
          "wss.pem is unusable: FreeSWITCH logs 'Bad WSS.PEM certificate.' and the whole profile stays down.",
          "wss.pem im certs_dir (global_getvar certs_dir) neu bauen: Schlüssel, eigenes Zertifikat, dann Kette; dann "
          "`sofia profile internal start`.",
          "Rebuild wss.pem in certs_dir (global_getvar certs_dir): key, leaf certificate, then chain; then `sofia profile internal start`."),
    Cause("bind-failed", "Ein Listener des Profils konnte nicht binden (Port belegt oder Adresse nicht lokal): das ganze Profil startet nicht.",
          "A listener of the profile could not bind (port in use or address not local): the whole profile fails.",
          "Den Port freimachen (wer hält ihn? `ss -ltnp`), bzw. eine lokale Adresse binden; `sofia loglevel tport 9` zeigt den "
          "Grund; dann `sofia profile internal start`.",
          "Free the port (who holds it? `ss -ltnp`) or bind a local address; `sofia loglevel tport 9` shows the reason; then "
          "`sofia profile internal start`."),
    Cause("wss-binding-not-applied", "wss-binding ist nicht wirksam: fehlt, ist auskommentiert oder wurde nach dem Start nur per reloadxml/rescan ergänzt.",
          "wss-binding is not in effect: missing, commented out, or added after the start with only reloadxml/rescan.",
          "wss-binding in internal.xml setzen, dann `sofia profile internal restart` (reloadxml/rescan binden nicht neu; "
          "Restart erst 10 s nach dem Start).",
          "Set wss-binding in internal.xml, then `sofia profile internal restart` (reloadxml/rescan do not rebind; restart "
          "only 10 s after a start)."),
    Cause("bound-elsewhere", "7443/5066 lauschen auf einer anderen Adresse, als nginx/Clients ansprechen (leere IP = sip-ip).",
          "7443/5066 listen on another address than nginx/clients target (empty IP = sip-ip).",
          "nginx an die Adresse aus WSS-BIND-URL leiten, oder explizit binden (`wss-binding 127.0.0.1:7443`) und neu starten.",
          "Proxy to the address in WSS-BIND-URL, or bind explicitly (`wss-binding 127.0.0.1:7443`) and restart."),
    Cause("profile-not-running", "Das Profil internal läuft nicht (gestoppt), obwohl FreeSWITCH Profile beim Laden selbst startet.",
          "Profile internal is not running (stopped), although FreeSWITCH starts profiles at load by itself.",
          "`sofia profile internal start` (Bestätigung nötig), dann prüfen, dass 7443 wirklich lauscht; klären, wer es gestoppt hat.",
          "`sofia profile internal start` (needs confirmation), then verify that 7443 really listens; find out who stopped it."),
    Cause("freeswitch-down", "FreeSWITCH läuft nicht (kein ESL, keine SIP-Ports).", "FreeSWITCH is not running (no ESL, no SIP ports).",
          "Container/Dienst starten und dessen Log lesen (`docker logs`, freeswitch.log).",
          "Start the container/service and read its log (`docker logs`, freeswitch.log)."),
    Cause("nginx-not-listening", "nginx lauscht nicht auf der Adresse, auf die der Tunnel zeigt.",
          "nginx does not listen on the address the tunnel points to.", "nginx starten bzw. `listen` korrigieren.",
          "Start nginx or fix its `listen`."),
    Cause("nginx-scheme-mismatch", "nginx spricht das falsche Protokoll zum Upstream (http:// an den TLS-Port oder https:// an den Klartext-Port).",
          "nginx speaks the wrong scheme upstream (http:// to the TLS port or https:// to the plain port).",
          "`proxy_pass https://…:7443` (mit proxy_ssl_verify off bei selbstsigniertem wss.pem) oder `http://…:5066`.",
          "`proxy_pass https://…:7443` (proxy_ssl_verify off for a self-signed wss.pem) or `http://…:5066`."),
    Cause("nginx-upstream-down", "nginx leitet an einen Port, auf dem nichts lauscht (502, Connection refused).",
          "nginx proxies to a port where nothing listens (502, connection refused).",
          "proxy_pass auf den Port/die Adresse aus WSS-BIND-URL setzen, `nginx -s reload`.",
          "Point proxy_pass at the port/address of WSS-BIND-URL, `nginx -s reload`."),
    Cause("via-transport-mismatch", "Der WebSocket öffnet, aber FreeSWITCH beantwortet keine SIP-Anfrage: der Browser sendet 'Via: SIP/2.0/WSS', "
          "die Verbindung zu FreeSWITCH ist WS (TLS endet vorher). Die Alternative der Analyse bricht genau daran.",
          "The WebSocket opens, but FreeSWITCH answers no SIP request: the browser sends 'Via: SIP/2.0/WSS', the connection to "
          "FreeSWITCH is WS (TLS ends earlier). The analysis' alternative breaks exactly here.",
          "nginx an wss 7443 leiten (`proxy_pass https://…:7443`), oder den Client 'Via …/WS' senden lassen (JsSIP via_transport).",
          "Proxy nginx to wss 7443 (`proxy_pass https://…:7443`), or make the client send 'Via …/WS' (JsSIP via_transport)."),
    Cause("tunnel-origin-unreachable", "Der Tunnel leitet den Hostnamen nicht an nginx 8082 (falscher Service oder Host).",
          "The tunnel does not route the hostname to nginx 8082 (wrong service or host).",
          "Ingress-Regel `service: http://localhost:8082` (in einem cloudflared-Container ist localhost der Container selbst), "
          "Catch-all am Ende, cloudflared neu starten.",
          "Ingress `service: http://localhost:8082` (inside a cloudflared container localhost is the container itself), "
          "catch-all last, restart cloudflared."),
    Cause("subprotocol-missing", "Die 101-Antwort trägt kein 'Sec-WebSocket-Protocol: sip': Browser brechen ab.",
          "The 101 carries no 'Sec-WebSocket-Protocol: sip': browsers abort.",
          "Prüfen, wer den Handshake umschreibt (Proxy), bzw. dass der Client 'sip' anbietet.",
          "Find what rewrites the handshake (proxy), or make the client offer 'sip'."),
    Cause("esl-not-listening", "mod_event_socket lauscht nicht (listen-ip nicht lokal oder :: ohne IPv6); SIP läuft davon unabhängig.",
          "mod_event_socket does not listen (listen-ip not local, or :: without IPv6); SIP runs independently.",
          "listen-ip 127.0.0.1 (oder 0.0.0.0 mit ACL) in event_socket.conf.xml, dann `reload mod_event_socket`.",
          "listen-ip 127.0.0.1 (or 0.0.0.0 with an ACL) in event_socket.conf.xml, then `reload mod_event_socket`."),
    Cause("esl-acl-rejects", "ESL weist diesen Client per ACL ab ('Access Denied, go away.').",
          "ESL rejects this client by ACL ('Access Denied, go away.').",
          "apply-inbound-acl auf eine Liste setzen, die den Client erlaubt (Docker-Portweiterleitung: Bridge-Gateway!).",
          "Set apply-inbound-acl to a list allowing the client (Docker port publishing: the bridge gateway!)."),
    Cause("esl-bad-password", "Falsches ESL-Passwort (fs_cli zeigt nur 'Error Connecting []').",
          "Wrong ESL password (fs_cli shows only 'Error Connecting []').",
          "Passwort aus event_socket.conf.xml verwenden (Ziel: esl_password-Quelle).",
          "Use the password from event_socket.conf.xml (target: esl_password source)."),
    Cause("esl-no-answer", "Auf dem ESL-Port nimmt etwas Verbindungen an, antwortet aber nie (fs_cli hängt ohne -T).",
          "Something on the ESL port accepts connections but never answers (fs_cli hangs without -T).",
          "Herausfinden, welches Programm den Port hält (`ss -ltnp`), es beenden, dann `reload mod_event_socket`.",
          "Find the program holding the port (`ss -ltnp`), stop it, then `reload mod_event_socket`."),
    Cause("esl-port-not-esl", "Auf dem ESL-Port läuft ein anderer Dienst (z. B. HTTP) statt mod_event_socket.",
          "Another service (e.g. HTTP) runs on the ESL port instead of mod_event_socket.",
          "Den fremden Dienst vom Port nehmen oder ESL-Port/Ziel korrigieren.", "Move the foreign service off the port or fix the ESL port/target."),
    Cause("nginx-websocket-config", "nginx leitet WebSocket ohne HTTP/1.1/Upgrade/Connection bzw. mit kurzem read_timeout weiter — "
          "FreeSWITCH antwortet trotzdem, aber fragil.",
          "nginx proxies WebSocket without HTTP/1.1/Upgrade/Connection or with a short read timeout — FreeSWITCH still "
          "answers, but it is fragile.",
          "`proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\"; proxy_read_timeout 3600s;`",
          "`proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\"; proxy_read_timeout 3600s;`",
          "warn"),
    Cause("certificate-untrusted", "Das WSS-Zertifikat ist für Clients nicht vertrauenswürdig (direktes wss:// zu 7443 scheitert im Browser).",
          "The WSS certificate is not trusted by clients (direct wss:// to 7443 fails in browsers).",
          "CA-signiertes Zertifikat für den Hostnamen, oder TLS vor FreeSWITCH terminieren.",
          "A CA-signed certificate for the hostname, or terminate TLS in front of FreeSWITCH.", "warn"),
    Cause("wss-pem-warning", "wss.pem lädt, hat aber Mängel (selbst erzeugt, SAN passt nicht).",
          "wss.pem loads but has flaws (self-generated, SAN mismatch).", "Eigenes Zertifikat in certs_dir legen.",
          "Put your own certificate into certs_dir.", "warn"),
    Cause("tunnel-config-warning", "Tunnel-Konfiguration funktioniert, ist aber fehleranfällig (kein Catch-all).",
          "The tunnel config works but is fragile (no catch-all).", "`- service: http_status:404` als letzte Regel.",
          "`- service: http_status:404` as the last rule.", "warn"),
]}
