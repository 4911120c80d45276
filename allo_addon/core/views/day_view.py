"""What the day preview shows, as numbers and words — no bpy.

- Days on Blender's timeline: ephemeris row (day) d is frame d + offset.
- The labels of the direction markers: a body's angular size, its distance and, for the Sun,
  how much of its disc the station sees (extended ephemeris).
- Where a marker goes: from the station (the origin of the scaled frame) toward the body, at a
  readable distance instead of the body's thousands of units.
- The lens that shows a body at its true apparent size from the station.
"""

from __future__ import annotations

import math

from ..ephemeris.reader import Body, DayGeometry

BODY_TITLES = {"sun": "Sun", "earth": "Earth", "moon": "Moon"}
AU_KM = 149_597_870.7
SENSOR_MM = 36.0             # a Blender camera's default sensor width
VIEW_FILL = 1 / 3            # a body seen from the station spans a third of the view's width


def frame_for_day(day: int, offset: int) -> int:
    return day + offset


def day_for_frame(frame: int, offset: int) -> int:
    return frame - offset


def distance_text(body: Body, distance_km: float | None) -> str:
    """km (AU for the Sun's) when the ephemeris knows them, else the scaled frame's units."""
    if distance_km is None:
        return f"{body.distance:,.0f} u"
    if distance_km > 0.1 * AU_KM:
        return f"{distance_km / AU_KM:.3f} AU"
    return f"{distance_km:,.0f} km"


def sun_text(fraction: float) -> str:
    """What the station sees of the Sun's disc (1 in full sunlight, 0 in the umbra)."""
    if fraction >= 1.0:
        return "sunlit"
    if fraction <= 0.0:
        return "eclipse: Sun hidden"
    return f"eclipse: {fraction:.0%} of the disc"


def marker_label(name: str, geometry: DayGeometry) -> str:
    """'Earth 1.78° 410,647 km': the body's angular diameter and distance (and for the Sun,
    with an extended ephemeris, the visible part of its disc)."""
    body = geometry.body(name)
    distance_km = (geometry.distances_km or {}).get(name)
    text = f"{BODY_TITLES[name]} {2 * body.angular_radius_deg:.2f}° " \
           f"{distance_text(body, distance_km)}"
    if name == "sun" and geometry.epoch is not None:   # the original format has no fraction
        text += f" {sun_text(geometry.sun_visible_fraction)}"
    return text


def direction(body: Body) -> tuple[float, float, float]:
    """Unit vector from the station toward the body."""
    d = body.distance
    return tuple(c / d for c in body.position)


def marker_segment(body: Body, start: float, length: float):
    """(tail, tip) of a marker: along the body's direction from `start` to `start + length`
    units from the station."""
    u = direction(body)
    return (tuple(c * start for c in u), tuple(c * (start + length) for c in u))


def lens_for(angle_deg: float, fill: float = VIEW_FILL, sensor_mm: float = SENSOR_MM) -> float:
    """Focal length (mm) at which an object of angular diameter `angle_deg` spans `fill` of the
    sensor's width: the field of view is angle / fill, lens = (sensor / 2) / tan(fov / 2)."""
    fov = math.radians(angle_deg) / fill
    return sensor_mm / 2 / math.tan(fov / 2)


def field_of_view_deg(lens_mm: float, sensor_mm: float = SENSOR_MM) -> float:
    return math.degrees(2 * math.atan(sensor_mm / 2 / lens_mm))


# Blender's 3D view: a lens over a 36 mm sensor seen at zoom 2 (ED_view3d_radius_to_dist), so
# tan(half the view's angle) along its longer side is 36 / lens.
VIEWPORT_HALF_SENSOR_MM = 36.0


def fit_view(radius: float, lens_mm: float, width: int, height: int, covered: int = 0,
             margin: float = 1.1) -> tuple[float, float]:
    """(distance, shift) that show a sphere of `radius` whole in a perspective 3D view of
    width × height pixels whose right `covered` pixels are hidden by the sidebar: stand
    `distance` from its centre and move the view `shift` units to the right, so the sphere sits
    in the middle of what is visible."""
    tan_long = VIEWPORT_HALF_SENSOR_MM / lens_mm
    tan_w = tan_long if width >= height else tan_long * width / height
    tan_h = tan_long if height > width else tan_long * height / width
    visible = max(1, width - covered)
    half = math.atan(min(tan_w * visible / width, tan_h))
    distance = margin * radius / math.sin(half)
    return distance, distance * tan_w * covered / width


# --- Quick Render: one small image of the batch's own path -----------------------------------
QUICK_WIDTH = 240
QUICK_SAMPLES = 16


def quick_resolution(resolution, width: int = QUICK_WIDTH) -> tuple[int, int]:
    """The config's aspect at `width` pixels (never wider than the config's own)."""
    full_w, full_h = resolution
    w = min(width, full_w)
    return w, max(8, round(full_h * w / full_w))


def quick_min_pixel(min_pixel: int, resolution, quick) -> int:
    """min_pixel counts pixels of the full image: the same share of the small one."""
    return int(min_pixel * (quick[0] * quick[1]) / (resolution[0] * resolution[1]))
