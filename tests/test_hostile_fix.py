"""Security probe round on the code issue #19's probes never saw: `fsnb fix`, nginx -T, the training records.

Each test fails on the code before its fix (the probe is named in its docstring)."""
from __future__ import annotations

import os
import subprocess

import pytest

from fsnb.errors import FsnbError
from fsnb.read import nginxeff

pytestmark = pytest.mark.unit


@pytest.fixture
def fake_master(tmp_path):
    """A process that only *calls itself* an nginx master, naming an attacker's program as its binary."""
    marker = tmp_path / "PWNED"
    evil = tmp_path / "evil.sh"
    site = tmp_path / "site.conf"
    site.write_text("server { listen 1; }\n")
    evil.write_text(f"#!/bin/sh\ntouch {marker}\necho '# configuration file {site}:'\necho 'server {{ listen 1; }}'\n")
    evil.chmod(0o755)
    title = f"nginx: master process {evil} -c {tmp_path}/nginx.conf"
    proc = subprocess.Popen(["bash", "-c", f'exec -a "{title}" sleep 30'])
    try:
        for _ in range(200):        # until exec has happened (the name is visible in /proc)
            try:
                if open(f"/proc/{proc.pid}/cmdline", "rb").read().startswith(b"nginx: master"):
                    break
            except OSError:
                pass
            subprocess.run(["true"])
        yield site, marker, evil
    finally:
        proc.kill()
        proc.wait()


def test_a_process_named_nginx_master_is_not_run(fake_master):
    """Probe: `exec -a 'nginx: master process /tmp/evil.sh -c …' sleep` — every `fsnb run` ran /tmp/evil.sh (as
    root) for `nginx -T`, and took its output as nginx's config. The binary is now the one the kernel ran."""
    site, marker, evil = fake_master
    assert all(b != str(evil) for b, _, _ in nginxeff.masters())
    assert nginxeff.effective(str(site)) is None
    assert not marker.exists()


def test_fix_reload_never_runs_a_named_binary(fake_master):
    """Probe: the same process made `fsnb fix`'s reload run `/tmp/evil.sh -c … -t` and `-s reload`."""
    from fsnb.fix import apply
    site, marker, evil = fake_master
    with pytest.raises(FsnbError, match="0 nginx master"):
        apply.nginx_argv(str(site))
    assert not marker.exists()


def _esl_plan(tmp_path, monkeypatch, conf: str):
    """The plan of esl-address-mismatch for an event_socket.conf.xml with `conf` as its text."""
    from types import SimpleNamespace

    from fsnb.fix import plan as fixplan
    from fsnb.target import Secret, Target
    monkeypatch.setenv("FSNB_HOSTILE_ESL_PW", PW)
    t = Target()
    t.freeswitch.access, t.freeswitch.conf_dir, t.freeswitch.host = "local", str(tmp_path), "127.0.0.1"
    t.freeswitch.esl_password = Secret("env:FSNB_HOSTILE_ESL_PW")
    (tmp_path / "autoload_configs").mkdir()
    (tmp_path / "autoload_configs/event_socket.conf.xml").write_bytes(conf.encode("utf-8", "surrogateescape"))
    f = SimpleNamespace(cause="esl-address-mismatch", explains=[])
    return fixplan.compute(f, SimpleNamespace(results=[], findings=[f]), t)


PW = "Hostile-ESL-pw-77"
ESL_CONF = ('<configuration name="event_socket.conf">\n  <settings>\n'
            f'    <!-- old: <param value="{PW}" name="password"/> -->\n'
            f"    <param name='password' value='{PW}'/>\n"
            f'    <param name="listen-ip" value="127.0.0.2"/> <!-- {PW} -->\n'
            '  </settings>\n</configuration>\n')


def test_the_esl_password_never_reaches_a_fix_diff_in_any_spelling(tmp_path, monkeypatch):
    """Probe: event_socket.conf.xml with the password in single quotes, value before name, or in a comment on the
    edited line: `fsnb fix` printed it three times (the diff hid only `name="password" value="…"`); the notebook's
    fix view and the report show the same diff."""
    p = _esl_plan(tmp_path, monkeypatch, ESL_CONF)
    assert p.edits and '+    <param name="listen-ip" value="127.0.0.1"/>' in p.edits[0].diff
    shown = p.text("en") + p.text("de") + "".join(e.diff + e.why.de + e.why.en for e in p.edits)
    assert PW not in shown
    assert PW in p.edits[0].after       # the file keeps its password, of course


def _laughs(n: int = 5) -> str:
    lines = ['a0: &a0 {hostname: freeswitch.example.com, service: "http://localhost:1"}']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, n + 1)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("rule", ["path: *a5", "originRequest: *a5"])
