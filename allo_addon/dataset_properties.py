"""The dataset browser's state (`window_manager.allo_dataset`): the folder, the filters, the
images they keep (a collection the panel's list shows) and which one is selected.

On the window manager, not the scene: Build Scene and Look Through switch the window to the
"ALLO" scene, and the browser should not forget what it showed. Like the opened dataset itself
(scene/dataset_view.py) it lasts for the Blender session.
"""

import bpy

from .core.errors import UserError
from .core.views.dataset_browser import ALL, Filters, facet_counts, values
from .core.views.mask_overlay import VIEWS


def dataset(props):
    from .scene import dataset_view
    return dataset_view.current(props.folder) if props.folder else None


def filters(props) -> Filters:
    return Filters(camera=props.camera_value, day=None if props.day < 0 else props.day,
                   kind=props.kind_value, split=props.split_value)


def refill(props) -> None:
    """The list holds the images the filters keep, in manifest order; nothing is selected."""
    current = dataset(props)
    props.items.clear()
    entries, chosen = current.entries if current else (), filters(props)
    for index, entry in enumerate(entries):
        if chosen.keeps(entry):
            item = props.items.add()
            item.name, item.entry, item.kind = entry.label, index, entry.kind
            item.camera, item.file = entry.camera, entry.image.rsplit("/", 1)[-1]
    props["active"] = -1   # (not through the setter: nothing to show)


def selected(props):
    """(dataset, entry) of the selected list row; UserError when there is none."""
    current = dataset(props)
    if current is None:
        raise UserError("open a dataset folder first (Dataset ▸ Open)")
    if not 0 <= props.active < len(props.items):
        raise UserError("select an image in the list first")
    return current, current.entries[props.items[props.active].entry]


def show_selected(props, context) -> None:
    from .scene import dataset_view
    current, entry = selected(props)
    dataset_view.show(current, entry, props.view, context)


def _on_select(self, context):
    """A row was clicked: show it; an error is kept for the panel (no operator to report it)."""
    self.message = ""
    if self.active < 0:
        return
    try:
        show_selected(self, context)
    except UserError as error:
        self.message = str(error)
        from .core.logs import LOGGER
        LOGGER.warning("ALLO dataset: %s", error)


def _on_filter(self, context):
    refill(self)


PLURAL = {"camera": "cameras", "kind": "kinds", "split": "splits"}
_ITEMS: dict = {}   # Blender keeps only pointers to the enum strings: hold them here


def _menu(field):
    """A filter menu over the dataset's values of `field`, each with its count. The choice is
    kept as text (<field>_value) by get/set: the counts depend on the other menus' choices,
    and an items function that read another menu would call that menu's items function."""
    def identifiers(props):
        current = dataset(props)
        return [ALL] + [str(v) for v in values(current.entries if current else (), field)]

    def items(self, context):
        current = dataset(self)
        counts = facet_counts(current.entries if current else (), filters(self), field)
        # the menus are drawn without a label (the sidebar is narrow): the item says the field
        listed = [(ALL, f"All {PLURAL[field]} ({sum(counts.values())})", f"every {field}")]
        listed += [(str(v), f"{v} ({n})", f"{n} images") for v, n in counts.items()]
        _ITEMS[field] = listed
        return listed

    def get(self):
        chosen, known = getattr(self, f"{field}_value"), identifiers(self)
        return known.index(chosen) if chosen in known else 0

    def set(self, index):
        known = identifiers(self)
        setattr(self, f"{field}_value", known[index] if 0 <= index < len(known) else ALL)
        refill(self)

    return bpy.props.EnumProperty(name=field.title(), items=items, get=get, set=set)


class ALLO_PG_dataset_item(bpy.types.PropertyGroup):
    # name: the row's label (PropertyGroup's own)
    entry: bpy.props.IntProperty(description="Index of the image in the opened dataset")
    kind: bpy.props.StringProperty()   # its icon
    camera: bpy.props.StringProperty()
    file: bpy.props.StringProperty()   # the file name says day, anomaly and variation


class ALLO_PG_dataset(bpy.types.PropertyGroup):
    folder: bpy.props.StringProperty(
        name="Folder", subtype="DIR_PATH",
        description="An exp_<N> folder a batch rendered into, or a split folder the "
                    "post-process wrote (renders/train, renders/test)")
    camera: _menu("camera")
    camera_value: bpy.props.StringProperty(default=ALL)
    day: bpy.props.IntProperty(name="Day", default=-1, min=-1, update=_on_filter,
                               description="Only this day's images; -1: every day")
    kind: _menu("kind")
    kind_value: bpy.props.StringProperty(default=ALL)
    split: _menu("split")
    split_value: bpy.props.StringProperty(default=ALL)
    items: bpy.props.CollectionProperty(type=ALLO_PG_dataset_item)
    active: bpy.props.IntProperty(name="Image", default=-1, update=_on_select)
    view: bpy.props.EnumProperty(
        name="Show", default="OVERLAY", update=_on_select,
        items=[(v, v.title(), d) for v, d in zip(VIEWS, (
            "The rendered image as it is", "The image with station (blue), anomaly (red) and "
            "the anomaly's outline (yellow) laid over it",
            "The 3-class mask: space black, station grey, anomaly red"))])
    message: bpy.props.StringProperty(description="Why the selected image could not be shown")


classes = (ALLO_PG_dataset_item, ALLO_PG_dataset)
