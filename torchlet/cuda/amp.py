"""Automatic mixed precision (torch.cuda.amp and the device-generic torch.amp classes).

torchlet computes in the dtypes it is given, so mixed precision is never active: for a device that is
not available (CUDA, MPS, ...) autocast and GradScaler warn and disable themselves, exactly as a
CPU-only PyTorch build does, and a disabled GradScaler passes everything through. CPU autocast and
CPU grad scaling (which PyTorch does perform) are not implemented and say so.
"""
import functools
import warnings

__all__ = ['autocast', 'GradScaler', 'custom_fwd', 'custom_bwd', 'DeviceAutocast', 'DeviceGradScaler']

_DEVICE_TYPES = ('cpu', 'cuda', 'mps', 'xpu', 'hpu', 'xla', 'ipu', 'mtia', 'maia', 'privateuseone')


def _check_device_type(device_type, feature):
    """True when `feature` is asked for on the CPU (which torchlet cannot do), False otherwise."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if device_type not in _DEVICE_TYPES:
        raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}'")
    if device_type == 'cpu':
        raise NotImplementedError(f"{feature} on the CPU (device_type='cpu', enabled=True) is not yet "
                                  "implemented in torchlet; pass enabled=False")


class DeviceAutocast:
    """torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None): always disabled."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        self.device = device_type
        self.fast_dtype = dtype
        if enabled:
            _check_device_type(device_type, 'torch.autocast')
            if device_type == 'cuda':
                msg = "CUDA is not available or torch_xla is imported. Disabling autocast."
            else:
                msg = (f"User provided device_type of '{device_type}', but {device_type} is not "
                       "available. Disabling")
            warnings.warn(msg, UserWarning, stacklevel=3)
        self._enabled = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return decorate_autocast


class DeviceGradScaler:
    """torch.amp.GradScaler(device='cuda', ...): disabled (no device to scale for), so it passes
    losses and optimizer steps through unchanged."""

    def __init__(self, device='cuda', init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        self._device = device
        self._init_scale, self._growth_factor = init_scale, growth_factor
        self._backoff_factor, self._growth_interval = backoff_factor, growth_interval
        if enabled:
            _check_device_type(device, 'torch.amp.GradScaler')
            warnings.warn(f"torch.{device}.amp.GradScaler is enabled, but {device.upper()} is not "
                          "available.  Disabling.", UserWarning, stacklevel=3)
        self._enabled = False

    def is_enabled(self):
        return self._enabled

    def scale(self, outputs):
        return outputs

    def unscale_(self, optimizer):
        return None

    def step(self, optimizer, *args, **kwargs):
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None):
        return None

    def get_scale(self):
        return 1.0

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        self._growth_interval = new_interval

    def state_dict(self):
        return {}

    def load_state_dict(self, state_dict):
        return None


def _deprecated(name):
    warnings.warn(f"`torch.cuda.amp.{name}(args...)` is deprecated. Please use "
                  f"`torch.amp.{name}('cuda', args...)` instead.", FutureWarning, stacklevel=3)


class autocast(DeviceAutocast):
    """torch.cuda.amp.autocast (deprecated in torch): autocast for CUDA, hence disabled."""

    def __init__(self, enabled=True, dtype=None, cache_enabled=True):
        _deprecated('autocast')
        super().__init__('cuda', dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(DeviceGradScaler):
    """torch.cuda.amp.GradScaler (deprecated in torch): a GradScaler for CUDA, hence disabled."""

    def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                 enabled=True):
        _deprecated('GradScaler')
        super().__init__('cuda', init_scale, growth_factor, backoff_factor, growth_interval, enabled)


def custom_fwd(fwd=None, *, cast_inputs=None, device_type='cuda'):
    """Decorator for a custom Function's forward under autocast: autocast is never on, so a no-op."""
    if fwd is None:
        return functools.partial(custom_fwd, cast_inputs=cast_inputs, device_type=device_type)
    return fwd


def custom_bwd(bwd=None, *, device_type='cuda'):
    """Decorator for a custom Function's backward under autocast: a no-op."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)
    return bwd