def test_a_yaml_alias_bomb_in_config_yml_is_refused(rule):
    """Probe: `path: *a24` (10²⁴ values by aliases) in config.yml: `str(path)` for the regex never ended (killed
    after 120 s, memory growing) — in the tunnel check's thread and in `fsnb fix`'s plan alike. Here 10⁵ values:
    refused all the same, and the old code returns (a failure, not a hang)."""
    from fsnb.errors import ConfigError
    from fsnb.read import tunnel
    text = _laughs() + (f"ingress:\n  - hostname: freeswitch.example.com\n    {rule}\n"
                        "    service: http://localhost:1\n  - service: http_status:404\n")
    with pytest.raises(ConfigError, match="alias"):
        tunnel.parse(text, "freeswitch.example.com")


def test_a_path_that_is_not_a_string_is_a_problem_not_a_regex():
    from fsnb.read import tunnel
    ing = tunnel.parse("ingress:\n  - hostname: h.example.com\n    path: [1, 2]\n    service: http://localhost:1\n"
                       "  - service: http_status:404\n", "h.example.com")
    assert ing.invalid and "path" in ing.invalid


def test_a_large_honest_config_is_not_taken_for_a_bomb():
    from fsnb.read import tunnel
    rules = "".join(f"  - hostname: h{i}.example.com\n    service: http://localhost:{1000 + i % 999}\n"
                    for i in range(15000))
    ing = tunnel.parse("ingress:\n" + rules + "  - service: http_status:404\n", "h3.example.com")
    assert ing.rule == 4 and not ing.problems


def test_a_file_that_grows_past_the_cap_while_read_is_refused_not_cut(tmp_path, monkeypatch):
    """Probe: a config of 10 bytes at fstat that is 5 MiB when read (appended meanwhile; /proc files say 0 bytes):
    read_for_edit took its first 4 MiB as the whole file, and `fsnb fix` would have written that cut text back
    with its edit (the sha256 re-check before the rename reads the same cut prefix)."""
    from fsnb.fix import plan as fixplan
    from fsnb.fix.edits import FixRefused
    from fsnb.read import files
    f = tmp_path / "internal.xml"
    f.write_bytes(b"<settings>\n" + b"<!-- x -->\n" * (files.MAX_FILE // 10 + 1) + b"</settings>\n")
    real = os.fstat

    def small(fd):
        st = real(fd)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 10,
                               st.st_atime, st.st_mtime, st.st_ctime))
    monkeypatch.setattr(os, "fstat", small)
    with pytest.raises(FixRefused, match="more than"):
        fixplan.edit(str(f), "<settings/>\n")


def test_invalid_utf8_in_an_edited_file_is_shown_escaped_and_kept_as_bytes(tmp_path, monkeypatch):
    """Probe: event_socket.conf.xml with `\\xff\\xfe`, a NUL and CR on the edited line: `fsnb fix` ended with
    UnicodeEncodeError (surrogates not allowed) in the plan's confirmation digest; the diff's lone surrogates could
    not be printed, journaled or put into HTML either."""
    from fsnb.fix import apply as fixapply
    from fsnb.journal import Journal
    conf = ESL_CONF.encode().replace(b'value="127.0.0.2"/>', b'value="127.0.0.2"/> <!-- \xff\xfe \x00 -->\r')
    p = _esl_plan(tmp_path, monkeypatch, conf.decode("utf-8", "surrogateescape"))
    assert p.command().startswith("fsnb fix esl-address-mismatch [")
    diff = p.edits[0].diff
    assert "\\xff\\xfe" in diff and diff.encode("utf-8")         # printable, encodable text
    Journal(tmp_path / "j.jsonl").write(fixapply.plan_record(p))
    assert b"\xff\xfe \x00 -->\r" in p.edits[0].after.encode("utf-8", "surrogateescape")   # the file's own bytes


def test_a_note_of_megabytes_is_refused_with_exit_2(tmp_path, capsys):
    """Probe: `fsnb note` (or the notebook's note box) with 2 MB of text: recorded whole, and carried by every
    report after it; at 16 MiB the journal line could no longer be read."""
    from types import SimpleNamespace

    from fsnb.present.report import cli_note
    j = tmp_path / "j.jsonl"
    j.write_text("")
    args = SimpleNamespace(journal=str(j), text=["x" * 2_000_000], manual_fix=False)
    assert cli_note(args) == 2
    assert "at most" in capsys.readouterr().err and j.read_text() == ""
    args.text = ["fine \x1b]0;t\x07 <b>"]
    assert cli_note(args) == 0 and "\\u001b" in j.read_text()


