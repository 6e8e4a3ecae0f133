"""Read the recorded FreeSWITCH transcripts in ../shared/fixtures/freeswitch (never copied into the repo)."""
from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(os.environ.get("FSNB_FIXTURES", Path(__file__).resolve().parents[2] / "shared/fixtures")) / "freeswitch"


def path(name_prefix: str) -> Path:
    hits = sorted(ROOT.glob(f"{name_prefix}-*.txt"))
    if len(hits) != 1:
        raise FileNotFoundError(f"transcript {name_prefix!r}: {len(hits)} matches in {ROOT}")
    return hits[0]


def body(name_prefix: str) -> bytes:
    """The transcript's body: everything after its `# ` header lines."""
    data = path(name_prefix).read_bytes()
    lines = data.split(b"\n")
    i = 0
    while i < len(lines) and lines[i].startswith(b"# "):
        i += 1
    return b"\n".join(lines[i:])


def cli(name_prefix: str) -> tuple[str, str, str]:
    """(stdout, stderr, exit code) of a CLI transcript."""
    text = body(name_prefix).decode()
    m = re.match(r"----- stdout -----\n(.*)----- stderr -----\n(.*)----- exit code: (\S+) -----", text, re.S)
    assert m, f"{name_prefix}: not a CLI transcript"
    return m.group(1), m.group(2), m.group(3)


def sections(name_prefix: str) -> dict[str, str]:
    """`===== title =====` sections of a scenario transcript."""
    text = body(name_prefix).decode()
    parts = re.split(r"^===== (.*?) =====\n", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def exchanges(name_prefix: str) -> list[tuple[str, str, bytes]]:
    """WebSocket/SIP transcripts: [(direction '>'/'<', marker text, exact bytes)]."""
    text = body(name_prefix).decode()
    out = []
    for m in re.finditer(r"^(>>>>>|<<<<<) (.*?) (?:>>>>>|<<<<<)\n(.*?)(?=^(?:>>>>>|<<<<<|=====) |\Z)", text, re.S | re.M):
        out.append((m.group(1)[0], m.group(2), m.group(3).encode()))
    return out
