"""combine_masks and ground_truth: the values the benchmark layout promises (docs/formats.md §6)."""

import numpy as np

from allo_addon.core.postprocess import combine_masks, ground_truth
from allo_addon.core.postprocess.masks import anomaly_pixels


def test_three_classes_with_anomaly_over_station():
    fb = np.array([[0, 255, 255, 0]], np.uint8)
    anomaly = np.array([[0, 0, 255, 255]], np.uint8)
    combined = combine_masks(fb, anomaly)
    assert combined.dtype == np.uint8
    assert combined.tolist() == [[0, 1, 2, 2]]


def test_normal_mask_is_space_and_station_only():
    fb = np.array([[0, 255], [255, 0]], np.uint8)
    assert combine_masks(fb).tolist() == [[0, 1], [1, 0]]


def test_antialiased_edges_split_at_half_coverage():
    fb = np.array([[0, 127, 128, 255]], np.uint8)
    assert combine_masks(fb).tolist() == [[0, 0, 1, 1]]


def test_ground_truth_is_binary_0_255():
    anomaly = np.array([[0, 255, 200, 10]], np.uint8)
    assert ground_truth(anomaly).tolist() == [[0, 255, 255, 0]]
    assert anomaly_pixels(anomaly) == 2
