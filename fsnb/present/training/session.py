"""The Training class: a lab with a hidden fault, a briefing with symptoms only, the analysis' steps showing their
observations (verdicts held back until the reveal) with hints that point at the evidence, the trainee's cause and
reasoning, a reveal that grades them and explains cause → deciding evidence → fix, then the trainee's own fix in the
lab, which fsnb verifies by re-running every check (fsnb's own fix is the fallback).
"""
from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from types import SimpleNamespace

from fsnb.errors import FsnbError
from fsnb.fix.steps import fix_steps
from fsnb.i18n import LANGS, T
from fsnb.lab import manager, scenarios
from fsnb.present.escape import html as escape
from fsnb.present.notebook import CSS, Runbook, check_title
from fsnb.present.notebook.texts import SECTIONS, SHORT
from fsnb.present.notebook.views import code as _code
from fsnb.present.notebook.views import evidence_line
from fsnb.present.training import casebook as C
from fsnb.present.training import fixing, observe

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
    "alternative": T("Hilft WS 5066 statt WSS? Achte auf den Via-Header des Browsers.",
                     "Does WS 5066 instead of WSS help? Mind the browser's Via header."),
}
TRAINING_TEXT = dict(
    case=T("Fall", "Case"), random=T("Zufälliger Fall", "Random case"), new=T("Fall starten", "Start case"),
    briefing=T("Meldung", "Report"), your_task=T("Finde die Ursache mit den Schritten unten: jeder zeigt, was er "
                                                "beobachtet — das Urteil fällst du. Hinweise gibt es auf Nachfrage; deine "
                                                "Antwort gibst du am Ende ab.",
                                                "Find the cause with the steps below: each shows what it observes — you "
                                                "judge. Hints on request; you answer at the end."),
    hint=T("Hinweis", "Hint"), more=T("Noch ein Hinweis", "Another hint"),
    guess=T("Deine Ursache", "Your cause"), dont_know=T("— weiß nicht —", "— don't know —"),
    answers=T("Mögliche Ursachen, nach Glied der Kette (Browser → ESL):", "Possible causes, by hop of the chain "
              "(browser → ESL):"),
    reasoning=T("Deine Begründung: welcher Beleg entscheidet?", "Your reasoning: which evidence decides it?"),
    submit=T("Antwort abgeben", "Submit answer"), saved=T("Gespeichert: {g}", "Saved: {g}"),
    reveal=T("Auflösen", "Reveal"), need_guess=T("Erst eine Antwort abgeben, dann auflösen.",
                                                  "Submit an answer first, then reveal."),
    right=T("Richtig", "Correct"), wrong=T("Nicht ganz", "Not quite"), none=T("keine Antwort", "no answer"),
    yours=T("Deine Antwort", "Your answer"), expected=T("Erwartete Ursache", "Expected cause"),
    fsnb_says=T("fsnb nennt zuerst", "fsnb names first"), agrees=T("stimmt", "agrees"), differs=T("weicht ab", "differs"),
    why=T("Warum: Ursache → entscheidender Beleg → Behebung", "Why: cause → deciding evidence → fix"),
    cause=T("Ursache", "Cause"), deciding=T("Entscheidender Beleg", "Deciding evidence"), fix=T("Behebung", "Fix"),
    fsnb_evidence=T("fsnb stützt sich auf", "fsnb relies on"),
    warn_case=T("Dieser Fall ist eine Warnung: nichts ist kaputt, aber fragil — die Behebung macht es robust.",
                "This case is a warning: nothing is broken, but fragile — the fix makes it robust."),
    reason_good=T("Deine Begründung nennt den entscheidenden Beleg.", "Your reasoning names the deciding evidence."),
    reason_miss=T("Deine Begründung nennt den entscheidenden Beleg nicht — er steht in: {w}.",
                  "Your reasoning misses the deciding evidence — it is in: {w}."),
    fix_title=T("Im Lab beheben", "Fix it in the lab"),
    your_fix=T("Deine Behebung — in einem Terminal oder hier im Notebook:", "Your fix — in a terminal or here in the "
               "notebook:"),
    fix_before=T("Nach der Auflösung steht hier, welche Datei und welcher Befehl. Du kannst es auch vorher selbst "
                 "beheben und prüfen lassen.", "After the reveal this shows which file and which command. You may also "
                 "fix it before and have it checked."),
    lab_files=T("Die Dateien des Labs", "The lab's files"),
    command=T("Befehl an FreeSWITCH (wie fs_cli -x)", "Command to FreeSWITCH (like fs_cli -x)"),
    send=T("Senden", "Send"),
    verify=T("Meine Behebung prüfen", "Check my fix"), verifying=T("Prüfe alles neu …", "Re-checking everything …"),
    graded_ok=T("Behoben — von dir: nach deiner Änderung besteht jede Prüfung, die Kette ist ganz.",
                "Fixed — by you: after your change every check passes, the chain is whole."),
    graded_warn_ok=T("Behoben — von dir: die Warnung ist weg, jede Prüfung besteht.",
                     "Fixed — by you: the warning is gone, every check passes."),
    graded_not=T("Noch nicht behoben — fsnb nennt jetzt: {c}", "Not fixed yet — fsnb now names: {c}"),
    still_failing=T("Noch fehlgeschlagen", "Still failing"),
    fallback=T("fsnb behebt es (Rückfall)", "fsnb fixes it (fallback)"),
    restart_fs=T("FreeSWITCH neu starten", "Restart FreeSWITCH"),
    fix_running=T("Behebe und prüfe neu …", "Fixing and re-checking …"),
    fixed=T("Bestätigt: nach der Behebung besteht jede Prüfung, die Kette ist ganz.",
            "Confirmed: after the fix every check passes, the chain is whole."),
    not_fixed=T("Noch nicht behoben — fsnb nennt jetzt: {c}", "Not fixed yet — fsnb now names: {c}"),
    reveal_first=T("Erst auflösen, dann beheben.", "Reveal first, then fix."),
    not_run=T("Erst den Schritt ausführen (▶), dann lesen.", "Run the step first (▶), then read it."),
    not_here=T("Der entscheidende Beleg steht nicht in diesem Schritt, sondern in „{s}“. Was schließt dieser Schritt aus?",
               "The deciding evidence is not in this step but in “{s}”. What does this step rule out?"),
    look=T("Schau genau hin: {p}.", "Look closely: {p}."),
)


