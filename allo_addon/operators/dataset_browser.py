"""allo.open_dataset, allo.show_dataset_image, allo.look_through_dataset_image: the dataset
browser's buttons (panels/sidebar_dataset.py). State: window_manager.allo_dataset."""

import bpy

from ..core.dataset.layout import exp_dir
from ..core.errors import UserError
from ..core.views.dataset_browser import ALL, Filters, facet_counts
from .reporting import reports_user_errors


class ALLO_OT_open_dataset(bpy.types.Operator):
    bl_idname = "allo.open_dataset"
    bl_label = "Open Dataset"
    bl_description = ("List the images of the folder's manifest.jsonl (an exp_<N> folder or a "
                      "post-processed split folder) by camera, day, kind and split")
    bl_options = {'REGISTER'}

    this_batch: bpy.props.BoolProperty(
        name="This Batch", description="Open the exp_<N> folder of the panel's Output folder "
                                       "and Experiment number (what Render wrote)")

    @reports_user_errors
    def execute(self, context):
        from .. import dataset_properties
        from ..scene import dataset_view
        props = context.window_manager.allo_dataset
        if self.this_batch:   # where Render wrote: the settings' output folder, resolved
            settings = context.scene.allo
            props.folder = str(exp_dir(settings.to_config().output_dir, settings.exp_num))
        if not props.folder:
            raise UserError("choose a dataset folder first (an exp_<N> or split folder)")
        dataset = dataset_view.open_folder(props.folder)
        props.message = ""
        for field in ("camera", "kind", "split"):
            setattr(props, field, ALL)
        props.day = -1
        dataset_properties.refill(props)
        cameras = facet_counts(dataset.entries, Filters(), "camera")
        per_camera = ", ".join(f"{c} {n}" for c, n in cameras.items())
        self.report({'INFO'}, f"{dataset.root.name} ({dataset.kind}): {len(dataset.entries)} "
                              f"images" + (f" ({per_camera})" if per_camera else ""))
        return {'FINISHED'}


class ALLO_OT_show_dataset_image(bpy.types.Operator):
    bl_idname = "allo.show_dataset_image"
    bl_label = "Show Image"
    bl_description = "Show the selected image in an image editor, with its masks as chosen"
    bl_options = {'REGISTER'}

    @reports_user_errors
    def execute(self, context):
        from .. import dataset_properties
        props = context.window_manager.allo_dataset
        dataset_properties.show_selected(props, context)
        props.message = ""
        return {'FINISHED'}


class ALLO_OT_look_through_dataset_image(bpy.types.Operator):
    bl_idname = "allo.look_through_dataset_image"
    bl_label = "Look Through"
    bl_description = ("Put the camera where the selected image was rendered from (the pose "
                      "after jitter, as its manifest record says) and view through it")
    bl_options = {'REGISTER', 'UNDO'}

    @reports_user_errors
    def execute(self, context):
        from .. import dataset_properties
        from ..scene import dataset_view
        props = context.window_manager.allo_dataset
        _, entry = dataset_properties.selected(props)
        dataset_view.look_through(entry, context)
        self.report({'INFO'}, f"looking through {entry.camera} as it rendered {entry.image}")
        return {'FINISHED'}


classes = (ALLO_OT_open_dataset, ALLO_OT_show_dataset_image, ALLO_OT_look_through_dataset_image)
