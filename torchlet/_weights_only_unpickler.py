"""The unpickler of torch.load: with weights_only (the default), a pickle may name only torch's
allow-list of globals (tensors, storages, dtypes, devices, torch.Size, containers, numbers, strings)
plus what ``add_safe_globals`` adds, and anything else raises ``pickle.UnpicklingError`` before it can
run; without it, torch's names resolve to torchlet's objects."""
import _compat_pickle
import collections
import codecs
import contextlib
import importlib
import pickle

from . import _dtype
from ._device import device as _device
from ._tensor import Tensor, Size

__all__ = ['add_safe_globals', 'get_safe_globals', 'clear_safe_globals', 'safe_globals']

_UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will likely "
    "succeed, but it can result in arbitrary code execution. Do it only if you got the file from a "
    "trusted source.")
_DOCS_MESSAGE = ("\n\nCheck the documentation of torch.load to learn more about types accepted by default "
                 "with weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")

_BLOCKED_MODULES = ('sys', 'os', 'posix', 'nt')
_safe_globals = set()
_ALLOWED = None


def _allowed_globals():
    """torch's weights_only allow-list, mapped to torchlet objects (built on first use)."""
    global _ALLOWED
    if _ALLOWED is not None:
        return _ALLOWED
    from . import serialization as s     # imported late: serialization imports this module
    try:
        from .nn.parameter import Parameter
    except ImportError:
        Parameter = s._parameter
    g = {
        'collections.OrderedDict': collections.OrderedDict, 'collections.Counter': collections.Counter,
        'torch.nn.parameter.Parameter': Parameter, 'torch.serialization._get_layout': s._get_layout,
        'torch.Size': Size, 'torch.Tensor': Tensor, 'torch.device': _device,
        '_codecs.encode': codecs.encode, 'builtins.bytearray': bytearray, 'builtins.set': set,
        'builtins.complex': complex,
        'torch._tensor._rebuild_from_type_v2': s._rebuild_from_type_v2,
    }
    for f in (s._rebuild_tensor_v2, s._rebuild_tensor_v3, s._rebuild_parameter, s._rebuild_parameter_with_state):
        g['torch._utils.' + f.__name__] = f
    g['torch._utils._rebuild_tensor'] = s._set_tensor
    g['torch._utils._rebuild_device_tensor_from_cpu_tensor'] = s._rebuild_device_tensor
    g['torch._utils._rebuild_device_tensor_from_numpy'] = s._rebuild_device_tensor
    for name, what in (('qtensor', 'quantized tensors'), ('sparse_tensor', 'sparse tensors'),
                       ('nested_tensor', 'nested tensors'), ('wrapper_subclass', 'tensor subclasses'),
                       ('meta_tensor_no_storage', 'meta tensors')):
        g['torch._utils._rebuild_' + name] = s._unsupported_rebuild(what)
    for d in _dtype.ALL + (_dtype.bfloat16,):
        g['torch.' + d.name] = d
    for name in s._WIDENED:
        g['torch.' + name] = s._UnsupportedDtype(name)
    for name, st in s._STORAGE_TYPES.items():
        g[f'torch.{name}'] = g[f'torch.cuda.{name}'] = st
    g['torch.storage.UntypedStorage'] = s._STORAGE_TYPES['UntypedStorage']
    _ALLOWED = g
    return g


def _user_globals():
    out = {}
    for entry in _safe_globals:
        if isinstance(entry, tuple):
            obj, name = entry
            out[name] = obj
        else:
            out[f'{entry.__module__}.{entry.__qualname__}'] = entry
    return out


def add_safe_globals(safe_globals):
    """Allow these classes/functions (or (object, 'module.name') pairs) in weights_only loads."""
    for entry in safe_globals:
        if isinstance(entry, tuple) and (len(entry) != 2 or type(entry[1]) is not str):
            raise ValueError(f"Expected tuple of length 2 (global, str of callable full path), but got "
                             f"{entry!r}")
    _safe_globals.update(safe_globals)


