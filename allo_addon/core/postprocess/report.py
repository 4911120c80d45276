"""report.json: what one run accepted and rejected, and how large the anomalies are."""

import json
from collections import Counter

from ..atomic_files import write_text
from ..render_names import parse_render_name

# Anomaly area bins in pixels (1-2-5 steps); the last bin is open-ended.
AREA_BIN_EDGES = (0, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000,
                  1_000_000)


def illumination(source_name: str, render: dict | None) -> str:
    strength = render.get("sun_strength") if render else None
    if isinstance(strength, (int, float)) and not isinstance(strength, bool):
        return f"{strength:g}"
    parsed = parse_render_name(source_name)
    return parsed.illumination if parsed else "unknown"


def anomaly_kind(source_name: str, render: dict | None) -> str | None:
    anomaly = render.get("anomaly") if render else None
    name = anomaly.get("name") if isinstance(anomaly, dict) else None
    if isinstance(name, str) and name:
        return name
    parsed = parse_render_name(source_name)
    return parsed.anomaly if parsed else None


def area_histogram(areas: list[int]) -> list[dict]:
    bins = []
    for low, high in zip(AREA_BIN_EDGES, AREA_BIN_EDGES[1:] + (None,)):
        count = sum(1 for a in areas if a >= low and (high is None or a < high))
        bins.append({"from_px": low, "to_px": high, "count": count})
    return bins


def build_report(header: dict, accepted: list[dict], rejected: list[dict]) -> dict:
    """accepted: output manifest records of this run; rejected: {camera, image, reason, detail}."""
    cameras = sorted({r["camera"] for r in accepted + rejected},
                     key=lambda c: (len(c), c))  # Camera2 before Camera10
    areas = [r["anomaly_pixels"] for r in accepted if r["anomaly_pixels"] is not None]
    return {
        **header,
        "accepted": len(accepted),
        "rejected": len(rejected),
        "by_split": dict(sorted(Counter(r["split"] for r in accepted).items())),
        "by_camera": {camera: {
            "accepted": sum(1 for r in accepted if r["camera"] == camera),
            "rejected": dict(sorted(Counter(r["reason"] for r in rejected
                                            if r["camera"] == camera).items())),
        } for camera in cameras},
        "by_anomaly": dict(sorted(Counter(r["anomaly"] for r in accepted
                                          if r["anomaly"] is not None).items())),
        "by_illumination": dict(sorted(Counter(r["illumination"] for r in accepted).items(),
                                       key=lambda item: _numeric_first(item[0]))),
        "rejected_by_reason": dict(sorted(Counter(r["reason"] for r in rejected).items())),
        "anomaly_area_px": {
            "min": min(areas) if areas else None,
            "median": sorted(areas)[len(areas) // 2] if areas else None,
            "max": max(areas) if areas else None,
            "histogram": area_histogram(areas),
        },
    }


def _numeric_first(text: str):
    try:
        return (0, float(text), text)
    except ValueError:
        return (1, 0.0, text)


def write_report(path, report: dict) -> None:
    write_text(path, json.dumps(report, indent=2) + "\n")
