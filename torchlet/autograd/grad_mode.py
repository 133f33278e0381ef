"""Grad mode: no_grad, enable_grad, set_grad_enabled, inference_mode."""
import functools

__all__ = ['no_grad', 'enable_grad', 'set_grad_enabled', 'is_grad_enabled', 'inference_mode',
           'is_inference_mode_enabled']


class _State:
    """Global autograd switches, read on every op."""
    grad_enabled = True
    anomaly = False
    anomaly_check_nan = True


def is_grad_enabled():
    return _State.grad_enabled


class _GradModeContext:
    """A context manager that is also usable as a decorator."""
    _mode = True

    def __enter__(self):
        self._prev = _State.grad_enabled
        _State.grad_enabled = self._mode

    def __exit__(self, *exc):
        _State.grad_enabled = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class no_grad(_GradModeContext):
    """Disable gradient tracking inside the block or decorated function."""
    _mode = False

    def __init__(self, orig_func=None):
        self._orig = orig_func


class enable_grad(_GradModeContext):
    """Enable gradient tracking inside the block or decorated function."""
    _mode = True


class inference_mode(_GradModeContext):
    """Like no_grad (torchlet has no separate inference tensors)."""
    def __init__(self, mode=True):
        self._mode = not mode

    def __call__(self, fn):
        if not callable(fn):
            return inference_mode(fn)
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(not mode):
                return fn(*args, **kwargs)
        return wrapper


def is_inference_mode_enabled():
    return False


class set_grad_enabled(_GradModeContext):
    """Set grad mode now; as a context manager, restore the previous mode on exit."""
    def __init__(self, mode):
        self._prev = _State.grad_enabled
        self._mode = bool(mode)
        _State.grad_enabled = self._mode

    def __enter__(self):
        pass

    def __call__(self, fn):
        _State.grad_enabled = self._prev
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        return wrapper
