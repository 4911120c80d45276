"""Post-process: verify renders and write the Anomalib layout (pure Python: numpy + Pillow).

Call postprocess(PostprocessRequest(...)) -> Summary. Nothing here imports bpy.
"""

from .masks import combine_masks, ground_truth
from .run import PostprocessRequest, Summary, postprocess

__all__ = ["PostprocessRequest", "Summary", "postprocess", "combine_masks", "ground_truth"]
