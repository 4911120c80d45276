"""The three bodies, named once for the whole add-on, in the two orders it uses.

BODIES is the order of the ephemeris CSV's columns (docs/formats.md §1: moon r,x,y,z, then sun, then
earth), fixed by the original format. Everything that walks "every body" uses it: the loader
and the generator, the scene (which creates the bodies in this order, so a render's objects
are always made in the same order), the day preview, the sidebar.

NEAREST_FIRST is how the built-in catalog lists them, by distance from the station (the
`assets` command, the message for an unknown body name).
"""

from __future__ import annotations

BODIES: tuple[str, ...] = ("moon", "sun", "earth")
NEAREST_FIRST: tuple[str, ...] = ("moon", "earth", "sun")
