"""The cause catalogue: what can keep WSS on 7443 from working, with the fix (from shared/knowledge/causes.md).

One declaration per cause (issue #23), everything about it in one place:
- its texts, de and en, and its fix's texts;
- its rank: the catalogue is declared in rank order — most fundamental first — and `diagnose()` orders findings
  by it (fail before warn, then `rank`); `superseded_by` drops a cause when a deeper one matched (a stopped
  profile is no news when the log says why it could not start). There are no other scores.
- `severity`: fail | warn;
- `node`: the hop of the chain picture it breaks (fsnb/present/chain_picture.py draws it there);
- `scenario`: the lab scenario that reproduces it (fsnb/lab/scenarios.py), or `no_scenario`: why there is none;
- `fix_kind`: what kind of fix it needs (`no_fix_because`, and `no_fix_because_de`, when there is none);
- `reads`: the checks whose observations its rule reads (enforced by the diagnosis), `explains`: the checks whose
  failures it accounts for.
tests/test_catalogue.py checks that every declaration is complete.
Over 500 lines: a declaration, one entry per cause (its size grows with the catalogue).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# the checks, by id (fsnb/checks)
CERT, BINDING, NGINX_CONF, TUNNEL = "wissen.zertifikat", "wissen.binding", "wissen.nginx", "wissen.tunnel"
ESL, ESL_CONF, PROFILE, LOG, PORTS = "schritt1.esl", "schritt1.esl_config", "schritt2.profil", "schritt2.log", "schritt3.ports"
HOP_WSS, HOP_WS, HOP_NGINX, HOP_PUBLIC, CURL = "schritt4.wss", "schritt4.ws", "schritt4.nginx", "schritt4.public", "schritt4.curl"
ALTERNATIVE = "alternative.ws5066"
MEDIA_CONF, CALL = "schritt5.config", "schritt5.anruf"

# everything that fails when FreeSWITCH's SIP/WebSocket listeners are not where they should be
LISTENERS_DOWN = (PROFILE, PORTS, HOP_WSS, HOP_WS, HOP_NGINX, HOP_PUBLIC, CURL, ALTERNATIVE)
HOPS = (HOP_WSS, HOP_WS, HOP_NGINX, HOP_PUBLIC)


class Node(StrEnum):
    """The hops of the chain picture, browser to ESL; a cause declares the one it breaks."""
    BROWSER = "browser"
    CLOUDFLARE = "cloudflare"
    NGINX = "nginx"
    FREESWITCH = "freeswitch"
    PROFILE = "profile"
    ESL = "esl"
    MEDIA = "media"                       # RTP/UDP browser ↔ FreeSWITCH: apart from the signalling path (no tunnel)
    AT_FAILED_CHECK = "at-failed-check"   # no hop of its own: the hop of the check that failed (unexplained-failure)


class Fix(StrEnum):
    """The kind of fix a cause needs; fsnb/fix/plan.py computes the concrete fix from the target's files."""
    CONFIG_EDIT = "config-edit"            # edit a config file (FreeSWITCH, nginx, cloudflared), then reload/restart
    CERTIFICATE = "certificate"            # issue, rebuild, renew or remove certificate/key files
    RUNTIME_COMMAND = "runtime-command"    # a command on the running FreeSWITCH (fs_cli), no file changes
    TARGET_EDIT = "target-edit"            # fsnb's target file is what is wrong, not the deployment
    USER_ACTION = "user-action"            # only the operator can: start a service, find and stop a foreign program
    NONE = "none"                          # no fix to give; `no_fix_because` says why


SEVERITIES = ("fail", "warn")


@dataclass(frozen=True)
class Cause:
    id: str
    de: str
    en: str
    fix_de: str
    fix_en: str
    node: Node                             # the chain hop it breaks
    fix_kind: Fix
    scenario: str = ""                     # the lab scenario reproducing it (fsnb/lab/scenarios.py) ...
    no_scenario: str = ""                  # ... or why there is none
    no_fix_because: str = ""               # with fix_kind Fix.NONE: why ...
    no_fix_because_de: str = ""            # ... and the same in German (a fix plan shows it in the reader's language)
    severity: str = "fail"                 # fail | warn
    reads: tuple[str, ...] = ()            # the checks whose observations the rule reads
    explains: tuple[str, ...] = ()         # the checks whose FAIL/ERR this cause accounts for
    superseded_by: tuple[str, ...] = ()    # deeper causes that make this one redundant
    # for the training (fsnb/present/training): where its deciding evidence is — (check, regex of the line; None:
    # the check's first evidence block) — and the words a reasoning that found it would use (lower case, de and en)
    deciding: tuple[tuple[str, str | None], ...] = ()
    keywords: tuple[str, ...] = ()
    rank: int = field(default=-1, compare=False)   # its place in the catalogue (0 = first); set by _ranked

    def __post_init__(self):
        problems = []
        if self.severity not in SEVERITIES:
            problems.append(f"severity {self.severity!r} is not one of {SEVERITIES}")
        if not isinstance(self.node, Node):
            problems.append(f"node {self.node!r} is not a Node")
        if not isinstance(self.fix_kind, Fix):
            problems.append(f"fix_kind {self.fix_kind!r} is not a Fix")
        if bool(self.scenario) == bool(self.no_scenario):
            problems.append("needs exactly one of scenario / no_scenario")
        if (self.fix_kind is Fix.NONE) != bool(self.no_fix_because):
            problems.append("no_fix_because goes with fix_kind Fix.NONE, and only with it")
        if bool(self.no_fix_because) != bool(self.no_fix_because_de):
            problems.append("no_fix_because in de and en")
        if not all((self.de, self.en, self.fix_de, self.fix_en)):
            problems.append("texts and fix texts in de and en")
        if problems:
            raise ValueError(f"cause {self.id}: " + "; ".join(problems))

    @property
    def score(self) -> int:
        """Higher is more likely (Finding.score, kept for its readers): the rank, turned round."""
        return len(CAUSES) - self.rank


def _ranked(causes: list[Cause]) -> dict[str, Cause]:
    """The catalogue by id; each cause's rank is its place in the declaration."""
    out: dict[str, Cause] = {}
    for i, c in enumerate(causes):
        if c.id in out:
            raise ValueError(f"cause {c.id} declared twice")
        object.__setattr__(c, "rank", i)
        out[c.id] = c
    for c in out.values():
        unknown = [s for s in c.superseded_by if s not in out]
        if unknown:
            raise ValueError(f"cause {c.id}: superseded_by names unknown causes {unknown}")
    return out


