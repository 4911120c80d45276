"""RGB PNG files of 8 or 16 bits per channel, from and to numpy arrays. Pillow writes no 16-bit
RGB PNG (its RGB mode is 8-bit), and the sensor model's output may be 16-bit."""

from __future__ import annotations

import struct
import zlib

import numpy as np


def png_bytes(pixels: np.ndarray) -> bytes:
    """An RGB PNG of 8 or 16 bits per channel, unfiltered rows, no metadata: the same pixels
    always give the same bytes."""
    h, w, _ = pixels.shape
    depth = 8 if pixels.dtype == np.uint8 else 16
    rows = pixels.astype(">u2" if depth == 16 else np.uint8).reshape(h, -1).view(np.uint8)
    raw = np.hstack([np.zeros((h, 1), np.uint8), rows.reshape(h, -1)]).tobytes()  # filter 0

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", w, h, depth, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def read_png(data: bytes) -> np.ndarray:
    """The pixels of a PNG written by png_bytes (tests and the figure read 16-bit RGB back)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    w, h, depth = header[:3]
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, -1)
    if raw[:, 0].any():
        raise ValueError("read_png reads only unfiltered rows (as png_bytes writes them)")
    rows = raw[:, 1:].copy()
    if depth == 16:
        return rows.view(">u2").astype(np.uint16).reshape(h, w, 3)
    return rows.reshape(h, w, 3)
