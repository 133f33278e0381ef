"""Recurrent layers: RNN (tanh/relu), LSTM (with optional projection), GRU and their cells.

Parameter names, shapes, gate order, default initialisation (U(-1/sqrt(hidden), 1/sqrt(hidden)) in
registration order, drawn from torchlet's generator), reprs and error messages are torch's, so
state_dicts interchange. Each layer runs as one fused autograd node (nn/_functional/rnn.py).

Shapes (L = num_layers, D = 2 if bidirectional else 1, H_out = proj_size or hidden_size):
  input (T, B, input_size) -- (B, T, input_size) with batch_first, (T, input_size) unbatched, or a
  PackedSequence; h_0 (D*L, B, H_out), c_0 (D*L, B, hidden_size) (LSTM); output (T, B, D*H_out).
"""
import math
import numbers
import warnings

from ...autograd.grad_mode import no_grad
from ...ops.factories import empty
from ...ops.join_split import cat
from ..parameter import Parameter
from .._functional import rnn as _rnn
from .._functional.dropout import dropout as _dropout
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ['RNNBase', 'RNN', 'LSTM', 'GRU', 'RNNCellBase', 'RNNCell', 'LSTMCell', 'GRUCell']

_GATES = {'LSTM': 4, 'GRU': 3, 'RNN_TANH': 1, 'RNN_RELU': 1}


def _new_param(shape, dtype):
    return Parameter(empty(shape, dtype=dtype))


def _reset_uniform(module, hidden_size):
    """torch's reset_parameters of recurrent layers and cells: every parameter ~ U(-k, k)."""
    stdv = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0
    with no_grad():
        for weight in module.parameters():
            weight.uniform_(-stdv, stdv)


def _apply_permutation(tensor, permutation, dim=1):
    return tensor.index_select(dim, permutation)


