"""Opt-in annotations (`annotations: [depth, normals, parts]`), read from Cycles passes of the
same render as the beauty image and its masks (scene/renderer.py); everything here is numpy.

- depth:   float32 EXR, metres along the camera's viewing axis (z-depth, as Cycles' Depth pass
           gives it for a perspective camera), 0 where the pixel sees no surface.
- normals: float32 EXR, unit surface normals in camera space (x right, y up, z toward the
           viewer: Blender's camera frame), channels R,G,B = x,y,z; 0 where no surface.
- parts:   8-bit PNG, the part id of each pixel (0: space or the anomaly), the id -> name table
           in the manifest record.

Depth, object index and so part ids come from each pixel's first sample (Cycles writes those
passes once), so they agree with the masks pixel for pixel; the Normal pass is the average over
all samples, renormalised here.

Parts ride on the object pass index: with `parts` asked for, station part k (and each body)
gets pass index PARTS_BASE + k instead of 1. masks_from_index (object_masks.py) reads both, so
the fb and anomaly masks are the same either way; without `parts` nothing changes at all.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

DEPTH, NORMALS, PARTS = "depth", "normals", "parts"
KINDS = (DEPTH, NORMALS, PARTS)
EXTENSIONS = {DEPTH: ".exr", NORMALS: ".exr", PARTS: ".png"}
PARTS_BASE = 16     # above every other pass index (object_masks: 0, 1, 2)
MAX_PARTS = 255 - PARTS_BASE   # ids are stored in an 8-bit PNG
REFERENCE_PREFIX = "reference_"   # a twin's annotations, beside reference_fb_mask/

DEPTH_MEANING = ("metres along the camera's viewing axis (z-depth, not the length of the ray); "
                 "0 where the pixel sees no surface")
NORMALS_MEANING = ("unit normals in camera space: x right, y up, z toward the viewer "
                   "(channels R,G,B); 0 where the pixel sees no surface")
PARTS_MEANING = "part id per pixel (8-bit PNG); 0: space or the anomaly"


def folder(kind: str, twin: bool = False) -> str:
    return REFERENCE_PREFIX + kind if twin else kind


def relative_path(camera: str, image_name: str, kind: str, twin: bool = False) -> str:
    """Path of an image's annotation, relative to exp_<N>/ (Camera<K>/<kind>/<stem>.<ext>)."""
    stem = image_name[:-4] if image_name.lower().endswith(".png") else image_name
    return f"{camera}/{folder(kind, twin)}/{stem}{EXTENSIONS[kind]}"


def part_table(names) -> dict[int, str]:
    """id -> name for parts listed in order (ids from 1); ValueError when too many for 8 bits."""
    names = list(names)
    if len(names) > MAX_PARTS:
        raise ValueError(f"{len(names)} parts; at most {MAX_PARTS} fit the 8-bit parts image")
    return {i: name for i, name in enumerate(names, start=1)}


def part_pass_index(part_id: int) -> int:
    return PARTS_BASE + part_id


def parts_from_index(index: np.ndarray) -> np.ndarray:
    """Part ids (uint8, top row first) from the object-index pass (bottom row first)."""
    ids = np.rint(index[::-1]).astype(np.int32)
    return np.where(ids > PARTS_BASE, ids - PARTS_BASE, 0).astype(np.uint8)


