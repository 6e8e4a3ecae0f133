"""The Training class: a lab with a hidden fault, a briefing with symptoms only, the analysis' steps showing their
observations (verdicts held back until the reveal) with hints that point at the evidence, the trainee's cause and
reasoning, a reveal that grades them and explains cause → deciding evidence → fix, then the trainee's own fix in the
lab, which fsnb verifies by re-running every check (fsnb's own fix is the fallback).
"""
from __future__ import annotations

import random
import time
from pathlib import Path
from types import SimpleNamespace

from fsnb.journal import TrainingGuessRecord
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
from fsnb.present.training.fixcells import FixCells

from fsnb.present.training.texts import HINTS, TRAINING_TEXT


def real_lab_available() -> bool:
    """The real FreeSWITCH is built here (`fsnb lab up --real` can run)."""
    try:
        from fsnb.lab import real
        return real.build_state()[0] is not None
    except Exception:      # the real lab is optional; without it the simulator is used
        return False


# a training lab's ports start at +100 (ESL 8121, wss 7543, …): `fsnb lab up` (offset 0) stays free for the runbook
FIRST_OFFSET = 100


def _journal_path() -> str:
    # named by time only: a scenario's name would give the answer away
    return str(Path.home() / ".local/state/fsnb/journals" / f"{time.strftime('%Y%m%d-%H%M%S')}-training.jsonl")


class Training(FixCells):
    def __init__(self, scenario: str = "random", lang: str = "de", headless: bool = False,
                 port_offset: int | None = None, journal: str | None = None, real: bool = False,
                 seed: int | None = None):
        """`port_offset` None: a free lab port offset from FIRST_OFFSET on (the last round's again when it is still
        free or holds the last round's lab)."""
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
            self.offset = port_offset if port_offset is not None else self._free_offset()
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
    def _free_offset(self) -> int:
        """A free lab offset; the last round's when its lab is gone or still the last round's own (never somebody
        else's lab that took that offset since)."""
        last = C.last_offset()
        if last is not None and manager._load_state(manager.lab_dir(last)) and not fixing.is_training_lab(last):
            last = None

        return manager.free_offset(start=FIRST_OFFSET, real=self.real, prefer=last)

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
        fixing.mark_training_lab(self.offset)
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
        checks = [c for c, _ in observe.CAUSES[self.scenario.cause].deciding] or [
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
            self.rb.journal.write(TrainingGuessRecord(scenario=self.scenario.name, guess=self.guess or "",
                                                              reasoning=self.reasoning or ""))

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
        style = ("<style>.fsnb-guess .widget-radio-box label{display:flex;flex-direction:row;justify-content:flex-start;align-items:flex-start;gap:6px;"
                 "white-space:normal;height:auto;line-height:1.35;margin:2px 0 5px 0;width:auto}"
                 ".fsnb-guess .widget-radio-box input{order:-1;flex:0 0 auto;margin-top:3px}.fsnb-guess .widget-radio{width:100%}"
                 ".fsnb-guess .widget-radio-box{width:100%}</style>")
        radios, state = [], {"busy": False, "value": None}
        parts = [w.HTML(f"{CSS}{style}<div class='fsnb-nb'>{self._t('answers')}</div>")]
        for i, (hop, items) in enumerate(C.answer_groups(self.lang)):
            # plain text in a radio label: the catalogue's `code` marks go
            r = w.RadioButtons(options=[(t.replace("`", ""), c) for t, c in items], value=None,
                               layout=w.Layout(width="95%"))
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
                + (f"<br><i>{'“' if L == 'en' else '„'}{escape(self.reasoning)}“</i>" if self.reasoning else "")
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
