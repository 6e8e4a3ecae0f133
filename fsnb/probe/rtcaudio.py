"""The audio side of Step 5's aiortc peer: a tone to send, an ear for its echo, and the RTP marker as browsers set it."""
from __future__ import annotations

import array
import asyncio
import fractions
import math
import time

RATE, FRAME = 8000, 160          # PCMU: 8 kHz, 20 ms frames
TONE_AT = 0.2                    # seconds of silence before the tone, so the echo's onset can be timed
ECHO_RMS = 500                   # a received frame louder than this is the echoed tone (silence is ~0)


class Ear:
    """What came back: frames heard, and when the tone was first heard (seconds after it left)."""

    def __init__(self):
        self.frames, self.echo_rtt = 0, None

    async def listen(self, track, tone) -> None:
        while True:
            frame = await track.recv()
            self.frames += 1
            samples = array.array("h", bytes(frame.planes[0])[: 2 * frame.samples * len(frame.layout.channels)])
            if self.echo_rtt is None and tone.started and samples:
                rms = math.sqrt(sum(s * s for s in samples) / len(samples))
                if rms > ECHO_RMS:
                    self.echo_rtt = time.monotonic() - tone.started


def tone_track():
    from aiortc.mediastreams import MediaStreamTrack
    import av

    class Tone(MediaStreamTrack):
        """Silence for TONE_AT s, then 1 kHz; `started` is when the first loud frame left."""
        kind = "audio"

        def __init__(self):
            super().__init__()
            self.n, self.t0, self.started = 0, None, None
            loud = [int(8000 * math.sin(2 * math.pi * 1000 * i / RATE)) for i in range(FRAME)]
            self.loud, self.quiet = array.array("h", loud).tobytes(), bytes(2 * FRAME)

        async def recv(self):
            if self.t0 is None:
                self.t0 = time.monotonic()
            due = self.t0 + self.n * FRAME / RATE
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            tone = self.n * FRAME / RATE >= TONE_AT
            if tone and self.started is None:
                self.started = time.monotonic()
            frame = av.AudioFrame(format="s16", layout="mono", samples=FRAME)
            frame.planes[0].update(self.loud if tone else self.quiet)
            frame.sample_rate, frame.pts, frame.time_base = RATE, self.n * FRAME, fractions.Fraction(1, RATE)
            self.n += 1
            return frame
    return Tone()


def talkspurt_marker_only(sender) -> None:
    """Send the RTP marker bit on the first audio packet only, as browsers do (RFC 3551 4.1: the start of a
    talkspurt). aiortc 1.16 sets it on every audio packet (rtcrtpsender.py: the last payload of each frame), and
    FreeSWITCH flushes its read buffer on every marked audio packet (switch_rtp.c, rtp_flush_read_buffer): the echo
    application then reads nothing and sends nothing back — why the first aiortc call heard no echo. The patch
    point is the sender's transport's `_send_rtp` (plain RTP/RTCP before SRTP), on this connection only."""
    from aiortc.rtp import is_rtcp

    transport = sender.transport
    send, seen = transport._send_rtp, [False]

    async def _send_rtp(data: bytes) -> None:
        if len(data) > 1 and not is_rtcp(data):
            if seen[0]:
                data = data[:1] + bytes([data[1] & 0x7F]) + data[2:]
            seen[0] = True
        await send(data)
    transport._send_rtp = _send_rtp
