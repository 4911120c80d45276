"""View3D ▸ Sidebar ▸ ALLO: the panel and its collapsible sub-panels, drawn from scene.allo.

Drawing only: every button is an operator (operators/), every value a settings property.
"""

import bpy

from ..properties import MODES, PANEL_OPTIONS, parse_list


class _AlloPanel:
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "ALLO"


class ALLO_PT_main(_AlloPanel, bpy.types.Panel):
    bl_label = "ALLO Dataset"

    def draw(self, context):
        from .. import runtime
        layout = self.layout
        progress = runtime.get(context)
        if progress.rendering:
            _progress(layout, progress)
        else:
            layout.label(text="Station anomaly datasets", icon="WORLD")


def _progress(layout, progress):
    """The modal batch's progress (WindowManager.allo_runtime, runtime.py)."""
    total = max(1, progress.total)
    eta = int(progress.eta)
    layout.progress(factor=progress.done / total,
                    text=f"{progress.done}/{progress.total} images, "
                         f"ETA {eta // 60}:{eta % 60:02d}")
    layout.label(text=progress.line, icon="RENDER_STILL")
    layout.label(text="Esc stops after the current image", icon="INFO")


class _SubPanel(_AlloPanel):
    bl_parent_id = "ALLO_PT_main"


class ALLO_PT_ephemeris(_SubPanel, bpy.types.Panel):
    bl_label = "Ephemeris"

    def draw(self, context):
        from ..scene import preview
        settings, layout = context.scene.allo, self.layout
        layout.prop(settings, "ephemeris_path", text="")
        row = layout.row(align=True)
        row.operator("allo.load_ephemeris", text="Load", icon="FILE_REFRESH")
        generate = row.operator("allo.generate_ephemeris", text="Generate…", icon="ADD")
        generate.filepath = "//ephemeris.csv"
        generate.extended_filepath = "//ephemeris_extended.csv"
        ephemeris = preview.loaded(settings)
        if ephemeris is None:
            layout.label(text="not loaded", icon="ERROR")
            return
        layout.label(text=f"{ephemeris.path.name}: {len(ephemeris)} rows", icon="CHECKMARK")
        layout.prop(settings, "preview_day", slider=True)
        geometry = ephemeris.days.get(settings.preview_day)
        if geometry is None:
            reason = ephemeris.bad_rows.get(settings.preview_day, "outside the file")
            layout.label(text=f"day {settings.preview_day}: {reason}", icon="ERROR")
        elif geometry.epoch:
            layout.label(text=f"UTC {geometry.epoch}", icon="TIME")
        layout.operator("allo.preview_day", icon="LIGHT_SUN")


# --- Day View (README: "The day at a glance"): the previewed day, the timeline, Quick Render
class ALLO_PT_day_view(_SubPanel, bpy.types.Panel):
    bl_label = "Day View"

    def draw(self, context):
        from ..core.ephemeris.bodies import BODIES
        from ..core.views.day_view import day_for_frame, marker_label
        from ..scene import preview
        settings, layout = context.scene.allo, self.layout
        ephemeris = preview.loaded(settings)
        if ephemeris is None:
            layout.label(text="load an ephemeris first", icon="INFO")
            return
        frame_day = day_for_frame(context.scene.frame_current, settings.day_frame_offset)
        geometry = ephemeris.days.get(settings.preview_day)
        column = layout.column(align=True)
        column.label(text=f"Day {settings.preview_day} · frame {context.scene.frame_current}"
                          + (f" · UTC {geometry.epoch[:10]}" if geometry and geometry.epoch
                             else ""), icon="TIME")
        if frame_day != settings.preview_day:
            column.label(text=f"frame {context.scene.frame_current}: day {frame_day} has no "
                              f"usable row", icon="ERROR")
        if geometry is not None:
            for name in BODIES:
                column.label(text=marker_label(name, geometry), icon="LIGHT_SUN"
                             if name == "sun" else "WORLD" if name == "earth" else "MESH_UVSPHERE")
        stage = preview.stage()
        if stage is not None:
            column.label(text=f"Sun lamp strength {stage.sun_energy:.2f}", icon="LIGHT_SUN")
        row = layout.row(align=True)
        row.prop(settings, "day_frame_offset")
        row.operator("allo.timeline_days", text="Days on Timeline", icon="TIME")
        layout.operator("allo.toggle_lit_view", icon="SHADING_RENDERED")
        row = layout.row(align=True)
        row.prop(settings, "station_view_body", text="")
        row.operator("allo.view_from_station", text="View from Station", icon="HIDE_OFF")
        layout.operator("allo.quick_render", icon="RENDER_STILL")
        row = layout.row(align=True)
        row.prop(settings, "quick_anomaly", toggle=True)
        row.prop(settings, "quick_masks", toggle=True)


class ALLO_PT_scene(_SubPanel, bpy.types.Panel):
    bl_label = "Scene"

    def draw(self, context):
        settings, layout = context.scene.allo, self.layout
        layout.prop(settings, "station_source", expand=True)
        if settings.station_source == "FILE":
            layout.prop(settings, "cad_models_path")
            layout.prop(settings, "station")
        layout.prop(settings, "camera_poses")
        layout.operator("allo.build_scene", icon="SCENE_DATA")
        layout.prop(settings, "camera_split", expand=True)
        row = layout.row(align=True)
        row.prop(settings, "camera_index")
        row.operator("allo.look_through", text="Look Through", icon="CAMERA_DATA")


