"""Apply a FixPlan (fsnb/fix/plan.py) — only on an explicit, recorded confirmation — and prove it by a re-run.

1. refused unless the confirmation is for exactly this plan, and every file is still the one fsnb read (sha256),
   a regular file, not a symlink, readable;
2. each original is kept beside itself (`<file>.fsnb-backup-<UTC stamp>`, same owner and mode), the new text goes
   in by temp file + rename in the same directory (O_NOFOLLOW, O_EXCL; never through a link);
3. the smallest reload that makes it take effect (ESL api, `nginx -s reload` of the nginx serving the file, the
   lab's tunnel stand-in, `docker restart` through the engine fsnb reads with);
4. re-run: the checks the cause explains, then the whole runbook. The cause gone and no check newly failed:
   verified. Else the originals are restored byte-identical (checked), reloaded, re-run, and the operator told.
Everything goes into the journal (FixPlanRecord, ConfirmationRecord, FixAppliedRecord, FixVerificationRecord).
A refusal says why in both languages (FixRefused.text); the journal keeps the plan's texts in English and German.
"""
from __future__ import annotations

import asyncio
import datetime as _dt
import os
import re
import secrets
import stat
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from fsnb import blocking
from fsnb.i18n import T, same
from fsnb.errors import FsnbError
from fsnb.fix.edits import read_capped, refuse_unless_editable
from fsnb.fix.plan import FileEdit, FixPlan, FixRefused, read_for_edit, sha256
from fsnb.journal import (ConfirmationRecord, FixAppliedRecord, FixEditItem, FixPlanRecord, FixVerificationRecord)

FAILED = ("fail", "error")


@dataclass
class Applied:
    edit: FileEdit
    backup: str
    after_sha256: str = ""


@dataclass
class Outcome:
    verdict: str                      # verified | rolled-back | failed (rolled back, but not byte-identical)
    message: str
    applied: list[Applied] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    cause_gone: bool = False
    new_failures: list[str] = field(default_factory=list)
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)
    findings_after: list[str] = field(default_factory=list)
    exit_after: int | None = None
    rollback: list[str] = field(default_factory=list)
    restored_identical: bool | None = None
    after_rollback: dict = field(default_factory=dict)
    explained_after: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.verdict == "verified"


def plan_record(p: FixPlan) -> FixPlanRecord:
    return FixPlanRecord(cause=p.cause, kind=p.kind, command=p.command(),
                         edits=[FixEditItem(e.path, e.before_sha256, e.after is None, e.diff) for e in p.edits],
                         reloads=[r.command for r in p.reloads], user_steps=[s.en for s in p.user_steps],
                         applicable=p.applicable, why_not=p.why_not.en,
                         why_not_de=p.why_not.de, user_steps_de=[s.de for s in p.user_steps])


# -- files --------------------------------------------------------------------------------------------------------

def _stamp() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(2)


def _write_new(path: str, data: bytes, mode: int, uid: int, gid: int, dir_fd: int | None = None) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode, dir_fd=dir_fd)
    try:
        os.fchmod(fd, mode)
        try:
            os.fchown(fd, uid, gid)
        except PermissionError:
            pass
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