def real_lab_available() -> bool:
    """The real FreeSWITCH is built here (`fsnb lab up --real` can run)."""
    try:
        from fsnb.lab import real
        return real.build_state()[0] is not None
    except Exception:      # the real lab is optional; without it the simulator is used
        return False


def _journal_path() -> str:
    # named by time only: a scenario's name would give the answer away
    return str(Path.home() / ".local/state/fsnb/journals" / f"{time.strftime('%Y%m%d-%H%M%S')}-training.jsonl")


class Training:
    def __init__(self, scenario: str = "random", lang: str = "de", headless: bool = False,
                 port_offset: int | None = None, journal: str | None = None, real: bool = False,
                 seed: int | None = None):
        """`port_offset` None: a free lab offset (the last round's again when it is still free or its own)."""
        self.lang = lang if lang in LANGS else "de"
        self.headless, self.journal_path = headless, journal
        self.real = bool(real) and real_lab_available()
        self.rng = random.Random(seed)
        self.guess: str | None = None
        self.reasoning = ""
        self.revealed = False
        self._resets: list = []
        self._redraws: list = []        # the step cards: redrawn at the reveal (their verdicts)
        self.scenario = self.lab = None
        try:
            self.offset = port_offset if port_offset is not None else manager.free_offset(
                real=self.real, prefer=C.last_offset())
            self.scenario = self._choose(scenario)
            self._start_lab()
        except (KeyError, FsnbError) as exc:     # a message in the notebook, not a traceback
            self.rb = Runbook.unusable(str(exc.args[0] if isinstance(exc, KeyError) else exc), self.lang)
            return
        self.rb = Runbook(self.lab.target, journal or _journal_path(), self.lang, headless, auto_run=False)
        self.rb.display_name = T("Trainings-Lab", "training lab")(self.lang)
        self.rb.simulated = not self.real
        self._prepare()

    # -- the case and its lab ------------------------------------------------------------------------------
    def _choose(self, name: str) -> scenarios.Scenario:
        if name == "random":
            return C.draw(self.rng, self.real)
        s = scenarios.get(name)
        if not s.cause or not C._runnable(s, self.real):
            raise FsnbError(f"scenario {name} is no training case here (no cause, or the lab cannot run it)")
        return s

    def _start_lab(self) -> None:
        manager.down(self.offset)       # always a fresh lab: a trainee's earlier edits must not carry over
        self.lab = manager.up(self.scenario.name, offset=self.offset, real=self.real)
        C.remember(self.scenario.name, self.offset)

    def _prepare(self) -> None:
        """What the case's fix needs in the lab (a CA's delivery for the certificate cases)."""
        self._target_mtime = self._target_stat()
        if self.scenario.cause in fixing.CERT_CAUSES:
            fixing.deliver_certificate(self.rb.target, self.offset)

    def _target_stat(self):
        try:
            return fixing.target_path(self.offset).stat().st_mtime_ns
        except OSError:
            return None

    def _t(self, key: str, **kw) -> str:
        t = TRAINING_TEXT[key]
        return (t.format(**kw) if kw else t)(self.lang)

    def switch(self, name: str) -> None:
        """Another case: the lab is rebuilt with it, the notebook's cards and the header start over."""
        self.scenario = self._choose(name)
        self.rb.wait_idle()
        self._start_lab()
        self.guess, self.reasoning, self.revealed = None, "", False
        self.rb.retarget(self.lab.target, _journal_path())
        self._prepare()
        header = getattr(self.rb, "_header", None)
        if header is not None:          # the header names the new journal
            header.value = self.rb.header_html()
        for fn in list(self._resets) + list(self._redraws):
            fn()

    # -- briefing ------------------------------------------------------------------------------------------
    def _ports(self, text: str) -> str:
        """The lab's own WSS port where a text names the analysis' 7443."""
        return text.replace("7443", str(self.rb.target.freeswitch.wss_port)) if self.rb.target else text

    def briefing_html(self) -> str:
        s, L = self.scenario, self.lang
        lines = self.lab.lines()
        ports = escape(lines[3].strip()) if len(lines) > 3 else ""
        return (f"{CSS}<div class='fsnb-nb fsnb-card fsnb-briefing'><h4>{escape(C.label(s)(L))}</h4>"
                f"<b>{self._t('briefing')}:</b> {_code(self._ports(C.symptom(s)(L)))}<br>"
                f"<span class='fsnb-muted'>{ports}</span><br>{self._t('your_task')}</div>")

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
        options = [(self._t("random"), "random")] + C.labels(self.real, self.lang)
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

    # -- steps: observations, verdicts held back; hints -------------------------------------------------------
    def _by(self) -> dict:
        return {r.id: r for r in self.rb.all_results()}

    def pointers(self) -> list[observe.Pointer]:
        return observe.pointers(self.scenario.cause, self._by(), self.rb.target, self.lang)

    def hint_texts(self, section: str) -> list[str]:
        """Hint 1: what to look at in this step; hint 2: the specific evidence — which check, which line (or where
        else it is)."""
        out = [self._ports(HINTS[section](self.lang))]
        if not self.rb.section_results(section):
            return out + [self._t("not_run")]
        here = [p for p in self.pointers() if p.section == section]
        if here:
            return out + [self._t("look", p="; ".join(observe.pointer_text(p, self.lang) for p in here))]
        checks = [c for c, _ in observe.DECIDING.get(self.scenario.cause, [])] or [
            c for c in observe.CAUSES[self.scenario.cause].reads]
        other = next((c.split(".")[0] for c in checks if c.split(".")[0] != section), None)
        name = SECTIONS[other](self.lang) if other in SECTIONS else "?"
        return out + [self._t("not_here", s=name)]

    def step_html(self, section: str) -> str:
        L, res = self.lang, self.rb.section_results(section)
        return (f"{CSS}<div class='fsnb-nb fsnb-card fsnb-training-step' data-section='{escape(section)}'>"
                f"<h4>{escape(SECTIONS[section](L))} {observe.section_badge(res, self.revealed, L)}</h4>"
                + observe.observations_html(res, L, self.revealed) + "</div>")

    def _hints_html(self, hints: list[str]) -> str:
        return f"{CSS}<div class='fsnb-nb fsnb-hints'>" + "".join(
            f"<p class='fsnb-hint'><b>{self._t('hint')} {i}:</b> {_code(h)}</p>" for i, h in enumerate(hints, 1)) + "</div>"

    def step(self, section: str, hints: bool = False):
        """A step of the analysis: what its checks observe (their verdicts after the reveal), hints on request."""
        from IPython.display import HTML, display
        if self.rb._unusable():
            return None
        if self.headless:
            if not self.rb.expected([section]) <= set(r.id for r in self.rb.all_results()):
                self.rb.run([section])
            display(HTML(self.step_html(section) + (self._hints_html(self.hint_texts(section)) if hints else "")))
            return None
        import ipywidgets as w
        L = self.lang
        title = SECTIONS[section](L)
        run = w.Button(description=SHORT[section](L), icon="play", tooltip=title, layout=w.Layout(width="auto"))
        run.add_class(f"fsnb-run-{section}")
        badge, status, obs = w.HTML(observe.section_badge([], False, L)), w.HTML(""), w.HTML("")
        badge.add_class(f"fsnb-badge-{section}")
        obs.add_class(f"fsnb-obs-{section}")
        ids = self.rb.expected([section])

        def fill(*_):
            res = self.rb.section_results(section)
            badge.value = observe.section_badge(res, self.revealed, L)
            obs.value = observe.observations_html(res, L, self.revealed)
            status.value = f"<i>{self.rb._t('running')}</i>" if ids & self.rb.running_checks() else ""
        run.on_click(lambda _: self.rb.run_in_background([section], lambda _o: fill()))
        self.rb._on_result.append(lambda r: fill() if r.id in ids else None)
        self.rb._on_change.append(fill)
        self._redraws.append(fill)
        out = w.HTML("")
        out.add_class(f"fsnb-hints-{section}")
        btn = w.Button(description=self._t("hint"), icon="lightbulb-o", layout=w.Layout(width="auto"))
        btn.add_class(f"fsnb-hint-{section}")
        shown = {"n": 0}

        def more(_):
            hints_ = self.hint_texts(section)
            shown["n"] = min(shown["n"] + 1, len(hints_))
            out.value = self._hints_html(hints_[:shown["n"]])
            btn.description = self._t("more")
            btn.disabled = shown["n"] >= len(hints_)

        def reset():
            shown["n"] = 0
            out.value, btn.description, btn.disabled = "", self._t("hint"), False
        self._resets.append(reset)
        btn.on_click(more)
        box = w.VBox([w.HTML(f"{CSS}<b>{escape(title)}</b>"), w.HBox([run, badge, status]), obs, w.HBox([btn]), out])
        box.add_class("fsnb-card")
        display(box)
        fill()
        return None

    # -- the trainee's answer --------------------------------------------------------------------------------
    def choices(self) -> list[tuple[str, str]]:
        """(full text, cause id) of every cause, grouped by chain hop (browser first), in the catalogue's order."""
        return [item for _, items in C.answer_groups(self.lang) for item in items]

    def record_guess(self, guess: str | None, reasoning: str = "") -> None:
        self.guess, self.reasoning = guess or None, reasoning or ""
        if self.rb.journal:
            self.rb.journal.write({"type": "training-guess", "scenario": self.scenario.name, "guess": self.guess,
                                   "reasoning": self.reasoning})

    def answers_html(self, chosen: str | None = None) -> str:
        """The answer list as static HTML (headless), the chosen one marked."""
        groups = "".join(f"<li><b>{escape(hop)}</b><ul>" + "".join(
            f"<li{' class=fsnb-chosen' if cid == chosen else ''}>{'▶ ' if cid == chosen else ''}{_code(text)}</li>"
            for text, cid in items) + "</ul></li>" for hop, items in C.answer_groups(self.lang))
        return f"<div class='fsnb-nb fsnb-answers'><p>{self._t('answers')}</p><ul>{groups}</ul></div>"

    def answer(self, guess: str | None = None, reasoning: str = ""):
        """Where the trainee names the cause (from every cause, grouped by hop) and the evidence that decides it."""
        from IPython.display import HTML, display
        if self.rb._unusable():
            return None
        if self.headless:
            if guess is not None:
                self.record_guess(guess, reasoning)
            saved = (f"<p class='fsnb-guess-saved'>{escape(self._t('saved', g=C.cause_long(self.guess, self.lang)))}</p>"
                     if guess is not None else "")
            display(HTML(CSS + self.answers_html(self.guess) + saved))
            return None
        import ipywidgets as w
        style = ("<style>.fsnb-guess .widget-radio-box label{white-space:normal;height:auto;line-height:1.35;"
                 "margin:2px 0 4px 0;width:auto}.fsnb-guess .widget-radio{width:100%}"
                 ".fsnb-guess .widget-radio-box{width:100%}</style>")
        radios, state = [], {"busy": False, "value": None}
        parts = [w.HTML(f"{CSS}{style}<div class='fsnb-nb'>{self._t('answers')}</div>")]
        for i, (hop, items) in enumerate(C.answer_groups(self.lang)):
            r = w.RadioButtons(options=items, value=None, layout=w.Layout(width="95%"))
            r.add_class(f"fsnb-guess-hop-{i}")
            radios.append(r)
            parts += [w.HTML(f"<b>{escape(hop)}</b>"), r]

        def chosen(change, me):
            if state["busy"] or change["new"] is None:
                return
            state["busy"], state["value"] = True, change["new"]
            for other in radios:
                if other is not me:
                    other.value = None
            state["busy"] = False
        for r in radios:
            r.observe(lambda ch, me=r: chosen(ch, me), names="value")
        pick = w.VBox(parts)
        pick.add_class("fsnb-guess")
        why = w.Textarea(placeholder=self._t("reasoning"), layout=w.Layout(width="80%", height="5em"))
        why.add_class("fsnb-reasoning")
        btn = w.Button(description=self._t("submit"), button_style="primary", icon="check", layout=w.Layout(width="auto"))
        btn.add_class("fsnb-guess-submit")
        saved = w.HTML("")
        saved.add_class("fsnb-guess-saved")

        def submit(_):
            self.record_guess(state["value"], why.value)
            saved.value = escape(self._t("saved", g=C.cause_long(self.guess, self.lang)))

        def reset():
            state["busy"] = True
            for r in radios:
                r.value = None
            state["busy"], state["value"] = False, None
            why.value, saved.value = "", ""
        self._resets.append(reset)
        btn.on_click(submit)
        display(w.VBox([pick, why, btn, saved]))
        return None

    # -- reveal: grade the trainee, explain -----------------------------------------------------------------
    def _settle(self) -> None:
        self.rb.wait_idle()
        if not self.rb.complete:
            self.rb.run()

    def solution(self) -> dict:
        """The case's solution from the settled results: cause, deciding evidence, fix — always complete (a cause the
        diagnosis did not name still has its catalogue texts and the pointers)."""
        self._settle()
        L, want = self.lang, self.scenario.cause
        findings, _ = self.rb.findings()
        lead = next((f for f in findings if f.severity == "fail"), None) or (findings[0] if findings else None)
        mine = next((f for f in findings if f.cause == want), None)
        by = self._by()
        c = observe.CAUSES[want]
        finding = mine or SimpleNamespace(cause=want, severity=c.severity, evidence=[],
                                          fix=lambda lang: c.fix_en if lang == "en" else c.fix_de)
        ptrs = observe.pointers(want, by, self.rb.target, L)
        prof = by.get("schritt2.profil")
        tasks = fixing.tasks(want, self.rb.target, self.offset, bool(prof and prof.observed.get("running")))
        return {"cause": want, "severity": c.severity, "text": C.cause_long(want, L), "named": lead.cause if lead else None,
                "pointers": ptrs, "fsnb_evidence": list(getattr(mine, "evidence", []) or [])[:3],
                "fix": fix_steps(finding, self.rb.target, by, L), "tasks": tasks}

    def reveal_html(self) -> str:
        L = self.lang
        sol = self.solution()
        want, named = sol["cause"], sol["named"]
        right = self.guess == want
        by = self._by()
        deciding = "".join(f"<li>{_code(observe.pointer_text(p, L, here=False))}</li>" for p in sol["pointers"])
        deciding += "".join(f"<li class='fsnb-muted'>{self._t('fsnb_evidence')}: {evidence_line(x, L, by)}</li>"
                            for x in sol["fsnb_evidence"])
        fix_html = "".join(f"<li>{_code(t)}" + (f"<br><code>{escape(c)}</code>" if c else "") + "</li>"
                           for t, c in sol["fix"])
        hit = observe.reasoning_hits(want, self.reasoning, sol["pointers"])
        where = "; ".join(f"„{check_title(p.check, L)}“" if L == "de" else f"“{check_title(p.check, L)}”"
                          for p in sol["pointers"]) or "—"
        reason_note = "" if not self.reasoning else (self._t("reason_good") if hit else self._t("reason_miss", w=where))
        return (f"{CSS}<div class='fsnb-nb fsnb-card fsnb-solution' data-right='{str(right).lower()}' "
                f"data-expected='{escape(want)}' data-named='{escape(named or '')}' data-severity='{sol['severity']}' "
                f"data-reasoning='{'hit' if hit else 'miss' if self.reasoning else 'none'}'>"
                f"<h4><span class='fsnb-badge' style='background:{'#2e7d32' if right else '#c62828'};color:#fff'>"
                f"{self._t('right') if right else self._t('wrong')}</span></h4>"
                f"<b>{self._t('yours')}:</b> {_code(C.cause_long(self.guess, L))}"
                + (f"<br><i>„{escape(self.reasoning)}“</i>" if self.reasoning else "")
                + f"<br><b>{self._t('expected')}:</b> {_code(sol['text'])} <span class='fsnb-muted'>({escape(want)})</span>"
                f"<br><b>{self._t('fsnb_says')}:</b> {_code(C.cause_text(named)(L))} "
                f"({self._t('agrees') if named == want else self._t('differs')})"
                + (f"<p><i>{self._t('warn_case')}</i></p>" if sol["severity"] == "warn" else "")
                + f"<h4>{self._t('why')}</h4><ol class='fsnb-why'>"
                f"<li class='fsnb-why-cause'><b>{self._t('cause')}:</b> {_code(sol['text'])}</li>"
                f"<li class='fsnb-why-evidence'><b>{self._t('deciding')}:</b><ul>{deciding}</ul></li>"
                f"<li class='fsnb-why-fix'><b>{self._t('fix')}:</b><ol>{fix_html}</ol></li></ol>"
                + (f"<p class='fsnb-reason-note'>{escape(reason_note)}</p>" if reason_note else "")
                + self.rb.chain_html() + "</div>")

    def _revealed(self) -> None:
        self.revealed = True
        for fn in list(self._redraws):      # the cards show their verdicts now
            try:
                fn()
            except Exception:
                pass

    def reveal(self, show: bool = True):
        """Grade the trainee's answer and explain: cause → deciding evidence → fix (button live; headless: `show`)."""
        from IPython.display import HTML, display
        if self.rb._unusable():
            return None
        if self.headless:
            if show:
                html = self.reveal_html()
                self._revealed()
                display(HTML(html))
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
                out.value = self.reveal_html()
                self._revealed()
            finally:
                btn.disabled = False
        self._resets.append(lambda: setattr(out, "value", ""))
        btn.on_click(show_)
        display(w.VBox([btn, out]))
        return None

    # -- fixing: the trainee's fix, verified; fsnb's fix as the fallback -----------------------------------------
    def tasks_html(self) -> str:
        L = self.lang
        if not self.revealed:
            return f"<div class='fsnb-nb fsnb-muted fsnb-tasks' data-shown='false'>{self._t('fix_before')}</div>"
        sol = self.solution()
        items = "".join(f"<li>{_code(t.text(L))}" + (f"<br><code class='fsnb-task-code'>{escape(t.code)}</code>"
                                                      if t.code else "") + "</li>" for t in sol["tasks"])
        return (f"<div class='fsnb-nb fsnb-tasks' data-shown='true'><p>{self._t('your_fix')}</p>"
                f"<ol>{items}</ol></div>")

    def command(self, line: str) -> str:
        """Send one API command to the lab's FreeSWITCH (as `fs_cli -x`), over ESL with the lab's own password."""
        pw = (manager.lab_dir(self.offset) / "secrets" / "esl_password").read_text().strip()
        try:
            out = manager.esl_api(self.rb.target.freeswitch.esl_port, pw, line, timeout=8.0)
        except FsnbError as exc:
            out = f"-ERR {exc}"
        if self.rb.journal:
            self.rb.journal.write({"type": "training-command", "command": line})
        return self.rb.redactor.text(out)

    def check_fix(self) -> observe.Pointer | None:
        """Re-run every check after the trainee's fix (the lab's tunnel stand-in follows config.yml, a changed
        target file is read again) and grade it."""
        self.rb.wait_idle()
        if self.scenario.cause.startswith("tunnel-"):
            manager.sync_tunnel(self.offset)
        if self._target_stat() != self._target_mtime:
            self.rb.retarget(str(fixing.target_path(self.offset)), str(self.rb.journal.path))
            self._target_mtime = self._target_stat()
        run = self.rb.run()
        g = fixing.grade(self.scenario.cause, run.findings, run.results)
        if self.rb.journal:
            self.rb.journal.write({"type": "training-fix", "by": "trainee", "scenario": self.scenario.name,
                                   "fixed": g.fixed, "remaining": [f.cause for f in g.remaining], "failed": g.failed})
        return g

    def grade_html(self, g) -> str:
        L = self.lang
        if g.fixed:
            head = self._t("graded_warn_ok" if observe.CAUSES[self.scenario.cause].severity == "warn" else "graded_ok")
        else:
            head = self._t("graded_not", c=", ".join(C.cause_text(f.cause)(L) for f in g.remaining) or "—")
        failed = ", ".join(check_title(c, L) for c in g.failed)
        return (f"{CSS}<div class='fsnb-nb fsnb-card fsnb-graded' data-fixed='{str(g.fixed).lower()}' data-by='trainee'>"
                f"<span class='fsnb-badge' style='background:{'#2e7d32' if g.fixed else '#c62828'};color:#fff'>"
                f"{'OK' if g.fixed else '✗'}</span> <b>{escape(head)}</b>"
                + (f"<br><span class='fsnb-muted'>{self._t('still_failing')}: {escape(failed)}</span>" if failed else "")
                + self.rb.chain_html() + "</div>")

    def apply_fix(self) -> list[str]:
        """fsnb's own fix of the case in the lab (the fallback); returns what was done."""
        return fixing.fsnb_fix(self)

    def fix_html(self, done: list[str] | None) -> str:
        L = self.lang
        if done is None:
            return ""
        findings = self.rb.findings()[0]
        g = fixing.grade(self.scenario.cause, findings, self.rb.all_results())
        ok = g.fixed and self.rb.complete
        head = self._t("fixed") if ok else self._t("not_fixed", c=", ".join(C.cause_text(f.cause)(L) for f in g.remaining) or "?")
        if self.rb.journal:
            self.rb.journal.write({"type": "training-fix", "by": "fsnb", "scenario": self.scenario.name, "fixed": ok,
                                   "remaining": [f.cause for f in g.remaining]})
        return (f"{CSS}<div class='fsnb-nb fsnb-card fsnb-fixed' data-fixed='{str(ok).lower()}' data-by='fsnb'>"
                f"<span class='fsnb-badge' style='background:{'#2e7d32' if ok else '#c62828'};color:#fff'>"
                f"{'OK' if ok else '✗'}</span> <b>{escape(head)}</b><ul>"
                + "".join(f"<li><code>{escape(d)}</code></li>" for d in done) + "</ul>" + self.rb.chain_html() + "</div>")

    def fix(self, apply: bool = False, check: bool = False):
        """Fix it in the lab: the trainee's steps (after the reveal: exact file and command), a FreeSWITCH command
        line, "check my fix" (re-run and grade), and fsnb's own fix as the fallback. Headless: `check` grades what
        is there now, `apply` runs fsnb's fix."""
        from IPython.display import HTML, display
        if self.rb._unusable():
            return None
        if self.headless:
            html = CSS + self.tasks_html()
            if check:
                html += self.grade_html(self.check_fix())
            if apply:
                done = self.apply_fix()
                self.rb.run()
                html += self.fix_html(done)
            display(HTML(html))
            return None
        import ipywidgets as w
        tasks = w.HTML(CSS + self.tasks_html())
        tasks.add_class("fsnb-tasks-widget")
        self._redraws.append(lambda: setattr(tasks, "value", CSS + self.tasks_html()))
        cmd = w.Text(placeholder="sofia profile internal restart", layout=w.Layout(width="60%"))
        cmd.add_class("fsnb-command-input")
        send = w.Button(description=self._t("send"), icon="terminal", layout=w.Layout(width="auto"))
        send.add_class("fsnb-command-send")
        reply = w.HTML("")
        reply.add_class("fsnb-command-out")

        def sent(_):
            if not cmd.value.strip():
                return
            send.disabled = True
            reply.value = f"<div class='fsnb-nb'><pre>{escape(self.command(cmd.value.strip()))}</pre></div>"
            send.disabled = False
        send.on_click(sent)
        out = w.HTML("")
        out.add_class("fsnb-fix-out")
        verify = w.Button(description=self._t("verify"), icon="check", button_style="success", layout=w.Layout(width="auto"))
        verify.add_class("fsnb-verify")
        fallback = w.Button(description=self._t("fallback"), icon="wrench", button_style="warning",
                            layout=w.Layout(width="auto"))
        fallback.add_class("fsnb-fix")
        restart = w.Button(description=self._t("restart_fs"), icon="refresh", layout=w.Layout(width="auto"))
        restart.add_class("fsnb-restart-fs")
        buttons = (verify, fallback, restart)

        def work(fn):
            for b in buttons:
                b.disabled = True

            def run():
                try:
                    out.value = fn()
                except Exception as exc:     # shown, never a traceback
                    out.value = f"<b>✗</b> {escape(self.rb.redactor.text(str(exc)))}"
                for b in buttons:
                    b.disabled = False
            threading.Thread(target=run, daemon=True).start()

        def verify_(_):
            out.value = f"<i>{self._t('verifying')}</i>"
            work(lambda: self.grade_html(self.check_fix()))

        def fallback_(_):
            if not self.revealed:
                out.value = f"<i>{self._t('reveal_first')}</i>"
                return
            out.value = f"<i>{self._t('fix_running')}</i>"

            def go():
                done = self.apply_fix()
                self.rb.run()
                return self.fix_html(done)
            work(go)

        def restart_(_):
            work(lambda: f"<div class='fsnb-nb'><code>{escape(manager.restart_process(self.offset, 'freeswitch'))}</code></div>")
        verify.on_click(verify_)
        fallback.on_click(fallback_)
        restart.on_click(restart_)
        self._resets.append(lambda: setattr(out, "value", ""))
        self._resets.append(lambda: setattr(reply, "value", ""))
        paths = self._lab_files_html()
        display(w.VBox([tasks, w.HTML(paths), w.HTML(f"<b>{self._t('command')}</b>"), w.HBox([cmd, send]), reply,
                        w.HBox([verify, fallback, restart]), out]))
        return None

    def _lab_files_html(self) -> str:
        t, d = self.rb.target, manager.lab_dir(self.offset)
        files = [Path(t.freeswitch.conf_dir) / "sip_profiles/internal.xml", Path(t.freeswitch.conf_dir) /
                 "autoload_configs/event_socket.conf.xml", Path(t.freeswitch.certs_dir) / "wss.pem",
                 Path(t.nginx.config), Path(t.tunnel.config), d / "target.toml"]
        return (f"<details class='fsnb-nb fsnb-lab-files'><summary>{self._t('lab_files')}</summary><ul>"
                + "".join(f"<li><code>{escape(str(p))}</code></li>" for p in files) + "</ul></details>")
