"""The one widget layer: the notebook cells' calls, live (ipywidgets, checks in background threads, redrawn as
results come in) and headless (papermill/nbclient: checks run synchronously, static HTML). Both draw the same views
(fsnb.present.notebook.views) of the same session (fsnb.present.notebook.session)."""
from __future__ import annotations

import threading
from pathlib import Path

from fsnb.fix import actions
from fsnb.i18n import LANGS
from fsnb.present.escape import html as escape
from fsnb.present.notebook import fixview, table, views
from fsnb.present.notebook.incident import REPORT_TEXT, ReportView, default_journal, journals
from fsnb.present.notebook.session import Session
from fsnb.present.notebook.texts import CSS, SECTIONS, SHORT, all_ids, text


def _show(html: str) -> None:
    from IPython.display import HTML, display
    display(HTML(html))


class Runbook(Session):
    """A notebook session and the cells that show it: header, chain, step cards, action, diagnosis, table."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.cards: dict[str, dict] = {}
        self._progress = None
        self.fixed = None          # (finding, command) of a confirmed action that succeeded in this session

    def retarget(self, target, journal: str | None = None) -> None:
        super().retarget(target, journal)
        for section, card in self.cards.items():
            self._fill(card, section)

    def _t(self, key: str, **kw) -> str:
        return text(key, self.lang, **kw)

    def _unusable(self) -> bool:
        if self.error is None:
            return False
        _show(views.error_html(self.error, self.lang))
        return True

    def _settle_headless(self) -> None:
        if not self.complete:
            self.run()

    # -- the views of this session (kept as methods: training and tests use them) ------------------------------
    def header_html(self) -> str:
        return views.header_html(self.snapshot())

    def chain_html(self) -> str:
        return views.chain_html(self.snapshot())

    def step_html(self, section: str) -> str:
        return views.step_html(self.snapshot(), section)

    def diagnosis_view(self):
        return views.diagnosis_view(self.snapshot())

    def action_html(self) -> tuple[str, actions.Plan | None]:
        snap = self.snapshot()
        plan = snap.plan()
        return views.action_html(snap, plan, self.fixed if snap.lead is None else None), plan

    def summary_html(self) -> str:
        snap = self.snapshot()
        return views.summary_html(snap, snap.plan(), self.fixed if snap.lead is None else None)

    def action_result_html(self, p, res) -> str:
        return views.action_result_html(p, res, str(self.target.freeswitch.wss_port), self.lang)

    # -- cells ---------------------------------------------------------------------------------------------------
    def prose(self, key: str):
        """A prose section of the runbook (its heading and text) in this session's language."""
        from fsnb.present.notebook import prose
        prose.show("runbook", key, self.lang)

    def summary(self):
        """The cause first: the leading cause and its concrete fix, right below the header — filled in once every
        check has a result; live, the page scrolls to it when the first complete diagnosis arrives."""
        if self._unusable():
            return None
        if self.headless:
            self._settle_headless()
            _show(self.summary_html())
            return None
        import secrets

        import ipywidgets as w
        from IPython.display import Javascript, display
        box = w.HTML(self.summary_html())
        tag = f"fsnb-summary-{secrets.token_hex(4)}"
        box.add_class("fsnb-summary-widget")
        box.add_class(tag)
        redraw = lambda *_: setattr(box, "value", self.summary_html())
        self._on_result.append(redraw)
        self._on_change.append(redraw)
        display(box)
        # Run All leaves the page at the last cell: bring the summary into view once, when it first shows a result
        display(Javascript(
            "(function(){let n=0;const t=setInterval(function(){const b=document.querySelector('." + tag + " .fsnb-summary');"
            "if(b&&b.dataset.state!=='waiting'){clearInterval(t);b.scrollIntoView({block:'start'});}"
            "else if(++n>2400){clearInterval(t);}},250);})();"))
        if self.auto_run:
            self.start_all()
        return None

    def notes(self):
        """The operator's notes: a note or a manual fix (done by hand, outside fsnb) into this session's journal."""
        if self._unusable():
            return None
        from fsnb import journal as jr
        from fsnb.present.report import _utc

        def listing() -> str:
            notes = [r for r in jr.read(self.journal.path).of("note")]
            if not notes:
                return f"<div class='fsnb-nb fsnb-notes'><i class='fsnb-muted'>{self._t('note_none')}</i></div>"
            items = "".join(f"<li data-kind='{escape(n.get('kind'))}'><b>"
                            f"{self._t('note_manual' if n.get('kind') == 'manual-fix' else 'note_note')}</b> "
                            f"<span class='fsnb-muted'>({escape(n.get('who'))}, {escape(_utc(n.get('ts', '')))})</span>: "
                            f"{escape(n.get('text'))}</li>" for n in notes)
            return f"{CSS}<div class='fsnb-nb fsnb-notes'><ul>{items}</ul></div>"
        if self.headless:
            _show(listing())
            return None
        import ipywidgets as w
        from IPython.display import display
        area = w.Textarea(placeholder=self._t("note_placeholder"), layout=w.Layout(width="100%", height="5em"))
        area.add_class("fsnb-note-text")
        kind = w.ToggleButtons(options=[(self._t("note_note"), "note"), (self._t("note_manual"), "manual-fix")],
                               value="note", tooltips=[self._t("note_note"), self._t("note_manual")],
                               style={"button_width": "auto"})
        kind.add_class("fsnb-note-kind")
        save = w.Button(description=self._t("note_save"), icon="save", button_style="primary",
                        layout=w.Layout(width="auto"))
        save.add_class("fsnb-note-save")
        shown, status = w.HTML(listing()), w.HTML("")
        shown.add_class("fsnb-notes-list")

        def saved(_):
            text = area.value.strip()
            if not text:
                return
            try:
                rec = self.journal.note(text, kind.value)
            except ValueError as exc:       # too long: said, the text stays in the box
                status.value = f"<span class='fsnb-note-error'>{escape(str(exc))}</span>"
                return
            status.value = (f"<span class='fsnb-muted fsnb-note-saved'>"
                            f"{escape(self._t('note_saved', kind=kind.label, ts=_utc(rec['ts'])))}</span>")
            area.value = ""
            shown.value = listing()
        save.on_click(saved)
        box = w.VBox([area, w.HBox([kind, save]), status, shown])
        box.add_class("fsnb-card")
        box.add_class("fsnb-notes-widget")
        display(box)
        return None

    def header(self):
        if self._unusable():
            return None
        if self.headless:
            _show(self.header_html())
            return None
        import ipywidgets as w
        from IPython.display import display
        self._header = w.HTML(self.header_html())
        self._progress = bar = w.IntProgress(min=0, max=len(all_ids()), value=0, bar_style="info")
        btn = w.Button(description=self._t("run_all"), button_style="primary", icon="play", layout=w.Layout(width="auto"))
        btn.add_class("fsnb-run-all")

        def all_clicked(_):
            bar.value = 0
            self.run_in_background(None)
        btn.on_click(all_clicked)

        def progress(_=None):
            snap = self.snapshot()
            if snap.expected:
                bar.max, bar.value, bar.bar_style = snap.expected, min(snap.got, snap.expected), "info"
            else:
                bar.bar_style = "success" if snap.results else "info"
                bar.value = bar.max if snap.results else 0
            btn.disabled = bool(snap.expected)
        self._on_result.append(progress)
        self._on_change.append(progress)
        display(w.VBox([self._header, w.HBox([btn, bar])]))
        return None

    def chain(self):
        """The chain picture, coloured as results come in; the break point once every check has finished."""
        if self._unusable():
            return None
        if self.headless:
            self._settle_headless()
            _show(self.chain_html())
            return None
        import ipywidgets as w
        from IPython.display import display
        box = w.HTML(self.chain_html())
        box.add_class("fsnb-chain-widget")
        redraw = lambda *_: setattr(box, "value", self.chain_html())
        self._on_result.append(redraw)
        self._on_change.append(redraw)
        display(box)
        if self.auto_run:
            self.start_all()
        return None

    def _fill(self, card: dict, section: str) -> None:
        import ipywidgets as w
        snap = self.snapshot()
        res = snap.section(section)
        card["badge"].value = views.badge(views.worst(res), self.lang)
        card["table"].value = views.styled_html(res, self.lang)
        card["evidence"].children = [w.HTML(views.evidence_html(r, self.lang)) for r in res]
        for i, r in enumerate(res):
            card["evidence"].set_title(i, views.evidence_title(r, self.lang))
        running = bool(self.expected([section]) & snap.running)
        card["status"].value = f"<i>{self._t('running')}</i>" if running else card.get("message", "")

    def step(self, section: str):
        """One step of the analysis: card with run button, badge, result table and evidence."""
        if self._unusable():
            return None
        if self.headless:
            if not self.expected([section]) <= set(self.results):   # one run per notebook: the chain cell's
                self.run([section])                                  # run already has this step's results
            _show(self.step_html(section))
            return None
        import ipywidgets as w
        from IPython.display import display
        title = SECTIONS[section](self.lang)
        btn = w.Button(description=SHORT[section](self.lang), icon="play", tooltip=title, layout=w.Layout(width="auto"))
        btn.add_class(f"fsnb-run-{section}")
        card = {"badge": w.HTML(views.badge(None, self.lang)), "table": w.HTML(views.styled_html([], self.lang)),
                "evidence": w.Accordion([]), "status": w.HTML("")}
        card["badge"].add_class(f"fsnb-badge-{section}")
        card["table"].add_class(f"fsnb-table-{section}")
        card["status"].add_class(f"fsnb-state-{section}")
        self.cards[section] = card
        ids = self.expected([section])

        def clicked(_):
            card["message"] = ""

            def done(outcome):
                if isinstance(outcome, Exception):
                    card["message"] = f"<b>{self._t('aborted')}:</b> {escape(self.redactor.text(str(outcome)))}"
                self._fill(card, section)
            self.run_in_background([section], done)
        btn.on_click(clicked)
        self._on_result.append(lambda r: self._fill(card, section) if r.id in ids else None)
        self._on_change.append(lambda: self._fill(card, section))
        box = w.VBox([w.HTML(f"{CSS}<b>{escape(title)}</b>"), w.HBox([btn, card["badge"], card["status"]]),
                      card["table"], card["evidence"]])
        box.add_class("fsnb-card")
        display(box)
        self._fill(card, section)
        if self.auto_run:
            self.start_all()
        return None

    def action(self):
        """The fix of the leading cause: its steps, and the profile start/restart (exact command, confirmation
        first) only when it can help."""
        if self._unusable():
            return None
        if self.headless:
            self._settle_headless()
            html, plan = self.action_html()
            _show(CSS + html + (views.command_html(plan, self.lang, headless=True) if plan is not None else ""))
            return None
        import ipywidgets as w
        from IPython.display import display
        head, cmd, out = w.HTML(), w.HTML(), w.HTML()
        head.add_class("fsnb-action-head")
        btn = w.Button(description=self._t("confirm"), button_style="danger", icon="check", disabled=True,
                       layout=w.Layout(width="auto"))
        btn.add_class("fsnb-confirm")
        prep = w.Button(description=self._t("prepare"), icon="wrench", disabled=True, layout=w.Layout(width="auto"))
        prep.add_class("fsnb-prepare")
        again = w.Button(description=self._t("recheck"), icon="refresh", layout=w.Layout(width="auto"))
        again.add_class("fsnb-recheck")
        state = {"plan": None, "acting": False}

        def draw():
            if state["acting"]:
                return
            html, plan = self.action_html()
            head.value = CSS + html
            if plan != state["plan"]:
                state["plan"] = plan
                cmd.value, btn.disabled = "", True
            prep.disabled = plan is None or self.busy
            again.disabled = self.busy
            for b in (prep, btn):      # no start/restart on offer: no buttons for it either
                b.layout.display = "none" if plan is None else None

        def prepare(_):
            p = state["plan"]
            if p is None:
                return
            cmd.value = views.command_html(p, self.lang)
            btn.disabled = False

        def confirm(_):
            p = state["plan"]
            if p is None or state["acting"]:
                return
            state["acting"] = True
            btn.disabled = prep.disabled = again.disabled = True
            out.value = (f"<div class='fsnb-nb'><i>{self._t('action_running', s=4.0, port=self.target.freeswitch.wss_port)}"
                         "</i></div>")
            conf = actions.Confirmation.make(p.command, "notebook widget")

            def work():
                try:
                    lead = self.snapshot().lead
                    res = actions.execute(self.target, p, conf, self.journal)
                    if res.ok and lead is not None:
                        self.fixed = (lead, p.command)
                    out.value = self.action_result_html(p, res)
                except Exception as exc:
                    out.value = f"<b>{self._t('aborted')}:</b> {escape(self.redactor.text(str(exc)))}"
                state["acting"] = False
                self.run_in_background(None)     # the whole chain again: the diagnosis follows the new state
            threading.Thread(target=work, daemon=True).start()

        prep.on_click(prepare)
        btn.on_click(confirm)
        again.on_click(lambda _: self.run_in_background(None))
        self._on_change.append(draw)
        box = w.VBox([head, w.HBox([prep, btn, again]), cmd, out, fixview.panel(self)])   # issue #20: the computed fix
        box.add_class("fsnb-card")
        box.add_class("fsnb-action")
        display(box)
        draw()
        if self.auto_run:
            self.start_all()
        return None

    def diagnosis(self):
        """The diagnosis (most likely first) and the verdicts on the analysis' hypotheses — only ever from
        complete results: live it waits for running checks and redraws when a later run finishes."""
        if self._unusable():
            return None
        if self.headless:
            self._settle_headless()
            _show(self.diagnosis_view()._repr_html_())
            return None
        import ipywidgets as w
        from IPython.display import display
        box = w.HTML(self.diagnosis_view()._repr_html_())
        box.add_class("fsnb-diagnosis-widget")
        self._on_change.append(lambda: setattr(box, "value", self.diagnosis_view()._repr_html_()))
        display(box)
        self.start_all()
        return None

    def table(self):
        """Every result of this session, one row per check per run, in the analysis' order, read back from the
        journal (survives kernel restarts). Waits for running checks. `.tidy` is the DataFrame."""
        if self._unusable():
            return None
        if not self.headless:
            self.wait_idle()
        return table.styled_table(table.tidy(self.journal.path, self.lang), self.lang)


