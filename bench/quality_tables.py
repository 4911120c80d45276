"""The README's tables for `bench quality`, from its JSON lines:
`python -m bench.quality_tables docs/quality_bench.jsonl` prints them as Markdown.

Table 1: every candidate, cheapest first (CPU seconds per image averaged over the views, worst
view's PSNR and SSIM against the reference). Table 2: what each change bought, against the
original's settings, on the view where it costs most.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .bench_quality import ORIGINAL


def load(path) -> tuple[dict, dict]:
    """(candidates by name, the equal_quality_speedup record)."""
    records = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    candidates = {r["candidate"]: r for r in records if r["metric"] == "quality_candidate"}
    summary = next(r for r in records if r["metric"] == "equal_quality_speedup")
    return candidates, summary


def changes(record: dict) -> str:
    knobs = [f"{k} {v}" for k, v in record["cycles"].items()]
    knobs += [f"spot {k} {v}" for k, v in record["spot"].items()]
    return ", ".join(knobs) or "—"


def candidate_table(candidates: dict) -> list[str]:
    original = candidates[ORIGINAL]["value"]
    rows = ["| candidate | samples | denoise | Cycles changes | CPU s / image | × original | "
            "worst-view PSNR dB | worst-view SSIM | masks equal | within 0.5 dB / 0.005 of "
            "original |", "|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in sorted(candidates.items(), key=lambda item: item[1]["value"]):
        masks = all(v["masks_equal"] for v in r["views"].values())
        rows.append(f"| {name} | {r['samples']} | {'yes' if r['denoise'] else 'no'} | "
                    f"{changes(r)} | {r['value']:.2f} | {original / r['value']:.2f} | "
                    f"{r['min_psnr']:.2f} | {r['min_ssim']:.4f} | {'yes' if masks else 'NO'} | "
                    f"{'yes' if r['within_original'] else 'no'} |")
    return rows


def bought_table(candidates: dict) -> list[str]:
    base = candidates[ORIGINAL]
    rows = ["| change (from the original) | CPU s / image | worst-view ΔPSNR dB | "
            "worst-view ΔSSIM | view |", "|---|---|---|---|---|"]
    for name, r in candidates.items():
        if name == ORIGINAL:
            continue
        deltas = {view: (got["psnr"] - base["views"][view]["psnr"],
                         got["ssim"] - base["views"][view]["ssim"])
                  for view, got in r["views"].items()}
        view = min(deltas, key=lambda v: deltas[v][0])
        d_psnr, d_ssim = deltas[view]
        rows.append(f"| {name} | {base['value']:.2f} → {r['value']:.2f} "
                    f"({r['value'] - base['value']:+.2f}) | {d_psnr:+.2f} | {d_ssim:+.4f} | "
                    f"{view} |")
    return rows


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.exit("usage: python -m bench.quality_tables QUALITY_BENCH.jsonl")
    candidates, summary = load(argv[0])
    print(f"equal_quality_speedup {summary['value']} (chosen: {summary['chosen']}, draft: "
          f"{summary['draft_choice']}); windows {summary['resolution']} of {summary.get('frame')}\n")
    print("\n".join(candidate_table(candidates)) + "\n")
    print("\n".join(bought_table(candidates)))


if __name__ == "__main__":
    main()
