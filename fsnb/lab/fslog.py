"""freeswitch.log in FreeSWITCH's line format, fanned out to ESL `log N` subscribers."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

LEVELS = {"CONSOLE": 0, "ALERT": 1, "CRIT": 2, "ERR": 3, "WARNING": 4, "NOTICE": 5, "INFO": 6, "DEBUG": 7}


@dataclass
class LogLine:
    level: str
    file: str
    line: int
    func: str
    message: str
    text: str  # formatted line incl. trailing newline


class FsLog:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(path, "a", encoding="utf-8", buffering=1)
        self.subscribers: list[Callable[[LogLine], None]] = []
        self.cpu = 0.0

    def log(self, level: str, where: str, func: str, message: str) -> LogLine:
        """`where` is `file.c:line` as FreeSWITCH prints it."""
        file, _, line = where.partition(":")
        ts = _dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")
        text = f"{ts} {self.cpu:.2f}% [{level}] {where} {message}\n"
        entry = LogLine(level, file, int(line or 0), func, message, text)
        self._fh.write(text)
        for sub in list(self.subscribers):
            sub(entry)
        return entry

    def raw(self, text: str) -> None:
        """sofia-sip's own logger (tport lines): no timestamp, file only."""
        self._fh.write(text if text.endswith("\n") else text + "\n")

    def close(self) -> None:
        self._fh.close()