def report_prose(key: str, lang: str = "de") -> None:
    """A prose section of the incident-report notebook in `lang`."""
    from fsnb.present.notebook import prose
    prose.show("incident-report", key, lang)


def incident_report(journal: str | None = None, lang: str = "de", headless: bool = False):
    """The incident report in the notebook: the journal of this session by default (or `journal`), a picker for the
    others (live), the report with CSS scoped to it, and its Markdown to copy or download."""
    from IPython.display import display
    lang = lang if lang in LANGS else "de"
    path = journal or default_journal()
    if not path:
        _show(f"<p>{REPORT_TEXT['none'](lang)}</p>")
        return None
    if headless:
        display(ReportView(path, lang))
        return None
    import ipywidgets as w
    options = journals(lang)
    if path not in [p for _, p in options]:
        options = [(Path(path).stem, path)] + options
    pickr = w.Dropdown(options=options, value=path, description=REPORT_TEXT["pick"](lang), layout=w.Layout(width="90%"))
    pickr.add_class("fsnb-journal-picker")
    out = w.HTML(ReportView(path, lang)._repr_html_())
    out.add_class("fsnb-report-widget")
    pickr.observe(lambda change: setattr(out, "value", ReportView(change["new"], lang)._repr_html_()), names="value")
    display(w.VBox([pickr, out]))
    return None
