"""Training: a lab with a hidden fault, a briefing with symptoms only (what a user or the monitoring reports),
the analysis' steps with hints on request, the trainee's own cause and reasoning, a reveal that grades the
trainee and explains cause → deciding evidence → fix, then fixing it in the lab and a re-run that confirms it.

`scenario="random"` draws a case the lab can break and fix; the picker names cases by their symptoms only.
With `real=True` the case runs on the real-FreeSWITCH lab (`fsnb lab up --real`) when it is built here.
"""
from __future__ import annotations

import hashlib
import os
import random
import re
import threading
from pathlib import Path

from fsnb.diagnosis.catalogue import CAUSES
from fsnb.errors import FsnbError
from fsnb.fix import actions
from fsnb.i18n import LANGS, T
from fsnb.lab import manager, scenarios
from fsnb.present.escape import html as escape
from fsnb.fix.steps import fix_steps
from fsnb.present.notebook import CSS, Runbook, check_title
from fsnb.present.notebook.views import code as _code
from fsnb.present.notebook.views import evidence_line, pick

# causes the lab can break and fsnb can fix in it (a random case is one of these)
FIXABLE = ("profile-not-running", "wss-pem-bad", "wss-binding-not-applied", "bind-failed")

_DOWN = T("Nutzer melden: das Browser-Telefon verbindet nicht („WebSocket connection to wss://freeswitch.aidevelo.ai/ "
          "failed“). Auch die Tischtelefone können sich nicht mehr registrieren. Das Monitoring meldet Port 7443 als "
          "geschlossen.",
          "Users report: the browser phone does not connect (“WebSocket connection to wss://freeswitch.aidevelo.ai/ "
          "failed”). The desk phones cannot register either. Monitoring reports port 7443 as closed.")
SYMPTOMS = {
    "profile-not-running": _DOWN, "wss-pem-bad": _DOWN, "bind-failed": _DOWN,
    "wss-binding-not-applied": T("Nutzer melden: das Browser-Telefon verbindet nicht. Die Tischtelefone (SIP) "
                                 "funktionieren. Das Monitoring meldet Port 7443 als geschlossen.",
                                 "Users report: the browser phone does not connect. The desk phones (SIP) work. "
                                 "Monitoring reports port 7443 as closed."),
    "bound-elsewhere": T("Das Browser-Telefon verbindet nicht (der Proxy antwortet 502). Ein Kollege sagt: „FreeSWITCH "
                         "lauscht doch auf 7443!“", "The browser phone does not connect (the proxy answers 502). A "
                         "colleague says: “But FreeSWITCH is listening on 7443!”"),
    "nginx-scheme-mismatch": T("Das Browser-Telefon verbindet nicht: der Handshake endet mit HTTP 502. FreeSWITCH "
                               "selbst scheint zu laufen.", "The browser phone does not connect: the handshake ends "
                               "with HTTP 502. FreeSWITCH itself seems to run."),
    "via-transport-mismatch": T("Der WebSocket verbindet, aber das Browser-Telefon registriert sich nie "
                                "(Zeitüberschreitung beim REGISTER).", "The WebSocket connects, but the browser phone "
                                "never registers (REGISTER times out)."),
    "tunnel-origin-unreachable": T("Von außen antwortet wss://freeswitch.aidevelo.ai/ mit einem Fehler; intern soll "
                                   "alles gehen.", "From outside wss://freeswitch.aidevelo.ai/ answers with an error; "
                                   "inside everything is said to work."),
    "nginx-websocket-config": T("Browser-Telefone verbinden, die Verbindung gilt aber als fragil.",
                                "Browser phones connect, but the connection is said to be fragile."),
    "ws-wss-port-shared": T("Browser-Telefone verbinden mal, mal nicht; die Fehler wechseln zwischen TLS-Fehler und "
                            "geschlossener Verbindung.", "Browser phones connect now and then; the errors alternate "
                            "between a TLS error and a closed connection."),
    "wss-port-shared-by-profiles": T("Manche Browser-Telefone registrieren sich, andere nicht — ein zweiter Versuch "
                                     "klappt oft. Seit letzter Woche, als ein Kollege ein Profil „zum Testen“ kopiert hat.",
                                     "Some browser phones register, others do not — a second attempt often works. Since "
                                     "last week, when a colleague copied a profile “for testing”."),
}
# Step 5 (media): the browser phone registers — what users hear is the symptom
_SILENT = T("Das Browser-Telefon registriert sich, Anrufe werden angenommen — aber man hört nichts.",
            "The browser phone registers and calls are answered — but nobody hears anything.")
