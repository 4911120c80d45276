"""Every random draw derives from (seed, what it is for): never from the order jobs run in.

That one rule gives determinism, sharding and resume: a job rendered alone, in a shard or after
a crash draws exactly what it would have drawn in one uninterrupted run.
"""

import hashlib
import random


def derive_seed(seed: int, *identity) -> int:
    """A 63-bit seed for `identity` (e.g. "jitter", "anomaly", day, camera) under `seed`."""
    text = "|".join(str(part) for part in (seed, *identity))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") >> 1


def rng_for(seed: int, *identity) -> random.Random:
    return random.Random(derive_seed(seed, *identity))
