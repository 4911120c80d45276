"""Processes that render one exp folder together — no bpy.

claims.py (who renders which job), scratch.py (per-process scratch folders), processes.py
(which process made something, is it alive), stop_request.py, status.py (per-shard progress),
slurm_jobs.py (Slurm scripts for sharded runs).
"""