def test_a_program_named_freeswitch_of_another_user_gives_no_directories(tmp_path, monkeypatch):
    """Probe: any user copies a binary to ~/freeswitch and runs it as `freeswitch … -conf ~/conf -certs ~/certs`:
    its command line outranked the target file's conf_dir/certs_dir, so fsnb read (and `fsnb fix` edited) the
    attacker's files. Only a binary installed by root or the user running fsnb counts."""
    import shutil

    from fsnb.read import fsprocess
    if os.getuid() != 0:
        pytest.skip("needs root to give the copy another owner")
    d = tmp_path / "home"
    d.mkdir()
    d.chmod(0o755)
    fake = d / "freeswitch"
    shutil.copy("/usr/bin/tail", fake)        # tail -f: stays up whatever operands follow
    os.chown(fake, 65534, 65534)
    proc = subprocess.Popen([str(fake), "-f", "/dev/null", "--", "-conf", str(d / "conf"), "-certs", str(d / "certs")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                if open(f"/proc/{proc.pid}/comm").read().strip() == "freeswitch":
                    break
            except OSError:
                pass
            subprocess.run(["true"])
        real = os.listdir      # only this process in /proc (another session's FreeSWITCH may run on this host)
        monkeypatch.setattr(os, "listdir", lambda p: [str(proc.pid)] if p == "/proc" else real(p))
        assert fsprocess.local() is None
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("judge", ["cannot-run", "none"])
def test_a_tunnel_fix_that_cannot_be_judged_is_a_plan_saying_why(tmp_path, monkeypatch, judge):
    """Probe: `fsnb fix` on tunnel-config-invalid with a cloudflared that cannot run (OSError: exec format error;
    a hang is subprocess.TimeoutExpired alike) or, without cloudflared, a config fsnb refuses (ConfigError): the
    exception left plan.compute — a traceback in the CLI, the notebook's fix view blank."""
    from types import SimpleNamespace

    from fsnb.fix import plan as fixplan
    from fsnb.read import cloudflared
    from fsnb.target import Target
    t = Target()
    t.tunnel.config, t.tunnel.hostname = str(tmp_path / "config.yml"), "freeswitch.example.com"
    t.tunnel.public_url, t.nginx.address = "wss://freeswitch.example.com/", "127.0.0.1:8082"
    (tmp_path / "config.yml").write_text(_laughs() + "ingress:\n  - service: http_status:404\n"
                                         "  - hostname: freeswitch.example.com\n    path: *a5\n"
                                         "    service: http://localhost:1\n")
    if judge == "cannot-run":
        bad = tmp_path / "cloudflared"
        bad.write_bytes(b"\x7fELF not a program")
        bad.chmod(0o755)
        monkeypatch.setenv("FSNB_CLOUDFLARED", str(bad))
    else:
        monkeypatch.setattr(cloudflared, "find", lambda: None)
    f = SimpleNamespace(cause="tunnel-config-invalid", explains=[])
    p = fixplan.compute(f, SimpleNamespace(results=[], findings=[f]), t)
    assert not p.applicable and not p.edits and "could not compute" in p.why_not


@pytest.mark.parametrize("where,value", [
    ("HostConfig", "bridge"), ("NetworkSettings", [1]), ("State", 5), ("Mounts", {"a": 1}),
    ("HostConfig.RestartPolicy", "always"), ("NetworkSettings.Networks", ["x"]),
    ("NetworkSettings.Ports", {"80/tcp": {"HostPort": "80"}}), ("State.Status", "S" * 1_000_000)])
def test_a_docker_inspect_of_the_wrong_shape_is_ignored_not_a_crash(where, value):
    """Probe: the engine's inspect answer with an object where a list belongs (or a string where an object does):
    AttributeError/TypeError in dockerview.of, an ERROR result in the check that asked; a 1 MB Status was
    carried whole into the summary."""
    from fsnb.read import dockerview
    info = {"HostConfig": {"NetworkMode": "bridge"}, "NetworkSettings": {"Ports": {}}, "State": {}}
    *path, key = where.split(".")
    d = info
    for k in path:
        d = d[k]
    d[key] = value
    v = dockerview.of(info)
    assert v is not None and len(v.summary()) < 20_000


def test_a_reload_answer_echoing_the_password_is_redacted_in_what_fix_shows(tmp_path, monkeypatch):
    """Probe: an ESL peer answering `sofia profile internal restart` with the password in its reply: the journal
    redacted it, but `fsnb fix` printed out.outputs (and the notebook's fix view showed them) as they came."""
    from types import SimpleNamespace

    from fsnb import runner
    from fsnb.fix import apply as fixapply
    from fsnb.fix import plan as fixplan
    from fsnb.fix.actions import Confirmation
    from fsnb.target import Secret, Target
    monkeypatch.setenv("FSNB_HOSTILE_ESL_PW", PW)
    t = Target()
    t.freeswitch.esl_password = Secret("env:FSNB_HOSTILE_ESL_PW")
    f = tmp_path / "internal.xml"
    f.write_text('<settings>\n    <param name="ws-binding" value=":5066"/>\n</settings>\n')
    e = fixplan.edit(str(f), f.read_text().replace(":5066", ":5067"))
    p = fixplan.FixPlan("wss-binding-not-applied", "config-edit", "", "", [e],
                        [fixplan.Reload("esl", "sofia profile internal restart")], applicable=True)

    async def reload(target, r):
        return f"{r.command} → +OK echo of {PW}"

    async def run_async(target, only=None):
        return SimpleNamespace(results=[], findings=[], exit_code=0)
    monkeypatch.setattr(fixapply, "_reload", reload)
    monkeypatch.setattr(runner, "run_async", run_async)
    before = SimpleNamespace(results=[], findings=[SimpleNamespace(cause="wss-binding-not-applied")])
    out = fixapply.apply(t, p, before, Confirmation.make(p.command(), "test"))
    assert out.ok and out.outputs and not any(PW in x for x in out.outputs) and PW not in out.message


@pytest.mark.parametrize("listen", ["127.0.0.1:²³", "[::1]:" + "9" * 5000, "١٢٣", "unix:/run/x.sock"])
def test_odd_listen_lines_are_no_port_not_a_crash(listen):
    """Probe: a listen of `:²³` (str.isdigit() is True, int() refuses it) or of 5,000 digits: ValueError in
    nginxeff.on_port (the default_server check and the fix's plan)."""
    servers = [nginxeff.Server("f", 1, [listen], [], False), nginxeff.Server("g", 9, ["8082"], [], False)]
    assert [s.file for s in nginxeff.on_port(servers, 8082)] == ["g"]


def test_an_nginx_dump_over_the_cap_is_refused_not_cut(tmp_path):
    """Probe: an include of a 1 GB file of comments (valid config): `nginx -T` prints it whole; fsnb held all of it
    (subprocess.run) and then parsed the first 4 MiB as if they were nginx's whole configuration."""
    big = tmp_path / "nginx"
    big.write_text(f"#!/bin/sh\necho '# configuration file /etc/nginx/nginx.conf:'\n"
                   f"head -c {nginxeff.MAX_DUMP + 1024} /dev/zero | tr '\\\\0' '#'\n")
    big.chmod(0o755)
    assert nginxeff.dump(str(big), "", "", timeout=60) is None
    ok = tmp_path / "nginx-ok"
    ok.write_text("#!/bin/sh\necho '# configuration file /etc/nginx/nginx.conf:'\necho 'events {}'\n")
    ok.chmod(0o755)
    assert nginxeff.sections(nginxeff.dump(str(ok), "", "", timeout=60)) == [("/etc/nginx/nginx.conf", "events {}")]


def test_a_directory_swapped_for_a_link_mid_apply_gets_nothing_written(tmp_path, monkeypatch):
    """Probe (TOCTOU): whoever may write the config's parent directory (FreeSWITCH's own user owns /etc/freeswitch
    in packages) renames the config's directory and puts a symlink to a directory of theirs in its place after fsnb
    checked the file: by path, the backup (the original's bytes, created as root) and the new file went into the
    attacker's directory. Every step now works in the directory fsnb opened once."""
    from types import SimpleNamespace

    from fsnb import runner
    from fsnb.fix import apply as fixapply
    from fsnb.fix import plan as fixplan
    from fsnb.fix.actions import Confirmation
    conf, evil = tmp_path / "sip_profiles", tmp_path / "evil"
    conf.mkdir()
    evil.mkdir()
    text = '<settings>\n    <param name="ws-binding" value=":5066"/>\n</settings>\n'
    (conf / "internal.xml").write_text(text)
    (evil / "internal.xml").write_text(text)        # the same bytes: every sha256 check by path passes
    e = fixplan.edit(str(conf / "internal.xml"), text.replace(":5066", ":5067"))
    p = fixplan.FixPlan("wss-binding-not-applied", "config-edit", "", "", [e], applicable=True)
    stamp = fixapply._stamp

    def swap():                 # right after fsnb read and checked the file, before the backup is written
        conf.rename(tmp_path / "moved")
        conf.symlink_to(evil)
        return stamp()

    async def run_async(target, only=None):
        return SimpleNamespace(results=[], findings=[], exit_code=0)
    monkeypatch.setattr(fixapply, "_stamp", swap)
    monkeypatch.setattr(runner, "run_async", run_async)
    before = SimpleNamespace(results=[], findings=[SimpleNamespace(cause="wss-binding-not-applied")])
    fixapply.apply(None, p, before, Confirmation.make(p.command(), "test"))
    assert sorted(x.name for x in evil.iterdir()) == ["internal.xml"]
    assert (evil / "internal.xml").read_text() == text
    moved = tmp_path / "moved"
    assert ":5067" in (moved / "internal.xml").read_text()
    assert any(x.name.startswith("internal.xml.fsnb-backup-") for x in moved.iterdir())


def test_duplicate_params_are_dropped_in_one_pass_and_never_the_new_one():
    """Probe: 90,000 duplicate `<param name="listen-ip">` lines (a 4 MiB event_socket.conf.xml) kept `fsnb fix`
    busy 12 s computing its plan (the text was cut once per duplicate). Written in one pass now; and a duplicate on
    the same line as the last one took the whole line — the new param with it — out of the file."""
    from fsnb.fix.edits import set_param
    one_line = '<settings>\n<param name="listen-ip" value="1"/><param name="listen-ip" value="2"/>\n</settings>\n'
    assert set_param(one_line, "listen-ip", "127.0.0.1") == \
        '<settings>\n<param name="listen-ip" value="127.0.0.1"/>\n</settings>\n'
    many = "<settings>\n" + '  <param name="listen-ip" value="1.2.3.4"/>\n' * 90_000 + "</settings>\n"
    assert set_param(many, "listen-ip", "127.0.0.1") == \
        '<settings>\n  <param name="listen-ip" value="127.0.0.1"/>\n</settings>\n'


def test_unterminated_comments_are_found_in_linear_time_and_as_the_regex_did():
    """Probe: internal.xml with 40,000 unterminated `<!--` (160 KB) kept set_param and the bare-& escape busy 60 s
    each (the lazy comment regex retried to the end of the text from each one; 4 MiB: hours). The scanner finds
    what the regex found (compared on random texts), and 1,000,000 of them do not stall it."""
    import random
    import re

    from fsnb.fix import edits
    rx = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>", re.S)
    alphabet = ["<!--", "-->", "<![CDATA[", "]]>", "a", "-", "<", "!", ">", "]", "&", "\n", "<!-->"]
    rnd = random.Random(19)
    for _ in range(3000):
        t = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 25)))
        assert edits._verbatim(t) == [(m.start(), m.end()) for m in rx.finditer(t)], t
    text = "<settings>\n" + "<!--" * 1_000_000 + '\n<param name="listen-ip" value="1"/>\n</settings>\n'
    calls = []
    real_find = str.find

    class Counting(str):
        def find(self, *a):
            calls.append(1)
            return real_find(self, *a)
    assert edits._verbatim(Counting(text)) == []
    assert len(calls) < 10              # a handful of scans, not one per `<!--`
    assert '<param name="listen-ip" value="2"/>' in edits.set_param(text, "listen-ip", "2")