# In rank order: what breaks the most first (FreeSWITCH itself, its profile, its listeners), then nginx, the
# certificates the path still serves, the tunnel, SIP, ESL; `unexplained-failure` after every known failure; then the
# warnings, which never break the path.
CAUSES: dict[str, Cause] = _ranked([
    Cause("wss-pem-bad", "wss.pem ist unbrauchbar: FreeSWITCH meldet 'Bad WSS.PEM certificate.' und das ganze Profil bleibt aus.",
          "wss.pem is unusable: FreeSWITCH logs 'Bad WSS.PEM certificate.' and the whole profile stays down.",
          "wss.pem im certs_dir (global_getvar certs_dir) neu bauen: Schlüssel, eigenes Zertifikat, dann Kette; dann "
          "`sofia profile internal start`.",
          "Rebuild wss.pem in certs_dir (global_getvar certs_dir): key, leaf certificate, then chain; then `sofia profile internal start`.",
          reads=(LOG, CERT, PORTS), explains=(CERT, LOG) + LISTENERS_DOWN,
          node=Node.FREESWITCH, fix_kind=Fix.CERTIFICATE, scenario="wss-pem-cert-only",
        deciding=((LOG, r"Bad WSS\.PEM"), (CERT, r"^\s*blocks:"),),
        keywords=("wss.pem", "bad wss", "zertifikat", "certificate", "schlüssel", "key", "private"),),
    Cause("freeswitch-down", "FreeSWITCH läuft nicht (kein ESL, keine SIP-Ports).", "FreeSWITCH is not running (no ESL, no SIP ports).",
          "Container/Dienst starten und dessen Log lesen (`docker logs`, freeswitch.log).",
          "Start the container/service and read its log (`docker logs`, freeswitch.log).",
          reads=(ESL, ESL_CONF, LOG, PORTS),
          explains=(ESL, ESL_CONF, LOG, CERT, BINDING) + LISTENERS_DOWN,
          node=Node.PROFILE, fix_kind=Fix.USER_ACTION, no_scenario="no knob stops FreeSWITCH once `fsnb lab up` has waited for it to start",
        keywords=("läuft nicht", "not running", "kein esl", "no esl"),),
    # -- red team (#18.5): the container is frozen, not stopped — every socket accepts, nothing answers ---------------
    Cause("container-paused",
          "Der FreeSWITCH-Container ist eingefroren (`docker pause`, Docker-Status 'paused'): der Kernel nimmt "
          "Verbindungen auf jedem Port noch an, FreeSWITCH beantwortet keine — ESL, ws/wss, nginx und der Tunnel hängen "
          "bis zum Timeout.",
          "FreeSWITCH's container is frozen (`docker pause`, Docker status 'paused'): the kernel still accepts "
          "connections on every port, FreeSWITCH answers none — ESL, ws/wss, nginx and the tunnel hang until they "
          "time out.",
          "`docker unpause <container>` (und herausfinden, wer/was pausiert hat: Backup-Skript, Orchestrator); danach "
          "fsnb erneut laufen lassen.",
          "`docker unpause <container>` (and find out who or what paused it: a backup script, an orchestrator); then "
          "run fsnb again.",
          reads=(PORTS,), explains=(ESL, ESL_CONF, LOG, CERT, BINDING) + LISTENERS_DOWN,
          node=Node.FREESWITCH, fix_kind=Fix.USER_ACTION, scenario="container-paused",
        deciding=((PORTS, r"paused"),),
        keywords=("pause", "paused", "unpause", "eingefroren", "frozen", "docker"),),
    Cause("freeswitch-process-stopped",
          "Der FreeSWITCH-Prozess ist angehalten (Zustand T: SIGSTOP, Strg-Z in einer Vordergrund-Sitzung "
          "`freeswitch -nc`, ein angehängter Debugger): der Kernel nimmt Verbindungen an, FreeSWITCH beantwortet keine.",
          "FreeSWITCH's process is stopped (state T: SIGSTOP, Ctrl-Z in a foreground `freeswitch -nc` session, an "
          "attached debugger): the kernel accepts connections, FreeSWITCH answers none.",
          "`kill -CONT <pid>` (bzw. `fg` in der Sitzung, den Debugger lösen); FreeSWITCH als Dienst statt im "
          "Vordergrund eines Terminals betreiben.",
          "`kill -CONT <pid>` (or `fg` in that session, detach the debugger); run FreeSWITCH as a service, not in the "
          "foreground of a terminal.",
          reads=(PORTS,), explains=(ESL, ESL_CONF, LOG, CERT, BINDING) + LISTENERS_DOWN,
          node=Node.FREESWITCH, fix_kind=Fix.USER_ACTION, scenario="freeswitch-sigstop",
        deciding=((PORTS, r"stopped|angehalten|state T|Zustand T"),),
        keywords=("sigstop", "stopped", "angehalten", "kill -cont", "ctrl-z", "strg-z", "fg", "debugger"),),
    # -- issue #18, Docker's own view: the container's network namespace (fsnb/read/dockerview.py) --------------
    Cause("container-ports-not-published",
          "FreeSWITCH läuft im eigenen Netzwerk-Namespace des Containers (kein `--network host`): 7443/8021 lauschen "
          "auf dessen 127.0.0.1, nicht auf dem dieses Rechners, und Docker veröffentlicht die Ports nicht — nginx "
          "und fs_cli erreichen nichts.",
          "FreeSWITCH runs in the container's own network namespace (no `--network host`): 7443/8021 listen on its "
          "127.0.0.1, not this machine's, and Docker publishes no port — nginx and fs_cli reach nothing.",
          "Entweder Host-Netzwerk: `docker run --network host …` bzw. compose `network_mode: host` (dann passen "
          "nginx → https://127.0.0.1:7443 und fs_cli → 127.0.0.1:8021 wie sie sind). Oder die Ports veröffentlichen, "
          "die jeder Weg braucht: nginx → wss `-p 127.0.0.1:7443:7443` (compose `ports: [\"127.0.0.1:7443:7443\"]`), "
          "nur für die WS-Alternative `-p 127.0.0.1:5066:5066`, fs_cli/fsnb → ESL `-p 127.0.0.1:8021:8021`, SIP-"
          "Clients von außen `-p 5060:5060/udp -p 5060:5060/tcp` — und FreeSWITCH dann auf der Container-Adresse "
          "lauschen lassen (wss-binding `:7443` mit sip-ip der Container-IP; ESL listen-ip 0.0.0.0 mit einer ACL, "
          "die das Docker-Gateway zulässt): Docker leitet veröffentlichte Ports an die Container-Adresse, nicht an "
          "dessen Loopback.",
          "Either host networking: `docker run --network host …` or compose `network_mode: host` (then nginx → "
          "https://127.0.0.1:7443 and fs_cli → 127.0.0.1:8021 work as they are). Or publish the ports each path "
          "needs: nginx → wss `-p 127.0.0.1:7443:7443` (compose `ports: [\"127.0.0.1:7443:7443\"]`), only for the WS "
          "alternative `-p 127.0.0.1:5066:5066`, fs_cli/fsnb → ESL `-p 127.0.0.1:8021:8021`, SIP clients from outside "
          "`-p 5060:5060/udp -p 5060:5060/tcp` — and then let FreeSWITCH listen on the container's address (wss-binding "
          "`:7443` with sip-ip the container's IP; ESL listen-ip 0.0.0.0 with an ACL admitting the Docker gateway): "
          "Docker forwards published ports to the container's address, not to its loopback.",
          reads=(PORTS,), explains=(ESL, ESL_CONF) + LISTENERS_DOWN,
          node=Node.FREESWITCH, fix_kind=Fix.CONFIG_EDIT, scenario="docker-own-netns",
        deciding=((PORTS, r"^\s*(wss|esl)\s"), (ESL, r"refused|container|Container"),),
        keywords=("namespace", "network host", "--network", "publish", "veröffentlich", "-p ",
                                      "container"),),
    Cause("container-listens-on-loopback",
          "Docker veröffentlicht den WSS-Port, aber FreeSWITCH lauscht nur auf dem Loopback des Containers: Dockers "
          "Weiterleitung verbindet zur Container-Adresse und wird abgewiesen.",
          "Docker publishes the WSS port, but FreeSWITCH listens only on the container's loopback: Docker's "
          "forwarding connects to the container's address and is refused.",
          "sip-ip (und damit wss-binding `:7443`) auf die Container-Adresse, z. B. `$${local_ip_v4}`, statt 127.0.0.1 — "
          "`wss-binding 0.0.0.0:7443` hilft nicht, sofia-sip bindet dann trotzdem sip-ip (gesehen); ESL listen-ip "
          "0.0.0.0 mit ACL; dann `sofia profile internal restart` — oder `network_mode: host`.",
          "sip-ip (and so wss-binding `:7443`) on the container's address, e.g. `$${local_ip_v4}`, instead of 127.0.0.1 — "
          "`wss-binding 0.0.0.0:7443` does not help, sofia-sip still binds sip-ip (seen); ESL listen-ip 0.0.0.0 with "
          "an ACL; then `sofia profile internal restart` — or `network_mode: host`.",
          reads=(PORTS,), explains=(ESL, ESL_CONF) + LISTENERS_DOWN,
          node=Node.FREESWITCH, fix_kind=Fix.CONFIG_EDIT,
          no_scenario="the lab's engine runs --bridge=none --iptables=false: a container there has no address and "
                      "docker-proxy nothing to forward to; the lab's port publishing is a loopback forwarder into "
                      "the container's namespace (scenario docker-own-netns-published), which reaches its loopback"),
    Cause("mod-sofia-not-loaded", "mod_sofia ist nicht geladen: kein SIP-Profil, kein ws/wss ('sofia status': Command not found).",
          "mod_sofia is not loaded: no SIP profile, no ws/wss ('sofia status': Command not found).",
          "`load mod_sofia` (fs_cli) und `<load module=\"mod_sofia\"/>` in autoload_configs/modules.conf.xml; im Log nach "
          "dem Grund suchen, falls das Laden scheitert.",
          "`load mod_sofia` (fs_cli) and `<load module=\"mod_sofia\"/>` in autoload_configs/modules.conf.xml; read the "
          "log for why if loading fails.",
          reads=(PROFILE,), explains=LISTENERS_DOWN,
          node=Node.PROFILE, fix_kind=Fix.RUNTIME_COMMAND, no_scenario="the simulator always loads mod_sofia and has no `unload mod_sofia`",
        keywords=("mod_sofia", "command not found"),),
    Cause("profile-not-configured", "FreeSWITCHs XML kennt kein Profil internal ('No Such Profile'): die Datei fehlt oder "
          "sofia.conf.xml bindet sie nicht ein — ein Start kann nicht gelingen.",
          "FreeSWITCH's XML has no profile internal ('No Such Profile'): the file is missing or sofia.conf.xml does not "
          "include it — a start cannot succeed.",
          "sip_profiles/internal.xml wiederherstellen (bzw. die Einbindung in sofia.conf.xml), `reloadxml`, dann "
          "`sofia profile internal start`.",
          "Restore sip_profiles/internal.xml (or its include in sofia.conf.xml), `reloadxml`, then "
          "`sofia profile internal start`.",
          reads=(LOG, BINDING, PROFILE, PORTS), explains=(LOG, BINDING) + LISTENERS_DOWN,
          node=Node.PROFILE, fix_kind=Fix.CONFIG_EDIT, no_scenario="the lab always writes sip_profiles/internal.xml; no knob leaves it out",
        keywords=("no such profile", "internal.xml"),),
    Cause("bind-failed", "Ein Listener des Profils konnte nicht binden (Port belegt oder Adresse nicht lokal): das ganze Profil startet nicht.",
          "A listener of the profile could not bind (port in use or address not local): the whole profile fails.",
          "Den Port freimachen (wer hält ihn? `ss -ltnp`), bzw. eine lokale Adresse binden; `sofia loglevel tport 9` zeigt den "
          "Grund; dann `sofia profile internal start`.",
          "Free the port (who holds it? `ss -ltnp`) or bind a local address; `sofia loglevel tport 9` shows the reason; then "
          "`sofia profile internal start`.",
          reads=(LOG, PROFILE, PORTS), explains=(LOG,) + LISTENERS_DOWN,
          superseded_by=("freeswitch-down",),
          node=Node.FREESWITCH, fix_kind=Fix.USER_ACTION, scenario="port-7443-taken",
        deciding=((LOG, r"Error Creating SIP UA|\[ERR\]"), (PORTS, r"^\s*wss\s"),),
        keywords=("belegt", "in use", "bind", "address already", "blocker", "fremd", "foreign", "sip ua", "anderes programm",
                    "another program"),),
    Cause("wss-port-mismatch", "FreeSWITCH bindet WSS auf einem anderen Port, als Ziel und nginx erwarten (wss-binding; bei "
          "mehreren wss-binding-Parametern gilt der letzte).",
          "FreeSWITCH binds WSS on another port than the target and nginx expect (wss-binding; with several wss-binding "
          "params the last one wins).",
          "wss-binding auf den erwarteten Port setzen (nur ein Parameter), `sofia profile internal restart` — oder nginx' "
          "proxy_pass und das Ziel auf den gebundenen Port ändern.",
          "Set wss-binding to the expected port (one param only), `sofia profile internal restart` — or point nginx's "
          "proxy_pass and the target at the bound port.",
          reads=(BINDING, PROFILE), explains=(BINDING, PORTS, HOP_WSS, HOP_NGINX, HOP_PUBLIC, CURL),
          superseded_by=("ws-wss-port-shared",),
          node=Node.FREESWITCH, fix_kind=Fix.CONFIG_EDIT, no_scenario="the simulator's wss port knob only moves WSS onto the ws port (that is ws-wss-port-shared)",
        deciding=((BINDING, r"wss-binding"), (PORTS, r"^\s*wss\s"),),
        keywords=("wss-binding", "anderen port", "other port", "port"),),
    Cause("ws-wss-port-shared", "ws-binding und wss-binding stehen auf demselben Port: sofia-sip bindet beide (SO_REUSEPORT), "
          "der Kernel verteilt jede Verbindung zufällig auf den Klartext- oder den TLS-Listener — Handshakes scheitern "
          "mal so, mal so; der WSS-Port des Ziels bleibt zu.",
          "ws-binding and wss-binding are on the same port: sofia-sip binds both (SO_REUSEPORT) and the kernel hands each "
          "connection at random to the plain or the TLS listener — handshakes fail one way or the other; the target's WSS "
          "port stays closed.",
          "wss-binding auf einen eigenen Port setzen (`<param name=\"wss-binding\" value=\":7443\"/>`), nginx an "
          "`https://…:7443` leiten, dann `sofia profile internal restart`.",
          "Give wss-binding its own port (`<param name=\"wss-binding\" value=\":7443\"/>`), proxy nginx to "
          "`https://…:7443`, then `sofia profile internal restart`.",
          reads=(BINDING,), explains=(BINDING, NGINX_CONF, PORTS, CURL, ALTERNATIVE) + HOPS,
          node=Node.FREESWITCH, fix_kind=Fix.CONFIG_EDIT, scenario="wss-same-port-as-ws",
        deciding=((BINDING, r"wss-binding"), (NGINX_CONF, r"proxy_pass"),),
        keywords=("derselbe port", "same port", "gleichen port", "ws-binding", "wss-binding", "reuseport"),),
    Cause("wss-port-shared-by-profiles", "Ein zweites Profil in sip_profiles/*.xml bindet denselben WSS-Port wie das "
          "Profil des Ziels: sofia-sip bindet beide ohne Fehler (SO_REUSEPORT), der Kernel verteilt die Verbindungen — "
          "WSS-Clients landen zeitweise im falschen Profil (REGISTER/Auth scheitert mal, anderer Kontext).",
          "A second profile in sip_profiles/*.xml binds the same WSS port as the target's profile: sofia-sip binds both "
          "without an error (SO_REUSEPORT) and the kernel spreads the connections — WSS clients land on the wrong "
          "profile part of the time (REGISTER/auth fails now and then, another context).",
          "Dem anderen Profil einen eigenen ws-/wss-binding-Port geben (dann `reloadxml` und `sofia profile <anderes> restart`) oder seine "
          "Datei entfernen (dann `reloadxml` und `sofia profile <anderes> stop`). Ein `stop` ohne Änderung der Datei behebt nichts: "
          "beim nächsten Laden (mod_sofia neu geladen, FreeSWITCH neu gestartet) startet das Profil wieder.",
          "Give the other profile its own ws/wss-binding port (then `reloadxml` and `sofia profile <other> restart`) or remove its file "
          "(then `reloadxml` and `sofia profile <other> stop`). A `stop` without changing the file is no fix: the profile starts again "
          "at the next load (mod_sofia reloaded, FreeSWITCH restarted).",
          reads=(BINDING,), explains=(BINDING, HOP_WSS, HOP_NGINX, HOP_PUBLIC),
          superseded_by=("ws-wss-port-shared", "wss-port-mismatch"),
          node=Node.FREESWITCH, fix_kind=Fix.CONFIG_EDIT, scenario="wss-port-second-profile",
        deciding=((BINDING, r"wss-binding"),),
        keywords=("zweites profil", "second profile", "internal-b", "reuseport"),),
    Cause("bound-elsewhere", "7443/5066 lauschen auf einer anderen Adresse, als nginx/Clients ansprechen (leere IP = sip-ip).",
          "7443/5066 listen on another address than nginx/clients target (empty IP = sip-ip).",
          "nginx an die Adresse aus WSS-BIND-URL leiten, oder explizit binden (`wss-binding 127.0.0.1:7443`) und neu starten.",
          "Proxy to the address in WSS-BIND-URL, or bind explicitly (`wss-binding 127.0.0.1:7443`) and restart.",
          reads=(PORTS, HOP_WSS), explains=(PORTS, HOP_WSS, HOP_WS, HOP_NGINX, HOP_PUBLIC, CURL, ALTERNATIVE),
          superseded_by=("wss-port-mismatch", "ws-wss-port-shared", "container-ports-not-published",
                         "container-listens-on-loopback"),
          node=Node.FREESWITCH, fix_kind=Fix.CONFIG_EDIT, scenario="bound-elsewhere",
        deciding=((PORTS, r"^\s*wss\s"), (NGINX_CONF, r"proxy_pass"),),
        keywords=("127.0.0.2", "adresse", "address", "sip-ip", "bind"),),
    Cause("wss-binding-malformed",
          "Der Wert von wss-binding (oder ws-binding) ist kein `[ip]:port`: sofia-sip nimmt den Port nur hinter dem "
          "letzten ':' — ohne ':' (z. B. `7443`) oder ohne gültige Zahl bindet es nichts, ohne Fehler im Log; das Profil "
          "läuft ohne WSS-BIND-URL. Ein Neustart ändert daran nichts.",
          "The value of wss-binding (or ws-binding) is not `[ip]:port`: sofia-sip takes the port only after the last "
          "':' — without ':' (e.g. `7443`) or without a valid number it binds nothing, with no error in the log; the "
          "profile runs without WSS-BIND-URL. A restart changes nothing.",
          "Den Wert als `:7443` (sip-ip) oder `127.0.0.1:7443` schreiben, dann `sofia profile internal restart`.",
          "Write the value as `:7443` (sip-ip) or `127.0.0.1:7443`, then `sofia profile internal restart`.",
          reads=(BINDING,), explains=(BINDING, PROFILE, PORTS, HOP_WSS, HOP_WS, HOP_NGINX, HOP_PUBLIC, CURL, ALTERNATIVE),
          superseded_by=("profile-not-configured", "mod-sofia-not-loaded", "bind-failed", "wss-pem-bad"),
          node=Node.FREESWITCH, fix_kind=Fix.CONFIG_EDIT, scenario="wss-binding-no-colon",
        deciding=((BINDING, r"wss-binding|ws-binding"),),
        keywords=("wss-binding", "doppelpunkt", "colon", ":7443", "format", "port"),),
    Cause("wss-bound-by-other-profile",
          "Das Profil des Ziels (internal) hat kein wss-binding, ein anderes Profil (z. B. external) bindet aber den "
          "WSS-Port: WebSocket-Clients landen in dessen Kontext (external: `public`, ohne Anmeldung) — Registrierungen "
          "und Anrufe gehen am Profil internal vorbei.",
          "The target's profile (internal) has no wss-binding, but another profile (e.g. external) binds the WSS port: "
          "WebSocket clients land in that profile's context (external: `public`, no authentication) — registrations "
          "and calls bypass profile internal.",
          "wss-binding aus dem anderen Profil entfernen und in internal.xml setzen; beide Profile neu starten "
          "(`sofia profile external restart`, `sofia profile internal restart`).",
          "Remove wss-binding from the other profile and set it in internal.xml; restart both profiles "
          "(`sofia profile external restart`, `sofia profile internal restart`).",
          reads=(BINDING,), explains=(BINDING, PROFILE, PORTS, HOP_WSS, HOP_NGINX, HOP_PUBLIC, CURL),
          superseded_by=("profile-not-configured", "mod-sofia-not-loaded"),
          node=Node.FREESWITCH, fix_kind=Fix.CONFIG_EDIT, scenario="wss-binding-in-external",
        deciding=((BINDING, r"external|other profile|anderes Profil"),),
        keywords=("external", "profil", "profile", "wss-binding", "public", "kontext", "context"),),
    Cause("wss-binding-not-applied", "wss-binding ist nicht wirksam: fehlt, ist auskommentiert oder wurde nach dem Start nur per reloadxml/rescan ergänzt.",
          "wss-binding is not in effect: missing, commented out, or added after the start with only reloadxml/rescan.",
          "wss-binding in internal.xml setzen, dann `sofia profile internal restart` (reloadxml/rescan binden nicht neu; "
          "Restart erst 10 s nach dem Start).",
          "Set wss-binding in internal.xml, then `sofia profile internal restart` (reloadxml/rescan do not rebind; restart "
          "only 10 s after a start).",
          reads=(PROFILE, PORTS, BINDING, LOG), explains=(BINDING, PROFILE, PORTS, HOP_WSS, HOP_NGINX, HOP_PUBLIC, CURL),
          superseded_by=("wss-port-mismatch", "profile-not-configured", "mod-sofia-not-loaded", "ws-wss-port-shared", "bind-failed",
                         "wss-pem-bad", "wss-binding-malformed", "wss-bound-by-other-profile"),
          node=Node.FREESWITCH, fix_kind=Fix.CONFIG_EDIT, scenario="wss-binding-missing",
        deciding=((BINDING, r"wss-binding"), (PORTS, r"^\s*wss\s"),),
        keywords=("wss-binding", "binding", "auskommentiert", "commented", "reloadxml", "rescan",
                                "restart", "neustart"),),
    Cause("wss-cert-shadowed", "Neben wss.pem liegen wss.crt und wss.key: FreeSWITCH lädt dieses Paar vor wss.pem und liefert "
          "auf 7443 das alte Zertifikat aus — das erneuerte wss.pem wirkt nie.",
          "wss.crt and wss.key lie beside wss.pem: FreeSWITCH loads that pair before wss.pem and serves the old certificate "
          "on 7443 — the renewed wss.pem never takes effect.",
          "wss.crt und wss.key entfernen (oder aus dem neuen Zertifikat neu schreiben), dann `sofia profile internal restart`.",
          "Remove wss.crt and wss.key (or rewrite them from the new certificate), then `sofia profile internal restart`.",
          reads=(CERT,), explains=(CERT, HOP_WSS),
          node=Node.FREESWITCH, fix_kind=Fix.CERTIFICATE, scenario="wss-crt-shadows-pem",
        deciding=((CERT, r"wss\.crt|wss\.key"),),
        keywords=("wss.crt", "wss.key", "alte", "old"),),
    Cause("profile-not-running", "Das Profil internal läuft nicht (gestoppt), obwohl FreeSWITCH Profile beim Laden selbst startet.",
          "Profile internal is not running (stopped), although FreeSWITCH starts profiles at load by itself.",
          "`sofia profile internal start` (Bestätigung nötig), dann prüfen, dass 7443 wirklich lauscht; klären, wer es gestoppt hat.",
          "`sofia profile internal start` (needs confirmation), then verify that 7443 really listens; find out who stopped it.",
          reads=(PROFILE, PORTS), explains=LISTENERS_DOWN,
          superseded_by=("profile-not-configured", "mod-sofia-not-loaded", "wss-pem-bad", "bind-failed", "freeswitch-down"),
          node=Node.PROFILE, fix_kind=Fix.RUNTIME_COMMAND, scenario="profile-stopped",
        deciding=((PROFILE, None), (PORTS, r"^\s*(wss|sip)\s"),),
        keywords=("gestoppt", "stopped", "läuft nicht", "not running", "invalid profile", "sofia status"),),
    Cause("nginx-port-taken", "nginx konnte seinen Port nicht binden ('Address already in use'): ein anderes Programm hält ihn — "
          "z. B. mod_verto mit seinem Standard-Port 8082 bei Host-Netzwerk — und antwortet dort statt nginx.",
          "nginx could not bind its port ('Address already in use'): another program holds it — e.g. mod_verto on its "
          "default 8082 with host networking — and answers there instead of nginx.",
          "Wer hält den Port? `ss -ltnp 'sport = :8082'`; mod_verto in verto.conf.xml auf einen anderen Port legen (oder nicht "
          "laden), dann nginx neu starten.",
          "Who holds the port? `ss -ltnp 'sport = :8082'`; move mod_verto to another port in verto.conf.xml (or do not load "
          "it), then restart nginx.",
          reads=(HOP_NGINX,), explains=(HOP_NGINX, HOP_PUBLIC),
          node=Node.NGINX, fix_kind=Fix.CONFIG_EDIT, scenario="verto-on-nginx-port",
        deciding=((HOP_NGINX, r"HTTP|verto|bind"),),
        keywords=("verto", "8082", "address already", "belegt", "in use"),),
    Cause("nginx-not-listening", "nginx lauscht nicht auf der Adresse, auf die der Tunnel zeigt.",
          "nginx does not listen on the address the tunnel points to.", "nginx starten bzw. `listen` korrigieren.",
          "Start nginx or fix its `listen`.",
          reads=(NGINX_CONF,), explains=(NGINX_CONF, HOP_NGINX, HOP_PUBLIC),
          node=Node.NGINX, fix_kind=Fix.USER_ACTION, no_scenario="the lab starts nginx on its port and waits for it; no knob moves nginx's `listen`",
        keywords=("listen", "nginx"),),
    Cause("nginx-upstream-cert-rejected", "nginx prüft FreeSWITCHs Zertifikat (proxy_ssl_verify on) und lehnt es ab "
          "('upstream SSL certificate verify error'): abgelaufen, unbekannte CA oder falscher Name — 502.",
          "nginx verifies FreeSWITCH's certificate (proxy_ssl_verify on) and rejects it ('upstream SSL certificate verify "
          "error'): expired, unknown CA or wrong name — 502.",
          "Ein gültiges Zertifikat in wss.pem (dann `sofia profile internal restart`), `proxy_ssl_trusted_certificate` mit der "
          "ausstellenden CA und `proxy_ssl_name` passend zum SAN — oder für ein internes wss.pem `proxy_ssl_verify off`.",
          "A valid certificate in wss.pem (then `sofia profile internal restart`), `proxy_ssl_trusted_certificate` with the "
          "issuing CA and `proxy_ssl_name` matching its SAN — or `proxy_ssl_verify off` for an internal wss.pem.",
          reads=(HOP_NGINX,), explains=(HOP_NGINX, HOP_PUBLIC),
          node=Node.NGINX, fix_kind=Fix.CERTIFICATE, scenario="nginx-verify-expired-wss",
        deciding=((HOP_NGINX, r"verify|certificate|502"),),
        keywords=("proxy_ssl_verify", "verify", "upstream ssl", "zertifikat", "certificate", "ca"),),
    Cause("nginx-scheme-mismatch", "nginx spricht das falsche Protokoll zum Upstream (http:// an den TLS-Port oder https:// an den Klartext-Port).",
          "nginx speaks the wrong scheme upstream (http:// to the TLS port or https:// to the plain port).",
          "`proxy_pass https://…:7443` (mit proxy_ssl_verify off bei selbstsigniertem wss.pem) oder `http://…:5066`.",
          "`proxy_pass https://…:7443` (proxy_ssl_verify off for a self-signed wss.pem) or `http://…:5066`.",
          reads=(NGINX_CONF,), explains=(NGINX_CONF, HOP_NGINX, HOP_PUBLIC),
          superseded_by=("ws-wss-port-shared",),
          node=Node.NGINX, fix_kind=Fix.CONFIG_EDIT, scenario="nginx-http-to-tls",
        deciding=((NGINX_CONF, r"proxy_pass"), (HOP_NGINX, r"upstream|502|within|innerhalb"),),
        keywords=("proxy_pass", "http://", "https://", "scheme", "schema", "tls", "klartext", "plain"),),
    Cause("nginx-listen-ssl", "nginx lauscht mit `listen … ssl`, der Tunnel schickt aber Klartext-HTTP ('The plain HTTP request "
          "was sent to HTTPS port', 400).",
          "nginx listens with `listen … ssl`, but the tunnel sends plain HTTP ('The plain HTTP request was sent to HTTPS "
          "port', 400).",
          "Cloudflare beendet TLS: `ssl` aus `listen 8082` entfernen — oder den Tunnel-Service auf `https://localhost:8082` "
          "mit `originRequest: noTLSVerify: true` stellen.",
          "Cloudflare ends TLS: drop `ssl` from `listen 8082` — or set the tunnel service to `https://localhost:8082` with "
          "`originRequest: noTLSVerify: true`.",
          reads=(HOP_NGINX,), explains=(HOP_NGINX, HOP_PUBLIC),
          node=Node.NGINX, fix_kind=Fix.CONFIG_EDIT, no_scenario="the lab's nginx listens without `ssl`; no knob for it",
        keywords=("listen", "ssl", "400", "plain http"),),
    Cause("nginx-listen-http2",
          "nginx lauscht mit `listen … http2` ohne ssl: dort spricht es nur HTTP/2 mit Vorwissen (h2c), der Tunnel und "
          "Browser-WebSockets kommen mit HTTP/1.1 und `Upgrade` — nginx antwortet ihnen nicht mit HTTP.",
          "nginx listens with `listen … http2` without ssl: there it speaks only HTTP/2 with prior knowledge (h2c); "
          "the tunnel and browsers' WebSockets come with HTTP/1.1 and `Upgrade` — nginx gives them no HTTP answer.",
          "`http2` aus dem `listen` des Ports entfernen, den der Tunnel anspricht (WebSocket braucht HTTP/1.1); "
          "`nginx -t && nginx -s reload`.",
          "Drop `http2` from the `listen` of the port the tunnel targets (WebSocket needs HTTP/1.1); "
          "`nginx -t && nginx -s reload`.",
          reads=(NGINX_CONF,), explains=(NGINX_CONF, HOP_NGINX, HOP_PUBLIC),
          node=Node.NGINX, fix_kind=Fix.CONFIG_EDIT, scenario="nginx-listen-http2",
        deciding=((NGINX_CONF, r"http2"),),
        keywords=("http2", "h2c", "http/2", "listen", "http/1.1"),),
    Cause("via-transport-mismatch", "Der WebSocket öffnet, aber FreeSWITCH beantwortet keine SIP-Anfrage: der Browser sendet 'Via: SIP/2.0/WSS', "
          "die Verbindung zu FreeSWITCH ist WS (TLS endet vorher). Die Alternative der Analyse bricht genau daran.",
          "The WebSocket opens, but FreeSWITCH answers no SIP request: the browser sends 'Via: SIP/2.0/WSS', the connection to "
          "FreeSWITCH is WS (TLS ends earlier). The analysis' alternative breaks exactly here.",
          "nginx an wss 7443 leiten (`proxy_pass https://…:7443`), oder den Client 'Via …/WS' senden lassen (JsSIP via_transport).",
          "Proxy nginx to wss 7443 (`proxy_pass https://…:7443`), or make the client send 'Via …/WS' (JsSIP via_transport).",
          reads=(HOP_NGINX, HOP_PUBLIC), explains=(HOP_NGINX, HOP_PUBLIC, ALTERNATIVE),
          node=Node.NGINX, fix_kind=Fix.CONFIG_EDIT, scenario="alternative-via-mismatch",
        deciding=((ALTERNATIVE, r"Via"), (HOP_NGINX, r"Via|SIP"),),
        keywords=("via", "wss", "transport", "5066"),),
    Cause("nginx-location-mismatch", "nginx antwortet 404: die location mit proxy_pass passt nicht zum Pfad, den die Clients "
          "aufrufen (z. B. nur `location /ws`).",
          "nginx answers 404: the location holding proxy_pass does not match the path the clients request (e.g. only "
          "`location /ws`).",
          "`location / {` (oder den Pfad in die Client-URL aufnehmen), `nginx -s reload`.",
          "`location / {` (or put the path into the client URL), `nginx -s reload`.",
          reads=(HOP_NGINX,), explains=(HOP_NGINX, HOP_PUBLIC), superseded_by=("nginx-other-default-server",),
          node=Node.NGINX, fix_kind=Fix.CONFIG_EDIT, no_scenario="the lab's nginx block always proxies `location /`; no knob for the path",
        keywords=("location", "404"),),
    Cause("nginx-redirects",
          "nginx beantwortet den WebSocket-Handshake mit einer Umleitung (3xx, z. B. `return 301 https://…`): Browser "
          "folgen bei WebSocket keiner Umleitung — die Verbindung scheitert. TLS endet schon bei Cloudflare.",
          "nginx answers the WebSocket handshake with a redirect (3xx, e.g. `return 301 https://…`): browsers never "
          "follow a redirect on a WebSocket — the connection fails. TLS already ends at Cloudflare.",
          "Die Umleitung (`return 3xx`/`rewrite … redirect`) aus dem server/location-Block entfernen, der an FreeSWITCH "
          "weiterleitet (HTTP→HTTPS macht Cloudflare: „Always Use HTTPS“); `nginx -s reload`.",
          "Remove the redirect (`return 3xx`/`rewrite … redirect`) from the server/location block that proxies to "
          "FreeSWITCH (HTTP→HTTPS is Cloudflare's job: “Always Use HTTPS”); `nginx -s reload`.",
          reads=(HOP_NGINX,), explains=(HOP_NGINX, HOP_PUBLIC),
          node=Node.NGINX, fix_kind=Fix.CONFIG_EDIT, scenario="nginx-redirect-https",
        deciding=((HOP_NGINX, r"30[1278]|Location"),),
        keywords=("redirect", "umleitung", "301", "return", "location", "https"),),
    Cause("nginx-rate-limited",
          "nginx begrenzt die Anfragen selbst (limit_req/limit_conn, Fehlerlog: 'limiting requests', 503): hinter dem "
          "Tunnel kommen alle Browser von cloudflareds einer Adresse (127.0.0.1) — `$binary_remote_addr` ist für alle "
          "derselbe Schlüssel, schon die zweite Verbindung wird abgewiesen.",
          "nginx limits the requests itself (limit_req/limit_conn, error log: 'limiting requests', 503): behind the "
          "tunnel every browser comes from cloudflared's one address (127.0.0.1) — `$binary_remote_addr` is the same "
          "key for all, the second connection is already refused.",
          "Das Limit im Block, der an FreeSWITCH weiterleitet, nach der echten Client-Adresse schlüsseln "
          "(`$http_cf_connecting_ip` bzw. real_ip_header CF-Connecting-IP mit set_real_ip_from 127.0.0.1) oder dort "
          "weglassen; `nginx -s reload`.",
          "Key the limit in the block that proxies to FreeSWITCH by the real client address (`$http_cf_connecting_ip`, "
          "or real_ip_header CF-Connecting-IP with set_real_ip_from 127.0.0.1) or drop it there; `nginx -s reload`.",
          reads=(HOP_NGINX, HOP_PUBLIC), explains=(HOP_NGINX, HOP_PUBLIC),
          node=Node.NGINX, fix_kind=Fix.CONFIG_EDIT, scenario="nginx-rate-limit-tunnel",
        deciding=((HOP_PUBLIC, r"limiting|503"), (HOP_NGINX, r"limiting|503"),),
        keywords=("limit_req", "limit", "rate", "503", "limiting", "cf-connecting-ip", "real_ip"),),
    Cause("nginx-refuses-request",
          "nginx weist die Anfrage selbst ab (401/403): eine Zugriffsregel (`allow`/`deny`, `auth_basic`, ein "
          "`return 403` für eine Bedingung) trifft die Anfragen, die der Tunnel von 127.0.0.1 bringt — FreeSWITCH sieht "
          "sie nie.",
          "nginx refuses the request itself (401/403): an access rule (`allow`/`deny`, `auth_basic`, a `return 403` on "
          "a condition) hits the requests the tunnel brings from 127.0.0.1 — FreeSWITCH never sees them.",
          "Die Regel im Block, der an FreeSWITCH weiterleitet, so fassen, dass sie cloudflared (127.0.0.1) und "
          "Browser-WebSockets durchlässt (WebSocket kann keine Basic-Auth senden); `nginx -s reload`.",
          "Shape the rule in the block that proxies to FreeSWITCH so that it lets cloudflared (127.0.0.1) and "
          "browsers' WebSockets through (a WebSocket cannot send basic auth); `nginx -s reload`.",
          reads=(HOP_NGINX, HOP_WSS), explains=(HOP_NGINX, HOP_PUBLIC),
          node=Node.NGINX, fix_kind=Fix.CONFIG_EDIT, scenario="nginx-deny-loopback",
        deciding=((HOP_NGINX, r"40[13]|forbidden|authentication"),),
        keywords=("403", "401", "deny", "allow", "auth", "forbidden", "zugriff", "access"),),
    Cause("nginx-upstream-down", "nginx leitet an einen Port, auf dem nichts lauscht (502, Connection refused).",
          "nginx proxies to a port where nothing listens (502, connection refused).",
          "proxy_pass auf den Port/die Adresse aus WSS-BIND-URL setzen, `nginx -s reload`.",
          "Point proxy_pass at the port/address of WSS-BIND-URL, `nginx -s reload`.",
          reads=(NGINX_CONF, HOP_WSS, HOP_NGINX), explains=(PORTS, HOP_NGINX, HOP_PUBLIC),
          superseded_by=("nginx-location-mismatch", "nginx-listen-ssl", "nginx-upstream-cert-rejected", "nginx-port-taken", "nginx-scheme-mismatch", "bound-elsewhere"),
          node=Node.NGINX, fix_kind=Fix.CONFIG_EDIT, scenario="nginx-upstream-down",
        deciding=((NGINX_CONF, r"proxy_pass"), (PORTS, r"^\s*wss\s"),),
        keywords=("proxy_pass", "port", "refused", "abgelehnt", "nichts lauscht", "nothing listens"),),
    Cause("nginx-other-default-server",
          "Ein anderer Server-Block auf nginx' Port ist default_server (andere Datei, `nginx -T`): Anfragen, deren Host "
          "der Block mit proxy_pass nicht nennt, landen dort — nicht bei FreeSWITCH.",
          "Another server block on nginx's port is the default_server (another file, `nginx -T`): requests whose Host "
          "the proxy_pass block does not name go there — not to FreeSWITCH.",
          "Im Block mit proxy_pass `listen 8082 default_server;` setzen (und es im anderen entfernen) oder "
          "`server_name` mit dem öffentlichen Hostnamen ergänzen, den der Tunnel weitergibt; `nginx -t && nginx -s "
          "reload`.",
          "Make the proxy_pass block `listen 8082 default_server;` (and drop it from the other), or give it the "
          "`server_name` of the public hostname the tunnel passes on; `nginx -t && nginx -s reload`.",
          reads=(NGINX_CONF,), explains=(NGINX_CONF, HOP_NGINX, HOP_PUBLIC),
          node=Node.NGINX, fix_kind=Fix.CONFIG_EDIT, scenario="nginx-other-default-server",
        deciding=((HOP_NGINX, r"404|default_server|server_name"),),
        keywords=("default_server", "server_name", "000-default", "zweite", "second", "404"),),
    # -- issue #18, nginx's own view: its error log names what failed upstream (fsnb/read/nginxlog.py) -----------
    Cause("nginx-upstream-tls-failed",
          "nginx' TLS-Handshake zum Upstream scheitert (Fehlerlog: '… while SSL handshaking to upstream'): am Ziel "
          "spricht niemand TLS — meist `https://` an den Klartext-Port 5066 (hinter einer Variablen oder einem "
          "upstream-Block, den die Datei nicht verrät).",
          "nginx's TLS handshake upstream fails (error log: '… while SSL handshaking to upstream'): nothing speaks "
          "TLS there — usually `https://` to plain port 5066 (behind a variable or upstream block the file does not "
          "reveal).",
          "proxy_pass auf FreeSWITCHs wss-Port: `proxy_pass https://127.0.0.1:7443` (bzw. `http://…:5066` für ws); "
          "den Wert der Variablen/des upstream-Blocks prüfen; `nginx -s reload`.",
          "Point proxy_pass at FreeSWITCH's wss port: `proxy_pass https://127.0.0.1:7443` (or `http://…:5066` for ws); "
          "check what the variable/upstream block resolves to; `nginx -s reload`.",
          reads=(HOP_NGINX,), explains=(HOP_NGINX, HOP_PUBLIC),
          superseded_by=("nginx-scheme-mismatch", "nginx-upstream-cert-rejected", "wss-pem-bad", "ws-wss-port-shared",
                         "bind-failed"),   # a foreign program on the wss port (port-7443-taken) speaks no TLS
          node=Node.NGINX, fix_kind=Fix.CONFIG_EDIT, scenario="nginx-tls-to-plain-variable",
        deciding=((HOP_NGINX, r"SSL|handshak|502"),),
        keywords=("ssl handshak", "handshake", "https", "5066", "variable", "$fs_upstream"),),
    Cause("nginx-upstream-tls-mismatch",
          "nginx und FreeSWITCH finden keine gemeinsame TLS-Version oder Cipher-Suite (Fehlerlog: 'alert protocol "
          "version', 'no ciphers available', 'handshake failure' … while SSL handshaking to upstream): z. B. "
          "`proxy_ssl_protocols TLSv1` gegen OpenSSL 3 — 502.",
          "nginx and FreeSWITCH share no TLS version or cipher suite (error log: 'alert protocol version', 'no ciphers "
          "available', 'handshake failure' … while SSL handshaking to upstream): e.g. `proxy_ssl_protocols TLSv1` "
          "against OpenSSL 3 — 502.",
          "`proxy_ssl_protocols`/`proxy_ssl_ciphers` im Block streichen (nginx' Vorgabe TLSv1.2/1.3 passt) oder "
          "`proxy_ssl_protocols TLSv1.2 TLSv1.3;`; `nginx -t && nginx -s reload`.",
          "Drop `proxy_ssl_protocols`/`proxy_ssl_ciphers` from the block (nginx's default TLSv1.2/1.3 fits) or set "
          "`proxy_ssl_protocols TLSv1.2 TLSv1.3;`; `nginx -t && nginx -s reload`.",
          reads=(HOP_NGINX,), explains=(HOP_NGINX, HOP_PUBLIC),
          superseded_by=("nginx-scheme-mismatch", "wss-pem-bad", "bind-failed"),
          node=Node.NGINX, fix_kind=Fix.CONFIG_EDIT, scenario="nginx-upstream-tls1",
        deciding=((HOP_NGINX, r"protocol version|cipher|handshake failure|SSL"),),
        keywords=("tls", "protocol", "proxy_ssl_protocols", "cipher", "tlsv1", "version"),),
    Cause("nginx-upstream-protocol",
          "nginx spricht Klartext zum Upstream, der Upstream schließt sofort (Fehlerlog: 'upstream prematurely closed "
          "connection'): meist `http://` an den TLS-Port 7443.",
          "nginx speaks plain HTTP upstream and the upstream closes at once (error log: 'upstream prematurely closed "
          "connection'): usually `http://` to TLS port 7443.",
          "`proxy_pass https://127.0.0.1:7443` (mit proxy_ssl_verify off bei selbstsigniertem wss.pem) statt http://; "
          "den Wert der Variablen/des upstream-Blocks prüfen; `nginx -s reload`.",
          "`proxy_pass https://127.0.0.1:7443` (proxy_ssl_verify off for a self-signed wss.pem) instead of http://; "
          "check what the variable/upstream block resolves to; `nginx -s reload`.",
          reads=(HOP_NGINX,), explains=(HOP_NGINX, HOP_PUBLIC),
          superseded_by=("nginx-scheme-mismatch", "ws-wss-port-shared", "bind-failed"),
          node=Node.NGINX, fix_kind=Fix.CONFIG_EDIT, scenario="nginx-http-to-tls-variable",
        deciding=((HOP_NGINX, r"prematurely|upstream|502"),),
        keywords=("prematurely", "https://", "klartext", "plain http", "variable", "$fs_upstream"),),
    Cause("nginx-upstream-timeout",
          "nginx wartet vergeblich auf den Upstream (Fehlerlog: 'upstream timed out'): am Ziel nimmt etwas "
          "Verbindungen an, antwortet aber nicht.",
          "nginx waits for the upstream in vain (error log: 'upstream timed out'): something there accepts "
          "connections but never answers.",
          "Wer hält den Port? (`ss -ltnp`, im Container /proc/net/tcp); proxy_pass auf FreeSWITCHs wss-Port richten.",
          "Who holds the port? (`ss -ltnp`, in the container /proc/net/tcp); point proxy_pass at FreeSWITCH's wss port.",
          reads=(HOP_NGINX,), explains=(HOP_NGINX, HOP_PUBLIC),
          superseded_by=("bind-failed", "nginx-upstream-tls-failed", "nginx-port-taken"),
          node=Node.NGINX, fix_kind=Fix.USER_ACTION,
          no_scenario="the lab's tarpit blocker takes FreeSWITCH's own wss port (scenario wss-tarpit), where "
                      "bind-failed is the cause; no knob points nginx at a third, silent port"),
    Cause("wss-cert-expired", "Das Zertifikat in wss.pem ist abgelaufen: FreeSWITCH lädt es trotzdem, aber Browser und "
          "Clients mit Prüfung lehnen direktes wss:// zu 7443 ab (nginx mit proxy_ssl_verify off merkt nichts).",
          "The certificate in wss.pem has expired: FreeSWITCH loads it anyway, but browsers and verifying clients refuse "
          "direct wss:// to 7443 (nginx with proxy_ssl_verify off notices nothing).",
          "Neues Zertifikat ausstellen (z. B. certbot renew), wss.pem neu bauen (Schlüssel, Zertifikat, Kette), dann "
          "`sofia profile internal restart` — FreeSWITCH liest wss.pem nur beim Profilstart.",
          "Issue a new certificate (e.g. certbot renew), rebuild wss.pem (key, certificate, chain), then "
          "`sofia profile internal restart` — FreeSWITCH reads wss.pem only when the profile starts.",
          reads=(CERT,), explains=(CERT, HOP_WSS),
          node=Node.FREESWITCH, fix_kind=Fix.CERTIFICATE, scenario="wss-cert-expired",
        deciding=((CERT, r"not after"),),
        keywords=("abgelaufen", "expired", "not after", "gültig bis", "valid until"),),
    Cause("wss-cert-not-yet-valid", "Das Zertifikat in wss.pem ist noch nicht gültig (notBefore in der Zukunft: Uhr falsch "
          "oder zu früh ausgestellt): Clients mit Prüfung lehnen es ab.",
          "The certificate in wss.pem is not valid yet (notBefore in the future: wrong clock or issued too early): "
          "verifying clients refuse it.",
          "Uhrzeit von Host/Container prüfen (NTP), sonst ein gültiges Zertifikat einsetzen und "
          "`sofia profile internal restart`.",
          "Check the host's/container's clock (NTP), else install a valid certificate and `sofia profile internal restart`.",
          reads=(CERT,), explains=(CERT, HOP_WSS),
          node=Node.FREESWITCH, fix_kind=Fix.CERTIFICATE, scenario="wss-cert-not-yet-valid",
        deciding=((CERT, r"not before|not after"),),
        keywords=("noch nicht gültig", "not yet valid", "not before", "uhr", "clock", "zukunft", "future"),),
    Cause("wss-pem-bad-pending", "wss.pem auf der Platte ist unbrauchbar, aber FreeSWITCH liefert noch das beim letzten Start "
          "geladene Zertifikat — der nächste Profil-Neustart nimmt das ganze Profil vom Netz.",
          "wss.pem on disk is unusable, but FreeSWITCH still serves the certificate it loaded at its last start — the next "
          "profile restart takes the whole profile down.",
          "wss.pem vor jedem Neustart reparieren (Schlüssel unverschlüsselt, eigenes Zertifikat zuerst, dann Kette; "
          "`openssl pkey -in wss.pem -out key.pem` entschlüsselt einen Schlüssel).",
          "Repair wss.pem before any restart (key unencrypted, leaf certificate first, then the chain; `openssl pkey -in "
          "wss.pem -out key.pem` decrypts a key).",
          reads=(CERT, PORTS, HOP_WSS), explains=(CERT,),
          node=Node.FREESWITCH, fix_kind=Fix.CERTIFICATE, no_scenario="needs wss.pem broken after the profile started; no live step replaces it",
        keywords=("wss.pem", "neustart", "restart"),),
    Cause("wss-binding-change-pending", "internal.xml nennt für wss-binding einen anderen Port als Ziel und nginx; das "
          "laufende Profil bindet noch den richtigen — der nächste Profil-Neustart nimmt WSS vom erwarteten Port.",
          "internal.xml gives wss-binding another port than the target and nginx use; the running profile still binds the "
          "right one — the next profile restart moves WSS off the expected port.",
          "wss-binding in internal.xml auf den erwarteten Port zurücksetzen (nur ein Parameter), bevor das Profil neu "
          "startet — oder nginx und Ziel vorher auf den neuen Port umstellen.",
          "Set wss-binding in internal.xml back to the expected port (one param only) before the profile restarts — or "
          "move nginx and the target to the new port first.",
          reads=(BINDING, PROFILE), explains=(BINDING,),
          node=Node.FREESWITCH, fix_kind=Fix.CONFIG_EDIT, no_scenario="needs internal.xml edited on a running profile without a restart; no live step does that",
        keywords=("wss-binding", "neustart", "restart"),),
    Cause("tunnel-config-invalid", "cloudflared lehnt die Tunnel-Konfiguration ab und startet so nicht: kein gültiges YAML, "
          "keine Tunnel-Konfiguration oder Ingress-Regeln, die `cloudflared tunnel ingress validate` nicht bestehen "
          "(z. B. kein Catch-all als letzte Regel, eine Regel ohne Hostname vor anderen).",
          "cloudflared refuses the tunnel config and does not start with it: not valid YAML, not a tunnel config, or "
          "ingress rules that fail `cloudflared tunnel ingress validate` (e.g. no catch-all last, a rule without a "
          "hostname before others).",
          "config.yml so ändern, dass `cloudflared tunnel --config config.yml ingress validate` OK sagt (Catch-all "
          "`- service: http_status:404` als letzte und nur als letzte Regel), dann cloudflared neu starten.",
          "Change config.yml until `cloudflared tunnel --config config.yml ingress validate` says OK (the catch-all "
          "`- service: http_status:404` last, and only last), then restart cloudflared.",
          reads=(TUNNEL,), explains=(TUNNEL, HOP_PUBLIC),
          node=Node.CLOUDFLARE, fix_kind=Fix.CONFIG_EDIT, scenario="tunnel-no-catch-all",
        deciding=((TUNNEL, r"Validation failed|[Ee]rror|invalid|refus"),),
        keywords=("yaml", "config.yml", "einrückung", "indentation", "catch-all", "catch all",
                              "http_status", "letzte regel", "last rule", "validate"),),
    Cause("tunnel-origin-tls", "Der Tunnel spricht TLS mit nginx (`service: https://…`), nginx lauscht dort ohne ssl: "
          "cloudflareds Anfragen scheitern (502).",
          "The tunnel speaks TLS to nginx (`service: https://…`), which listens there without ssl: cloudflared's "
          "requests fail (502).",
          "Ingress-Regel `service: http://localhost:8082` (nginx spricht dort HTTP), cloudflared neu starten.",
          "Ingress rule `service: http://localhost:8082` (nginx speaks plain HTTP there), restart cloudflared.",
          reads=(TUNNEL,), explains=(TUNNEL, HOP_PUBLIC),
          node=Node.CLOUDFLARE, fix_kind=Fix.CONFIG_EDIT, scenario="tunnel-https-origin",
        deciding=((TUNNEL, r"service:\s*https"), (NGINX_CONF, r"listen"),),
        keywords=("https://", "https", "tls", "ssl", "origin", "ursprung"),),
    Cause("tunnel-origin-unreachable", "Der Tunnel leitet die öffentliche URL nicht an nginx 8082: die Regel, die cloudflared "
          "für sie nimmt, hat einen anderen Service (falscher Host/Port, ein `path:`, der nicht passt, eine Regel davor "
          "oder der Catch-all).",
          "The tunnel does not route the public URL to nginx 8082: the rule cloudflared takes for it has another "
          "service (a wrong host/port, a `path:` that does not match, a rule before it, or the catch-all).",
          "Die Regel, die `cloudflared tunnel --config config.yml ingress rule https://<hostname>/` nennt, auf "
          "`service: http://localhost:8082` bringen (in einem cloudflared-Container ist localhost der Container selbst), "
          "cloudflared neu starten.",
          "Make the rule `cloudflared tunnel --config config.yml ingress rule https://<hostname>/` names say "
          "`service: http://localhost:8082` (inside a cloudflared container localhost is the container itself), "
          "restart cloudflared.",
          reads=(TUNNEL, HOP_NGINX, HOP_PUBLIC), explains=(TUNNEL, HOP_PUBLIC),
          superseded_by=("tunnel-config-invalid", "tunnel-origin-tls", "nginx-listen-ssl", "ws-wss-port-shared",
                         "nginx-port-taken", "nginx-rate-limited"),
          node=Node.CLOUDFLARE, fix_kind=Fix.CONFIG_EDIT, scenario="tunnel-wrong-service",
        deciding=((TUNNEL, r"service:"), (NGINX_CONF, r"listening|listen"),),
        keywords=("ingress", "service", "tunnel", "config.yml", "8083"),),
    Cause("subprotocol-missing", "Die 101-Antwort trägt kein 'Sec-WebSocket-Protocol: sip': Browser brechen ab.",
          "The 101 carries no 'Sec-WebSocket-Protocol: sip': browsers abort.",
          "Prüfen, wer den Handshake umschreibt: in nginx `proxy_hide_header Sec-WebSocket-Protocol` oder ein "
          "`proxy_set_header Sec-WebSocket-Protocol …`, das das Angebot des Browsers ersetzt, entfernen; sonst, dass "
          "der Client 'sip' anbietet.",
          "Find what rewrites the handshake: in nginx remove `proxy_hide_header Sec-WebSocket-Protocol` or a "
          "`proxy_set_header Sec-WebSocket-Protocol …` that replaces the browser's offer; else make the client offer "
          "'sip'.",
          reads=HOPS, explains=HOPS,
          node=Node.NGINX, fix_kind=Fix.CONFIG_EDIT, scenario="nginx-hides-subprotocol",
        deciding=((HOP_NGINX, r"Sec-WebSocket-Protocol|sip"),),
        keywords=("sec-websocket-protocol", "subprotocol", "sip", "proxy_hide_header"),),
    Cause("sip-register-rejected", "WebSocket und SIP funktionieren, aber REGISTER mit Digest wird abgelehnt "
          "(falscher SIP-Benutzer oder falsches Passwort im Verzeichnis).",
          "WebSocket and SIP work, but REGISTER with digest is rejected (wrong SIP user or password in the directory).",
          "Benutzer/Passwort mit directory/default/<user>.xml abgleichen (Ziel: [sip] user/password).",
          "Match user/password with directory/default/<user>.xml (target: [sip] user/password).",
          reads=(HOP_PUBLIC,), explains=(HOP_PUBLIC,),
          node=Node.PROFILE, fix_kind=Fix.TARGET_EDIT, scenario="sip-wrong-password",
        deciding=((HOP_PUBLIC, r"403|REGISTER"),),
        keywords=("403", "passwort", "password", "register", "digest"),),
    # Step 5 (media): signalling works; these break the call or its audio
    Cause("call-not-routed", "Der Anruf wird nicht vermittelt: der Dialplan lehnt das INVITE ab (404/480/502/503) — z. B. "
          "ruft der Vanilla-Dialplan zuerst die Anwendung `hash` auf, die ohne mod_hash fehlt ('Invalid Application hash', 502).",
          "The call is not routed: the dialplan rejects the INVITE (404/480/502/503) — e.g. the vanilla dialplan calls "
          "the `hash` application first, which is missing without mod_hash ('Invalid Application hash', 502).",
          "Im Kontext des Benutzers (user_context, meist default) eine Extension für die Nummer vor die Vanilla-Extensions "
          "setzen (`answer`, `echo` für 9196) oder mod_hash laden; dann `reloadxml`. freeswitch.log nennt die fehlende Anwendung.",
          "Put an extension for the number before the vanilla ones in the user's context (user_context, usually "
          "default: `answer`, `echo` for 9196) or load mod_hash; then `reloadxml`. freeswitch.log names the missing application.",
          reads=(CALL,), explains=(CALL,),
          node=Node.PROFILE, fix_kind=Fix.CONFIG_EDIT, scenario="media-dialplan-vanilla",
        deciding=((CALL, r"SIP/2.0 (404|480|502|503)|Invalid Application|not routed"),),
        keywords=("404", "480", "502", "503", "dialplan", "hash", "invalid application", "extension", "nicht vermittelt", "not routed"),),
    Cause("no-common-codec", "FreeSWITCH und der Browser haben keinen gemeinsamen Codec: das INVITE endet mit 488 "
          "(inbound-codec-prefs nennt nur Codecs, die dieser Build nicht hat oder der Browser nicht anbietet).",
          "FreeSWITCH and the browser share no codec: the INVITE ends with 488 (inbound-codec-prefs names only codecs "
          "this build lacks or the browser does not offer).",
          "inbound-codec-prefs/global_codec_prefs in vars.xml auf Codecs setzen, die geladen sind (`show codecs`) und die "
          "Browser anbieten: OPUS (mod_opus), PCMU, PCMA; dann das Profil neu starten.",
          "Set inbound-codec-prefs/global_codec_prefs in vars.xml to codecs that are loaded (`show codecs`) and that "
          "browsers offer: OPUS (mod_opus), PCMU, PCMA; then restart the profile.",
          reads=(CALL,), explains=(CALL,),
          node=Node.PROFILE, fix_kind=Fix.CONFIG_EDIT, scenario="media-no-common-codec",
        deciding=((CALL, r"488|codec"),),
        keywords=("488", "codec", "pcmu", "opus", "codec_prefs", "not acceptable"),),
    Cause("media-only-tunnel", "Nur der Tunnel erreicht FreeSWITCH, und er trägt kein UDP: FreeSWITCH nennt Browsern im "
          "Internet keine erreichbare Medienadresse (kein öffentliches ext-rtp-ip, kein stun:/autonat:) und es gibt keinen "
          "TURN-Server — der Anruf verbindet, aber ohne Ton.",
          "Only the tunnel reaches FreeSWITCH, and it carries no UDP: FreeSWITCH names no media address browsers on the "
          "internet can reach (no public ext-rtp-ip, no stun:/autonat:) and there is no TURN server — the call connects "
          "without audio.",
          "Einen TURN-Server (coturn) mit öffentlicher Adresse betreiben und den Browsern geben (iceServers) — oder "
          "ext-rtp-ip auf die öffentliche Adresse setzen und den RTP-Portbereich (switch.conf.xml rtp-start-port/"
          "rtp-end-port) per UDP veröffentlichen bzw. in der Firewall öffnen.",
          "Run a TURN server (coturn) with a public address and give it to the browsers (iceServers) — or set ext-rtp-ip "
          "to the public address and publish the RTP port range (switch.conf.xml rtp-start-port/rtp-end-port) over UDP "
          "/ open it in the firewall.",
          reads=(MEDIA_CONF,), explains=(MEDIA_CONF, CALL),
          node=Node.MEDIA, fix_kind=Fix.CONFIG_EDIT, scenario="media-internet-no-turn",
        deciding=((MEDIA_CONF, r"ext-rtp-ip|external_rtp_ip|TURN|turn"), (CALL, r"candidate|c=IN")),
        keywords=("turn", "udp", "tunnel", "ext-rtp-ip", "external_rtp_ip", "stun", "relay"),),
    Cause("turn-unusable", "Ein TURN-Server ist eingetragen, aber er vergibt kein Relay (falsche Zugangsdaten, oder "
          "dort antwortet kein TURN-Server): Browser, die nur diesen Weg haben, bekommen keinen Ton.",
          "A TURN server is configured, but it allocates no relay (wrong credentials, or no TURN server answers "
          "there): browsers that have only this path get no audio.",
          "Benutzer/Passwort mit dem TURN-Server abgleichen (coturn: `user=` bzw. static-auth-secret, realm), seine "
          "Adresse und seinen Port prüfen (`turnutils_uclient`), dann dieselben Daten den Browsern geben (iceServers).",
          "Match user/password with the TURN server (coturn: `user=` or static-auth-secret, realm), check its address "
          "and port (`turnutils_uclient`), then give the browsers the same (iceServers).",
          reads=(CALL,), explains=(CALL,),
          node=Node.MEDIA, fix_kind=Fix.CONFIG_EDIT, scenario="media-turn-wrong-password",
        deciding=((CALL, r"TURN|relay|allocat"),),
        keywords=("turn", "relay", "401", "credentials", "zugangsdaten", "password", "passwort", "coturn"),),
    # -- issue #22: the container's RTP range, by Docker's own record (fsnb/read/dockerview.py) ---------------------
    Cause("rtp-ports-not-published",
          "FreeSWITCH läuft in einem Container mit eigenem Netzwerk (kein Host-Netzwerk): Docker veröffentlicht "
          "höchstens seine Signalisierungs-Ports, seinen RTP-Bereich (rtp-start-port..rtp-end-port aus switch.conf.xml) "
          "aber nicht als UDP dort, wo die Browser ihn erreichen — gar nicht, nur zum Teil oder (für Browser im LAN "
          "oder Internet) nur auf dem Loopback des Hosts (`-p 127.0.0.1:…`): das RTP der Browser erreicht FreeSWITCH "
          "nicht, der Anruf verbindet, ohne Ton.",
          "FreeSWITCH runs in a container with its own network (not host networking): Docker publishes its signalling "
          "ports at most, but not its RTP range (rtp-start-port..rtp-end-port from switch.conf.xml) as UDP where the "
          "browsers reach it — none of it, only part, or (for browsers on the LAN or the internet) only on the host's "
          "loopback (`-p 127.0.0.1:…`): a browser's RTP cannot reach FreeSWITCH, the call connects without audio.",
          "Den RTP-Bereich verkleinern und genau ihn als UDP veröffentlichen: in switch.conf.xml rtp-start-port 16384, "
          "rtp-end-port 16484, dann `docker run -p 16384-16484:16384-16484/udp …` (compose `ports: "
          "[\"16384-16484:16384-16484/udp\"]`; Host- und Container-Port gleich — die SDP nennt FreeSWITCHs eigenen "
          "Port; ohne `127.0.0.1:` davor, sonst erreichen ihn nur Browser auf dem Host), ext-rtp-ip auf die Adresse "
          "des Hosts, die die Browser erreichen, und den Container neu starten. Oder Host-Netzwerk: `docker run --network host …` bzw. compose `network_mode: host`. Oder ein TURN-Server "
          "(coturn) auf dem Host, der den Container erreicht, für die Browser (iceServers).",
          "Narrow the RTP range and publish exactly it as UDP: in switch.conf.xml rtp-start-port 16384, rtp-end-port "
          "16484, then `docker run -p 16384-16484:16384-16484/udp …` (compose `ports: [\"16384-16484:16384-16484/udp\"]`; "
          "the same host and container port — the SDP names FreeSWITCH's own port; no `127.0.0.1:` in front, or only "
          "browsers on the host reach it), ext-rtp-ip the host's address the browsers reach, and restart the "
          "container. Or host networking: `docker run --network host …` or compose "
          "`network_mode: host`. Or a TURN server (coturn) on the host, which reaches the container, for the browsers "
          "(iceServers).",
          reads=(MEDIA_CONF, CALL), explains=(MEDIA_CONF, CALL), superseded_by=("media-only-tunnel",),
          node=Node.MEDIA, fix_kind=Fix.CONFIG_EDIT, scenario="docker-own-netns-published",
        deciding=((MEDIA_CONF, r"RTP range"), (CALL, r"ICE|candidate|c=IN")),
        keywords=("udp", "rtp", "publish", "veröffentlich", "-p ", "16384", "rtp-start-port", "rtp-end-port",
                  "network_mode", "network host", "host-netzwerk", "container", "namespace"),),
    Cause("media-address-unreachable", "Die SDP-Antwort nennt eine Medienadresse, die der Browser nicht erreicht (Loopback, "
          "privat, container-intern — oder dort lauscht nichts): ICE scheitert oder der Ton bleibt aus.",
          "The SDP answer names a media address the browser cannot reach (loopback, private, container-internal — or "
          "nothing listens there): ICE fails or there is no audio.",
          "rtp-ip/ext-rtp-ip im Profil auf eine Adresse setzen, die die Browser erreichen (für Clients im LAN: die "
          "LAN-Adresse; im Container: die des Hosts, mit veröffentlichtem RTP-Portbereich), dann das Profil neu starten.",
          "Set rtp-ip/ext-rtp-ip in the profile to an address the browsers reach (for LAN clients: the LAN address; in "
          "a container: the host's, with the RTP port range published), then restart the profile.",
          reads=(MEDIA_CONF, CALL), explains=(MEDIA_CONF, CALL), superseded_by=("media-only-tunnel", "rtp-ports-not-published"),
          node=Node.MEDIA, fix_kind=Fix.CONFIG_EDIT, scenario="media-lan-client-loopback",
        deciding=((CALL, r"c=IN IP4|candidate|address|Adresse"), (MEDIA_CONF, r"rtp-ip")),
        keywords=("rtp-ip", "ext-rtp-ip", "127.0.0.1", "loopback", "lan", "sdp", "c=in", "candidate", "adresse", "address"),),
    Cause("dtls-srtp-failed", "ICE steht, aber DTLS-SRTP kommt nicht zustande (oder die Antwort bietet kein DTLS an): "
          "Browser senden ohne SRTP keinen Ton.",
          "ICE is up, but DTLS-SRTP does not come up (or the answer offers no DTLS): browsers send no audio without SRTP.",
          "FreeSWITCHs DTLS-Zertifikat prüfen: Schlüssel und Zertifikat in dtls-srtp.pem (certs_dir) müssen "
          "zusammengehören; im Zweifel die Datei entfernen und FreeSWITCH neu starten — es erzeugt eine neue. Im Log: "
          "'DTLS key err', 'Fingerprint'.",
          "Check FreeSWITCH's DTLS certificate: key and certificate in dtls-srtp.pem (certs_dir) must belong together; "
          "when in doubt remove the file and restart FreeSWITCH — it generates a new one. In the log: 'DTLS key err', "
          "'Fingerprint'.",
          reads=(CALL,), explains=(CALL,),
          node=Node.MEDIA, fix_kind=Fix.CERTIFICATE, scenario="media-dtls-key-mismatch",
        deciding=((CALL, r"DTLS|dtls|fingerprint|Fingerprint"),),
        keywords=("dtls", "srtp", "fingerprint", "dtls-srtp.pem", "key err", "schlüssel", "key"),),
    Cause("one-way-audio", "Der Anruf steht (ICE und DTLS verbunden), aber Ton fließt nur in eine Richtung: FreeSWITCH "
          "empfängt die Pakete des Browsers und schickt keine zurück (oder umgekehrt).",
          "The call is up (ICE and DTLS connected), but audio flows one way only: FreeSWITCH receives the browser's "
          "packets and sends none back (or the other way round).",
          "Den Dialplan der Nummer prüfen (das Echo: `answer`, `echo`; kein `park`), im Log die RTP-Zeilen ('AUDIO RTP … "
          "->') und `uuid_dump` (rtp_audio_*_packet_count) lesen; eine Richtung ohne Pakete ist meist NAT oder eine Anwendung, die nichts sendet.",
          "Check the number's dialplan (the echo: `answer`, `echo`; no `park`), read the log's RTP lines ('AUDIO RTP … "
          "->') and `uuid_dump` (rtp_audio_*_packet_count); a direction without packets is usually NAT or an application that sends nothing.",
          reads=(CALL,), explains=(CALL,), superseded_by=("media-address-unreachable", "media-only-tunnel",
                                                                    "rtp-ports-not-published"),
          node=Node.MEDIA, fix_kind=Fix.CONFIG_EDIT, scenario="media-one-way",
        deciding=((CALL, r"RTP|packets|Pakete|received|empfangen"),),
        keywords=("one way", "eine richtung", "rtp", "packets", "pakete", "park", "echo", "uuid_dump"),),
    Cause("esl-port-mismatch", "ESL lauscht auf einem anderen Port als dem des Ziels (listen-port in event_socket.conf.xml).",
          "ESL listens on another port than the target's (listen-port in event_socket.conf.xml).",
          "esl_port im Ziel auf den listen-port setzen — oder listen-port zurück und `reload mod_event_socket`.",
          "Set esl_port in the target to the listen-port — or change listen-port back and `reload mod_event_socket`.",
          reads=(ESL, ESL_CONF), explains=(ESL, ESL_CONF, LOG),
          node=Node.ESL, fix_kind=Fix.TARGET_EDIT, no_scenario="no knob gives the target another ESL port than event_socket.conf.xml",
        keywords=("listen-port", "esl_port", "port"),),
    # -- issue #18: where ESL really listens, by FreeSWITCH's own socket table -------------------------------------
    Cause("esl-address-mismatch",
          "ESL lauscht — aber auf einer anderen Adresse als der des Ziels (listen-ip in event_socket.conf.xml): "
          "fsnb/fs_cli verbinden zu einer Adresse, auf der nichts lauscht.",
          "ESL listens — but on another address than the target's (listen-ip in event_socket.conf.xml): fsnb/fs_cli "
          "connect to an address where nothing listens.",
          "listen-ip in event_socket.conf.xml auf 127.0.0.1 (die Adresse, unter der fsnb und nginx FreeSWITCH "
          "erreichen), dann `fs_cli -H <Adresse aus der Socket-Tabelle> -x 'reload mod_event_socket'` oder den "
          "Container neu starten; bis dahin erreicht `fs_cli -H <Adresse>` ESL.",
          "Set listen-ip in event_socket.conf.xml to 127.0.0.1 (the address fsnb and nginx reach FreeSWITCH at), then "
          "`fs_cli -H <address from the socket table> -x 'reload mod_event_socket'` or restart the container; until "
          "then `fs_cli -H <address>` reaches ESL.",
          reads=(ESL, PORTS), explains=(ESL, ESL_CONF, LOG),
          superseded_by=("container-ports-not-published", "container-listens-on-loopback"),
          node=Node.ESL, fix_kind=Fix.CONFIG_EDIT, scenario="esl-other-address",
        deciding=((PORTS, r"^\s*esl\s"), (ESL_CONF, r"listen-ip"),),
        keywords=("listen-ip", "127.0.0.2", "adresse", "address", "socket table", "sockettabelle"),),
    Cause("esl-not-listening", "mod_event_socket lauscht nicht (listen-ip nicht lokal oder :: ohne IPv6); SIP läuft davon unabhängig.",
          "mod_event_socket does not listen (listen-ip not local, or :: without IPv6); SIP runs independently.",
          "listen-ip 127.0.0.1 (oder 0.0.0.0 mit ACL) in event_socket.conf.xml, dann `reload mod_event_socket`.",
          "listen-ip 127.0.0.1 (or 0.0.0.0 with an ACL) in event_socket.conf.xml, then `reload mod_event_socket`.",
          reads=(ESL,), explains=(ESL, ESL_CONF, LOG),
          superseded_by=("esl-port-mismatch", "freeswitch-down", "container-ports-not-published",
                         "container-listens-on-loopback", "esl-address-mismatch"),
          node=Node.ESL, fix_kind=Fix.CONFIG_EDIT, scenario="esl-listen-ip",
        deciding=((ESL_CONF, r"listen-ip"), (LOG, r"Socket Error"),),
        keywords=("listen-ip", "10.254", "socket error", "nicht lokal", "not local"),),
    Cause("esl-acl-rejects", "ESL weist diesen Client per ACL ab ('Access Denied, go away.').",
          "ESL rejects this client by ACL ('Access Denied, go away.').",
          "apply-inbound-acl auf eine Liste setzen, die den Client erlaubt (Docker-Portweiterleitung: Bridge-Gateway!).",
          "Set apply-inbound-acl to a list allowing the client (Docker port publishing: the bridge gateway!).",
          reads=(ESL,), explains=(ESL, ESL_CONF, LOG),
          node=Node.ESL, fix_kind=Fix.CONFIG_EDIT, scenario="esl-acl",
        deciding=((ESL, r"rude-rejection|Access Denied"), (ESL_CONF, r"acl"),),
        keywords=("acl", "access denied", "rude", "abgewiesen", "rejected"),),
    Cause("esl-bad-password", "Falsches ESL-Passwort (fs_cli zeigt nur 'Error Connecting []').",
          "Wrong ESL password (fs_cli shows only 'Error Connecting []').",
          "Passwort aus event_socket.conf.xml verwenden (Ziel: esl_password-Quelle).",
          "Use the password from event_socket.conf.xml (target: esl_password source).",
          reads=(ESL,), explains=(ESL,),
          node=Node.ESL, fix_kind=Fix.TARGET_EDIT, scenario="esl-wrong-password",
        deciding=((ESL, r"-ERR|invalid|auth"),),
        keywords=("passwort", "password", "-err", "invalid", "auth"),),
    Cause("esl-port-not-esl", "Auf dem ESL-Port läuft ein anderer Dienst (z. B. HTTP) statt mod_event_socket.",
          "Another service (e.g. HTTP) runs on the ESL port instead of mod_event_socket.",
          "Den fremden Dienst vom Port nehmen oder ESL-Port/Ziel korrigieren.", "Move the foreign service off the port or fix the ESL port/target.",
          reads=(ESL,), explains=(ESL, LOG),
          node=Node.ESL, fix_kind=Fix.USER_ACTION, scenario="esl-port-not-esl",
        deciding=((ESL, r"erste Bytes|first bytes|HTTP"), (LOG, r"Socket Error"),),
        keywords=("http", "kein esl", "not esl", "anderer dienst", "another service", "testserver", "test server"),),
    Cause("esl-no-answer", "Auf dem ESL-Port nimmt etwas Verbindungen an, antwortet aber nie (fs_cli hängt ohne -T).",
          "Something on the ESL port accepts connections but never answers (fs_cli hangs without -T).",
          "Herausfinden, welches Programm den Port hält (`ss -ltnp`), es beenden, dann `reload mod_event_socket`.",
          "Find the program holding the port (`ss -ltnp`), stop it, then `reload mod_event_socket`.",
          reads=(ESL,), explains=(ESL, LOG), superseded_by=("container-paused", "freeswitch-process-stopped"),
          node=Node.ESL, fix_kind=Fix.USER_ACTION, scenario="esl-tarpit",
        deciding=((ESL, r"erste Bytes|first bytes|sends nothing"), (LOG, r"Socket Error"),),
        keywords=("hängt", "hangs", "kein gruß", "no greeting", "nothing", "nichts", "tarpit", "anderes programm",
                      "another program"),),
    # -- issue #18, FreeSWITCH's own view of its XML --------------------------------------------------------------
    Cause("profile-xml-broken",
          "sip_profiles/internal.xml ist kein wohlgeformtes XML, auch nicht für FreeSWITCH (z. B. ein falsches "
          "Schluss-Tag): das laufende Profil behält die alte Konfiguration; `reloadxml` meldet "
          "'[error near line N]: …', und beim nächsten Neustart startet FreeSWITCH gar nicht ('Cannot Initialize "
          "[[error near line N]: unexpected closing tag …]', Exit 255 — gesehen).",
          "sip_profiles/internal.xml is not well-formed XML, not even for FreeSWITCH (e.g. a wrong closing tag): the "
          "running profile keeps its old config; `reloadxml` reports '[error near line N]: …', and at the next restart "
          "FreeSWITCH does not start at all ('Cannot Initialize [[error near line N]: unexpected closing tag …]', "
          "exit 255 — seen).",
          "Die Datei an der genannten Zeile/Spalte reparieren, mit `fs_cli -x reloadxml` prüfen (die Antwort nennt "
          "den Fehler, sonst '+OK [Success]'), dann `sofia profile internal restart`.",
          "Repair the file at the line/column named, check with `fs_cli -x reloadxml` (its answer names the error, "
          "else '+OK [Success]'), then `sofia profile internal restart`.",
          reads=(BINDING,), explains=(BINDING,),
          node=Node.PROFILE, fix_kind=Fix.CONFIG_EDIT, scenario="profile-xml-broken",
        deciding=((BINDING, r"error near line|closing tag|line"),),
        keywords=("closing tag", "schluss-tag", "settingz", "error near line", "reloadxml"),),
    Cause("unexplained-failure", "Eine Prüfung ist fehlgeschlagen, und keine bekannte Ursache erklärt es.",
          "A check failed and no known cause explains it.",
          "Die Belege dieser Prüfung lesen; siehe 'als Nächstes'.", "Read this check's evidence; see 'next'.",
          node=Node.AT_FAILED_CHECK, fix_kind=Fix.NONE, no_scenario="by definition no known fault reproduces it", no_fix_because="no known cause: what to look at next comes from the failed check (NEXT)",
          no_fix_because_de="keine bekannte Ursache: was als Nächstes anzusehen ist, sagt die fehlgeschlagene Prüfung "
                            "(„als Nächstes“)"),
    Cause("nginx-websocket-config", "nginx leitet WebSocket ohne HTTP/1.1/Upgrade/Connection bzw. mit kurzem read_timeout weiter — "
          "FreeSWITCH antwortet trotzdem, aber fragil.",
          "nginx proxies WebSocket without HTTP/1.1/Upgrade/Connection or with a short read timeout — FreeSWITCH still "
          "answers, but it is fragile.",
          "`proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\"; proxy_read_timeout 3600s;`",
          "`proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection \"upgrade\"; proxy_read_timeout 3600s;`",
          reads=(NGINX_CONF,),
          severity="warn", node=Node.NGINX, fix_kind=Fix.CONFIG_EDIT, scenario="nginx-no-upgrade-headers",
        deciding=((NGINX_CONF, r"http_version|upgrade|read_timeout"),),
        keywords=("upgrade", "connection", "http_version", "1.1", "read_timeout", "timeout"),),
    Cause("certificate-untrusted", "Das WSS-Zertifikat ist für Clients nicht vertrauenswürdig (direktes wss:// zu 7443 scheitert im Browser).",
          "The WSS certificate is not trusted by clients (direct wss:// to 7443 fails in browsers).",
          "CA-signiertes Zertifikat für den Hostnamen, oder TLS vor FreeSWITCH terminieren.",
          "A CA-signed certificate for the hostname, or terminate TLS in front of FreeSWITCH.",
          reads=(HOP_WSS,),
          superseded_by=("wss-cert-shadowed", "wss-pem-in-other-dir"),
          severity="warn", node=Node.FREESWITCH, fix_kind=Fix.CERTIFICATE, no_scenario="the lab's wss.pem comes from the lab CA, which the target trusts; no knob serves another",
        keywords=("vertrauens", "trusted", "ca"),),
    Cause("profile-xml-not-well-formed",
          "sip_profiles/internal.xml ist kein wohlgeformtes XML (z. B. ein nacktes '&'): FreeSWITCH liest darüber "
          "hinweg und das Profil läuft, aber XML-Werkzeuge, Editoren mit Prüfung und Konfigurationsmanagement "
          "scheitern daran.",
          "sip_profiles/internal.xml is not well-formed XML (e.g. a bare '&'): FreeSWITCH reads past it and the "
          "profile runs, but XML tools, validating editors and config management fail on it.",
          "An der genannten Stelle `&` als `&amp;` schreiben (bzw. `<` als `&lt;`).",
          "Write `&` as `&amp;` (or `<` as `&lt;`) at the place named.",
          reads=(BINDING,), explains=(BINDING,),
          severity="warn", node=Node.PROFILE, fix_kind=Fix.CONFIG_EDIT, scenario="profile-bare-ampersand",
        deciding=((BINDING, r"well-formed|not well|&"),),
        keywords=("&amp;", "ampersand", "&", "well-formed", "wohlgeformt"),),
    # -- issue #18, FreeSWITCH's own view of its certificate: certs_dir from its command line ---------------------
    Cause("wss-pem-in-other-dir",
          "Das Zertifikat des Betreibers liegt an einem üblichen Ort (z. B. /etc/freeswitch/tls oder "
          "/usr/local/freeswitch/certs), FreeSWITCH liest aber ein anderes certs_dir (-certs/certs_dir) und liefert dort "
          "sein selbst erzeugtes wss.pem (CN=FreeSWITCH) aus.",
          "The operator's certificate is at a usual place (e.g. /etc/freeswitch/tls or /usr/local/freeswitch/certs), "
          "but FreeSWITCH reads another certs_dir (-certs/certs_dir) and serves its self-generated wss.pem "
          "(CN=FreeSWITCH) from there.",
          "wss.pem in das certs_dir legen, das FreeSWITCH nutzt (siehe Beleg: Kommandozeile -certs bzw. "
          "`global_getvar certs_dir`) — z. B. `docker run -v /pfad/wss.pem:<certs_dir>/wss.pem:ro` — oder FreeSWITCH "
          "mit `-certs <Ordner des Betreibers>` starten; dann `sofia profile internal restart`.",
          "Put wss.pem into the certs_dir FreeSWITCH uses (see the evidence: command line -certs or `global_getvar "
          "certs_dir`) — e.g. `docker run -v /path/wss.pem:<certs_dir>/wss.pem:ro` — or start FreeSWITCH with "
          "`-certs <the operator's dir>`; then `sofia profile internal restart`.",
          reads=(CERT,), explains=(CERT,),
          severity="warn", node=Node.FREESWITCH, fix_kind=Fix.CERTIFICATE, scenario="wss-pem-in-other-dir",
        deciding=((CERT, r"certs_dir|wss\.pem"), (BINDING, r"wss\.pem|certs"),),
        keywords=("-certs", "certs_dir", "/etc/freeswitch/tls", "verzeichnis", "directory", "selbst",
                             "self-signed"),),
    Cause("wss-pem-warning", "wss.pem lädt, hat aber Mängel (selbst erzeugt, SAN passt nicht).",
          "wss.pem loads but has flaws (self-generated, SAN mismatch).", "Eigenes Zertifikat in certs_dir legen.",
          "Put your own certificate into certs_dir.",
          reads=(CERT,), superseded_by=("wss-pem-in-other-dir",),
          severity="warn", node=Node.FREESWITCH, fix_kind=Fix.CERTIFICATE, no_scenario="no simulator knob leaves wss.pem out for FreeSWITCH to generate its own",
        keywords=("selbst erzeugt", "self", "san"),),
])


