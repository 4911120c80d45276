"""Sidebar panels (View3D ▸ Sidebar ▸ ALLO): one module per sub-panel, each with `classes`."""
