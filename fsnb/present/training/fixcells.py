"""The training's last cell: the trainee's fix in the lab (after the reveal: the exact file and command), a command
line to the lab's FreeSWITCH, "check my fix" (every check re-run, graded), and fsnb's own fix as the fallback."""
from __future__ import annotations

import threading
from pathlib import Path

from fsnb import journal
from fsnb.errors import FsnbError
from fsnb.lab import manager
from fsnb.present.escape import html as escape
from fsnb.present.notebook import CSS, check_title
from fsnb.present.notebook.views import code as _code
from fsnb.present.training import casebook as C
from fsnb.present.training import fixing, observe


class FixCells:
    """Mixed into Training: needs rb, scenario, offset, lang, headless, revealed, solution(), _t(), _resets,
    _redraws, _target_stat(), _target_mtime."""

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
            self.rb.journal.write(journal.TrainingCommandRecord(command=line))
        return self.rb.redactor.text(out)

    def check_fix(self) -> fixing.Grade:
        """Re-run every check after the trainee's fix (the lab's tunnel stand-in follows config.yml, a changed
        target file is read again) and grade it."""
        self.rb.wait_idle()
        if self.scenario.cause.startswith("tunnel-"):
            manager.sync_tunnel(self.offset)
        if self._target_stat() != self._target_mtime:
            self.rb.retarget(str(fixing.target_path(self.offset)), str(self.rb.journal.path))
            self._target_mtime = self._target_stat()
        fixing.settle(self.rb.target)
        run = self.rb.run()
        g = fixing.grade(self.scenario.cause, run.findings, run.results)
        if self.rb.journal:
            self.rb.journal.write(journal.TrainingFixRecord(
                by="trainee", scenario=self.scenario.name, fixed=g.fixed, remaining=[f.cause for f in g.remaining],
                failed=list(g.failed)))
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
            self.rb.journal.write(journal.TrainingFixRecord(
                by="fsnb", scenario=self.scenario.name, fixed=ok, remaining=[f.cause for f in g.remaining]))
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
