"""What the GUI and the docs gallery show, computed without bpy (tested without Blender).

dataset_browser.py and mask_overlay.py (the dataset browser), day_view.py (the day preview),
gallery_choice.py and gallery_sheet.py (the `gallery` command's sheet).
"""
