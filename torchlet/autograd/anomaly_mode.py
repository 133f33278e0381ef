"""Anomaly detection: remember where each node was created, and fail on NaN gradients.

In anomaly mode every node records the Python stack of its forward call. When a node's backward
raises, or (with check_nan) returns NaN, torch's warning "Error detected in XBackward0. Traceback of
forward call that caused the error: ..." is issued before the error propagates.
"""
import warnings

import numpy as np

from .grad_mode import _State

__all__ = ['detect_anomaly', 'set_detect_anomaly', 'is_anomaly_enabled', 'is_anomaly_check_nan_enabled',
           'set_anomaly_enabled']


def is_anomaly_enabled():
    return _State.anomaly


def is_anomaly_check_nan_enabled():
    return _State.anomaly_check_nan


def set_anomaly_enabled(mode, check_nan=True):
    """torch.set_anomaly_enabled: switch anomaly detection (and its NaN check) on or off."""
    _State.anomaly, _State.anomaly_check_nan = bool(mode), bool(check_nan)


class detect_anomaly:
    """Context manager that enables anomaly detection inside it."""

    def __init__(self, check_nan=True):
        self.prev = (_State.anomaly, _State.anomaly_check_nan)
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and "
                      "should only be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *exc):
        set_anomaly_enabled(*self.prev)


class set_detect_anomaly:
    """Turn anomaly detection on or off now; as a context manager, restore the old mode on exit."""

    def __init__(self, mode, check_nan=True):
        self.prev = (_State.anomaly, _State.anomaly_check_nan)
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        set_anomaly_enabled(*self.prev)


def run_backward_checked(node, grads):
    """node's backward, warning with its forward traceback if it fails or returns NaN."""
    try:
        result = node._call_backward(grads)
        if _State.anomaly_check_nan:
            outs = result if isinstance(result, (tuple, list)) else (result,)
            for i, g in enumerate(outs):
                if g is not None and g._data.dtype.kind in 'fc' and np.isnan(g._data).any():
                    raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                                       "output.")
    except Exception:
        if node._trace is not None:
            warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused "
                          f"the error:\n{''.join(node._trace)}", UserWarning, stacklevel=2)
        raise
    return result
