"""One notebook session without any display: target, journal, the latest result of every check, the runs in flight
and their coordination. No IPython or ipywidgets here — the widgets (fsnb.present.notebook.widgets) listen to it,
the views (fsnb.present.notebook.views) draw a Snapshot of it, and tests use it as it is.

Nothing is concluded from unfinished results: `settled()` holds only when every check has a result and no run is
in flight, and the journal gets a session diagnosis only then (once per state).
"""
from __future__ import annotations

import getpass
import json
import os
import threading
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from fsnb import runner
from fsnb.diagnosis import rules
from fsnb.errors import FsnbError
from fsnb.fix import actions
from fsnb.i18n import LANGS
from fsnb.journal import Journal, new_run_id
from fsnb.present.cli_run import resolve_target
from fsnb.present.notebook.texts import all_ids
from fsnb.redact import Redactor
from fsnb.result import Result


def state_dir() -> Path:
    return Path.home() / ".local/state/fsnb"


def session_key() -> str:
    """This Jupyter server (all its kernels) for this user: where the incident report finds 'this session'."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid())
    return f"{user}-{os.environ.get('JPY_PARENT_PID') or os.getppid()}"


def session_journal() -> str | None:
    """The journal the runbook of this Jupyter session writes (None: none, or it is gone)."""
    f = state_dir() / "sessions" / f"{session_key()}.json"
    try:
        p = json.loads(f.read_text()).get("journal")
    except (OSError, ValueError, AttributeError):
        return None
    return p if isinstance(p, str) and Path(p).is_file() else None


def expected(only: list[str] | None) -> frozenset[str]:
    """The checks a run of `only` reports (with their dependencies: the run engine's own selection)."""
    return frozenset(s.id for s in runner.selected(only))


@dataclass
class Snapshot:
    """A session at one moment, taken under its lock: what the views draw. Shaped like a Run (target, results,
    findings) so that actions.plan() can read it."""
    target: object
    lang: str
    results: list[Result]                      # in the analysis' order
    running: frozenset[str] = frozenset()      # the checks of the runs in flight
    expected: int = 0                          # results the runs in flight will report …
    got: int = 0                               # … and how many of them are in
    busy: bool = False
    journal: str = ""
    display_name: str | None = None
    simulated: bool = True
    by: dict = field(init=False, repr=False)

    def __post_init__(self):
        self.by = {r.id: r for r in self.results}

    @property
    def complete(self) -> bool:
        return all_ids() <= set(self.by)

    @property
    def settled(self) -> bool:
        """Every check has a result and none is running: only now may anything be concluded."""
        return not self.busy and self.complete

    def section(self, section: str) -> list[Result]:
        return [r for r in self.results if r.section == section]

    @cached_property
    def findings(self) -> list:
        return rules.diagnose(self.results)

    @cached_property
    def verdicts(self) -> list:
        return rules.hypotheses(self.results)

    @property
    def lead(self):
        """The leading fail-level finding (None: nothing fails)."""
        return next((f for f in self.findings if f.severity == "fail"), None)

    def plan(self) -> actions.Plan | None:
        """The profile start/restart that would help now (None: none would; not settled: none yet)."""
        return actions.plan(self) if self.settled and self.lead is not None else None


class Session:
    """One notebook session: target, journal, latest results, runs in flight — and listeners to tell about them."""

    def __init__(self, target: str | None = None, journal: str | None = None, lang: str = "de",
                 headless: bool = False, auto_run: bool = True, *, error: str | None = None):
        self.lang = lang if lang in LANGS else "de"
        self.headless, self.auto_run = headless, auto_run
        self.error, self.target, self.journal = error, None, None
        self.redactor = Redactor([])
        self.results: dict[str, Result] = {}
        self._cv = threading.Condition()
        self._running: dict[str, frozenset[str]] = {}      # run id -> the checks it will report
        self._got: dict[str, int] = {}                     # run id -> results so far
        self._on_result: list = []                         # fn(result), from the checks' thread
        self._on_change: list = []                         # fn(), when a run starts or ends
        self._journaled: tuple | None = None
        self._journal_lock = threading.Lock()
        self.display_name: str | None = None      # shown instead of the target's name (training: the name tells)
        self.simulated = True                     # the lab's FreeSWITCH is the simulator
        if error is not None:
            return
        try:
            self.target = resolve_target(target)
            self.target.ask_secrets(getpass.getpass)   # in a kernel, getpass asks through the notebook
        except FsnbError as exc:   # shown as a message in every cell, never as a traceback
            self.error, self.target = str(exc), None
            return
        self._open_journal(journal)

    @classmethod
    def open(cls, target: str | None = None, journal: str | None = None, lang: str = "de", headless: bool = False,
             **kw):
        """The session of a notebook: its target (file, $FSNB_TARGET or the running lab) and journal."""
        return cls(target, journal, lang, headless, **kw)

    @classmethod
    def unusable(cls, message: str, lang: str = "de"):
        """A session without a target: every cell shows `message`."""
        return cls(lang=lang, error=message)

    def _open_journal(self, journal: str | None) -> None:
        self.redactor = Redactor(self.target.secret_values())
        if journal is None:
            stamp = pd.Timestamp.now().strftime("%Y%m%d-%H%M%S")
            journal = str(state_dir() / "journals" / f"{stamp}-{self.target.lab or 'target'}.jsonl")
        self.journal = Journal(journal, self.redactor)
        self.journal.meta(self.target)
        try:   # the incident report of this Jupyter session opens this journal by default
            d = state_dir() / "sessions"
            d.mkdir(parents=True, exist_ok=True)
            (d / f"{session_key()}.json").write_text(json.dumps({"journal": str(self.journal.path),
                                                                   "target": self.target.name}))
        except OSError:
            pass

    def retarget(self, target, journal: str | None = None) -> None:
        """Another target (training: another scenario): new journal, results cleared, listeners told."""
        self.wait_idle()
        self.target = resolve_target(target)
        self.error = None
        with self._cv:
            self.results.clear()
            self._journaled = None
        self._open_journal(journal)
        self._changed()

    # -- the state -----------------------------------------------------------------------------------------
    expected = staticmethod(expected)      # the checks a run of `only` reports (Runbook.expected, as before)

    def snapshot(self) -> Snapshot:
        from fsnb.checks import order_key
        with self._cv:
            res = sorted(self.results.values(), key=lambda r: order_key(r.id))
            running = frozenset(cid for ids in self._running.values() for cid in ids)
            total, got, busy = sum(len(v) for v in self._running.values()), sum(self._got.values()), bool(self._running)
        return Snapshot(self.target, self.lang, res, running, total, got, busy,
                        str(self.journal.path) if self.journal else "", self.display_name, self.simulated)

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def running_checks(self) -> set[str]:
        with self._cv:
            return {cid for ids in self._running.values() for cid in ids}

    @property
    def complete(self) -> bool:
        return all_ids() <= set(self.results)

    def settled(self) -> bool:
        """Every check has a result and none is running: only now may anything be concluded."""
        return not self.busy and self.complete

    def section_results(self, section: str) -> list[Result]:
        return [r for r in self.all_results() if r.section == section]

    def all_results(self) -> list[Result]:
        return self.snapshot().results

    def findings(self):
        res = self.all_results()
        return rules.diagnose(res), rules.hypotheses(res)

    def lead(self):
        """The leading fail-level finding of complete results (None: nothing fails, or not settled)."""
        if not self.settled():
            return None
        return next((f for f in self.findings()[0] if f.severity == "fail"), None)

    # -- running -------------------------------------------------------------------------------------------
    def wait_idle(self, timeout: float | None = None) -> bool:
        if timeout is None:
            timeout = 60.0 if self.target is None else (self.target.timeouts.check + 1.0) * 6 + 20
        with self._cv:
            return self._cv.wait_for(lambda: not self._running, timeout)

    def _record(self, r: Result, run_id: str) -> None:
        with self._cv:
            self.results[r.id] = r
            self._got[run_id] = self._got.get(run_id, 0) + 1
        self.journal.result(r, run_id)
        for fn in list(self._on_result):
            try:
                fn(r)
            except Exception:   # a display problem must not stop the checks
                pass

    def _changed(self) -> None:
        for fn in list(self._on_change):
            try:
                fn()
            except Exception:
                pass

    def run(self, only: list[str] | None = None):
        """Run checks (all, or some sections/ids) and record every result; returns the Run."""
        run_id = new_run_id()
        with self._cv:
            self._running[run_id] = self.expected(only)
        self._changed()
        try:
            r = runner.run_sync(runner.run_async(self.target, only=only, on_result=lambda x: self._record(x, run_id)))
            if not only:
                with self._journal_lock:
                    self.journal.run(r, run_id)
                    self._journaled = self._signature()
        finally:
            with self._cv:
                self._running.pop(run_id, None)
                self._got.pop(run_id, None)
                self._cv.notify_all()
            self._journal_diagnosis(run_id)
            self._changed()
        return r

    def _signature(self) -> tuple:
        return tuple(sorted((r.id, r.ts) for r in self.results.values()))

    def _journal_diagnosis(self, run_id: str) -> None:
        """After a partial run: journal the session's diagnosis — only of complete results, once per state."""
        with self._journal_lock:
            if not self.settled() or self._journaled == self._signature():
                return
            findings, verdicts = self.findings()
            self.journal.write({"type": "diagnosis", "run": run_id, "scope": "session",
                                "items": [f.to_dict() for f in findings], "hypotheses": [v.to_dict() for v in verdicts]})
            self._journaled = self._signature()

    def run_in_background(self, only=None, done=None) -> threading.Thread:
        def work():
            try:
                outcome = self.run(only)
            except Exception as exc:  # shown on the card, never a traceback in the notebook
                outcome = exc
            if done:
                try:
                    done(outcome)
                except Exception:
                    pass
        # registered as running before the thread starts: a cell right after this sees it
        t = threading.Thread(target=work, daemon=True)
        t.start()
        self._await_registration(only)
        return t

    def _await_registration(self, only) -> None:
        end = time.monotonic() + 2
        want = self.expected(only)
        while time.monotonic() < end and not any(v == want for v in self._running.values()):
            time.sleep(0.005)

    def start_all(self) -> None:
        """Live: one run of every check in the background, unless results exist or one is running."""
        if not self.results and not self.busy:
            self.run_in_background(None)
