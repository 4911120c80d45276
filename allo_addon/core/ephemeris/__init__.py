"""Ephemerides: where the Moon, Sun and Earth are, seen from the station (docs/formats.md §1).

- reader.py: load_ephemeris() for both CSV formats; the original 12-column one;
- extended.py: the extended CSV (named columns, epochs, sunlight, orientations);
- geometry.py: DayGeometry, Ephemeris and the checks of a row, shared by both readers;
- bodies.py: the three bodies and their orders;
- generator.py, writer.py: compute an ephemeris for any dates and write it atomically;
- orbit/: the orbital mechanics and analytic theories behind the generator.
"""