class _Dir:
    """The directory of a local file, opened once: every later step (read, backup, temp file, rename, restore)
    names files relative to this open directory. By path, a directory renamed and replaced by a symlink between two
    steps (by whoever may write its parent, e.g. FreeSWITCH's own user for /etc/freeswitch/…) sent the backup — the
    original bytes, created as root — and the temp file into a directory of the attacker's choosing."""

    def __init__(self, path: str):
        d, self.name = os.path.split(path)
        self.path = path
        self.fd = os.open(d or ".", os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))

    def close(self) -> None:
        os.close(self.fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def lstat(self, name: str | None = None) -> os.stat_result:
        return os.stat(name or self.name, dir_fd=self.fd, follow_symlinks=False)

    def read(self, name: str | None = None) -> bytes:
        """Like read_for_edit, inside this directory (a symlink is refused by O_NOFOLLOW)."""
        from fsnb.read import files
        name = name or self.name
        try:
            st = self.lstat(name)
        except OSError as exc:
            raise FixRefused(same(f"{self.path}: {exc.strerror}")) from None
        refuse_unless_editable(st, self.path, single_link=name == self.name)
        return read_capped(self.path, lambda limit: files.read_bytes(name, limit=limit, dir_fd=self.fd))

    def sync(self) -> None:
        os.fsync(self.fd)


def _cf(e: FileEdit):
    from fsnb.fix.container import ContainerFiles
    return ContainerFiles(e.container, e.docker_host)


def _check_unchanged(e: FileEdit):
    """The file as fsnb read it (refuses links, non-regular and unreadable files, and a changed file): its lstat
    (local) or (bytes, mode, uid, gid) (container)."""
    if e.container:
        got = _cf(e).read(e.path)
        data = got[0]
    else:
        data, _ = read_for_edit(e.path)
    if sha256(data) != e.before_sha256:
        raise FixRefused(T(f"{e.path} hat sich geändert, seit fsnb die Datei gelesen hat (sha256 weicht ab): nichts "
                           "wurde geschrieben — starten Sie `fsnb fix` erneut, um die Behebung aus der Datei, wie sie "
                           "jetzt ist, zu berechnen",
                           f"{e.path} changed since fsnb read it (sha256 differs): nothing was written — run "
                           "`fsnb fix` again to compute the fix from the file as it is now"))
    return got if e.container else os.lstat(e.path)


def _replace(d: _Dir, data: bytes, st: os.stat_result, expect_sha: str | None = None) -> None:
    """Atomically put `data` at d's file (temp file in the same, already open directory + rename, never following a
    link); with `expect_sha`, only while the file still has that content (checked right before the rename)."""
    tmp = f".{d.name}.fsnb-tmp-{secrets.token_hex(4)}"
    _write_new(tmp, data, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, dir_fd=d.fd)
    try:
        if stat.S_ISLNK(d.lstat().st_mode):
            raise FixRefused(T(f"{d.path} wurde während der Arbeit von fsnb zu einem symbolischen Link: nicht ersetzt",
                               f"{d.path} became a symlink while fsnb worked: not replaced"))
        if expect_sha is not None and sha256(d.read()) != expect_sha:
            raise FixRefused(T(f"{d.path} hat sich während der Arbeit von fsnb geändert: nicht ersetzt",
                               f"{d.path} changed while fsnb worked: not replaced"))
        os.rename(tmp, d.name, src_dir_fd=d.fd, dst_dir_fd=d.fd)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=d.fd)
        except FileNotFoundError:
            pass
        raise
    d.sync()


def _apply_edit(e: FileEdit) -> Applied:
    st = _check_unchanged(e)
    if e.container:
        cf, (data, mode, uid, gid) = _cf(e), st
        backup = f"{e.path}.fsnb-backup-{_stamp()}"
        if e.after is None:
            cf.move(e.path, backup)
            return Applied(e, backup, "")
        cf.create(backup, data, mode, uid, gid)
        new = e.after.encode("utf-8", "surrogateescape")
        cf.replace(e.path, new, mode, uid, gid)
        return Applied(e, backup, sha256(new))
    with _Dir(e.path) as d:
        original = d.read()
        if sha256(original) != e.before_sha256:
            raise FixRefused(T(f"{e.path} hat sich während der Arbeit von fsnb geändert: nichts wurde geschrieben",
                               f"{e.path} changed while fsnb worked: nothing was written"))
        st = d.lstat()
        backup = f"{e.path}.fsnb-backup-{_stamp()}"
        bname = os.path.basename(backup)
        if e.after is None:     # move aside: the original itself becomes the backup (owner, mode and bytes kept)
            os.rename(d.name, bname, src_dir_fd=d.fd, dst_dir_fd=d.fd)
            d.sync()
            return Applied(e, backup, "")
        _write_new(bname, original, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, dir_fd=d.fd)
        new = e.after.encode("utf-8", "surrogateescape")
        _replace(d, new, st, expect_sha=e.before_sha256)
        return Applied(e, backup, sha256(new))


def _restore(a: Applied) -> bool:
    """The original back, from its backup; True when the file is byte-identical to what fsnb read."""
    if a.edit.container:
        cf = _cf(a.edit)
        if a.edit.after is None:
            cf.move(a.backup, a.edit.path)
        else:
            data, mode, uid, gid = cf.read(a.backup)
            cf.replace(a.edit.path, data, mode, uid, gid)
        return sha256(cf.read(a.edit.path)[0]) == a.edit.before_sha256
    with _Dir(a.edit.path) as d:
        bname = os.path.basename(a.backup)
        if a.edit.after is None:
            try:
                d.lstat()
                raise FixRefused(T(f"{a.edit.path} existiert wieder: nicht überschrieben durch die Wiederherstellung aus "
                                   f"{a.backup}",
                                   f"{a.edit.path} exists again: not overwritten by the restore of {a.backup}"))
            except FileNotFoundError:
                pass
            os.rename(bname, d.name, src_dir_fd=d.fd, dst_dir_fd=d.fd)
            d.sync()
        else:
            _replace(d, d.read(bname), d.lstat(bname))
        return sha256(d.read()) == a.edit.before_sha256


