"""The built-in assets' pure parts: catalog.py (their names), moon_map.py (the Moon's
albedo), build_cache.py (where the built scene is cached between processes, and its key)."""
