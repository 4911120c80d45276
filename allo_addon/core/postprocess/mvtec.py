"""The one MVTec AD rule the paths alone do not guarantee: masks pair with images by order.

Anomalib's MVTecAD (make_mvtec_dataset) sorts the anomalous test images and the ground_truth
masks by path separately and pairs them one to one, then checks only that each image's stem is
*in* its mask's stem. With `x.png` and `x_b.png` in one folder the images sort x, x_b and the
masks x_b_mask, x_mask: x would silently get x_b's mask (its stem is in 'x_b_mask'). So a run
whose ground_truth folder would hold such names is refused before anything is written.
"""

from pathlib import Path

from ..errors import UserError


def check_mask_order(ground_truths: list[Path], image_of: dict[Path, Path]) -> None:
    """ground_truths: every <category>/ground_truth/<label>/<stem>_mask.png this run writes;
    image_of: each one's image. The images already in those folders (other exps) count too."""
    folders = {}
    for truth in ground_truths:
        folders.setdefault(image_of[truth].parent, set()).add(image_of[truth].name)
    for folder, names in sorted(folders.items()):
        if folder.is_dir():
            names |= {p.name for p in folder.iterdir() if p.suffix == ".png"}
        stems = [Path(n).stem for n in sorted(names)]
        if stems != sorted(stems, key=lambda s: s + "_mask.png"):
            first = min(a for a in stems for b in stems if a != b and b.startswith(a))
            raise UserError(f"{folder}: image {first}.png and another whose name starts with "
                            f"{first!r} would be paired with each other's mask by Anomalib's "
                            f"MVTecAD (it pairs sorted images with sorted *_mask.png); "
                            f"post-process them into different output folders")
