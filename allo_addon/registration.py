"""register()/unregister() for the whole add-on.

Each module in operators/ and panels/ owns a `classes` tuple; they are found here by name, so
adding an operator is adding a module. Properties register first and unregister last.
"""

import importlib
import pkgutil

from . import operators, panels


def _modules(package):
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        yield importlib.import_module(f"{package.__name__}.{info.name}")


def _classes():
    from . import properties, runtime
    import bpy
    classes = [*properties.classes, *runtime.classes]
    if __package__ in bpy.context.preferences.addons:
        classes.extend(properties.ADDON_CLASSES)
    for package in (operators, panels):
        for module in _modules(package):
            classes.extend(getattr(module, "classes", ()))
    return classes


_registered = []   # what register() registered, so unregister() undoes exactly that


def register():
    import bpy
    from . import properties, runtime
    from .core import logs
    for cls in _classes():
        bpy.utils.register_class(cls)
        _registered.append(cls)
    properties.attach()
    runtime.attach()
    logs.install_console()   # the batch's lines on stdout, as the CLI and Blender's console show
    from .scene import timeline
    timeline.register()


def unregister():
    import bpy
    from . import properties, runtime
    from .core import logs
    from .scene import timeline
    timeline.unregister()
    logs.remove_console()
    runtime.detach()
    properties.detach()
    while _registered:
        bpy.utils.unregister_class(_registered.pop())
