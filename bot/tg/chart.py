"""A small PNG bar chart (questions per day) drawn without a plotting library.

Only zlib and struct: a white canvas, one blue bar per day scaled to the busiest day, and a
baseline. Cheap enough to send with every ``/stats``.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

WIDTH, HEIGHT, MARGIN = 480, 200, 10
BAR = (36, 113, 163)
AXIS = (90, 90, 90)
WHITE = (255, 255, 255)


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def bar_chart(values: Sequence[int], width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """PNG bytes of a bar chart of ``values`` (left to right)."""
    pixels = [[WHITE] * width for _ in range(height)]
    base = height - MARGIN
    for x in range(MARGIN, width - MARGIN):
        pixels[base][x] = AXIS
    if values:
        top = max(max(values), 1)
        slot = (width - 2 * MARGIN) / len(values)
        for i, value in enumerate(values):
            bar_height = round((base - MARGIN) * value / top)
            left = MARGIN + round(i * slot + slot * 0.15)
            right = MARGIN + max(round((i + 1) * slot - slot * 0.15), left + 1)
            for y in range(base - bar_height, base):
                row = pixels[y]
                for x in range(left, min(right, width - MARGIN)):
                    row[x] = BAR
    raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b""))
