"""Array types of the engine (numpy arrays of one element type), for annotations."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

IntArray = NDArray[np.int64]
Int32Array = NDArray[np.int32]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


def weighted_count(labels: ArrayLike, weights: ArrayLike, minlength: int = 0) -> FloatArray:
    """np.bincount with weights (sums of the weights per label), typed as the floats it returns."""
    return np.asarray(np.bincount(labels, weights=weights, minlength=minlength), dtype=np.float64)
