"""allo.render_batch: render a normal or anomalous batch from a render_config.yaml.

Thin: properties -> api.RenderRequest -> api.render_batch / api.plan -> report. In the
background (`blender -b`, the bpy wheel) it renders synchronously; invoked from the GUI it is
modal, one image per timer tick, with a progress bar, and Esc stops it after the current
image (finished images stay recorded; running it again resumes). The modal run's progress is
in WindowManager.allo_runtime (runtime.py), where the panel and the timeline read it.
"""

from pathlib import Path

import bpy

from .. import api, runtime
from ..core import logs
from ..core.errors import UserError
from .reporting import fail, reports_user_errors

MODE_ITEMS = [
    ("illumination", "Illumination", "one image per sun_strength value"),
    ("depth", "Depth", "move the anomaly along the camera's forward axis (depths)"),
    ("scale", "Scale", "one anomaly scale drawn per camera and day (scales)"),
    ("colour", "Colour", "default colour plus one drawn from colours"),
    ("color", "Color", "same as colour (the original README's spelling)"),
]


class ALLO_OT_render_batch(bpy.types.Operator):
    bl_idname = "allo.render_batch"
    bl_label = "Render Batch"
    bl_description = "Render normal or anomalous images with their masks into exp_<N>"
    bl_options = {"REGISTER"}

    config: bpy.props.StringProperty(
        name="Config", subtype="FILE_PATH",
        description="render_config.yaml (empty: built-in defaults on the built-in scene)")
    # No min/max here: Blender would clamp a wrong value silently (-1 rendered into exp_0);
    # prepare_batch refuses it by name instead.
    exp_num: bpy.props.IntProperty(name="Experiment", default=1,
                                   description="images go to <output_dir>/exp_<N>")
    anomaly: bpy.props.BoolProperty(name="Anomalous", default=False,
                                    description="render anomalous (test) instead of normal images")
    modes: bpy.props.EnumProperty(name="Modes", items=MODE_ITEMS, options={"ENUM_FLAG"},
                                  description="variation modes")
    # Used only when given (is_property_set): no value of its own means "the config's seed",
    # so every whole number, negative ones too, is a seed. SKIP_SAVE: a seed given once is not
    # remembered for the next call.
    seed: bpy.props.IntProperty(name="Seed", default=0, options={"SKIP_SAVE"},
                                description="experiment seed (not given: the config's seed)")
    shard: bpy.props.StringProperty(name="Shard", default="",
                                    description="i/N renders every N-th job starting at i")
    dry_run: bpy.props.BoolProperty(name="Dry Run", default=False,
                                    description="validate and print the plan without rendering")
    from_scene: bpy.props.BoolProperty(
        name="From Panel", default=False, options={'SKIP_SAVE'},
        description="use the ALLO panel's settings (scene.allo) instead of a config file")

    _timer = None
    _steps = None
    _run = None
    _cancelled = False

    def _request(self, context):
        """The operator's properties as an api.RenderRequest (the panel's settings for
        from_scene, else the config file)."""
        config = Path(bpy.path.abspath(self.config)) if self.config else None
        if self.from_scene:
            settings = context.scene.allo
            if not settings.output_dir:
                raise UserError("set an output folder (Output & Render ▸ Output) first")
            config = settings.to_config()
        return api.RenderRequest(
            config=config, exp_num=self.exp_num, anomaly=self.anomaly, modes=frozenset(self.modes),
            seed=self.seed if self.properties.is_property_set("seed") else None,
            shard=self.shard or None)

    @reports_user_errors
    def execute(self, context):
        with logs.reporting_to(self.report):
            request = self._request(context)
            if self.dry_run:
                planned = api.plan(request)
                logs.LOGGER.info(planned.describe())
                self.report({"INFO"}, f"dry run: {planned.image_count} images planned")
                return {"FINISHED"}
            result = api.render_batch(request, quiet=bpy.app.background)
        self.report({"INFO"}, f"rendered {result.summary.rendered} images into {result.exp_dir}")
        return {"FINISHED"}

    def invoke(self, context, event):
        if bpy.app.background or self.dry_run:
            return self.execute(context)
        progress = runtime.get(context)
        if progress.rendering:
            return fail(self, "a batch is already rendering; press Esc to stop it first")
        try:
            self._run = api.start_batch(self._request(context), quiet=False)
        except UserError as error:
            return fail(self, error)
        self._steps = self._run.steps()
        self._cancelled = False
        total = self._run.batch.plan.image_count
        progress.rendering, progress.done, progress.total = True, 0, total
        progress.line, progress.eta = "starting…", 0.0
        wm = context.window_manager
        wm.progress_begin(0, max(1, total))
        self._timer = wm.event_timer_add(0.05, window=context.window)
        wm.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context, event):
        if event.type == "ESC":
            self._cancelled = True
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        if self._cancelled:
            return self._finish(context, "cancelled after the current image; run again to resume")
        try:
            with logs.reporting_to(self.report):
                step = next(self._steps)
        except StopIteration:
            return self._finish(context, f"rendered {self._run.summary.rendered} images")
        except UserError as error:
            self.report({"ERROR"}, str(error))
            return self._finish(context, None)
        context.window_manager.progress_update(step.done)
        context.workspace.status_text_set(step.line())
        progress = runtime.get(context)
        progress.done, progress.total, progress.line, progress.eta = \
            step.done, step.total, step.path, step.eta
        _redraw_panels(context)
        return {"RUNNING_MODAL"}

    def _finish(self, context, message):
        self._steps.close()   # a cancelled run removes its scratch files (BatchRun.steps)
        from ..scene import preview
        preview.adopt(self._run.stage)
        runtime.get(context).rendering = False
        _redraw_panels(context)
        wm = context.window_manager
        wm.event_timer_remove(self._timer)
        wm.progress_end()
        context.workspace.status_text_set(None)
        if message:
            self.report({"INFO"}, message)
        return {"FINISHED"} if message else {"CANCELLED"}


def _redraw_panels(context):
    for area in context.screen.areas if context.screen else ():
        if area.type == "VIEW_3D":
            area.tag_redraw()


classes = (ALLO_OT_render_batch,)
