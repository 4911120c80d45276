"""Built-in station build time (target < 5 s on the 2-core dev machine).

station_build_seconds: build_station() into a fresh empty scene, materials included (they are
made anew after a factory reset), the median of three builds; the first build of the process is
reported beside it. The vertex and face counts say how much geometry that time bought.
"""

import statistics
import time


def run(args):
    import bpy
    from allo_addon.scene.builtin.station import build_station

    times, objects = [], []
    for _ in range(3):
        bpy.ops.wm.read_factory_settings(use_empty=True)
        started = time.perf_counter()
        objects = build_station(bpy.context.scene.collection)
        times.append(time.perf_counter() - started)
    yield {"metric": "station_build_seconds", "value": round(statistics.median(times), 3), "unit": "s",
           "first_build_seconds": round(times[0], 3), "parts": len(objects),
           "vertices": sum(len(o.data.vertices) for o in objects),
           "faces": sum(len(o.data.polygons) for o in objects),
           "materials": len({m.name for o in objects for m in o.data.materials}),
           "blender": bpy.app.version_string}
