"""A dataset batch and its on-disk contract — no bpy.

What a batch is: settings.py (every render_config.yaml key, declared once), config.py (a
config validated), config_yaml.py (written back), anomaly_params.py, batch_request.py (a
request validated into a plan), plan.py (every image, decided before anything renders),
poses.py, view_search.py and placement_search.py (the camera pose and anomaly placement
decisions, behind a ray-cast interface), seeds.py, denoiser.py, annotations.py (depth,
normals, parts).
What it writes (docs/formats.md §5), each named once: layout.py (folders and paths), names.py (file
names), manifest.py (manifest.jsonl, read by one set of rules), mask_classes.py (mask values).
"""
