"""The Moon's albedo pattern from the IAU positions and sizes of its maria and rayed craters.

A space engineer knows the near side by heart (Imbrium, Serenitatis, Tranquillitatis, Crisium,
Tycho's rays), so the built-in Moon draws the real ones instead of noise. Nothing is
downloaded: each feature is a soft disc (or a chain of discs) at its selenographic latitude and
longitude with its published diameter, and the map is rasterised here with numpy.

Map values: 0 = mare basalt, HIGHLAND = anorthositic highland, up to 1 = fresh bright ejecta and
rays. Equirectangular, row 0 at latitude -90° (Blender's first image row is the bottom one),
column 0 at longitude -180°; longitude is east-positive and 0 at the sub-Earth point.
"""

from __future__ import annotations

import math
import random

from pathlib import Path

import numpy as np

from ..dataset.seeds import scene_rng

MOON_RADIUS_KM = 1737.4
# albedo_map() as 8-bit values (to_bytes), made by scripts/make_moon_map.py: the scene loads
# this instead of rasterising the map at each build. A PNG's first row is the image's top, so
# the file holds the map upside down (Blender's first row, like the map's, is the bottom).
SHIPPED_MAP = Path(__file__).resolve().parents[2] / "data" / "moon_albedo.png"
HIGHLAND = 0.6

# (name, latitude °, longitude ° east, diameter km): basaltic maria and dark floors
MARIA = (
    ("Imbrium", 32.8, -15.6, 1146), ("Serenitatis", 28.0, 17.5, 707),
    ("Tranquillitatis", 8.5, 31.4, 873), ("Crisium", 17.0, 59.1, 556),
    ("Fecunditatis", -7.8, 51.3, 909), ("Nectaris", -15.2, 35.5, 333),
    ("Nubium", -21.3, -16.6, 715), ("Humorum", -24.4, -38.6, 389),
    ("Cognitum", -10.0, -23.1, 376), ("Vaporum", 13.3, 3.6, 245),
    ("Insularum", 7.5, -30.9, 513), ("Sinus Medii", 2.4, 1.7, 335),
    ("Sinus Iridum", 44.1, -31.5, 236), ("Lacus Somniorum", 38.0, 29.0, 384),
    ("Palus Putredinis", 26.5, 0.4, 161), ("Smythii", 1.3, 87.5, 373),
    ("Marginis", 13.3, 86.1, 420), ("Undarum", 6.8, 68.4, 243), ("Spumans", 1.1, 65.1, 139),
    ("Australe", -38.9, 93.0, 603), ("Orientale", -19.4, -92.8, 294),
    ("Moscoviense", 27.3, 147.9, 277), ("Ingenii", -33.7, 163.5, 318),
    ("Tsiolkovskiy", -20.4, 129.1, 185), ("Apollo", -36.1, -151.8, 240),
    # Oceanus Procellarum (2592 km, irregular) and Mare Frigoris (a 1600 km band) as chains
    ("Procellarum", 18.0, -57.0, 1200), ("Procellarum", 30.0, -52.0, 900),
    ("Procellarum", 2.0, -58.0, 900), ("Procellarum", -8.0, -45.0, 700),
    ("Procellarum", 40.0, -40.0, 600), ("Procellarum", 10.0, -72.0, 600),
    *(("Frigoris", 56.0 - 0.02 * lon * lon / 40, lon, 330) for lon in range(-40, 45, 10)),
)
# (name, latitude, longitude, crater diameter km, ray length km): bright young craters
RAYED = (
    ("Tycho", -43.3, -11.2, 85, 1800), ("Copernicus", 9.6, -20.1, 93, 800),
    ("Kepler", 8.1, -38.0, 31, 350), ("Aristarchus", 23.7, -47.4, 40, 250),
    ("Proclus", 16.1, 46.8, 28, 400), ("Giordano Bruno", 36.0, 102.9, 22, 500),
)


def unit_vectors(width: int, height: int) -> np.ndarray:
    """(height, width, 3) directions of the pixel centres; +X = 0° longitude, +Z = north."""
    lat = np.radians(-90.0 + (np.arange(height) + 0.5) * 180.0 / height)[:, None]
    lon = np.radians(-180.0 + (np.arange(width) + 0.5) * 360.0 / width)[None, :]
    return np.stack(np.broadcast_arrays(np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon),
                                        np.sin(lat) + 0 * lon), axis=-1)