# -- reloads ------------------------------------------------------------------------------------------------------

def nginx_argv(config: str) -> list[str]:
    """`nginx [-p P] [-c C]` as the master process serving `config` was started (its own prefix and main config).
    The masters and their binaries are those nginxeff.masters() trusts: a process merely *named* `nginx: master
    process /tmp/x` is never a binary fsnb runs."""
    from fsnb.read import nginxeff
    cands = []
    for exe, prefix, conf in nginxeff.masters():
        conf = conf or "/etc/nginx/nginx.conf"
        args = [exe] + (["-p", prefix] if prefix else []) + ["-c", conf]
        base = Path(conf).parent
        where = Path(config).resolve()
        if where.is_relative_to(base.resolve()) or (prefix and where.is_relative_to(Path(prefix).resolve())):
            cands.append(args)
    if len(cands) != 1:
        # never reload an nginx fsnb cannot tie to the file it changed (another nginx on this host is not ours)
        raise FsnbError(f"{len(cands)} nginx master processes serve {config}: reload nginx yourself (`nginx -s reload`)")
    return cands[0]


def _nginx_reload(config: str) -> str:
    argv = nginx_argv(config)
    t = subprocess.run(argv + ["-t"], capture_output=True, text=True, timeout=20)
    if t.returncode != 0:
        raise FsnbError(f"nginx -t refused the new config: {t.stderr.strip()[-400:]}")
    r = subprocess.run(argv + ["-s", "reload"], capture_output=True, text=True, timeout=20)
    if r.returncode != 0:
        raise FsnbError(f"nginx -s reload: {r.stderr.strip()[-400:]}")
    time.sleep(1.0)        # the new workers take over; the old ones finish their connections
    return f"nginx -t: ok; {' '.join(argv)} -s reload: ok"


async def _esl(target, command: str) -> str:
    from fsnb.probe import eslclient
    fs = target.freeswitch
    esl = eslclient.GuardedESL(fs.host, fs.esl_port, fs.esl_password.reveal())
    out = ""
    try:
        for _ in range(3):
            out = await esl.api(command, target.timeouts.check)
            # at most 4 ASCII digits, as fix/actions.py reads it: a peer's `Please wait <5,000 digits> seconds`
            # was a ValueError from int() after the files were written — no verification, no rollback
            m = re.search(r"Please wait ([0-9]{1,4}) seconds", out)
            if not m:
                break
            await asyncio.sleep(min(int(m.group(1)) + 0.5, 11))   # the profile restart guard
    finally:
        esl.close()
    if command.startswith("sofia profile") and command.split()[-1] in ("start", "restart"):
        from fsnb.runner import run_async
        if command.endswith("restart"):
            await asyncio.sleep(1.0)      # a restart drops the old listeners (~0.4 s) before it binds again
        end = time.monotonic() + 6
        while time.monotonic() < end:     # FreeSWITCH answers before the listeners exist
            await asyncio.sleep(0.3)
            r = await run_async(target, only=["schritt3"])
            ports = next((x for x in r.results if x.id == "schritt3.ports"), None)
            if ports and ((ports.observed.get("wss") or {}).get("listening_on")):
                break
    return f"{command} → {out.strip()}"


