"""detect_anomaly: remember each op's forward stack and fail on NaN gradients, naming the op."""
import warnings

import numpy as np

from .grad_mode import _State

__all__ = ['detect_anomaly', 'set_detect_anomaly', 'is_anomaly_enabled']


def is_anomaly_enabled():
    return _State.anomaly


class detect_anomaly:
    """Context manager / decorator: record forward tracebacks and check backward for NaNs."""
    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and "
                      "should only be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        self._prev, self._prev_nan = _State.anomaly, _State.anomaly_check_nan
        _State.anomaly, _State.anomaly_check_nan = True, self.check_nan

    def __exit__(self, *exc):
        _State.anomaly, _State.anomaly_check_nan = self._prev, self._prev_nan
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*a, **k):
            with self.__class__(self.check_nan):
                return fn(*a, **k)
        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off (also usable as a context manager)."""
    def __init__(self, mode, check_nan=True):
        self._prev, self._prev_nan = _State.anomaly, _State.anomaly_check_nan
        _State.anomaly, _State.anomaly_check_nan = bool(mode), check_nan

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _State.anomaly, _State.anomaly_check_nan = self._prev, self._prev_nan
        return False


def check_grads(node, grads):
    """Raise if a backward output holds NaN, after warning with the forward op's traceback."""
    if not _State.anomaly_check_nan:
        return
    for i, g in enumerate(grads):
        if g is not None and g._data.dtype.kind in 'fc' and np.isnan(g._data).any():
            if node._trace:
                warnings.warn(f"Error detected in {node.name()}. Traceback of forward call that caused "
                              f"the error:\n{''.join(node._trace)}", RuntimeWarning, stacklevel=2)
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")