def test_a_rebuilt_wss_pem_never_validates_an_oversized_key(tmp_path, monkeypatch):
    """Probe: wss.pem (or a .key beside it) holding RSA-16384 keys: the certificate check refuses such a block, but
    `fsnb fix`'s rebuild of wss.pem loaded and validated each one (29 s apiece, the GIL held)."""
    import base64

    from cryptography.hazmat.primitives import serialization

    from fsnb.fix import edits
    from fsnb.lab import pki
    leaf = pki.CA().issue(["localhost"])
    huge = base64.encodebytes(os.urandom(12 * 1024)).decode()
    pem = tmp_path / "wss.pem"
    pem.write_text(leaf.cert_pem.decode() + f"-----BEGIN PRIVATE KEY-----\n{huge}-----END PRIVATE KEY-----\n")
    (tmp_path / "more.key").write_text(f"-----BEGIN RSA PRIVATE KEY-----\n{huge}-----END RSA PRIVATE KEY-----\n" * 20)
    loaded = []
    real = serialization.load_pem_private_key
    monkeypatch.setattr(serialization, "load_pem_private_key", lambda data, *a, **k: loaded.append(len(data)) or real(data, *a, **k))
    new, why = edits.rebuild_pem(str(pem), str(tmp_path))
    assert new is None and "no readable" in why and loaded == []


