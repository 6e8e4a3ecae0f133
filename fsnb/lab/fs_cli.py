"""`fs_cli` as FreeSWITCH 1.11 ships it (libs/esl/fs_cli.c), for the lab: same options, output and exit codes.

Faithful on purpose in its flaws: every failure prints `Error Connecting []` and exits 255, and
without -T it waits forever for a greeting that a non-ESL server never sends (fixtures 205-209).
"""
from __future__ import annotations

import argparse
import socket
import sys
import time

from fsnb.lab import outputs
from fsnb.probe.esl import FrameParser
from fsnb.probe.esl import recv_frame as _frame


def run(host: str, port: int, password: str, command: str, connect_timeout: float | None) -> int:
    try:
        sock = socket.create_connection((host, port), timeout=connect_timeout)
        sock.settimeout(connect_timeout)  # None: block forever, as fs_cli does without -T
        parser, pending = FrameParser(), []
        greeting = _frame(sock, parser, pending)
        if greeting.content_type != "auth/request":
            raise ConnectionError("no auth/request")
        sock.sendall(f"auth {password}\n\n".encode())
        reply = _frame(sock, parser, pending)
        if not reply.reply_text.startswith("+OK"):
            raise ConnectionError("auth")
    except (OSError, ConnectionError, ValueError):
        sys.stderr.write(outputs.FS_CLI_ERROR)
        return 255
    sock.settimeout(None)
    sock.sendall(f"api {command}\n\n".encode())
    answer = _frame(sock, parser, pending)
    sys.stdout.write(answer.text + "\n")
    sys.stdout.flush()
    try:
        sock.sendall(b"exit\n\n")
        sock.close()
    except OSError:
        pass
    return 0


def _defaults() -> dict[str, str]:
    """fs_cli reads [default] host/port/password from /etc/fs_cli.conf, then ~/.fs_cli_conf."""
    import configparser
    import os
    cfg = configparser.ConfigParser()
    cfg.read(["/etc/fs_cli.conf", os.path.expanduser("~/.fs_cli_conf")])
    return dict(cfg["default"]) if cfg.has_section("default") else {}


def main(argv: list[str] | None = None) -> int:
    d = _defaults()
    ap = argparse.ArgumentParser(prog="fs_cli", add_help=False)
    ap.add_argument("-H", "--host", default=d.get("host", "127.0.0.1"))
    ap.add_argument("-P", "--port", type=int, default=int(d.get("port", 8021)))
    ap.add_argument("-p", "--password", default=d.get("password", "ClueCon"))
    ap.add_argument("-x", "--execute")
    ap.add_argument("-T", "--connect-timeout", type=int)
    ap.add_argument("-t", "--timeout", type=int)
    ap.add_argument("-r", "--retry", action="store_true")
    args = ap.parse_args(argv)
    if not args.execute:
        sys.stderr.write("fsnb lab fs_cli supports -x only\n")
        return 1
    timeout = args.connect_timeout / 1000 if args.connect_timeout else None
    while True:
        rc = run(args.host, args.port, args.password, args.execute, timeout)
        if rc == 0 or not args.retry:
            return rc
        sys.stderr.write(outputs.FS_CLI_RETRY)
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())