SYMPTOMS.update({
    "call-not-routed": T("Das Browser-Telefon registriert sich, aber jeder Anruf bricht sofort ab (Besetzt/Fehlerton).",
                         "The browser phone registers, but every call ends at once (busy/error tone)."),
    "no-common-codec": T("Das Browser-Telefon registriert sich; Anrufe scheitern sofort mit „nicht akzeptabel“.",
                         "The browser phone registers; calls fail at once with “not acceptable”."),
    "media-only-tunnel": _SILENT, "media-address-unreachable": _SILENT, "turn-unusable": _SILENT,
    "dtls-srtp-failed": T("Anrufe werden angenommen, bleiben stumm und brechen nach einigen Sekunden ab.",
                          "Calls are answered, stay silent and drop after a few seconds."),
    "one-way-audio": T("Anrufe verbinden, Ton kommt aber nur in eine Richtung: im Echo-Test (9196) hört man sich nicht, "
                       "obwohl das Mikrofon geht.", "Calls connect, but audio flows one way only: in the echo test (9196) "
                       "you do not hear yourself although the microphone works."),
})
SYMPTOMS["nginx-upstream-down"] = SYMPTOMS["nginx-scheme-mismatch"]
for _c in ("esl-not-listening", "esl-acl-rejects", "esl-bad-password", "esl-no-answer", "esl-port-not-esl"):
    SYMPTOMS[_c] = T("Das Monitoring (`fs_cli -x status`) meldet FreeSWITCH als gestört; ob Telefonie betroffen ist, "
                     "weiß noch niemand.", "Monitoring (`fs_cli -x status`) reports FreeSWITCH as broken; nobody knows "
                     "yet whether telephony is affected.")
DEFAULT_SYMPTOM = T("Ticket: „FreeSWITCH lauscht nicht auf 7443 für WSS.“", "Ticket: “FreeSWITCH does not listen on 7443 for WSS.”")

HINTS = {
    "wissen": T("Die Analyse hält vier Dinge für gesichert. Welche Annahme hält der Prüfung nicht stand?",
                "The analysis takes four things for granted. Which assumption does not survive the check?"),
    "schritt1": T("Funktioniert ESL? Wenn ja, kann fsnb FreeSWITCH selbst fragen — ESL ist dann nicht die Ursache.",
                  "Does ESL work? If so, fsnb can ask FreeSWITCH itself — and ESL is not the cause."),
    "schritt2": T("Läuft das Profil? Wenn nicht: das Log seit dem Start sagt, warum — eine [ERR]-Zeile oder ein Stopp.",
                  "Is the profile running? If not, the log since the start says why — an [ERR] line or a stop."),
    "schritt3": T("Lauscht 7443 — und auf welcher Adresse? Lauscht 5060 auch nicht, ist das ganze Profil aus.",
                  "Does 7443 listen — and on which address? If 5060 does not listen either, the whole profile is down."),
    "schritt4": T("Wo auf dem Weg Browser → Cloudflare → nginx → FreeSWITCH scheitert der Handshake zuerst? Von "
                  "FreeSWITCH aus gesehen: das erste Glied, das scheitert, ist meist die Ursache; die davor sind Folgen.",
                  "Where on the path browser → Cloudflare → nginx → FreeSWITCH does the handshake fail first? Seen "
                  "from FreeSWITCH: the first hop that fails is usually the cause; the ones in front are consequences."),
    "schritt5": T("Verbindet der Anruf, und kommt Ton zurück? Welche Adresse nennt FreeSWITCH in seiner SDP-Antwort — und "
                  "kann der Browser sie erreichen, wenn der Tunnel kein UDP trägt?",
                  "Does the call connect, and does audio come back? Which address does FreeSWITCH name in its SDP answer "
                  "— and can the browser reach it when the tunnel carries no UDP?"),
    "alternative": T("Hilft WS 5066 statt WSS? Achte auf den Via-Header des Browsers.",
                     "Does WS 5066 instead of WSS help? Mind the browser's Via header."),
}
# words a reasoning that found the deciding evidence would use
KEYWORDS = {"wss-pem-bad": ("wss.pem", "bad wss", "zertifikat", "certificate", "schlüssel", "key"),
            "profile-not-running": ("gestoppt", "stopped", "läuft nicht", "not running", "invalid profile"),
            "wss-binding-not-applied": ("wss-binding", "binding", "auskommentiert", "commented", "reloadxml", "rescan"),
            "bind-failed": ("belegt", "in use", "bind", "address already", "blocker", "fremd", "foreign")}
