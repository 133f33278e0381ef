"""Grad mode: no_grad, enable_grad, set_grad_enabled and inference_mode, each usable as a context
manager and as a decorator (of plain and of generator functions)."""
import functools
import inspect

__all__ = ['no_grad', 'enable_grad', 'set_grad_enabled', 'is_grad_enabled', 'inference_mode',
           'is_inference_mode_enabled']


class _State:
    """Global autograd switches, read on every op."""
    grad_enabled = True
    inference = False
    anomaly = False
    anomaly_check_nan = True


def is_grad_enabled():
    return _State.grad_enabled


def is_inference_mode_enabled():
    return _State.inference


def _decorate(make_context, fn):
    """fn running inside a fresh context from make_context() on every call (and, for a generator
    function, around each step of the generator, as torch does)."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def generator(*args, **kwargs):
            gen = fn(*args, **kwargs)
            try:
                with make_context():
                    request = gen.send(None)
                while True:
                    try:
                        response = yield request
                    except GeneratorExit:
                        with make_context():
                            gen.close()
                        raise
                    except BaseException as exc:
                        with make_context():
                            request = gen.throw(exc)
                    else:
                        with make_context():
                            request = gen.send(response)
            except StopIteration as e:
                return e.value
        return generator

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with make_context():
            return fn(*args, **kwargs)
    return wrapper


class _GradModeContext:
    """Sets grad mode to ``_mode`` inside a with-block; restores the previous mode on exit."""
    _mode = True

    def __enter__(self):
        self._prev = _State.grad_enabled
        _State.grad_enabled = self._mode

    def __exit__(self, *exc):
        _State.grad_enabled = self._prev
        return False

    def __call__(self, fn):
        return _decorate(self.clone, fn)

    def clone(self):
        return self.__class__()


class _NoParamDecorator(_GradModeContext):
    """Also usable as a bare decorator: ``@no_grad`` as well as ``@no_grad()``."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamDecorator):
    """Disable gradient tracking: results of ops do not require grad."""
    _mode = False


class enable_grad(_NoParamDecorator):
    """Enable gradient tracking (inside a no_grad block, for instance)."""
    _mode = True


class set_grad_enabled(_GradModeContext):
    """Set grad mode to ``mode`` now; as a context manager, restore the previous mode on exit."""

    def __init__(self, mode):
        self._prev = _State.grad_enabled
        self._mode = bool(mode)
        _State.grad_enabled = self._mode

    def __enter__(self):
        pass

    def __call__(self, fn):
        _State.grad_enabled = self._prev
        return _decorate(self.clone, fn)

    def clone(self):
        return set_grad_enabled(self._mode)


class inference_mode(_GradModeContext):
    """Like no_grad (torchlet has no separate inference tensors); ``inference_mode(False)`` does
    nothing. Usable as ``@inference_mode``, ``@inference_mode()`` or a with-block."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)

    def __init__(self, mode=True):
        self.mode = mode

    def __enter__(self):
        self._prev = (_State.grad_enabled, _State.inference)
        if self.mode:
            _State.grad_enabled, _State.inference = False, True

    def __exit__(self, *exc):
        _State.grad_enabled, _State.inference = self._prev
        return False

    def clone(self):
        return inference_mode(self.mode)
