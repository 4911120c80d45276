"""View3D ▸ Sidebar ▸ ALLO ▸ Dataset: browse what a batch or the post-process wrote.

Drawing only (state: window_manager.allo_dataset, dataset_properties.py; buttons:
operators/dataset_browser.py). The module sorts after sidebar.py, so the parent panel it hangs
under is registered first.
"""

import bpy

from .sidebar import _SubPanel


class ALLO_UL_dataset_images(bpy.types.UIList):
    """The images the filters keep (the collection holds only those)."""

    def draw_item(self, context, layout, data, item, icon, active_data, active_property,
                  index=0, flt_flag=0):
        icons = {"anomaly": "ERROR", "reference": "LINKED"}
        split = layout.split(factor=0.3)
        split.label(text=item.camera)
        split.label(text=item.file.removesuffix(".png"), icon=icons.get(item.kind, "IMAGE_DATA"))


class ALLO_PT_dataset(_SubPanel, bpy.types.Panel):
    bl_label = "Dataset"

    def draw(self, context):
        from .. import dataset_properties
        from ..core.views.dataset_browser import key_fields
        props, layout = context.window_manager.allo_dataset, self.layout
        layout.prop(props, "folder", text="")
        row = layout.row(align=True)
        row.operator("allo.open_dataset", text="Open", icon="FILEBROWSER").this_batch = False
        row.operator("allo.open_dataset", text="This Batch", icon="RENDER_RESULT").this_batch = True
        dataset = dataset_properties.dataset(props)
        if dataset is None:
            layout.label(text="not opened", icon="INFO")
            return
        layout.label(text=f"{dataset.root.name} ({dataset.kind}): {len(dataset.entries)} images, "
                          f"{len(props.items)} shown", icon="CHECKMARK")
        row = layout.row(align=True)
        row.prop(props, "camera", text="")
        row.prop(props, "day", text="Day (-1: all)" if props.day < 0 else "Day")
        row = layout.row(align=True)
        row.prop(props, "kind", text="")
        row.prop(props, "split", text="")
        if not dataset.entries:
            layout.label(text="no image recorded yet: render, then Open again", icon="INFO")
            return
        layout.template_list("ALLO_UL_dataset_images", "", props, "items", props, "active",
                             rows=6)
        layout.row(align=True).prop(props, "view", expand=True)
        if props.message:
            layout.label(text=props.message, icon="ERROR")
        if not 0 <= props.active < len(props.items):
            layout.label(text="select an image to show it", icon="INFO")
            return
        entry = dataset.entries[props.items[props.active].entry]
        column = layout.column(align=True)
        for label, value in key_fields(entry):
            split = column.split(factor=0.35, align=True)
            split.label(text=label)
            split.label(text=value)
        layout.operator("allo.look_through_dataset_image", icon="CAMERA_DATA")


classes = (ALLO_UL_dataset_images, ALLO_PT_dataset)
