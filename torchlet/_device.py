"""torch.device: where a tensor lives. Only the CPU is present for now."""
import re

__all__ = ['device']

# torch's order, so that the "Expected one of ..." message reads the same.
_KNOWN = ('cpu', 'cuda', 'ipu', 'xpu', 'mkldnn', 'opengl', 'opencl', 'ideep', 'hip', 've', 'fpga',
          'maia', 'xla', 'lazy', 'vulkan', 'mps', 'meta', 'hpu', 'mtia', 'privateuseone')
_DEVICE_STR = re.compile(r'([A-Za-z_]+)(?::(0|[1-9][0-9]*))?')
_NO_ACCELERATOR = "Cannot access accelerator device when none is available."


def _invalid_args(got):
    return TypeError(f"device() received an invalid combination of arguments - got ({got}), but "
                     "expected one of:\n * (torch.device device)\n      didn't match because some of "
                     f"the arguments have invalid types: (!{got}!)\n * (str type, int index = -1)\n")


class device:
    """A device such as ``device('cpu')``, ``device('cuda:0')`` or ``device('cuda', 0)`` (immutable)."""
    __slots__ = ('_type', '_index')

    def __init__(self, type, index=None):
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): argument 'type' (position 1) must be str, not torch.device")
            type, index = type._type, type._index
        elif isinstance(type, int) and not isinstance(type, bool) and index is None:
            # torch.device(0) means "accelerator 0", and there is no accelerator.
            raise RuntimeError("Device index must not be negative" if type < 0 else _NO_ACCELERATOR)
        elif not isinstance(type, str):
            raise _invalid_args(type.__class__.__name__)
        else:
            if index is not None and (not isinstance(index, int) or isinstance(index, bool)):
                raise TypeError(f"device(): argument 'index' (position 2) must be int, not "
                                f"{index.__class__.__name__}")
            type, index = _parse(type, index)
        object.__setattr__(self, '_type', type)
        object.__setattr__(self, '_index', index)

    @property
    def type(self):
        return self._type

    @property
    def index(self):
        return self._index

    def __setattr__(self, name, value):
        raise AttributeError(f"attribute '{name}' of 'torch.device' objects is not writable")

    def __repr__(self):
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __str__(self):
        return self._type if self._index is None else f'{self._type}:{self._index}'

    def __eq__(self, other):
        # Like torch: a device never equals a string (torch.device('cpu') == 'cpu' is False).
        if not isinstance(other, device):
            return NotImplemented
        return self._type == other._type and self._index == other._index

    def __hash__(self):
        return hash((self._type, self._index))

    def __reduce__(self):
        return (device, (str(self),))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _parse(s, index):
    """(type, index) from a device string and an optional explicit index, with torch's errors."""
    if not s:
        raise RuntimeError("Device string must not be empty")
    m = _DEVICE_STR.fullmatch(s)
    if m is None:
        raise RuntimeError(f"Invalid device string: '{s}'")
    dtype, idx = m.group(1), m.group(2)
    if dtype not in _KNOWN:
        raise RuntimeError(f"Expected one of {', '.join(_KNOWN)} device type at start of device string: "
                           f"{dtype}")
    if idx is not None:
        if index is not None:
            raise RuntimeError(f"type (string) must not include an index because index was passed "
                               f"explicitly: {s}")
        index = int(idx)
    if index is not None and index < 0:
        raise RuntimeError("Device index must not be negative")
    return dtype, index


CPU = device('cpu')


def as_device(d):
    """Normalise a device argument (str, int, device or None) to the CPU device, raising torch's
    error of a CPU-only build for any other device."""
    if d is None or d is CPU:
        return CPU
    d = device(d)
    if d._type != 'cpu':
        check_available(d)
    return CPU


def check_available(d):
    """Raise the error a CPU-only PyTorch build raises when a tensor is sent to device d."""
    t = d.type
    if t == 'cuda':
        raise AssertionError("Torch not compiled with CUDA enabled")
    if t == 'xpu':
        raise AssertionError("Torch not compiled with XPU enabled")
    if t in ('meta', 'lazy', 'mkldnn'):  # torch has these on CPU; torchlet does not (yet)
        raise NotImplementedError(f"the '{t}' device is not yet implemented in torchlet")
    raise RuntimeError(f"PyTorch is not linked with support for {t} devices")
