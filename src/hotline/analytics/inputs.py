"""Checking planners' figures and shaping them into arrays for the queueing formulas.

The Erlang functions take scalars or arrays (one element per interval) and broadcast them
against each other like numpy does. Inside, they work on flat float64 arrays so that each
element can take the numerical route that suits it, chosen with boolean masks. This module does
the checking and flattening on the way in and hands a plain float back for all-scalar input on
the way out. A bad figure raises `ValueError` naming the argument, the allowed range and the
offending element before any arithmetic runs, so a caller never gets a silent NaN.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _as_floats(value: ArrayLike, name: str) -> FloatArray:
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        message = f"{name} must be a number or an array of numbers, got {value!r}"
        raise ValueError(message) from error


def _reject(values: FloatArray, bad: NDArray[np.bool_], name: str, allowed: str) -> None:
    if not bad.any():
        return
    if values.ndim == 0:
        raise ValueError(f"{name} must be {allowed}, got {values.item()!r}")
    where = tuple(int(i) for i in np.argwhere(bad)[0])
    index = where[0] if len(where) == 1 else where
    raise ValueError(f"{name} must be {allowed}; element {index} is {values[where].item()!r}")


def agents(value: ArrayLike, name: str = "agents") -> FloatArray:
    """Agent counts as floats (exact up to 2**53): whole numbers, zero allowed."""
    values = _as_floats(value, name)
    _reject(
        values,
        ~np.isfinite(values) | (values < 0) | (values != np.floor(values)),
        name,
        "a whole number >= 0",
    )
    return values


def nonnegative(value: ArrayLike, name: str) -> FloatArray:
    """A finite figure that may be zero, such as traffic or a service-level threshold."""
    values = _as_floats(value, name)
    _reject(values, ~np.isfinite(values) | (values < 0), name, "finite and >= 0")
    return values


def positive(value: ArrayLike, name: str) -> FloatArray:
    """A finite figure that must be above zero, such as handle time or patience."""
    values = _as_floats(value, name)
    _reject(values, ~np.isfinite(values) | (values <= 0), name, "finite and > 0")
    return values


def fraction(value: ArrayLike, name: str) -> FloatArray:
    """A target strictly between 0 and 1: 0 is no target and 1 would need infinite agents."""
    values = _as_floats(value, name)
    _reject(values, ~((values > 0) & (values < 1)), name, "strictly between 0 and 1")
    return values


def flatten(*arrays: FloatArray) -> tuple[tuple[int, ...], list[FloatArray]]:
    """Broadcast the arguments together; return the common shape and flat, writable copies."""
    try:
        broadcast = np.broadcast_arrays(*arrays)
    except ValueError as error:
        shapes = ", ".join(str(array.shape) for array in arrays)
        raise ValueError(f"argument shapes do not broadcast together: {shapes}") from error
    shape = broadcast[0].shape
    return shape, [np.array(array, dtype=np.float64).reshape(-1) for array in broadcast]


def shaped(result: FloatArray, shape: tuple[int, ...]) -> float | FloatArray:
    """Give the flat result the callers' shape: a float when every argument was a scalar."""
    if shape == ():
        return float(result[0])
    return result.reshape(shape)


def shaped_counts(result: FloatArray, shape: tuple[int, ...]) -> int | IntArray:
    """Like `shaped`, for agent counts: an int for scalar input, else an int64 array."""
    counts = result.astype(np.int64)
    if shape == ():
        return int(counts[0])
    return counts.reshape(shape)
