"""Render file names (docs/formats.md §5), written by the planner and read back by the post-process:

    <day>_normal_<illum>.png
    <day>_<anomaly>_<illum>_<scale>_<depth>_<colour>.png

Numbers are written with f"{v:g}". An anomaly name may itself hold underscores
("solar_panel"), so the fixed fields are taken from both ends when parsing.
"""

from dataclasses import dataclass


def number_label(value: float) -> str:
    return f"{value:g}"


def normal_name(day: int, sun_strength: float) -> str:
    return f"{day}_normal_{number_label(sun_strength)}.png"


def anomaly_name(day: int, anomaly: str, sun_strength: float, scale: float, depth: float,
                 colour: str) -> str:
    return (f"{day}_{anomaly}_{number_label(sun_strength)}_{number_label(scale)}_"
            f"{number_label(depth)}_{colour}.png")


@dataclass(frozen=True)
class RenderName:
    day: str
    illumination: str
    anomaly: str | None = None
    scale: str | None = None
    depth: str | None = None
    colour: str | None = None


def parse_render_name(file_name: str) -> RenderName | None:
    """The fields of a render file name, or None when it does not follow the convention."""
    stem = file_name[:-4] if file_name.lower().endswith(".png") else file_name
    parts = stem.split("_")
    if len(parts) == 3 and parts[1] == "normal":
        return RenderName(day=parts[0], illumination=parts[2])
    if len(parts) >= 6:
        day, *anomaly, illumination, scale, depth, colour = parts
        return RenderName(day=day, illumination=illumination, anomaly="_".join(anomaly),
                          scale=scale, depth=depth, colour=colour)
    return None
