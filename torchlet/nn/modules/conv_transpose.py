"""Transposed convolution layers: ConvTranspose1d, ConvTranspose2d.

weight (in_channels, out_channels / groups, *kernel_size), bias (out_channels); initialisation
(kaiming_uniform_ with a=sqrt(5)), repr and constructor checks are torch's, shared with the
convolutions' _ConvNd. ``forward(input, output_size=None)`` picks the output_padding that yields the
requested size, as torch does.
"""
from .._functional import conv_transpose as F
from .conv import _ConvNd, _check_conv_args, _ntuple, _reverse_repeat_tuple
from .linear import _register_weight_and_bias
from .module import Module

__all__ = ['ConvTranspose1d', 'ConvTranspose2d']


class _ConvTransposeNd(_ConvNd):
    """The state of a transposed convolution layer (``_n`` spatial dims, ``_functional``)."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
                 groups=1, bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None):
        if padding_mode != 'zeros':
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        Module.__init__(self)
        n = self._n
        kernel_size, stride, dilation, output_padding = (
            _ntuple(v, n) for v in (kernel_size, stride, dilation, output_padding))
        padding = padding if isinstance(padding, str) else _ntuple(padding, n)
        _check_conv_args(in_channels, out_channels, groups, padding, stride)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = True
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        self._reversed_padding_repeated_twice = ([0, 0] * n if isinstance(padding, str) else
                                                 _reverse_repeat_tuple(padding, 2))
        _register_weight_and_bias(self, (in_channels, out_channels // groups) + kernel_size,
                                  out_channels, bias, dtype)
        self.reset_parameters()

    def _output_padding(self, input, output_size, stride, padding, kernel_size, num_spatial_dims,
                        dilation=None):
        """output_padding, or the one that makes the output output_size (torch's rule)."""
        if output_size is None:
            return _ntuple(self.output_padding, num_spatial_dims)
        has_batch_dim = input.dim() == num_spatial_dims + 2
        num_non_spatial = 2 if has_batch_dim else 1
        output_size = list(output_size)
        if len(output_size) == num_non_spatial + num_spatial_dims:
            output_size = output_size[num_non_spatial:]
        if len(output_size) != num_spatial_dims:
            raise ValueError(f"ConvTranspose{num_spatial_dims}D: for {input.dim()}D input, output_size "
                             f"must have {num_spatial_dims} or {num_non_spatial + num_spatial_dims} "
                             f"elements (got {len(output_size)})")
        min_sizes, max_sizes = [], []
        for d in range(num_spatial_dims):
            size = ((input.size(d + num_non_spatial) - 1) * stride[d] - 2 * padding[d] +
                    (dilation[d] if dilation is not None else 1) * (kernel_size[d] - 1) + 1)
            min_sizes.append(size)
            max_sizes.append(size + stride[d] - 1)
        for size, lo, hi in zip(output_size, min_sizes, max_sizes):
            if size < lo or size > hi:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes range "
                                 f"from {min_sizes} to {max_sizes} (for an input of "
                                 f"{input.size()[2:]})")
        return [size - lo for size, lo in zip(output_size, min_sizes)]

    def forward(self, input, output_size=None):
        if self.padding_mode != 'zeros':
            raise ValueError(f"Only `zeros` padding mode is supported for {type(self).__name__}")
        if not isinstance(self.padding, tuple):
            raise AssertionError("self.padding must be a tuple")
        output_padding = self._output_padding(input, output_size, self.stride, self.padding,
                                              self.kernel_size, self._n, self.dilation)
        return type(self)._functional(input, self.weight, self.bias, self.stride, self.padding,
                                      output_padding, self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution: (N, C_in, L) or (C_in, L) -> (N, C_out, L_out), with
    L_out = (L - 1) stride - 2 padding + dilation (kernel_size - 1) + output_padding + 1."""
    _n = 1
    _functional = staticmethod(F.conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution: (N, C_in, H, W) or (C_in, H, W) -> (N, C_out, H_out, W_out),
    H_out = (H - 1) stride[0] - 2 padding[0] + dilation[0] (kernel_size[0] - 1) + output_padding[0]
    + 1 (likewise W_out)."""
    _n = 2
    _functional = staticmethod(F.conv_transpose2d)