async def _reload(target, r) -> str:
    from fsnb.read import nginxeff
    nginxeff.forget()          # whatever was reloaded, the next run asks nginx for its config again
    if r.kind == "esl":
        return await _esl(target, r.command)
    if r.kind == "nginx":
        return await blocking.to_thread(_nginx_reload, target.nginx.config)
    if r.kind == "cloudflared-standin":
        from fsnb.lab import manager
        if not manager.is_lab_dir(Path(target.tunnel.config).parent.parent):
            raise FsnbError(f"{target.tunnel.config} is not in one of fsnb's labs: no stand-in to follow it")
        manager.follow_tunnel(Path(target.tunnel.config).parent.parent)
        return await blocking.to_thread(_nginx_reload, str(Path(target.tunnel.config).parent.parent / "nginx/nginx.conf"))
    if r.kind == "docker-restart":
        import docker
        fs = target.freeswitch
        api = docker.APIClient(base_url=fs.docker_host, timeout=60) if fs.docker_host else docker.from_env(timeout=60).api
        try:
            await blocking.to_thread(api.restart, fs.container, timeout=10)
        finally:
            api.close()
        end = time.monotonic() + 30
        import socket
        while time.monotonic() < end:
            try:
                socket.create_connection((fs.host, fs.esl_port), 0.5).close()
                break
            except OSError:
                await asyncio.sleep(0.3)
        from fsnb.runner import run_async
        while time.monotonic() < end:      # FreeSWITCH starts its profiles after ESL: wait for the wss listener
            r = await run_async(target, only=["schritt3"])
            ports = next((x for x in r.results if x.id == "schritt3.ports"), None)
            if ports and (ports.observed.get("wss") or {}).get("listening_on"):
                break
            await asyncio.sleep(0.5)
        return f"docker restart {fs.container}: ok"
    raise FsnbError(f"unknown reload {r.kind}")


# -- verification ---------------------------------------------------------------------------------------------------

def _statuses(run) -> dict:
    return {r.id: r.status.value for r in run.results}


def _causes(run) -> list[str]:
    return [f.cause for f in run.findings]


def _redactor(target):
    from fsnb.redact import Redactor
    try:
        return Redactor(target.secret_values())
    except AttributeError:      # no target (tests of the file steps): nothing to mask
        return Redactor()


