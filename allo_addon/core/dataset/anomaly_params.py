"""Per-kind anomaly parameters from render_config.yaml (`anomaly_params:`).

    anomaly_params:
      drill: {size: [0.3, 0.45], colour: [0.85, 0.1, 0.1], roughness: 0.3, metallic: 0.2}
      frost: {size: [0.6, 1.2], weight: 3}

size      [min, max] metres: the kind's largest dimension (surface kinds: across the hull) is
          drawn per camera-day from this range, seeded; the scale mode multiplies on top
colour    RGB 0..1 or a colour name: every material of the kind (the colour mode still recolours)
roughness, metallic   0..1, every material of the kind
weight    how often the kind is drawn relative to the others (default 1)

They work for built-in kinds and for your own anomaly models alike.
"""

from __future__ import annotations

from dataclasses import dataclass

KEYS = ("size", "colour", "roughness", "metallic", "weight")
MAX_SIZE = 10.0   # m: anything larger is a typo, not an anomaly


@dataclass(frozen=True)
class AnomalyParams:
    size: tuple[float, float] | None = None
    colour: tuple[float, float, float] | None = None
    roughness: float | None = None
    metallic: float | None = None
    weight: float = 1.0

    def as_yaml(self) -> dict:
        values = {"size": list(self.size) if self.size else None,
                  "colour": list(self.colour) if self.colour else None,
                  "roughness": self.roughness, "metallic": self.metallic, "weight": self.weight}
        return {k: v for k, v in values.items() if v is not None}


DEFAULT = AnomalyParams()


def parse_anomaly_params(checker, value, anomalies, colours: dict) -> dict[str, AnomalyParams]:
    """{kind: AnomalyParams} for kinds listed in `anomalies`; `checker` names the file in errors."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        checker.fail("anomaly_params", value, "a mapping of kind: {size: [min, max], colour: …}")
    out = {}
    for kind, params in value.items():
        where = f"anomaly_params.{kind}"
        if kind not in anomalies:
            checker.fail("anomaly_params", kind, f"a kind listed in anomalies ({', '.join(anomalies)})")
        if not isinstance(params, dict):
            checker.fail(where, params, "a mapping such as {size: [0.3, 0.5], colour: red}")
        checker.known_keys(where, params, KEYS, "the parameters")
        out[kind] = AnomalyParams(
            size=_size(checker, f"{where}.size", params.get("size")),
            colour=_colour(checker, f"{where}.colour", params.get("colour"), colours),
            roughness=_unit(checker, f"{where}.roughness", params.get("roughness")),
            metallic=_unit(checker, f"{where}.metallic", params.get("metallic")),
            weight=checker.number(f"{where}.weight", params.get("weight", 1.0), positive=True))
    return out


def _size(checker, key, value):
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = [value, value]
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        checker.fail(key, value, "[min, max] in metres, e.g. [0.3, 0.5]")
    low = checker.number(f"{key}[0]", value[0], positive=True)
    high = checker.number(f"{key}[1]", value[1], positive=True)
    if low > high or high > MAX_SIZE:
        checker.fail(key, value, f"[min, max] with 0 < min ≤ max ≤ {MAX_SIZE:g} m")
    return (low, high)


def _colour(checker, key, value, colours):
    if value is None:
        return None
    if isinstance(value, str):
        if value.lower() not in colours:
            checker.fail(key, value, f"[r, g, b] from 0 to 1 or one of {', '.join(colours)}")
        return tuple(colours[value.lower()])
    if not isinstance(value, (list, tuple)) or len(value) != 3:
        checker.fail(key, value, "[r, g, b] from 0 to 1 or a colour name")
    return tuple(_unit(checker, f"{key}[{i}]", v) for i, v in enumerate(value))


def _unit(checker, key, value):
    if value is None:
        return None
    number = checker.number(key, value, minimum=0)
    if number > 1:
        checker.fail(key, value, "a number from 0 to 1")
    return number