TRAINING_TEXT = dict(
    case=T("Fall", "Case"), random=T("Zufälliger Fall", "Random case"), new=T("Fall starten", "Start case"),
    briefing=T("Meldung", "Report"), your_task=T("Finde die Ursache mit den Schritten unten. Hinweise gibt es auf "
                                                "Nachfrage; deine Antwort gibst du am Ende ab.",
                                                "Find the cause with the steps below. Hints on request; you answer at the end."),
    hint=T("Hinweis", "Hint"), more=T("Noch ein Hinweis", "Another hint"),
    guess=T("Deine Ursache", "Your cause"), dont_know=T("— weiß nicht —", "— don't know —"),
    reasoning=T("Deine Begründung: welcher Beleg entscheidet?", "Your reasoning: which evidence decides it?"),
    submit=T("Antwort abgeben", "Submit answer"), saved=T("Gespeichert: {g}", "Saved: {g}"),
    reveal=T("Auflösen", "Reveal"), need_guess=T("Erst eine Antwort abgeben, dann auflösen.",
                                                  "Submit an answer first, then reveal."),
    right=T("Richtig", "Correct"), wrong=T("Nicht ganz", "Not quite"), none=T("keine Antwort", "no answer"),
    yours=T("Deine Antwort", "Your answer"), expected=T("Erwartete Ursache", "Expected cause"),
    fsnb_says=T("fsnb nennt zuerst", "fsnb names first"), agrees=T("stimmt", "agrees"), differs=T("weicht ab", "differs"),
    why=T("Warum: Ursache → entscheidender Beleg → Behebung", "Why: cause → deciding evidence → fix"),
    deciding=T("Entscheidender Beleg", "Deciding evidence"), fix=T("Behebung", "Fix"),
    reason_good=T("Deine Begründung nennt den entscheidenden Beleg.", "Your reasoning names the deciding evidence."),
    reason_miss=T("Deine Begründung nennt den entscheidenden Beleg nicht — er steht oben.",
                  "Your reasoning misses the deciding evidence — it is shown above."),
    fix_title=T("Im Lab beheben", "Fix it in the lab"),
    fix_intro=T("Das sind die Schritte eines Operators; hier führt fsnb sie im Lab aus und prüft danach alles neu.",
                "These are an operator's steps; here fsnb applies them in the lab and then re-checks everything."),
    fix_running=T("Behebe und prüfe neu …", "Fixing and re-checking …"),
    fixed=T("Bestätigt: nach der Behebung besteht jede Prüfung, die Kette ist ganz.",
            "Confirmed: after the fix every check passes, the chain is whole."),
    not_fixed=T("Noch nicht behoben — fsnb nennt jetzt: {c}", "Not fixed yet — fsnb now names: {c}"),
    no_auto=T("Diesen Fall behebt fsnb im Lab nicht selbst; die Schritte oben sind die Behebung.",
              "fsnb does not fix this case in the lab itself; the steps above are the fix."),
    reveal_first=T("Erst auflösen, dann beheben.", "Reveal first, then fix."),
)