def test_the_training_command_box_sends_one_command_per_line():
    """Probe: the training notebook's command box sent `api <line>` as typed: `status\\n\\nauth …`/`exit` after a
    line break became a second ESL command (every other ESL line goes through esl.safe_line)."""
    from fsnb.errors import FsnbError
    from fsnb.lab import manager
    with pytest.raises(FsnbError, match="line break"):
        manager.esl_api(1, "pw-unused", "status\n\napi sofia profile internal stop")


def test_standin_in_a_target_file_is_no_licence_to_write_outside_the_labs(tmp_path, monkeypatch):
    """Probe: a target file with `[tunnel] standin = true` and its config.yml in a directory of the attacker's
    (with a state.json): `fsnb fix` planned the lab's stand-in reload — rewriting <dir>/nginx/edge/… (through any
    symlink there) and state.json as root, then reloading an nginx by <dir>/nginx/nginx.conf."""
    from types import SimpleNamespace

    from fsnb.fix import plan as fixplan
    from fsnb.read import cloudflared
    from fsnb.target import Target
    d = tmp_path / "attacker"
    (d / "cloudflared").mkdir(parents=True)
    (d / "state.json").write_text('{"ports": {}}')
    (d / "cloudflared/config.yml").write_text("ingress:\n  - hostname: freeswitch.example.com\n"
                                              "    service: http://localhost:9\n  - service: http_status:404\n")
    monkeypatch.setenv("FSNB_LAB_DIR", str(tmp_path / "labs"))
    monkeypatch.setattr(cloudflared, "find", lambda: None)
    t = Target()
    t.tunnel.config, t.tunnel.hostname = str(d / "cloudflared/config.yml"), "freeswitch.example.com"
    t.tunnel.public_url, t.nginx.address, t.tunnel.standin = "wss://freeswitch.example.com/", "127.0.0.1:8082", True
    f = SimpleNamespace(cause="tunnel-origin-unreachable", explains=[])
    p = fixplan.compute(f, SimpleNamespace(results=[], findings=[f]), t)
    assert p.edits and not any(r.kind == "cloudflared-standin" for r in p.reloads)
    assert not p.applicable and "restart it yourself" in p.why_not


