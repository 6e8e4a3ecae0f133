"""Training: start a lab scenario, let the trainee work through it, reveal the expected cause on request."""
from __future__ import annotations

from html import escape

from .errors import FsnbError
from .lab import manager, scenarios
from .notebook import CSS, Runbook


class Training:
    def __init__(self, scenario: str = scenarios.DEFAULT, lang: str = "de", headless: bool = False,
                 port_offset: int = 0, journal: str | None = None):
        self.lang = lang
        try:
            self.scenario = scenarios.get(scenario)
            self.lab = manager.up(self.scenario.name, offset=port_offset)
            target = self.lab.target
        except (KeyError, FsnbError) as exc:     # a message in the notebook, not a traceback
            self.scenario, self.lab, target = None, None, None
            self.rb = Runbook.__new__(Runbook)
            self.rb.lang, self.rb.error, self.rb.target = lang, str(exc.args[0] if isinstance(exc, KeyError) else exc), None
            return
        self.rb = Runbook(target, journal, lang, headless, auto_run=False)

    def briefing(self):
        from IPython.display import HTML, display
        if self.rb._unusable():
            return None
        s = self.scenario
        text = s.description if self.lang == "de" else s.description_en
        # the description says what the operator sees, not the cause id
        display(HTML(CSS + f"<div class='fsnb-card'><b>Szenario:</b> {escape(s.name)}<br>{escape(text)}<br>"
                     f"<i>Lab: {escape(' · '.join(self.lab.lines()[2:4]))}</i></div>"))
        self.rb.header()

    def solution(self, reveal: bool = False):
        from IPython.display import HTML, display
        if self.rb._unusable():
            return None
        if self.rb.headless:
            self.rb.run()
            if reveal:
                display(HTML(self._answer()))
            return None
        import ipywidgets as w
        out = w.HTML()
        btn = w.Button(description="Lösung zeigen" if self.lang == "de" else "Show solution", icon="eye")
        btn.add_class("fsnb-reveal")

        def show(_):
            if not self.rb.results:
                self.rb.run()
            out.value = self._answer()
        btn.on_click(show)
        display(w.VBox([btn, out]))
        return None

    def _answer(self) -> str:
        findings, _ = self.rb.findings()
        named = findings[0].cause if findings else None
        want = self.scenario.cause
        verdict = "stimmt" if named == want else "weicht ab"
        return (f"<div class='fsnb-card fsnb-solution'><b>Erwartete Ursache:</b> {escape(str(want))}<br>"
                f"<b>fsnb nennt zuerst:</b> {escape(str(named))} ({verdict})</div>")