# what to look at next when a check fails and no cause explains it: (de, en)
NEXT: dict[str, tuple[str, str]] = {
    CERT: ("wss.pem mit `openssl x509 -in wss.pem -noout -text` und `openssl pkey -in wss.pem -noout` prüfen; certs_dir per "
           "`fs_cli -x 'global_getvar certs_dir'`.", "Inspect wss.pem with `openssl x509 -in wss.pem -noout -text` and "
           "`openssl pkey -in wss.pem -noout`; certs_dir via `fs_cli -x 'global_getvar certs_dir'`."),
    BINDING: ("internal.xml und die per X-PRE-PROCESS eingebundenen Dateien lesen (`sofia xmlstatus profile internal`).",
              "Read internal.xml and the files it pulls in with X-PRE-PROCESS (`sofia xmlstatus profile internal`)."),
    NGINX_CONF: ("`nginx -T` (die wirksame Konfiguration) und nginx' error.log lesen.",
                 "Read `nginx -T` (the effective config) and nginx's error.log."),
    TUNNEL: ("`cloudflared tunnel ingress rule wss://<host>/` und das cloudflared-Log.",
             "`cloudflared tunnel ingress rule wss://<host>/` and cloudflared's log."),
    ESL: ("Erste Bytes auf dem ESL-Port lesen (`nc 127.0.0.1 8021`), event_socket.conf.xml, `ss -ltnp`.",
          "Read the first bytes on the ESL port (`nc 127.0.0.1 8021`), event_socket.conf.xml, `ss -ltnp`."),
    ESL_CONF: ("event_socket.conf.xml und acl.conf.xml im conf_dir lesen; `reload mod_event_socket`.",
               "Read event_socket.conf.xml and acl.conf.xml in conf_dir; `reload mod_event_socket`."),
    PROFILE: ("`sofia status profile internal` und freeswitch.log ab dem letzten Profilstart; `sofia loglevel tport 9`, dann "
              "`sofia profile internal start`.", "`sofia status profile internal` and freeswitch.log since the last profile "
              "start; `sofia loglevel tport 9`, then `sofia profile internal start`."),
    LOG: ("freeswitch.log ab dem Start des laufenden FreeSWITCH lesen ([ERR]/[CRIT]-Zeilen zuerst).",
          "Read freeswitch.log since the running FreeSWITCH started ([ERR]/[CRIT] lines first)."),
    PORTS: ("`ss -ltnp` im Container (bzw. /proc/net/tcp*), wer hält welchen Port auf welcher Adresse?",
            "`ss -ltnp` in the container (or /proc/net/tcp*): who holds which port on which address?"),
    HOP_WSS: ("`openssl s_client -connect <host>:7443` und ein Handshake mit 'Sec-WebSocket-Protocol: sip'.",
              "`openssl s_client -connect <host>:7443` and a handshake offering 'Sec-WebSocket-Protocol: sip'."),
    HOP_WS: ("Handshake an ws 5066 mit 'Sec-WebSocket-Protocol: sip'; `sofia status profile internal` (WS-BIND-URL).",
             "A handshake to ws 5066 offering 'sip'; `sofia status profile internal` (WS-BIND-URL)."),
    HOP_NGINX: ("nginx' error.log zur Zeit des Tests und `nginx -T` (proxy_pass, Header).",
                "nginx's error.log at the time of the test and `nginx -T` (proxy_pass, headers)."),
    HOP_PUBLIC: ("cloudflared-Log und die Ingress-Regel; derselbe Test direkt gegen nginx (Schritt 4 nginx).",
                 "cloudflared's log and the ingress rule; the same test directly against nginx (step 4 nginx)."),
    CURL: ("Was antwortet auf 7443? `openssl s_client -connect <host>:7443`.", "What answers on 7443? `openssl s_client -connect <host>:7443`."),
    MEDIA_CONF: ("rtp-ip/ext-rtp-ip im Profil, external_rtp_ip in vars.xml, rtp-start-port/rtp-end-port in switch.conf.xml lesen.",
                 "Read rtp-ip/ext-rtp-ip in the profile, external_rtp_ip in vars.xml, rtp-start-port/rtp-end-port in switch.conf.xml."),
    CALL: ("freeswitch.log zum Anruf (Call-ID) lesen; `uuid_dump` während eines Anrufs; die SDP-Antwort in den Belegen.",
           "Read freeswitch.log for the call (Call-ID); `uuid_dump` during a call; the SDP answer in the evidence."),
    ALTERNATIVE: ("SIP OPTIONS an ws 5066 mit 'Via: SIP/2.0/WS' und '/WSS' vergleichen.",
                  "Compare SIP OPTIONS to ws 5066 with 'Via: SIP/2.0/WS' and '/WSS'."),
}