def get_safe_globals():
    return list(_safe_globals)


def clear_safe_globals():
    _safe_globals.clear()


@contextlib.contextmanager
def safe_globals(globals_list):
    """Context manager: add_safe_globals for the duration of the block."""
    added = [g for g in globals_list if g not in _safe_globals]
    add_safe_globals(added)
    try:
        yield
    finally:
        _safe_globals.difference_update(added)


def _py3_name(module, name):
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    if module in ('__builtin__', 'copy_reg'):
        return _compat_pickle.IMPORT_MAPPING[module], name
    return module, name


class _WeightsOnlyMixin:
    """find_class restricted to the allow-list: nothing else is ever imported or called."""

    def find_class(self, module, name):
        module, name = _py3_name(module, name)
        full = f'{module}.{name}'
        if module in _BLOCKED_MODULES:
            raise pickle.UnpicklingError(f"Trying to load unsupported GLOBAL {full} whose module "
                                         f"{module} is blocked.")
        obj = _allowed_globals().get(full)
        if obj is None:
            obj = _user_globals().get(full)
        if obj is None:
            shown = full[len('builtins.'):] if full.startswith('builtins.') else full
            raise pickle.UnpicklingError(
                f"Unsupported global: GLOBAL {shown} was not an allowed global by default. Please use "
                f"`torch.serialization.add_safe_globals([{shown}])` or the "
                f"`torch.serialization.safe_globals([{shown}])` context manager to allowlist this "
                f"global if you trust this class/function.")
        return obj


class _FullMixin:
    """Unrestricted find_class that resolves torch's names to torchlet's."""

    def find_class(self, module, name):
        m3, n3 = _py3_name(module, name)
        obj = _allowed_globals().get(f'{m3}.{n3}')
        if obj is not None:
            return obj
        if m3 == 'torch.tensor':
            m3 = 'torch._tensor'
        if m3 == 'torch' or m3.startswith('torch.'):
            return _torchlet_global(m3, n3)
        return super().find_class(module, name)


def _torchlet_global(module, name):
    """torchlet's counterpart of torch's module.name (the same path, else the nearest package that
    exports the name); fails loudly, naming the torch API, when torchlet has none."""
    parts = ('torchlet' + module[len('torch'):]).split('.')
    for i in range(len(parts), 0, -1):
        try:
            mod = importlib.import_module('.'.join(parts[:i]))
        except ImportError:
            continue
        obj = mod
        try:
            for attr in name.split('.'):
                obj = getattr(obj, attr)
            return obj
        except AttributeError:
            continue
    raise AttributeError(f"Can't get attribute '{name}' on module '{module}': {module}.{name} is not "
                         f"yet implemented in torchlet")


def _unpickler_class(weights_only, pickle_module):
    base = pickle.Unpickler if weights_only or pickle_module is None else pickle_module.Unpickler
    mixin = _WeightsOnlyMixin if weights_only else _FullMixin

    class Unpickler(mixin, base):
        def persistent_load(self, pid):
            return self.loader.persistent_load(pid)
    return Unpickler


def _weights_only_message(message):
    """torch's wording around a weights_only unpickling failure."""
    if 'was not an allowed global by default' in message:
        return ("Weights only load failed. This file can still be loaded, to do so you have two options, "
                "do those steps only if you trust the source of the checkpoint. "
                f"\n\t(1) {_UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with `weights_only=True` please "
                "check the recommended steps in the following error message.\n\tWeightsUnpickler error: "
                + message + _DOCS_MESSAGE)
    text = f"Weights only load failed. {_UNSAFE_MESSAGE}\n"
    if 'is blocked' not in message:
        text += ("Please file an issue with the following so that we can make `weights_only=True` "
                 "compatible with your use case: WeightsUnpickler error: ")
    return text + "\n\n" + message + _DOCS_MESSAGE