def test_a_fake_configuration_file_marker_in_an_include_is_not_believed(tmp_path, monkeypatch):
    """Probe: an included file holding the line `# configuration file <the site file>:` followed by a server block
    with default_server: `nginx -T` prints it verbatim, and fsnb attributed that block to the site file (the
    default_server check, and the fix planned on that file)."""
    import shutil
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        pytest.skip("no nginx")
    site, evil, conf = tmp_path / "site.conf", tmp_path / "evil.conf", tmp_path / "nginx.conf"
    site.write_text("server {\n    listen 127.0.0.1:18082;\n}\n")
    evil.write_text(f"# configuration file {site}:\nserver {{\n    listen 127.0.0.1:18082 default_server;\n}}\n")
    conf.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
                    f"http {{\n    access_log off;\n    include {site};\n    include {evil};\n}}\n")
    monkeypatch.setattr(nginxeff, "masters", lambda: [(nginx, str(tmp_path), str(conf))])
    nginxeff.forget()
    got = nginxeff.effective(str(site), timeout=20)
    assert got is None or not any(s.default and s.file == str(site) for s in got.servers)
    evil.write_text("server {\n    listen 127.0.0.1:18083;\n}\n")       # an honest include: believed
    nginxeff.forget()
    got = nginxeff.effective(str(site), timeout=20)
    assert got is not None and [s.file for s in got.servers] == [str(site), str(evil)]


def test_a_hard_linked_config_is_not_edited(tmp_path):
    """Probe: internal.xml as a hard link to another file: the plan's diff showed the other file's lines, and the
    rename cut the name off (the other name kept the old text while fsnb said "verified")."""
    from fsnb.fix import plan as fixplan
    from fsnb.fix.edits import FixRefused
    other = tmp_path / "other.xml"
    other.write_text('<settings>\n    <param name="ws-binding" value=":5066"/>\n</settings>\n')
    os.link(other, tmp_path / "internal.xml")
    with pytest.raises(FixRefused, match="hard links"):
        fixplan.edit(str(tmp_path / "internal.xml"), "<settings/>\n")


def test_a_please_wait_of_5000_digits_rolls_the_fix_back(tmp_path, monkeypatch):
    """Probe: an ESL peer answering the reload with `Please wait <5,000 digits> seconds`: int() raised ValueError
    out of apply after the file was written — no verification, no rollback, a traceback. Now the answer is no
    restart guard (at most 4 digits, as the --fix action reads it), and any reload failure rolls the files back."""
    from types import SimpleNamespace

    from fsnb import runner
    from fsnb.fix import apply as fixapply
    from fsnb.fix import plan as fixplan
    from fsnb.fix.actions import Confirmation
    from fsnb.probe import eslclient
    from fsnb.target import Target

    class Peer:
        def __init__(self, *a):
            pass

        async def api(self, command, timeout):
            return "Please wait " + "9" * 5000 + " seconds"

        def close(self):
            pass
    monkeypatch.setattr(eslclient, "GuardedESL", Peer)
    monkeypatch.setenv("FSNB_ESL_PASSWORD", PW)
    f = tmp_path / "internal.xml"
    original = '<settings>\n    <param name="ws-binding" value=":5066"/>\n</settings>\n'
    f.write_text(original)
    e = fixplan.edit(str(f), original.replace(":5066", ":5067"))
    p = fixplan.FixPlan("wss-binding-not-applied", "config-edit", "", "", [e],
                        [fixplan.Reload("esl", "reload mod_sofia")], applicable=True)

    async def run_async(target, only=None):
        return SimpleNamespace(results=[], findings=[SimpleNamespace(cause="wss-binding-not-applied")], exit_code=1)
    monkeypatch.setattr(runner, "run_async", run_async)
    out = fixapply.apply(Target(), p, SimpleNamespace(results=[], findings=[]), Confirmation.make(p.command(), "t"))
    assert out.verdict == "rolled-back" and f.read_text() == original