def real_lab_available() -> bool:
    """The real FreeSWITCH is built here (`fsnb lab up --real` can run)."""
    try:
        from fsnb.lab import real
        return real.build_state()[0] is not None
    except Exception:      # the real lab is optional; without it the simulator is used
        return False


def _runnable(s: scenarios.Scenario, real: bool) -> bool:
    return (getattr(s, "real", True) if real else getattr(s, "sim", True)) and not getattr(s, "hostile", False)


def cases(real: bool = False) -> list[scenarios.Scenario]:
    """The scenarios a trainee can pick, in an order that says nothing about their causes."""
    out = [s for s in scenarios.SCENARIOS if s.cause and _runnable(s, real)]
    return sorted(out, key=lambda s: hashlib.sha256(s.name.encode()).hexdigest())


def pool(real: bool = False) -> list[scenarios.Scenario]:
    """What `random` draws from: faults the lab breaks and fsnb can fix in it."""
    return [s for s in cases(real) if s.cause in FIXABLE and s.exit == 1]


def symptom(s: scenarios.Scenario) -> T:
    return SYMPTOMS.get(s.cause, DEFAULT_SYMPTOM)


def _texts(c) -> tuple[str, str]:
    """A catalogue cause's text in both languages (plain fields or a T)."""
    for name in ("text", "de"):
        v = getattr(c, name, None)
        if isinstance(v, T):
            return v.de, v.en
    return getattr(c, "de", ""), getattr(c, "en", "")


def cause_long(cause: str | None) -> T:
    if cause is None or cause not in CAUSES:
        return TRAINING_TEXT["none"]
    return T(*_texts(CAUSES[cause]))


def cause_text(cause: str | None) -> T:
    """The cause in a few words (its catalogue text up to the first colon or parenthesis)."""
    if cause is None or cause not in CAUSES:
        return TRAINING_TEXT["none"]
    short = lambda s: s.split(": ")[0].split(" (")[0].rstrip(".")
    de, en = _texts(CAUSES[cause])
    return T(short(de), short(en))