def _centre(lat: float, lon: float) -> np.ndarray:
    la, lo = math.radians(lat), math.radians(lon)
    return np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])


def _distance_and_bearing(points: np.ndarray, lat: float, lon: float):
    """Great-circle distance (radians) and bearing (radians from north, east positive)."""
    c = _centre(lat, lon)
    east = np.cross([0.0, 0.0, 1.0], c)
    east = east / np.linalg.norm(east) if np.linalg.norm(east) > 1e-9 else np.array([0.0, 1.0, 0.0])
    north = np.cross(c, east)
    distance = np.arccos(np.clip(points @ c, -1.0, 1.0))
    return distance, np.arctan2(points @ east, points @ north)


def _wobble(rng: random.Random, bearing: np.ndarray, amount: float) -> np.ndarray:
    """1 ± amount: an irregular outline (a few harmonics with fixed, seeded phases)."""
    out = np.ones_like(bearing)
    for k in range(2, 7):
        out += amount / k * np.sin(k * bearing + rng.uniform(0, 2 * math.pi))
    return out


def _band(height: int, lat: float, reach: float) -> slice:
    """Rows within `reach` radians of latitude `lat`: nothing outside can be nearer than that."""
    low, high = math.degrees(math.radians(lat) - reach), math.degrees(math.radians(lat) + reach)
    return slice(max(0, int((low + 90.0) / 180.0 * height) - 1),
                 min(height, int((high + 90.0) / 180.0 * height) + 2))


def albedo_map(width: int = 1024, height: int = 512) -> np.ndarray:
    """(height, width) float32 in [0, 1]: maria 0, highlands HIGHLAND, rays and ejecta up to 1."""
    points = unit_vectors(width, height)
    rng = scene_rng("moon-map")   # one Moon for every batch (core/dataset/seeds.py)
    mare = np.zeros((height, width))
    for _, lat, lon, diameter in MARIA:
        radius = diameter / 2 / MOON_RADIUS_KM
        rows = _band(height, lat, 1.5 * radius)
        distance, bearing = _distance_and_bearing(points[rows], lat, lon)
        edge = radius * _wobble(rng, bearing, 0.25)
        mare[rows] = np.maximum(mare[rows], np.clip((edge - distance) / (0.25 * radius) + 0.5, 0.0, 1.0))
    value = HIGHLAND * (1.0 - mare)
    for _, lat, lon, diameter, ray_length in RAYED:
        crater = diameter / 2 / MOON_RADIUS_KM
        reach = ray_length / MOON_RADIUS_KM
        rows = _band(height, lat, max(reach, 5 * crater))
        distance, bearing = _distance_and_bearing(points[rows], lat, lon)
        halo = np.exp(-(distance / (2.5 * crater)) ** 2)
        rays = np.zeros_like(distance)
        for _ in range(int(18 * math.sqrt(ray_length / 800))):
            centre, width_rad = rng.uniform(-math.pi, math.pi), rng.uniform(0.01, 0.035)
            length = reach * rng.uniform(0.4, 1.0)
            gap = np.angle(np.exp(1j * (bearing - centre)))
            rays = np.maximum(rays, np.exp(-(gap / width_rad) ** 2)
                              * np.clip(1.0 - distance / length, 0.0, 1.0) ** 1.5)
        rays *= distance > crater
        bright = np.maximum(halo, 0.35 * rays)
        value[rows] += (1.0 - value[rows]) * bright   # ejecta brighten mare and highland alike
    return value.astype(np.float32)


def to_bytes(albedo: np.ndarray) -> np.ndarray:
    """The 8-bit values Blender stores when the float map is written into a byte image."""
    return np.floor(albedo.astype(np.float32) * np.float32(255) + np.float32(0.5)).astype(np.uint8)


def sample(albedo: np.ndarray, lat: float, lon: float) -> float:
    """The map's value at a selenographic position (nearest pixel)."""
    height, width = albedo.shape
    row = min(height - 1, int((lat + 90.0) / 180.0 * height))
    col = min(width - 1, int((lon + 180.0) / 360.0 * width))
    return float(albedo[row, col])