def test_a_change_too_large_to_review_is_not_offered(tmp_path):
    """Probe: a 4 MiB event_socket.conf.xml on one line: the plan's diff was 8 MB — on the terminal, in the
    journal (two such files pass its 16 MiB line cap, and the report loses the plan), for a `yes` nobody could
    have read it for."""
    from fsnb.fix import plan as fixplan
    from fsnb.fix.edits import FixRefused, set_param
    f = tmp_path / "event_socket.conf.xml"
    text = '<settings><param name="listen-ip" value="1.2.3.4"/>' + "<!-- x -->" * 400_000 + "</settings>"
    f.write_text(text)
    with pytest.raises(FixRefused, match="reviewed"):
        fixplan.edit(str(f), set_param(text, "listen-ip", "127.0.0.1"))
    e = fixplan.edit(str(f), None)                  # moved aside: offered, its diff shown cut
    assert e is not None and len(e.diff) < fixplan.MAX_DIFF + 200


def test_a_yes_typed_for_one_plan_does_not_apply_another(tmp_path, monkeypatch):
    """Probe: the notebook's fix view recomputes its plan whenever a run ends; a file changed after the operator
    typed 'yes' (by whoever may write it) replaced the plan under the typed word — the button stayed enabled and
    applied a diff the operator never saw. A changed plan now clears the word."""
    from types import SimpleNamespace

    from fsnb.fix import plan as fixplan
    from fsnb.present.notebook import fixview
    f = tmp_path / "internal.xml"
    f.write_text('<settings>\n    <param name="ws-binding" value=":5066"/>\n</settings>\n')
    plans = [fixplan.FixPlan("wss-binding-not-applied", "config-edit", "", "",
                             [fixplan.edit(str(f), f.read_text().replace(":5066", ":5067"))], applicable=True)]
    monkeypatch.setattr(fixview, "compute_for", lambda session: plans[-1])
    session = SimpleNamespace(headless=False, lang="en", journal=None, _on_change=[],
                              snapshot=lambda: None, run_in_background=lambda *_: None)
    box = fixview.panel(session)
    typed, go = box.children[1].children
    typed.value = "yes"
    assert not go.disabled
    plans.append(fixplan.FixPlan("wss-binding-not-applied", "config-edit", "", "",
                                 [fixplan.edit(str(f), f.read_text().replace(":5066", ":6666"))], applicable=True))
    session._on_change[0]()             # a run ended: the view draws the new plan
    assert typed.value == "" and go.disabled


def test_cloudflared_output_is_bounded_while_it_is_read(tmp_path):
    """Probe: a cloudflared that writes 20 MB (its errors echo a config's values): subprocess.run held all of it
    in memory before the 64 KiB cap applied. Measured by tracemalloc's peak, not by time."""
    import tracemalloc

    from fsnb.read import cloudflared
    chatty = tmp_path / "cloudflared"
    chatty.write_text("#!/bin/sh\nhead -c 20000000 /dev/zero | tr '\\\\0' x\necho\necho 'Matched rule #1'\n")
    chatty.chmod(0o755)
    tracemalloc.start()
    try:
        rc, out = cloudflared._run(str(chatty), [], str(tmp_path), timeout=60)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rc == 0 and len(out) == cloudflared.MAX_OUTPUT
    assert peak < 4 * 1024 * 1024, peak