class Training:
    def __init__(self, scenario: str = "random", lang: str = "de", headless: bool = False, port_offset: int = 0,
                 journal: str | None = None, real: bool = False, seed: int | None = None):
        self.lang = lang if lang in LANGS else "de"
        self.headless, self.offset, self.journal_path = headless, port_offset, journal
        self.real = bool(real) and real_lab_available()
        self.rng = random.Random(seed)
        self.guess: str | None = None
        self.reasoning = ""
        self.revealed = False
        self._resets: list = []
        self.scenario = self.lab = None
        try:
            self.scenario = self._choose(scenario)
            self.lab = manager.up(self.scenario.name, offset=port_offset, real=self.real)
        except (KeyError, FsnbError) as exc:     # a message in the notebook, not a traceback
            self.rb = Runbook.unusable(str(exc.args[0] if isinstance(exc, KeyError) else exc), self.lang)
            return
        if journal is None:     # named by time only: a scenario's name would give the answer away
            import time
            journal = str(Path.home() / ".local/state/fsnb/journals" / f"{time.strftime('%Y%m%d-%H%M%S')}-training.jsonl")
        self.rb = Runbook(self.lab.target, journal, self.lang, headless, auto_run=False)
        self.rb.display_name = T("Trainings-Lab", "training lab")(self.lang)
        self.rb.simulated = not self.real

    def _choose(self, name: str) -> scenarios.Scenario:
        if name == "random":
            return self.rng.choice(pool(self.real))
        return scenarios.get(name)

    def _t(self, key: str, **kw) -> str:
        t = TRAINING_TEXT[key]
        return (t.format(**kw) if kw else t)(self.lang)

    def switch(self, name: str) -> None:
        """Another case: the lab is rebuilt with it, the notebook's cards start over."""
        self.scenario = self._choose(name)
        self.lab = manager.up(self.scenario.name, offset=self.offset, real=self.real)
        self.guess, self.reasoning, self.revealed = None, "", False
        import time
        self.rb.retarget(self.lab.target, str(Path.home() / ".local/state/fsnb/journals" /
                                              f"{time.strftime('%Y%m%d-%H%M%S')}-training.jsonl"))
        for fn in list(self._resets):
            fn()

    # -- briefing ------------------------------------------------------------------------------------------
    def _ports(self, text: str) -> str:
        """The lab's own WSS port where a text names the analysis' 7443."""
        return text.replace("7443", str(self.rb.target.freeswitch.wss_port)) if self.rb.target else text

    def briefing_html(self) -> str:
        s = self.scenario
        lines = self.lab.lines()
        ports = escape(lines[3].strip()) if len(lines) > 3 else ""
        return (f"{CSS}<div class='fsnb-nb fsnb-card fsnb-briefing'><b>{self._t('briefing')}:</b> "
                f"{_code(self._ports(symptom(s)(self.lang)))}<br><span class='fsnb-muted'>{ports}</span><br>{self._t('your_task')}</div>")

    def briefing(self):
        """What a user or the monitoring reports — never the scenario's name or description."""
        from IPython.display import HTML, display
        if self.rb._unusable():
            return None
        self._resets = []
        if self.headless:
            display(HTML(self.briefing_html()))
            self.rb.header()
            return None
        import ipywidgets as w
        options = [(self._t("random"), "random")] + [
            (f"{self._t('case')} {i}: {symptom(s)(self.lang)[:70]}…", s.name) for i, s in enumerate(cases(self.real), 1)]
        pickr = w.Dropdown(options=options, value="random", layout=w.Layout(width="70%"))
        pickr.add_class("fsnb-case-picker")
        go = w.Button(description=self._t("new"), icon="random", layout=w.Layout(width="auto"))
        go.add_class("fsnb-case-start")
        text = w.HTML(self.briefing_html())
        text.add_class("fsnb-briefing-widget")

        def start(_):
            go.disabled = True
            try:
                self.switch(pickr.value)
                text.value = self.briefing_html()
            except (KeyError, FsnbError) as exc:
                text.value = f"{CSS}<div class='fsnb-nb fsnb-card'>{escape(str(exc))}</div>"
            go.disabled = False
        go.on_click(start)
        display(w.VBox([w.HBox([pickr, go]), text]))
        self.rb.header()
        return None

    # -- steps with hints ----------------------------------------------------------------------------------
    def hint_texts(self, section: str) -> list[str]:
        """Hint 1: what to look at in this step; hint 2: which check of this step failed and where its reason is."""
        out = [self._ports(HINTS[section](self.lang))]
        failed = [r for r in self.rb.section_results(section) if r.status.failed]
        if failed:
            names = ", ".join(f"„{check_title(r.id, self.lang)}“" if self.lang == "de" else
                              f"“{check_title(r.id, self.lang)}”" for r in failed)
            out.append(T("In diesem Schritt ist fehlgeschlagen: {n}. Öffne die Belege darunter und lies sie von oben.",
                         "Failed in this step: {n}. Open the evidence below and read it from the top.").format(n=names)(self.lang))
        else:
            out.append(T("In diesem Schritt ist nichts fehlgeschlagen — was schließt das aus?",
                         "Nothing failed in this step — what does that rule out?")(self.lang))
        return out

    def step(self, section: str, hints: bool = False):
        """A step of the analysis (the runbook's card) with hints on request."""
        from IPython.display import HTML, display
        self.rb.step(section)
        if self.rb.error is not None:
            return None
        if self.headless:
            if hints:
                display(HTML(f"{CSS}<div class='fsnb-nb fsnb-hints'>" + "".join(
                    f"<p class='fsnb-hint'><b>{self._t('hint')} {i}:</b> {_code(h)}</p>"
                    for i, h in enumerate(self.hint_texts(section), 1)) + "</div>"))
            return None
        import ipywidgets as w
        out = w.HTML("")
        out.add_class(f"fsnb-hints-{section}")
        btn = w.Button(description=self._t("hint"), icon="lightbulb-o", layout=w.Layout(width="auto"))
        btn.add_class(f"fsnb-hint-{section}")
        shown = {"n": 0}

        def more(_):
            hints_ = self.hint_texts(section)
            shown["n"] = min(shown["n"] + 1, len(hints_))
            out.value = f"{CSS}<div class='fsnb-nb'>" + "".join(
                f"<p class='fsnb-hint'><b>{self._t('hint')} {i}:</b> {_code(h)}</p>"
                for i, h in enumerate(hints_[:shown["n"]], 1)) + "</div>"
            btn.description = self._t("more")
            btn.disabled = shown["n"] >= len(hints_)

        def reset():
            shown["n"] = 0
            out.value, btn.description, btn.disabled = "", self._t("hint"), False
        self._resets.append(reset)
        btn.on_click(more)
        display(w.VBox([w.HBox([btn]), out]))
        return None

    # -- the trainee's answer --------------------------------------------------------------------------------
    def choices(self) -> list[tuple[str, str]]:
        """(label, cause id) for every fail-level cause, in an order that says nothing; labels are human."""
        ids = sorted((c for c, v in CAUSES.items() if v.severity == "fail" and c != "unexplained-failure"),
                     key=lambda c: hashlib.sha256(c.encode()).hexdigest())
        return [(cause_text(c)(self.lang), c) for c in ids]

    def record_guess(self, guess: str | None, reasoning: str = "") -> None:
        self.guess, self.reasoning = guess or None, reasoning or ""
        if self.rb.journal:
            self.rb.journal.write({"type": "training-guess", "scenario": self.scenario.name, "guess": self.guess,
                                   "reasoning": self.reasoning})

    def answer(self, guess: str | None = None, reasoning: str = ""):
        """Where the trainee names the cause and the evidence that decides it."""
        from IPython.display import HTML, display
        if self.rb._unusable():
            return None
        if self.headless:
            if guess is not None:
                self.record_guess(guess, reasoning)
                display(HTML(f"{CSS}<div class='fsnb-nb'>{escape(self._t('saved', g=cause_text(guess)(self.lang)))}</div>"))
            return None
        import ipywidgets as w
        pickr = w.Dropdown(options=[(self._t("dont_know"), "")] + self.choices(), value="",
                           description=self._t("guess"), style={"description_width": "initial"},
                           layout=w.Layout(width="80%"))
        pickr.add_class("fsnb-guess")
        why = w.Textarea(placeholder=self._t("reasoning"), layout=w.Layout(width="80%", height="5em"))
        why.add_class("fsnb-reasoning")
        btn = w.Button(description=self._t("submit"), button_style="primary", icon="check", layout=w.Layout(width="auto"))
        btn.add_class("fsnb-guess-submit")
        saved = w.HTML("")
        saved.add_class("fsnb-guess-saved")

        def submit(_):
            self.record_guess(pickr.value or None, why.value)
            saved.value = escape(self._t("saved", g=cause_text(self.guess)(self.lang)))

        def reset():
            pickr.value, why.value, saved.value = "", "", ""
        self._resets.append(reset)
        btn.on_click(submit)
        display(w.VBox([pickr, why, btn, saved]))
        return None

    # -- reveal: grade the trainee, explain -----------------------------------------------------------------
    def _settle(self) -> None:
        self.rb.wait_idle()
        if not self.rb.complete:
            self.rb.run()

    def reveal_html(self) -> str:
        self._settle()
        L = self.lang
        findings, _ = self.rb.findings()
        lead = next((f for f in findings if f.severity == "fail"), None)
        want = self.scenario.cause
        right = self.guess == want
        named = lead.cause if lead else None
        by = {r.id: r for r in self.rb.all_results()}
        deciding = "".join(f"<li>{evidence_line(line, L, by)}</li>" for line in (lead.evidence[:3] if lead else []))
        log = _log_lines(by.get("schritt2.log"))
        if log:
            deciding += "".join(f"<li><code>{escape(x)}</code></li>" for x in log[:2])
        fix = fix_steps(lead, self.rb.target, by, L) if lead else []
        fix_html = "".join(f"<li>{_code(t)}" + (f"<br><code>{escape(c)}</code>" if c else "") + "</li>" for t, c in fix)
        words = KEYWORDS.get(want, ())
        hit = any(k in self.reasoning.lower() for k in words) if self.reasoning else False
        reason_note = "" if not self.reasoning else (self._t("reason_good") if hit else self._t("reason_miss"))
        return (f"{CSS}<div class='fsnb-nb fsnb-card fsnb-solution' data-right='{str(right).lower()}' "
                f"data-expected='{escape(want or '')}' data-named='{escape(named or '')}'>"
                f"<h4><span class='fsnb-badge' style='background:{'#2e7d32' if right else '#c62828'}'>"
                f"{self._t('right') if right else self._t('wrong')}</span></h4>"
                f"<b>{self._t('yours')}:</b> {escape(cause_text(self.guess)(L))}"
                + (f"<br><i>„{escape(self.reasoning)}“</i>" if self.reasoning else "")
                + f"<br><b>{self._t('expected')}:</b> {_code(cause_long(want)(L))}"
                f" <span class='fsnb-muted'>({escape(want or '')})</span>"
                f"<br><b>{self._t('fsnb_says')}:</b> {escape(cause_text(named)(L))} "
                f"({self._t('agrees') if named == want else self._t('differs')})"
                f"<h4>{self._t('why')}</h4><ol><li><b>{_code(pick(lead, 'text', L)) if lead else ''}</b></li>"
                f"<li>{self._t('deciding')}:<ul>{deciding}</ul></li><li>{self._t('fix')}:<ol>{fix_html}</ol></li></ol>"
                + (f"<p>{escape(reason_note)}</p>" if reason_note else "")
                + self.rb.chain_html() + "</div>")

    def reveal(self, show: bool = True):
        """Grade the trainee's answer and explain: cause → deciding evidence → fix (button live; headless: `show`)."""
        from IPython.display import HTML, display
        if self.rb._unusable():
            return None
        if self.headless:
            if show:
                self.revealed = True
                display(HTML(self.reveal_html()))
            return None
        import ipywidgets as w
        out = w.HTML("")
        out.add_class("fsnb-reveal-out")
        btn = w.Button(description=self._t("reveal"), icon="eye", layout=w.Layout(width="auto"))
        btn.add_class("fsnb-reveal")

        def show_(_):
            if self.guess is None and not self.reasoning:
                out.value = f"<i>{self._t('need_guess')}</i>"
                return
            btn.disabled = True
            try:
                self.revealed = True
                out.value = self.reveal_html()
            finally:
                btn.disabled = False
        self._resets.append(lambda: setattr(out, "value", ""))
        btn.on_click(show_)
        display(w.VBox([btn, out]))
        return None

    # kept for the earlier notebook: `tr.solution(reveal)`
    def solution(self, reveal: bool = False):
        return self.reveal(reveal)

    # -- fix it in the lab, re-run -------------------------------------------------------------------------
    def apply_fix(self) -> list[str]:
        """Apply the fix of the scenario's cause to the lab, as an operator would; returns what was done."""
        cause, t = self.scenario.cause, self.rb.target
        fs = t.freeswitch
        done: list[str] = []
        if cause == "wss-pem-bad":
            from fsnb.lab import pki
            ca = pki.CA("fsnb training CA")
            leaf = ca.issue(["localhost", "127.0.0.1", "127.0.0.2", manager.HOSTNAME])
            pem = Path(fs.certs_dir) / "wss.pem"
            pem.write_bytes(pki.wss_pem(leaf, ca, "good"))
            os.chmod(pem, 0o600)
            if t.tunnel.ca_file:              # the lab's clients trust the new CA, as they would a real one
                with open(t.tunnel.ca_file, "ab") as fh:
                    fh.write(ca.cert_pem)
            done.append(T("wss.pem neu gebaut: Schlüssel + Zertifikat + Kette → {p}",
                          "wss.pem rebuilt: key + certificate + chain → {p}").format(p=str(pem))(self.lang))
        elif cause == "bind-failed":
            for name in manager.stop_blockers(self.offset):
                done.append(T("Das fremde Programm auf dem Port beendet ({n})",
                              "Stopped the foreign program on the port ({n})").format(n=name)(self.lang))
        elif cause == "wss-binding-not-applied":
            xml = Path(fs.conf_dir) / "sip_profiles/internal.xml"
            if xml.is_file() and re.search(r'<!--\s*<param name="wss-binding"', xml.read_text()):
                if self.real:
                    from fsnb.lab import realconf
                    realconf.uncomment_wss(Path(fs.conf_dir))
                else:
                    from fsnb.lab import layout
                    layout.uncomment_wss(manager.lab_dir(self.offset) / "fs")
                done.append(T("internal.xml: wss-binding wieder aktiv", "internal.xml: wss-binding active again")(self.lang))
        elif cause not in FIXABLE:
            return done
        run = self.rb.run()
        plan = actions.plan(run)
        if plan is not None:
            conf = actions.Confirmation.make(plan.command, "training (lab)")
            res = actions.execute(t, plan, conf, self.rb.journal)
            if not res.ok and "Please wait" in " ".join(res.attempts):     # the restart guard: once more
                res = actions.execute(t, plan, actions.Confirmation.make(plan.command, "training (lab)"), self.rb.journal)
            done.append(f"{plan.command} → " + (T("{p} lauscht", "{p} listens") if res.ok else
                                                T("{p} lauscht nicht", "{p} does not listen")).format(p=str(fs.wss_port))(self.lang))
        return done

    def fix_html(self, done: list[str] | None) -> str:
        L = self.lang
        lead = next((f for f in self.rb.findings()[0] if f.severity == "fail"), None)
        if done is None:
            return ""
        if not done:
            return f"{CSS}<div class='fsnb-nb'><p>{self._t('no_auto')}</p></div>"
        ok = lead is None and self.rb.complete
        head = self._t("fixed") if ok else self._t("not_fixed", c=cause_text(lead.cause)(L) if lead else "?")
        return (f"{CSS}<div class='fsnb-nb fsnb-card fsnb-fixed' data-fixed='{str(ok).lower()}'>"
                f"<span class='fsnb-badge' style='background:{'#2e7d32' if ok else '#c62828'}'>"
                f"{'OK' if ok else '✗'}</span> <b>{escape(head)}</b><ul>"
                + "".join(f"<li><code>{escape(d)}</code></li>" for d in done) + "</ul>" + self.rb.chain_html() + "</div>")

    def fix(self, apply: bool = False):
        """Fix it in the lab, then re-run every check to confirm it (button live; headless: `apply`)."""
        from IPython.display import HTML, display
        if self.rb._unusable():
            return None
        if self.headless:
            if apply:
                done = self.apply_fix()
                self.rb.run()
                display(HTML(self.fix_html(done)))
            return None
        import ipywidgets as w
        out = w.HTML("")
        out.add_class("fsnb-fix-out")
        btn = w.Button(description=self._t("fix_title"), icon="wrench", button_style="warning",
                       layout=w.Layout(width="auto"))
        btn.add_class("fsnb-fix")

        def apply_(_):
            if not self.revealed:
                out.value = f"<i>{self._t('reveal_first')}</i>"
                return
            btn.disabled = True
            out.value = f"<i>{self._t('fix_running')}</i>"

            def work():
                try:
                    done = self.apply_fix()
                    self.rb.run()
                    out.value = self.fix_html(done)
                except Exception as exc:     # shown, never a traceback
                    out.value = f"<b>✗</b> {escape(str(exc))}"
                btn.disabled = False
            threading.Thread(target=work, daemon=True).start()
        self._resets.append(lambda: setattr(out, "value", ""))
        btn.on_click(apply_)
        display(w.VBox([w.HTML(f"{CSS}<div class='fsnb-nb fsnb-muted'>{self._t('fix_intro')}</div>"), btn, out]))
        return None


def _log_lines(r) -> list[str]:
    """The [ERR]/[CRIT] lines in a log check's evidence (what decides a profile that did not start)."""
    if r is None:
        return []
    out = []
    for e in r.evidence:
        out += [x.strip() for x in e.text.splitlines() if "[ERR]" in x or "[CRIT]" in x]
    return list(dict.fromkeys(out))[-3:]