class ALLO_PT_variation(_SubPanel, bpy.types.Panel):
    bl_label = "Variation"

    def draw(self, context):
        settings, layout = context.scene.allo, self.layout
        values = {"illumination": "sun_strength", "depth": "depths", "scale": "scales",
                  "colour": "colours"}
        for mode in MODES:
            row = layout.row(align=True)
            row.prop(settings, f"use_{mode}", text="")
            sub = row.row(align=True)
            sub.active = getattr(settings, f"use_{mode}")
            sub.prop(settings, values[mode])
        layout.prop(settings, "default_sun_strength")
        layout.label(text="Anomalies:")
        chosen = [str(k) for k in parse_list(settings.anomalies)]
        if not settings.anomalies_path:
            from ..scene.builtin.anomalies import ANOMALY_KINDS
            grid = layout.grid_flow(columns=2, align=True)
            for kind in ANOMALY_KINDS:
                op = grid.operator("allo.toggle_anomaly_kind", text=kind, depress=kind in chosen,
                                   icon="CHECKBOX_HLT" if kind in chosen else "CHECKBOX_DEHLT")
                op.kind = kind
        layout.prop(settings, "anomalies", text="")
        layout.prop(settings, "anomalies_path")
        layout.prop(settings, "min_pixel")


class ALLO_PT_output(_SubPanel, bpy.types.Panel):
    bl_label = "Output & Render"

    def draw(self, context):
        from .. import runtime
        settings, layout = context.scene.allo, self.layout
        progress = runtime.get(context)
        layout.prop(settings, "output_dir")
        row = layout.row(align=True)
        row.prop(settings, "exp_num")
        row.prop(settings, "seed")
        row = layout.row(align=True)
        row.prop(settings, "start_day")
        row.prop(settings, "end_day")
        row.prop(settings, "day_interval")
        layout.prop(settings, "cams")
        layout.prop(settings, "resolution")
        layout.prop(settings, "quality")
        row = layout.row(align=True)
        row.prop(settings, "samples")
        row.prop(settings, "denoise")
        layout.prop(settings, "device")
        row = layout.row(align=True)
        row.prop(settings, "references")
        row.prop(settings, "protocol", text="")
        layout.prop(settings, "annotations")
        layout.label(text=_gpu_summary(), icon="DESKTOP")
        _denoise_note(layout, context, _denoising(settings))
        if progress.rendering:
            _progress(layout, progress)
            return
        column = layout.column(align=True)
        column.enabled = bool(settings.output_dir)
        if not settings.output_dir:
            layout.label(text="set an output folder to render", icon="INFO")
        for anomaly, text, icon in ((False, "Render Normal", "RENDER_STILL"),
                                    (True, "Render Anomalous", "RENDER_RESULT")):
            op = column.operator("allo.render_batch", text=text, icon=icon)
            op.from_scene, op.anomaly, op.exp_num = True, anomaly, settings.exp_num
            op.modes = settings.modes


def _gpu_summary() -> str:
    from ..scene.render_settings import cycles_facts
    return cycles_facts.gpus()


def _denoising(settings):
    """What `denoise` will really do here (the same choice the batch makes)."""
    from ..core.dataset.denoiser import plan_denoiser
    from ..scene.render_settings import cycles_facts
    return plan_denoiser(settings.denoise, cycles_facts.denoisers(bpy.context.scene),
                         settings.device)


def _denoise_note(layout, context, denoising) -> None:
    """The note on lines as wide as the sidebar (a label does not wrap; cut, it says nothing)."""
    import textwrap
    scale = context.preferences.system.ui_scale
    # a guess of 7.5 px a character and 50 px for icon and margins (scale 1); it fit the default
    # 291 px sidebar in a screenshot of Debian's Blender 4.3, where 7 px with no margin did not
    chars = max(20, int((context.region.width - 50 * scale) / (7.5 * scale)))
    column = layout.column(align=True)
    icon = "SHADERFX" if denoising.denoised else "INFO"
    for line in textwrap.wrap(denoising.note, chars):
        column.label(text=line, icon=icon)
        icon = "BLANK1"


class ALLO_PT_advanced(_SubPanel, bpy.types.Panel):
    bl_label = "Advanced"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context):
        settings, layout = context.scene.allo, self.layout
        for key in ("lens_mm", "spot_power", "anomaly_distance", "anomaly_box",
                    "placement_attempts", "jitter_position", "jitter_rotation"):
            layout.prop(settings, key)
        row = layout.row()
        row.prop(settings, "jitter_share_auto")
        share = row.row()
        share.enabled = not settings.jitter_share_auto
        share.prop(settings, "jitter_min_share")
        layout.prop(settings, "anomaly_params")
        layout.prop(settings, "sensor")


class ALLO_PT_postprocess(_SubPanel, bpy.types.Panel):
    bl_label = "Post-process"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context):
        settings, layout = context.scene.allo, self.layout
        for name in PANEL_OPTIONS:
            layout.prop(settings, f"pp_{name}")
        column = layout.column()
        column.enabled = bool(settings.pp_input and settings.pp_output)
        op = column.operator("allo.postprocess", text="Run", icon="PLAY")
        for name in PANEL_OPTIONS:
            setattr(op, name, getattr(settings, f"pp_{name}"))
        op.seed = settings.seed
        op.shape = settings.resolution


class ALLO_PT_config(_SubPanel, bpy.types.Panel):
    bl_label = "Import/Export Config"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context):
        settings, layout = context.scene.allo, self.layout
        layout.prop(settings, "config_path", text="")
        row = layout.row(align=True)
        row.operator("allo.import_config", icon="IMPORT").filepath = settings.config_path
        row.operator("allo.export_config", icon="EXPORT").filepath = settings.config_path
        layout.operator("allo.apply_preferences", icon="PREFERENCES")


classes = (ALLO_PT_main, ALLO_PT_ephemeris, ALLO_PT_day_view, ALLO_PT_scene, ALLO_PT_variation,
           ALLO_PT_output, ALLO_PT_advanced, ALLO_PT_postprocess, ALLO_PT_config)
