"""Orbital mechanics and analytic theories behind the ephemeris generator (pure numpy, no bpy).

- integrator.py: an adaptive Dormand–Prince 5(4) Runge–Kutta integrator with dense output;
- cr3bp.py: the Earth–Moon circular restricted three-body problem and the station's NRHO;
- lunar_theory.py / sun_theory.py: geocentric Moon and Sun from published analytic series;
- frames.py: time scales, precession, Earth and Moon orientation, Euler angles;
- eclipse.py: how much of the Sun's disc a nearer body hides.
"""
