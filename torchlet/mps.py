"""torch.mps: Apple's Metal backend, absent in torchlet (as on any non-Mac PyTorch build)."""

__all__ = ['is_available', 'device_count', 'manual_seed', 'seed', 'get_rng_state', 'set_rng_state',
           'synchronize', 'empty_cache', 'current_allocated_memory', 'driver_allocated_memory']


def is_available():
    return False


def device_count():
    return 0


def manual_seed(seed):
    """Silently ignored without MPS, as in torch (the seed must still convert to int)."""
    int(seed)


def _without_mps(call):
    def fn(*args, **kwargs):
        raise RuntimeError(f"Cannot execute {call}() without MPS backend.")
    return fn


seed = get_rng_state = set_rng_state = _without_mps('getDefaultGenerator')
synchronize = _without_mps('deviceSynchronize')
empty_cache = _without_mps('emptyCache')
current_allocated_memory = _without_mps('getCurrentAllocatedMemory')
driver_allocated_memory = _without_mps('getDriverAllocatedMemory')
