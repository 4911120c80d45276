"""Every random draw derives from (seed, what it is for): never from the order jobs run in.

That one rule gives determinism, sharding and resume: a job rendered alone, in a shard or after
a crash draws exactly what it would have drawn in one uninterrupted run.

Every random stream of ALLO is made here, by one of four functions:
- rng_for(seed, *identity): a stream keyed by derive_seed (jitter, anomaly choice);
- rng_from(derived): the stream of a seed derive_seed already gave (RenderJob.placement_seed),
  or that the user gave whole (anomalib's validation split);
- keyed_rng(*parts): a stream keyed by the text "part:part:…". The built-in anomalies' shapes
  (kind, anomaly seed), their drawn sizes ("size", kind, anomaly seed) and the post-process's
  held-out days (seed, camera) had these keys before derive_seed did everything; they are kept,
  not re-keyed, because a new key would change the images and splits of every existing config
  and seed. The anomaly seed in them is itself a derive_seed, so they still follow the rule;
- scene_rng(name): the fixed textures of the scene (SCENE_SEEDS), the same in every batch.
tests/test_seeds.py checks that no other module builds one. (The baseline's training seeds
torch through Lightning's seed_everything: a model's training, not a draw of the dataset.)
"""

import hashlib
import random

# The Moon's albedo map is part of the scene, like the station's model: the same Moon in every
# exp and every seed of a dataset (and one texture for the whole process to build once).
SCENE_SEEDS = {"moon-map": 1969}


def derive_seed(seed: int, *identity) -> int:
    """A 63-bit seed for `identity` (e.g. "jitter", "anomaly", day, camera) under `seed`."""
    text = "|".join(str(part) for part in (seed, *identity))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1


def rng_for(seed: int, *identity) -> random.Random:
    return random.Random(derive_seed(seed, *identity))


def rng_from(derived: int) -> random.Random:
    """The stream of a whole-number seed that is already a draw's own (see the module's text)."""
    return random.Random(int(derived))


def keyed_rng(*parts) -> random.Random:
    """random.Random("part:part:…"), the text keys that predate derive_seed (module's text)."""
    return random.Random(":".join(str(part) for part in parts))


def scene_rng(name: str) -> random.Random:
    """The stream of one of the scene's fixed textures (SCENE_SEEDS)."""
    return random.Random(SCENE_SEEDS[name])
