"""torch.device: where a tensor lives. Only the CPU is present for now."""

__all__ = ['device']


class device:
    """A device such as ``device('cpu')`` or ``device('cuda', 0)``."""
    __slots__ = ('type', 'index')

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and index is None:
            type, index = 'cuda', type
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({type!r})")
        if ':' in type:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was passed "
                                   f"explicitly: {type}")
            type, _, idx = type.partition(':')
            try:
                index = int(idx)
            except ValueError:
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'") from None
        if type not in _KNOWN:
            raise RuntimeError(f"Expected one of {', '.join(_KNOWN)} device type at start of device "
                               f"string: {type}")
        self.type, self.index = type, index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f'{self.type}:{self.index}'

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_KNOWN = ('cpu', 'cuda', 'mps', 'xpu', 'meta', 'hip', 'xla', 'ipu', 'mkldnn', 'opengl', 'opencl',
          'ideep', 've', 'fpga', 'maia', 'lazy', 'vulkan', 'hpu', 'mtia', 'privateuseone')

CPU = device('cpu')


def as_device(d):
    """Normalise a device argument (str, int, device or None) to a device object."""
    if d is None or d is CPU:
        return CPU
    d = device(d)
    if d.type != 'cpu':
        check_available(d)
    return CPU


def check_available(d):
    if d.type == 'cuda':
        raise AssertionError("Torch not compiled with CUDA enabled (torchlet runs on the CPU only for "
                             "now; torch.cuda.is_available() is False)")
    raise RuntimeError(f"torchlet has no '{d.type}' backend yet: only the CPU is available")
