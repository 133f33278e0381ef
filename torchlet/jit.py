"""torch.jit, reduced to what eager scripts touch: script/trace return their input unchanged (torchlet
always runs eagerly), and the decorators are no-ops. Saving and loading TorchScript is not
implemented."""
from typing import Final

__all__ = ['script', 'trace', 'trace_module', 'ignore', 'unused', 'export', 'is_scripting',
           'is_tracing', 'annotate', 'Final']


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """Return obj unchanged (a function or module runs eagerly)."""
    return obj


def trace(func, example_inputs=None, *args, **kwargs):
    """Return func unchanged (no tracing: it runs eagerly)."""
    return func


def trace_module(mod, inputs, *args, **kwargs):
    return mod


def ignore(drop=False, **kwargs):
    """@torch.jit.ignore / @torch.jit.ignore(drop=True): a no-op decorator."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn):
    return fn


def export(fn):
    return fn


def annotate(the_type, the_value):
    return the_value


def is_scripting():
    return False


def is_tracing():
    return False


def __getattr__(name):
    from .compat import module_getattr
    return module_getattr(__name__, 'torch.jit', name)