def test_a_write_that_fails_mid_apply_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    """Probe: the config's directory made unwritable (or removed) between the plan and the write: OSError left
    `fsnb fix` as a traceback. Now FixRefused names the file (exit 2), and nothing is left changed."""
    from fsnb.fix import apply as fixapply
    from fsnb.fix import plan as fixplan
    from fsnb.fix.actions import Confirmation
    from fsnb.fix.edits import FixRefused
    f = tmp_path / "internal.xml"
    original = '<settings>\n    <param name="ws-binding" value=":5066"/>\n</settings>\n'
    f.write_text(original)
    e = fixplan.edit(str(f), original.replace(":5066", ":5067"))
    p = fixplan.FixPlan("wss-binding-not-applied", "config-edit", "", "", [e], applicable=True)

    def full(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(fixapply, "_write_new", full)
    with pytest.raises(FixRefused, match="internal.xml failed .*No space left"):
        fixapply.apply(None, p, None, Confirmation.make(p.command(), "test"))
    assert f.read_text() == original


def test_a_container_file_header_that_is_no_json_is_a_plan_saying_why(monkeypatch):
    """Probe: the engine's archive answer with an `X-Docker-Container-Path-Stat` header that is no base64 JSON:
    ValueError out of plan.compute (a traceback in `fsnb fix`)."""
    from types import SimpleNamespace

    from fsnb.fix import container, plan as fixplan
    from fsnb.target import Target

    class Res:
        status_code, headers = 200, {"x-docker-container-path-stat": "not base64 json!"}

        def close(self):
            pass
    monkeypatch.setattr(container, "_api", lambda *a: SimpleNamespace())
    monkeypatch.setattr(container.ContainerFiles, "_archive", lambda self, path: Res())
    t = Target()
    t.freeswitch.access, t.freeswitch.container, t.freeswitch.conf_dir = "docker", "fs", "/etc/freeswitch"
    t.freeswitch.host = "127.0.0.1"
    f = SimpleNamespace(cause="esl-address-mismatch", explains=[])
    p = fixplan.compute(f, SimpleNamespace(results=[], findings=[f]), t)
    assert not p.applicable and not p.edits and "header is unreadable" in p.why_not


@pytest.mark.parametrize("fs_password", ["ab", "line&#10;break", " padded "])
def test_a_freeswitch_password_the_target_would_refuse_is_not_written_to_it(tmp_path, monkeypatch, fs_password):
    """Probe: esl-bad-password's fix copies event_socket.conf.xml's password into the target's secret file; a value
    the target refuses (2 characters, a line break via `&#10;`, white space) was written as it was — every later
    run exited 2 on that file, and a short one could never have been redacted."""
    from types import SimpleNamespace

    from fsnb.fix import plan as fixplan
    from fsnb.target import Secret, Target
    conf = tmp_path / "conf"
    (conf / "autoload_configs").mkdir(parents=True)
    (conf / "autoload_configs/event_socket.conf.xml").write_text(
        f'<configuration><settings><param name="password" value="{fs_password}"/></settings></configuration>')
    secret = tmp_path / "esl_password"
    secret.write_text("Old-password-1\n")
    secret.chmod(0o600)
    t = Target()
    t.freeswitch.access, t.freeswitch.conf_dir = "local", str(conf)
    t.freeswitch.esl_password = Secret(f"file:{secret}")
    f = SimpleNamespace(cause="esl-bad-password", explains=[])
    p = fixplan.compute(f, SimpleNamespace(results=[], findings=[f]), t)
    assert not p.edits and not p.applicable and "set it yourself" in p.why_not


def test_a_rerun_that_fails_after_the_write_rolls_the_files_back(tmp_path, monkeypatch):
    """Probe: anything that makes the verification run raise after the files were written (a secret file the fix
    left unreadable, an internal error): the exception left apply — the files stayed changed, unverified, with no
    verdict in the journal. Now they are restored and the operator told."""
    from fsnb import runner
    from fsnb.fix import apply as fixapply
    from fsnb.fix import plan as fixplan
    from fsnb.fix.actions import Confirmation
    from fsnb.fix.edits import FixRefused
    f = tmp_path / "internal.xml"
    original = '<settings>\n    <param name="ws-binding" value=":5066"/>\n</settings>\n'
    f.write_text(original)
    e = fixplan.edit(str(f), original.replace(":5066", ":5067"))
    p = fixplan.FixPlan("wss-binding-not-applied", "config-edit", "", "", [e], applicable=True)

    async def broken(target, only=None):
        raise RuntimeError("the runbook could not run")
    monkeypatch.setattr(runner, "run_async", broken)
    with pytest.raises(FixRefused, match="restored byte-identical"):
        fixapply.apply(None, p, None, Confirmation.make(p.command(), "test"))
    assert f.read_text() == original


def test_a_crafted_journal_cannot_make_the_report_read_credential_files(tmp_path, monkeypatch):
    """Probe: a journal's meta naming `file:~/.ssh/id_rsa` (or `env:HOME`) as the ESL/SIP password source: `fsnb
    report` read that file (and variable) to redact its value — a journal is anyone's to write. Now only sources
    a target file may name are read."""
    from fsnb.present import report
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".ssh").mkdir()
    key = tmp_path / ".ssh/id_rsa"
    key.write_text("KEY-MATERIAL-42\n")
    key.chmod(0o600)
    meta = {"type": "meta", "target": {"freeswitch": {"esl_password": f"file:{key}"}, "sip": {"password": "env:HOME"}}}
    assert report._secrets_from_meta(meta) == []
    ok = tmp_path / "esl_password"
    ok.write_text("Fine-password-7\n")
    ok.chmod(0o600)
    assert report._secrets_from_meta({"target": {"freeswitch": {"esl_password": f"file:{ok}"}}}) == ["Fine-password-7"]