class RNNBase(Module):
    """Base class of RNN, LSTM and GRU: parameters, checks and the stack of fused layers."""
    __constants__ = ['mode', 'input_size', 'hidden_size', 'num_layers', 'bias', 'batch_first',
                     'dropout', 'bidirectional', 'proj_size']

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or \
                isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability "
                             "of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero "
                          "dropout expects num_layers greater than 1, but got dropout="
                          f"{dropout} and num_layers={num_layers}", stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                suffix = '_reverse' if direction == 1 else ''
                params = [('weight_ih_l{}{}', (gate_size, layer_input)),
                          ('weight_hh_l{}{}', (gate_size, real_hidden))]
                if bias:
                    params += [('bias_ih_l{}{}', (gate_size,)), ('bias_hh_l{}{}', (gate_size,))]
                if proj_size > 0:
                    params.append(('weight_hr_l{}{}', (proj_size, hidden_size)))
                names = []
                for fmt, shape in params:
                    name = fmt.format(layer, suffix)
                    setattr(self, name, _new_param(shape, dtype))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        params = self._parameters
        return [params.get(n) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, w) for w in weights] for weights in self._all_weights]

    def flatten_parameters(self):
        """A no-op (cuDNN's weight layout does not exist here)."""

    def reset_parameters(self):
        _reset_uniform(self, self.hidden_size)

    # -- checks -----------------------------------------------------------------------------------
    def check_input(self, input, batch_sizes):
        w_dt = self._parameters[self._flat_weights_names[0]].dtype
        if input.dtype != w_dt:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({w_dt}). "
                             f"Convert input: input.to({w_dt}), or convert model: model.to({input.dtype})")
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.size(-1)}")

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, mini_batch,
                self.proj_size if self.proj_size > 0 else self.hidden_size)

    def check_hidden_size(self, hx, expected_hidden_size, msg='Expected hidden size {}, got {}'):
        if tuple(hx.shape) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(tuple(expected_hidden_size), list(hx.shape)))

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return _apply_permutation(hx, permutation)

    def extra_repr(self):
        s = '{input_size}, {hidden_size}'
        if self.proj_size != 0:
            s += ', proj_size={proj_size}'
        if self.num_layers != 1:
            s += ', num_layers={num_layers}'
        if self.bias is not True:
            s += ', bias={bias}'
        if self.batch_first is not False:
            s += ', batch_first={batch_first}'
        if self.dropout != 0:
            s += ', dropout={dropout}'
        if self.bidirectional is not False:
            s += ', bidirectional={bidirectional}'
        return s.format(**self.__dict__)

    # -- running --------------------------------------------------------------------------------------
    def _batch_input(self, input, hx, is_lstm):
        """(input, hx, batch_dim) with torch's checks on their numbers of dimensions; an unbatched
        input (and its hx) get their batch dimension, batch_dim (None for batched input)."""
        dim = input.dim()
        if dim not in (2, 3):
            name = 'RNN' if self.mode.startswith('RNN') else self.mode
            tail = ' tensor instead' if name == 'RNN' else ' instead'
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {dim}D{tail}")
        batched = dim == 3
        if hx is not None:
            if is_lstm:
                dims = (hx[0].dim(), hx[1].dim())
                want = 3 if batched else 2
                if dims != (want, want):
                    kind = 'batched 3-D' if batched else 'unbatched 2-D'
                    raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got "
                                       f"({dims[0]}-D, {dims[1]}-D) tensors")
                if not batched:
                    hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
            elif batched and hx.dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D "
                                   "tensor")
            elif not batched:
                if hx.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got "
                                       f"{hx.dim()}-D tensor")
                hx = hx.unsqueeze(1)
        if batched:
            return input, hx, None
        batch_dim = 0 if self.batch_first else 1
        return input.unsqueeze(batch_dim), hx, batch_dim

    def _run(self, input, hx):
        """The shared forward of RNN, LSTM and GRU; hx is a Tensor, an (h, c) pair or None."""
        is_lstm = self.mode == 'LSTM'
        packed = isinstance(input, PackedSequence)
        if packed:
            x, batch_sizes, sorted_indices, unsorted_indices = input
            bs = tuple(batch_sizes._data.tolist())
            if hx is not None:
                hx = self.permute_hidden(hx, sorted_indices)
        else:
            x, hx, batch_dim = self._batch_input(input, hx, is_lstm)
            batch_sizes = bs = None
        if hx is None:
            self.check_input(x, batch_sizes)
        else:
            self.check_forward_args(x, hx, batch_sizes)
        if not packed:
            if self.batch_first:
                x = x.transpose(0, 1)
            if x.shape[0] == 0:
                raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        h0, c0 = (None, None) if hx is None else hx if is_lstm else (hx, None)
        out, hn, cn = self._layers(x, bs, h0, c0)
        hidden = (hn, cn) if is_lstm else hn
        if packed:
            out = PackedSequence(out, batch_sizes, sorted_indices, unsorted_indices)
            return out, self.permute_hidden(hidden, unsorted_indices)
        if self.batch_first:
            out = out.transpose(0, 1)
        if batch_dim is not None:
            out = out.squeeze(batch_dim)
            hidden = (hn.squeeze(1), cn.squeeze(1)) if is_lstm else hn.squeeze(1)
        return out, hidden

    def _layers(self, x, batch_sizes, h0, c0):
        """Run the stack of layers; returns (output, h_n, c_n or None)."""
        L = self.num_layers
        D = 2 if self.bidirectional else 1
        weights = self._flat_weights
        per = len(weights) // L
        mode, bias, proj = self.mode, self.bias, self.proj_size > 0
        p = self.dropout if self.training else 0.0
        hns, cns = [], []
        for layer in range(L):
            h0l = h0 if h0 is None or L == 1 else h0[layer * D:(layer + 1) * D]
            c0l = c0 if c0 is None or L == 1 else c0[layer * D:(layer + 1) * D]
            spec = (mode, bias, proj, D, layer == L - 1)
            x, hn, cn = _rnn.rnn_layer(spec, x, batch_sizes, h0l, c0l,
                                       weights[layer * per:(layer + 1) * per])
            hns.append(hn)
            cns.append(cn)
            if p and layer < L - 1:
                x = _dropout(x, p, True)
        if L == 1:
            return x, hns[0], cns[0]
        return x, cat(hns, 0), None if cns[0] is None else cat(cns, 0)


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu).

    RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
    dropout=0.0, bidirectional=False). forward(input, h_0=None) -> (output, h_n).
    """

    def __init__(self, *args, **kwargs):
        if 'proj_size' in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop('nonlinearity', 'tanh')
        if nonlinearity == 'tanh':
            mode = 'RNN_TANH'
        elif nonlinearity == 'relu':
            mode = 'RNN_RELU'
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        return self._run(input, hx)


class LSTM(RNNBase):
    """Long short-term memory: gates (i, f, g, o), c_t = f c_{t-1} + i g, h_t = o tanh(c_t)
    (projected by W_hr when proj_size > 0).

    LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, proj_size=0). forward(input, (h_0, c_0)=None) -> (output, (h_n, c_n)).
    """

    def __init__(self, *args, **kwargs):
        super().__init__('LSTM', *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes):
        shape = self.get_expected_hidden_size(input, batch_sizes)
        return shape[:2] + (self.hidden_size,)

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               'Expected hidden[0] size {}, got {}')
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               'Expected hidden[1] size {}, got {}')

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return _apply_permutation(hx[0], permutation), _apply_permutation(hx[1], permutation)

    def forward(self, input, hx=None):
        return self._run(input, hx)


class GRU(RNNBase):
    """Gated recurrent unit: gates (r, z, n), n = tanh(W_in x + b_in + r (W_hn h + b_hn)),
    h_t = (1 - z) n + z h_{t-1}.

    GRU(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False). forward(input, h_0=None) -> (output, h_n).
    """

    def __init__(self, *args, **kwargs):
        if 'proj_size' in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__('GRU', *args, **kwargs)

    def forward(self, input, hx=None):
        return self._run(input, hx)


# -- cells ----------------------------------------------------------------------------------------------
class RNNCellBase(Module):
    """Base class of the cells: weight_ih (chunks*hidden, input), weight_hh (chunks*hidden,
    hidden), bias_ih, bias_hh (chunks*hidden)."""
    __constants__ = ['input_size', 'hidden_size', 'bias']

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = _new_param((num_chunks * hidden_size, input_size), dtype)
        self.weight_hh = _new_param((num_chunks * hidden_size, hidden_size), dtype)
        if bias:
            self.bias_ih = _new_param((num_chunks * hidden_size,), dtype)
            self.bias_hh = _new_param((num_chunks * hidden_size,), dtype)
        else:
            self.register_parameter('bias_ih', None)
            self.register_parameter('bias_hh', None)
        self.reset_parameters()

    def extra_repr(self):
        s = '{input_size}, {hidden_size}'
        if 'bias' in self.__dict__ and self.bias is not True:
            s += ', bias={bias}'
        if 'nonlinearity' in self.__dict__ and self.nonlinearity != 'tanh':
            s += ', nonlinearity={nonlinearity}'
        return s.format(**self.__dict__)

    def reset_parameters(self):
        _reset_uniform(self, self.hidden_size)

    def _step(self, mode, input, hx, name):
        """Check dims, add the batch dim of an unbatched input, run the fused cell op."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        is_lstm = mode == 'LSTM'
        states = (None, None) if hx is None else tuple(hx) if is_lstm else (hx,)
        for i, h in enumerate(states):
            if h is not None and h.dim() not in (1, 2):
                what = f'hx[{i}]' if is_lstm else 'hidden'
                raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {h.dim()}D instead")
        if mode is None:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
            states = tuple(None if h is None else h.unsqueeze(0) for h in states)
        p = self._parameters
        weights = (p['weight_ih'], p['weight_hh'], p['bias_ih'], p['bias_hh'])
        out = _rnn.rnn_cell(mode, input, states, weights, self.input_size, self.hidden_size)
        if batched:
            return out
        return (out[0].squeeze(0), out[1].squeeze(0)) if is_lstm else out.squeeze(0)


class RNNCell(RNNCellBase):
    """One Elman RNN step: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu).
    Input (B, input_size) or (input_size); hidden (B, hidden_size) or (hidden_size)."""
    __constants__ = ['input_size', 'hidden_size', 'bias', 'nonlinearity']

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity='tanh', device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        mode = {'tanh': 'RNN_TANH', 'relu': 'RNN_RELU'}.get(self.nonlinearity)
        return self._step(mode, input, hx, 'RNNCell')


class LSTMCell(RNNCellBase):
    """One LSTM step: returns (h', c'). Input (B, input_size) or (input_size); hx = (h, c)."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._step('LSTM', input, hx, 'LSTMCell')


class GRUCell(RNNCellBase):
    """One GRU step: h' = (1 - z) n + z h. Input (B, input_size) or (input_size)."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._step('GRU', input, hx, 'GRUCell')
