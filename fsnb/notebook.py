"""The notebooks' UI: one card per step (run button, badge, result table, evidence), run-all with progress,
the chain picture, the confirmed profile action, the diagnosis. All logic stays in fsnb; cells only call this.

Headless (papermill/nbclient, `headless=True`) every call runs its checks synchronously and displays static
HTML, so an executed notebook and its HTML export carry the same results as an interactive run.
"""
from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd

from . import actions, chain, diagnosis, texts
from .escape import html as escape, styler
from .journal import Journal, new_run_id
from .errors import FsnbError
from .redact import Redactor
from .result import Result
from .runbook import run_async, run_sync
from .runner import resolve_target

BADGE = {"pass": "#2e7d32", "fail": "#c62828", "warn": "#f9a825", "skip": "#9e9e9e", "error": "#6a1b9a"}
CSS = """<style>
.fsnb-badge{display:inline-block;padding:2px 10px;border-radius:10px;color:#fff;font-weight:600;font-size:12px}
.fsnb-card{border:1px solid #cfd8dc;border-radius:8px;padding:8px 12px;margin:6px 0}
.fsnb-card pre{white-space:pre-wrap;font-size:11px;max-height:22em;overflow:auto;background:#f7f9fa;padding:6px}
.fsnb-table td,.fsnb-table th{padding:3px 8px;text-align:left;vertical-align:top}
</style>"""


def badge(status: str | None, lang: str = "de") -> str:
    if status is None:
        return '<span class="fsnb-badge" style="background:#cfd8dc;color:#37474f">—</span>'
    return (f'<span class="fsnb-badge fsnb-status-{status}" style="background:{BADGE[status]}">'
            f'{texts.STATUS[lang][status]}</span>')


def results_frame(results: list[Result], lang: str = "de") -> pd.DataFrame:
    return pd.DataFrame([{"Status": r.status.value, "Check": r.id, "Titel" if lang == "de" else "Title": r.title(lang),
                          "Befund" if lang == "de" else "Finding": r.text(lang), "ms": round(r.duration * 1000)}
                         for r in results])


def styled_html(results: list[Result], lang: str = "de") -> str:
    df = results_frame(results, lang)
    if df.empty:
        return "<em>—</em>"
    sty = styler(df).hide(axis="index").map(
        lambda v: f"background-color:{BADGE.get(v, '')};color:white;font-weight:600" if v in BADGE else "",
        subset=["Status"]).set_table_attributes('class="fsnb-table"').set_table_styles(
        [{"selector": "td, th", "props": "text-align: left; vertical-align: top; padding: 3px 8px;"}])
    return sty.to_html()


def evidence_html(r: Result) -> str:
    parts = [f"<b>{escape(e.label)}</b> <small>{escape(e.via)}</small><pre>{escape(e.text)}</pre>" for e in r.evidence]
    return "".join(parts) or "<em>—</em>"