def depth_from_pass(z: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Depth (float32, top row first) from Cycles' Depth pass, 0 where the index says space
    (Cycles leaves 1e10 there)."""
    hit = np.rint(index[::-1]) > 0
    return np.where(hit, z[::-1], 0.0).astype(np.float32)


def normals_to_camera(world: np.ndarray, camera_rotation, index: np.ndarray) -> np.ndarray:
    """Camera-space unit normals (H×W×3 float32, top row first) from Cycles' Normal pass (world
    space, bottom row first) and the camera's world rotation (3×3, columns = camera axes).

    A pixel's normal is the average over its samples, so at an edge it is shorter than 1 (or
    points between two faces): it is renormalised. Pixels whose index says space are 0."""
    rotation = np.asarray(camera_rotation, np.float64)[:3, :3]
    rotation = rotation / np.linalg.norm(rotation, axis=0)   # a scaled camera keeps its axes
    camera = world[::-1, :, :3].astype(np.float64) @ rotation   # = R^T n for every pixel
    length = np.linalg.norm(camera, axis=2, keepdims=True)
    hit = (np.rint(index[::-1]) > 0)[:, :, None] & (length > 0)
    return np.where(hit, camera / np.where(length > 0, length, 1.0), 0.0).astype(np.float32)


def ray_distance(depth: np.ndarray, fx: float, fy: float, cx: float, cy: float) -> np.ndarray:
    """Distance from the camera's centre along each pixel's ray, from z-depth and the manifest's
    intrinsics (pixel centres at +0.5)."""
    height, width = depth.shape
    x = (np.arange(width) + 0.5 - cx) / fx
    y = (np.arange(height) + 0.5 - cy) / fy
    return (depth * np.sqrt(1.0 + x[None, :] ** 2 + y[:, None] ** 2)).astype(np.float32)


# --- OpenEXR, float32 scanlines, ZIP compression: enough to write (and read back) our own files.
# No EXR library is a dependency; Blender reads these files (tests/test_annotations_render.py).
_MAGIC = b"\x76\x2f\x31\x01"
_FLOAT, _ZIP, _ZIP_LINES = 2, 3, 16


def write_exr(path, channels: dict[str, np.ndarray]) -> None:
    """A float32 EXR with the named channels (each H×W, top row first)."""
    names = sorted(channels)   # the channel list must be sorted
    planes = [np.ascontiguousarray(channels[n], dtype="<f4") for n in names]
    height, width = planes[0].shape
    header = _attribute("channels", "chlist", b"".join(
        n.encode() + b"\0" + struct.pack("<iB3xii", _FLOAT, 0, 1, 1) for n in names) + b"\0")
    window = struct.pack("<iiii", 0, 0, width - 1, height - 1)
    header += _attribute("compression", "compression", bytes([_ZIP]))
    header += _attribute("dataWindow", "box2i", window)
    header += _attribute("displayWindow", "box2i", window)
    header += _attribute("lineOrder", "lineOrder", b"\0")
    header += _attribute("pixelAspectRatio", "float", struct.pack("<f", 1.0))
    header += _attribute("screenWindowCenter", "v2f", struct.pack("<ff", 0.0, 0.0))
    header += _attribute("screenWindowWidth", "float", struct.pack("<f", 1.0))
    head = _MAGIC + struct.pack("<i", 2) + header + b"\0"
    starts = range(0, height, _ZIP_LINES)
    chunks = []
    for y in starts:
        rows = [p[y:y + _ZIP_LINES] for p in planes]
        raw = b"".join(b"".join(row[i].tobytes() for row in rows) for i in range(len(rows[0])))
        packed = _zip(raw)
        data = packed if len(packed) < len(raw) else raw   # OpenEXR's rule: never larger
        chunks.append(struct.pack("<ii", y, len(data)) + data)
    offset = len(head) + 8 * len(chunks)
    table = b""
    for chunk in chunks:
        table += struct.pack("<Q", offset)
        offset += len(chunk)
    with open(path, "wb") as handle:
        handle.write(head + table + b"".join(chunks))


def read_exr(path) -> dict[str, np.ndarray]:
    """The channels of a file written by write_exr (float32, ZIP or none)."""
    data = open(path, "rb").read()
    if data[:4] != _MAGIC:
        raise ValueError(f"{path} is not an OpenEXR file")
    pos, attributes = 8, {}
    while data[pos] != 0:
        name, pos = _cstring(data, pos)
        kind, pos = _cstring(data, pos)
        size, = struct.unpack_from("<i", data, pos)
        attributes[name] = data[pos + 4:pos + 4 + size]
        pos += 4 + size
    pos += 1
    names, chlist = [], attributes["channels"]
    at = 0
    while chlist[at] != 0:
        name, at = _cstring(chlist, at)
        if struct.unpack_from("<i", chlist, at)[0] != _FLOAT:
            raise ValueError(f"{path}: channel {name} is not float32")
        names.append(name)
        at += 16
    x0, y0, x1, y1 = struct.unpack("<iiii", attributes["dataWindow"])
    width, height = x1 - x0 + 1, y1 - y0 + 1
    lines = {0: 1, _ZIP: _ZIP_LINES}[attributes["compression"][0]]
    count = -(-height // lines)
    offsets = struct.unpack_from(f"<{count}Q", data, pos)
    planes = {n: np.empty((height, width), np.float32) for n in names}
    for offset in offsets:
        y, size = struct.unpack_from("<ii", data, offset)
        raw = data[offset + 8:offset + 8 + size]
        rows = min(lines, height - (y - y0))
        if len(raw) < rows * width * 4 * len(names):
            raw = _unzip(raw)
        block = np.frombuffer(raw, "<f4").reshape(rows, len(names), width)
        for i, name in enumerate(names):
            planes[name][y - y0:y - y0 + rows] = block[:, i]
    return planes


def _attribute(name: str, kind: str, value: bytes) -> bytes:
    return name.encode() + b"\0" + kind.encode() + b"\0" + struct.pack("<i", len(value)) + value


def _cstring(data: bytes, pos: int):
    end = data.index(b"\0", pos)
    return data[pos:end].decode(), end + 1


def _zip(raw: bytes) -> bytes:
    """OpenEXR's ZIP: bytes split into even and odd halves, delta-coded, then zlib."""
    b = np.frombuffer(raw, np.uint8)
    split = np.concatenate([b[0::2], b[1::2]]).astype(np.int16)
    coded = split.copy()
    coded[1:] = (split[1:] - split[:-1] + 128) & 0xFF
    return zlib.compress(coded.astype(np.uint8).tobytes())


def _unzip(packed: bytes) -> bytes:
    coded = np.frombuffer(zlib.decompress(packed), np.uint8)
    split = (np.cumsum(np.concatenate([[coded[0]], coded[1:].astype(np.int64) - 128]))) & 0xFF
    half = (len(split) + 1) // 2
    raw = np.empty(len(split), np.uint8)
    raw[0::2], raw[1::2] = split[:half], split[half:]
    return raw.tobytes()
