"""Foreign programs on FreeSWITCH's ports, for scenarios: an HTTP server, or a tarpit that accepts and never answers."""
from __future__ import annotations

import argparse
import asyncio
import sys


async def _tarpit(reader, writer):
    try:
        while await reader.read(65536):  # read and discard; never answer
            pass
    finally:
        writer.close()


async def main_async(kind: str, host: str, port: int) -> None:
    if kind == "http":
        import threading
        from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
        httpd = ThreadingHTTPServer((host, port), SimpleHTTPRequestHandler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        await asyncio.Event().wait()
    server = await asyncio.start_server(_tarpit, host, port)
    async with server:
        await server.serve_forever()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="fsnb-blocker")
    ap.add_argument("kind", choices=["http", "tarpit"])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    a = ap.parse_args(argv)
    try:
        asyncio.run(main_async(a.kind, a.host, a.port))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