class Runbook:
    """State of one notebook session: target, journal, latest results, widgets to refresh."""

    def __init__(self, target: str | None = None, journal: str | None = None, lang: str = "de",
                 headless: bool = False, auto_run: bool = True):
        self.lang = lang
        self.error = None
        try:
            self.target = resolve_target(target)
            import getpass     # in a kernel, getpass asks through the notebook (a papermill run has no stdin: message)
            self.target.ask_secrets(getpass.getpass)
        except FsnbError as exc:   # shown as a message in every cell, never as a traceback
            self.error = str(exc)
            self.target = None
            return
        self._setup(journal, headless, auto_run)

    def _unusable(self) -> bool:
        if self.error is None:
            return False
        from IPython.display import HTML, display
        display(HTML(f'<div class="fsnb-card fsnb-error"><b>{"Kein Ziel" if self.lang == "de" else "No target"}:</b> '
                     f"{escape(self.error)}</div>"))
        return True

    def _setup(self, journal, headless, auto_run):
        self.headless = headless
        self.auto_run = auto_run
        self.redactor = Redactor(self.target.secret_values())
        if journal is None:
            stamp = pd.Timestamp.now().strftime("%Y%m%d-%H%M%S")
            journal = str(Path.home() / ".local/state/fsnb/journals" / f"{stamp}-{self.target.lab or 'target'}.jsonl")
        self.journal = Journal(journal, self.redactor)
        self.journal.meta(self.target)
        self.results: dict[str, Result] = {}
        self._lock = threading.Lock()
        self._listeners: list = []
        self.cards: dict[str, dict] = {}

    # -- running ---------------------------------------------------------------------------------
    def _record(self, r: Result, run_id: str) -> None:
        with self._lock:
            self.results[r.id] = r
        self.journal.result(r, run_id)
        for fn in list(self._listeners):
            try:
                fn(r)
            except Exception:   # a display problem must not stop the checks
                pass

    def run(self, only: list[str] | None = None):
        """Run checks (all, or some sections/ids) and record every result; returns the Run."""
        run_id = new_run_id()
        r = run_sync(run_async(self.target, only=only, on_result=lambda x: self._record(x, run_id)))
        if not only:
            self.journal.run(r, run_id)
        return r

    def run_in_background(self, only=None, done=None) -> threading.Thread:
        def work():
            try:
                run = self.run(only)
                if done:
                    done(run)
            except Exception as exc:  # shown on the card, never a traceback in the notebook
                if done:
                    done(exc)
        t = threading.Thread(target=work, daemon=True)
        t.start()
        return t

    def section_results(self, section: str) -> list[Result]:
        return [r for r in self.all_results() if r.section == section]

    def all_results(self) -> list[Result]:
        from .checks import order_key
        return sorted(self.results.values(), key=lambda r: order_key(r.id))

    def findings(self):
        res = self.all_results()
        return diagnosis.diagnose(res), diagnosis.hypotheses(res)

    # -- display ---------------------------------------------------------------------------------
    def header(self):
        if self._unusable():
            return None
        from IPython.display import HTML, display
        t = self.target
        de = self.lang == "de"
        info = (f"<b>{'Ziel' if de else 'Target'}</b>: {escape(t.name)} — FreeSWITCH {escape(t.freeswitch.host)} "
                f"(ESL {t.freeswitch.esl_port}, ws {t.freeswitch.ws_port}, wss {t.freeswitch.wss_port}"
                + (f", Container {escape(t.freeswitch.container)}" if t.freeswitch.container else "")
                + f"), nginx {escape(t.nginx.address)}, {'öffentlich' if de else 'public'} {escape(t.tunnel.public_url)}"
                + ((" <i>(Cloudflare-Kante: lokaler Stand-in des Labs)</i>" if de else
                    " <i>(Cloudflare edge: the lab's local stand-in)</i>") if t.tunnel.standin else "")
                + f"<br><b>Journal</b>: {escape(self.journal.path)}")
        if t.lab:
            info += ("<br><i>Lab: FreeSWITCH ist hier ein Simulator, der byte-genau wie die aufgezeichneten "
                     "FreeSWITCH-1.11-Transkripte antwortet; nginx, TLS und Docker sind echt.</i>" if de else
                     "<br><i>Lab: FreeSWITCH is a simulator here that answers byte for byte like the recorded "
                     "FreeSWITCH 1.11 transcripts; nginx, TLS and Docker are real.</i>")
        if self.headless:
            display(HTML(CSS + info))
            return None
        import ipywidgets as w
        self._chain = w.HTML(chain.svg(self.all_results()))
        self._progress = w.IntProgress(min=0, max=15, value=0, description="", bar_style="info")
        btn = w.Button(description=texts.RUN_ALL[self.lang], button_style="primary", icon="play", layout=w.Layout(width="auto"))

        def all_clicked(_):
            self._progress.value = 0
            btn.disabled = True
            def done(_):
                btn.disabled = False
                self._refresh_all()
            self.run_in_background(None, done)
        btn.on_click(all_clicked)
        self._listeners.append(lambda r: self._on_result(r))
        box = w.VBox([w.HTML(CSS + info), self._chain, w.HBox([btn, self._progress])])
        display(box)
        return None

    def _on_result(self, r: Result):
        if hasattr(self, "_progress"):
            self._progress.value = min(self._progress.max, self._progress.value + 1)
        if hasattr(self, "_chain"):
            self._chain.value = chain.svg(self.all_results())
        card = self.cards.get(r.section)
        if card:
            self._fill(card, r.section)

    def _refresh_all(self):
        for section, card in self.cards.items():
            self._fill(card, section)
        if hasattr(self, "_chain"):
            self._chain.value = chain.svg(self.all_results())

    def _fill(self, card: dict, section: str):
        import ipywidgets as w
        res = self.section_results(section)
        worst = max((r.status.value for r in res), key=chain.RANK.get) if res else None
        card["badge"].value = badge(worst, self.lang)
        card["table"].value = styled_html(res, self.lang)
        card["evidence"].children = [w.HTML(evidence_html(r)) for r in res]
        for i, r in enumerate(res):
            card["evidence"].set_title(i, f"{r.id} — {texts.STATUS[self.lang][r.status.value]}")

    def step(self, section: str):
        """One step of the analysis: card with run button, badge, result table and evidence."""
        if self._unusable():
            return None
        from IPython.display import HTML, display
        title = texts.section(section, self.lang)
        if self.headless:
            self.run([section])
            res = self.section_results(section)
            worst = max((r.status.value for r in res), key=chain.RANK.get) if res else None
            display(HTML(f'<div class="fsnb-card" data-section="{escape(section)}"><h4>{escape(title)} {badge(worst, self.lang)}</h4>'
                         + styled_html(res, self.lang)
                         + "".join(f"<details><summary>{escape(r.id)}</summary>{evidence_html(r)}</details>" for r in res)
                         + "</div>"))
            return None
        import ipywidgets as w
        btn = w.Button(description=texts.BUTTON[self.lang].format(title=title.split(":")[0]), icon="play",
                       tooltip=title, layout=w.Layout(width="auto"))
        btn.add_class(f"fsnb-run-{section}")
        card = {"badge": w.HTML(badge(None, self.lang)), "table": w.HTML("<em>—</em>"), "evidence": w.Accordion([]),
                "status": w.HTML("")}
        card["badge"].add_class(f"fsnb-badge-{section}")
        card["table"].add_class(f"fsnb-table-{section}")
        self.cards[section] = card

        def clicked(_):
            btn.disabled = True
            card["status"].value = "<i>läuft…</i>" if self.lang == "de" else "<i>running…</i>"

            def done(outcome):
                btn.disabled = False
                card["status"].value = "" if not isinstance(outcome, Exception) else \
                    f"<b>Abbruch:</b> {escape(self.redactor.text(str(outcome)))}"
                self._fill(card, section)
            self.run_in_background([section], done)
        btn.on_click(clicked)
        box = w.VBox([w.HTML(f"<b>{escape(title)}</b>"), w.HBox([btn, card["badge"], card["status"]]), card["table"],
                      card["evidence"]])
        box.add_class("fsnb-card")
        display(box)
        if self.section_results(section):
            self._fill(card, section)
        elif self.auto_run:
            clicked(None)
        return None

    def action(self):
        """The profile start/restart, behind a confirm step that shows the exact command first."""
        if self._unusable():
            return None
        from IPython.display import HTML, display
        plan = actions.plan(_RunView(self))
        if self.headless:
            msg = texts.NO_ACTION[self.lang] if plan is None else \
                f"Vorgeschlagen: <code>{escape(plan.command)}</code> — {escape(plan.reason_de)} (headless: nicht ausgeführt)"
            display(HTML(f'<div class="fsnb-card">{msg}</div>'))
            return None
        import ipywidgets as w
        out = w.HTML()
        cmd = w.HTML()
        btn = w.Button(description=texts.CONFIRM[self.lang], button_style="danger", icon="check", disabled=True,
                       layout=w.Layout(width="auto"))
        btn.add_class("fsnb-confirm")
        prep = w.Button(description="Aktion vorbereiten" if self.lang == "de" else "Prepare action", icon="wrench",
                        layout=w.Layout(width="auto"))
        prep.add_class("fsnb-prepare")
        state = {"plan": None}

        def prepare(_):
            state["plan"] = actions.plan(_RunView(self))
            if state["plan"] is None:
                cmd.value = texts.NO_ACTION[self.lang]
                btn.disabled = True
                return
            p = state["plan"]
            cmd.value = (f"Befehl an FreeSWITCH: <code class='fsnb-command'>{escape(p.command)}</code><br>{escape(p.reason_de)}"
                         "<br>Wird nur nach Bestätigung ausgeführt und mit Name/Zeit im Journal festgehalten.")
            btn.disabled = False

        def confirm(_):
            p = state["plan"]
            if p is None:
                return
            btn.disabled = True
            out.value = "<i>läuft…</i>"
            conf = actions.Confirmation.make(p.command, "notebook widget")
            try:
                res = actions.execute(self.target, p, conf, self.journal)
            except Exception as exc:
                out.value = f"<b>Abbruch:</b> {escape(self.redactor.text(str(exc)))}"
                return
            self.run(["schritt2", "schritt3"])
            self._refresh_all()
            out.value = (f'<div class="fsnb-action-result" data-ok="{str(res.ok).lower()}">'
                         f"{badge('pass' if res.ok else 'fail', self.lang)} {escape(res.summary)}<br>"
                         f"<code>{escape(p.command)}</code> → <pre>{escape(res.output)}</pre>"
                         f"vorher: 7443 {escape(str(res.before.get('wss_from_here')))}, nachher: 7443 "
                         f"{escape(str(res.after.get('wss_from_here')))}<pre>{escape(chr(10).join(res.log[-15:]))}</pre></div>")
        prep.on_click(prepare)
        btn.on_click(confirm)
        box = w.VBox([w.HBox([prep, btn]), cmd, out])
        box.add_class("fsnb-card")
        display(box)
        return None

    def diagnosis(self):
        """The diagnosis (most likely first) and the verdicts on the analysis' hypotheses, as tables."""
        if self._unusable():
            return None
        from IPython.display import HTML, display
        if not self.results:
            self.run()
        findings, verdicts = self.findings()
        self.journal.write({"type": "diagnosis", "run": "notebook", "items": [f.to_dict() for f in findings],
                            "hypotheses": [v.to_dict() for v in verdicts]})
        de = self.lang == "de"
        if findings:
            fd = pd.DataFrame([{"#": i, "Ursache" if de else "Cause": f.cause, "Schwere" if de else "Severity": f.severity,
                                "Befund" if de else "Finding": f.text_de if de else f.text_en,
                                "Behebung" if de else "Fix": f.fix_de if de else f.fix_en,
                                "Belege" if de else "Evidence": "; ".join(f.evidence)} for i, f in enumerate(findings, 1)])
            html = styler(fd).hide(axis="index").set_table_attributes('class="fsnb-table fsnb-diagnosis"').to_html()
        else:
            html = "<p class='fsnb-diagnosis'>Keine Befunde: die ganze Kette funktioniert.</p>" if de else \
                "<p class='fsnb-diagnosis'>No findings: the whole chain works.</p>"
        vd = pd.DataFrame([{"Hypothese der Analyse": v.hypothesis, "Urteil": v.verdict if de else v.verdict_en,
                            "Begründung": v.reason_de if de else v.reason_en} for v in verdicts])
        display(HTML(CSS + chain.svg(self.all_results()) + html + "<h4>Hypothesen der Analyse</h4>" +
                     styler(vd).hide(axis="index").set_table_attributes('class="fsnb-table"').to_html()))
        return None

    def table(self) -> pd.DataFrame:
        """Every result of this session as a DataFrame (read back from the journal: survives kernel restarts)."""
        if self._unusable():
            return None
        from .journal import dataframe
        return dataframe(self.journal.path)


class _RunView:
    """Adapter: the latest results of a notebook session, shaped like a Run for actions.plan()."""

    def __init__(self, rb: Runbook):
        res = rb.all_results()
        self.target, self.results = rb.target, res
        self.findings = diagnosis.diagnose(res)
