"""report.json: what one run accepted and rejected, and how large the anomalies are."""

import json
from collections import Counter

from ..atomic_files import write_text
from ..dataset.names import parse_render_name

# Anomaly area bins as shares of the image area (1-2-5 steps), so that they mean the same at
# every resolution (0.05 % is 1037 px at 1920×1080, 18 px at 256×144); the last is open-ended.
AREA_SHARE_EDGES = (0, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5)


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


def area_histogram(shares: list[float], image_area: int | None) -> list[dict]:
    """Counts of anomaly areas per share of the image; with one resolution (image_area in
    pixels) each bin also says its edges in pixels."""
    bins = []
    for low, high in zip(AREA_SHARE_EDGES, AREA_SHARE_EDGES[1:] + (None,)):
        count = sum(1 for a in shares if a >= low and (high is None or a < high))
        entry = {"from_share": low, "to_share": high}
        if image_area:
            entry.update(from_px=round(low * image_area),
                         to_px=None if high is None else round(high * image_area))
        bins.append({**entry, "count": count})
    return bins


def _spread(values: list) -> dict:
    ordered = sorted(values)
    return {"min": ordered[0] if ordered else None,
            "median": ordered[len(ordered) // 2] if ordered else None,
            "max": ordered[-1] if ordered else None}


def build_report(header: dict, accepted: list[dict], rejected: list[dict],
                 image_area: int | None = None) -> dict:
    """accepted: output manifest records of this run; rejected: {camera, image, reason, detail};
    image_area: width × height when all images have one resolution."""
    cameras = sorted({r["camera"] for r in accepted + rejected},
                     key=lambda c: (len(c), c))  # Camera2 before Camera10
    areas = [r["anomaly_pixels"] for r in accepted if r["anomaly_pixels"] is not None]
    shares = [r["anomaly_share"] for r in accepted if r.get("anomaly_share") is not None]
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
        "anomaly_area_px": _spread(areas),
        "anomaly_area_share": {**_spread(shares),
                               "histogram": area_histogram(shares, image_area)},
    }


def _numeric_first(text: str):
    try:
        return (0, float(text), text)
    except ValueError:
        return (1, 0.0, text)


def write_report(path, report: dict) -> None:
    write_text(path, json.dumps(report, indent=2) + "\n")