async def apply_async(target, p: FixPlan, before_run, confirmation, journal=None, lang: str = "de") -> Outcome:
    from fsnb.runner import run_async
    if confirmation.command != p.command():
        raise FsnbError("the confirmation is for another fix; nothing was changed")
    if not p.applicable:
        raise FixRefused(T("fsnb wendet diese Behebung nicht selbst an: ", "fsnb does not apply this fix itself: ")
                         + p.why_not)
    for e in p.edits:        # every file first: refuse before anything is written
        _check_unchanged(e)
    if journal:
        journal.write(ConfirmationRecord(confirmation.who, confirmation.when, confirmation.command, confirmation.how))
    applied: list[Applied] = []
    try:
        for e in p.edits:
            applied.append(_apply_edit(e))
    except BaseException as exc:
        for a in reversed(applied):
            try:
                _restore(a)
            except (FixRefused, OSError):
                pass         # the original stays in its backup; the exception below is what the operator sees
        if isinstance(exc, Exception) and not isinstance(exc, FsnbError):
            # a directory gone, a disk full, the engine refusing: said with the file, not a traceback
            paths = ", ".join(a.edit.path for a in applied)
            raise FixRefused(T(f"das Schreiben von {p.edits[len(applied)].path} ist fehlgeschlagen "
                               f"({type(exc).__name__}: {exc})" + (f"; wiederhergestellt: {paths}" if applied else ""),
                               f"writing {p.edits[len(applied)].path} failed ({type(exc).__name__}: {exc})"
                               + (f"; restored: {paths}" if applied else ""))) from None
        raise
    outputs = []
    reload_error = ""
    for r in p.reloads:
        try:
            outputs.append(await _reload(target, r))
        except Exception as exc:    # noqa: BLE001 - the files are written: any failure is a failed reload, rolled back
            reload_error = f"{r.command}: {type(exc).__name__}: {exc}"
            outputs.append(f"ERROR {reload_error}")
            break
    if journal:
        journal.write(FixAppliedRecord(cause=p.cause, command=p.command(), edits=[
            FixEditItem(a.edit.path, a.edit.before_sha256, a.edit.after is None, a.edit.diff, a.backup, a.after_sha256)
            for a in applied], reloads=[r.command for r in p.reloads], outputs=outputs, confirmation=confirmation))
    # the checks the cause explains first (fast answer), then the whole runbook decides
    try:
        explained = _statuses(await run_async(target, only=p.explains)) if p.explains else {}
        after = await run_async(target)
    except Exception as exc:    # noqa: BLE001 - no verdict: the files go back, never stay changed unverified
        ident = True
        for x in reversed(applied):
            try:
                ident = _restore(x) and ident
            except (FixRefused, OSError):
                ident = False
        for r in p.reloads:
            try:
                await _reload(target, r)
            except Exception:   # noqa: BLE001, S110 - the message below says the re-run failed; the state is unknown
                pass
        red, said = _redactor(target), f"{type(exc).__name__}: {exc}"
        msg = T(red.text(f"der erneute Prüflauf nach der Behebung ist fehlgeschlagen ({said}): die Originaldateien wurden "
                         + ("byte-gleich wiederhergestellt" if ident else "wiederhergestellt, WEICHEN ABER von dem ab, "
                            "was fsnb gelesen hat — prüfen Sie sie") + " und neu geladen"),
                red.text(f"the re-run after the fix failed ({said}): the original files were restored"
                         + (" byte-identical" if ident else " BUT DIFFER from what fsnb read — check them")
                         + " and reloaded"))
        if journal:
            journal.write(FixVerificationRecord(cause=p.cause, verdict="rolled-back" if ident else "failed",
                                                rollback=[x.edit.path for x in applied], restored_identical=ident,
                                                message=msg.en))
        raise FixRefused(msg) from None
    b, a_ = _statuses(before_run), _statuses(after)
    new_failures = sorted(k for k, v in a_.items() if v in FAILED and b.get(k) not in FAILED)
    # a finding the run before did not have is worse too (e.g. the cause's checks now fail unexplained)
    new_failures += sorted(f"finding {c}" for c in set(_causes(after)) - set(_causes(before_run)))
    cause_gone = p.cause not in _causes(after)
    out = Outcome("verified", "", applied, outputs, cause_gone, new_failures, b, a_, _causes(after), after.exit_code,
                  explained_after=explained)
    if cause_gone and not new_failures and not reload_error:
        rest = f" (exit {after.exit_code}: {', '.join(out.findings_after)})" if out.findings_after else ""
        out.message = T(f"nachgeprüft: {p.cause} ist weg und keine Prüfung schlägt neu fehl{rest}",
                        f"verified: {p.cause} is gone and no check newly failed{rest}")(lang)
    else:
        why = (T(reload_error, reload_error) if reload_error else
               T(f"{p.cause} ist noch da", f"{p.cause} is still there") if not cause_gone else
               T(f"neu fehlgeschlagen: {', '.join(new_failures)}", f"newly failed: {', '.join(new_failures)}"))
        ident = True
        for x in reversed(applied):
            try:
                ident = _restore(x) and ident
            except (FixRefused, OSError) as exc:      # the others are still restored; the operator is told
                ident = False
                out.outputs.append(f"rollback: ERROR {x.edit.path}: {exc} (the original is in {x.backup})")
        out.rollback = [x.edit.path for x in applied]
        out.restored_identical = ident
        for r in p.reloads:
            try:
                out.outputs.append("rollback: " + await _reload(target, r))
            except Exception as exc:    # noqa: BLE001 - said, and the re-run below shows the state
                out.outputs.append(f"rollback: ERROR {r.command}: {exc}")
        again = await run_async(target)
        out.after_rollback = _statuses(again)
        out.verdict = "rolled-back" if ident else "failed"
        tail = f"exit {again.exit_code}" + (f" ({', '.join(_causes(again))})" if again.findings else "")
        out.message = (T(f"nicht bestätigt ({why.de}): die Originaldateien wurden "
                         + ("byte-gleich wiederhergestellt" if ident else "wiederhergestellt, WEICHEN ABER von dem ab, "
                            "was fsnb gelesen hat — prüfen Sie sie")
                         + f" und neu geladen; die Prüfung nach dem Zurückrollen: {tail}",
                         f"not verified ({why.en}): the original files were restored "
                         + ("byte-identical" if ident else "BUT DIFFER from what fsnb read — check them")
                         + f" and reloaded; the re-run after the rollback: {tail}"))(lang)
    # what the terminal and the notebook show of it: the journal redacts what it writes, these did not — a reload's
    # answer (a peer's words) or an error text can carry a secret
    red = _redactor(target)
    out.outputs[:] = [red.text(x) for x in out.outputs]
    out.message = red.text(out.message)
    if journal:
        journal.write(FixVerificationRecord(cause=p.cause, verdict=out.verdict, cause_gone=cause_gone,
                                            new_failures=new_failures, before=b, after=a_,
                                            findings_after=out.findings_after, exit_after=after.exit_code,
                                            rollback=out.rollback, restored_identical=out.restored_identical,
                                            after_rollback=out.after_rollback, message=out.message,
                                            explained_after=explained))
    return out


def apply(target, p: FixPlan, before_run, confirmation, journal=None, lang: str = "de") -> Outcome:
    from fsnb.runner import run_sync
    return run_sync(apply_async(target, p, before_run, confirmation, journal, lang))
