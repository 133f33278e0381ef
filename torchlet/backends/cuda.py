"""torch.backends.cuda: CUDA is not built. The TF32/reduced-precision and scaled-dot-product-attention
switches are kept so that scripts setting them run; ``matmul.allow_tf32`` mirrors
``torch.get/set_float32_matmul_precision`` as in torch."""

__all__ = ['is_built', 'matmul', 'flash_sdp_enabled', 'enable_flash_sdp', 'mem_efficient_sdp_enabled',
           'enable_mem_efficient_sdp', 'math_sdp_enabled', 'enable_math_sdp', 'cudnn_sdp_enabled',
           'enable_cudnn_sdp', 'is_flash_attention_available']


def is_built():
    return False


class cuBLASModule:
    """``torch.backends.cuda.matmul``: allow_tf32 and the reduced-precision reduction switches."""

    def __init__(self):
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True

    @property
    def allow_tf32(self):
        from .._misc import get_float32_matmul_precision
        return get_float32_matmul_precision() != 'highest'

    @allow_tf32.setter
    def allow_tf32(self, value):
        from .._misc import set_float32_matmul_precision
        set_float32_matmul_precision('high' if value else 'highest')


matmul = cuBLASModule()
_sdp = {'flash': True, 'mem_efficient': True, 'math': True, 'cudnn': True}


def _sdp_switch(kind):
    """The (query, setter) pair for one scaled-dot-product-attention kernel."""
    def enabled():
        return _sdp[kind]

    def enable(value):
        _sdp[kind] = bool(value)
    enabled.__name__, enable.__name__ = f'{kind}_sdp_enabled', f'enable_{kind}_sdp'
    return enabled, enable


flash_sdp_enabled, enable_flash_sdp = _sdp_switch('flash')
mem_efficient_sdp_enabled, enable_mem_efficient_sdp = _sdp_switch('mem_efficient')
math_sdp_enabled, enable_math_sdp = _sdp_switch('math')
cudnn_sdp_enabled, enable_cudnn_sdp = _sdp_switch('cudnn')


def is_flash_attention_available():
    return False
