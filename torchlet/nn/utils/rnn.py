"""nn.utils.rnn: variable-length sequences for recurrent layers.

``PackedSequence`` holds a batch of sequences as rows, time step after time step (step t holds the
``batch_sizes[t]`` sequences still running, longest first), which RNN/LSTM/GRU consume directly.
Packing is a gather and padding a scatter of the same rows, each the other's gradient, so both stay
differentiable to any order.
"""
from collections import namedtuple
from collections.abc import Iterable

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...ops._util import Op
from .._functional.rnn import packed_rows

__all__ = ['PackedSequence', 'invert_permutation', 'pack_padded_sequence', 'pad_packed_sequence',
           'pad_sequence', 'unpad_sequence', 'pack_sequence', 'unpack_sequence']

_wrap = Tensor._wrap


class PackedSequence_(namedtuple('PackedSequence_', ['data', 'batch_sizes', 'sorted_indices',
                                                     'unsorted_indices'])):
    __slots__ = ()


class PackedSequence(PackedSequence_):
    """A packed batch of variable-length sequences: ``data`` (sum of lengths, *), ``batch_sizes``
    (int64, one per time step), ``sorted_indices`` / ``unsorted_indices`` (the permutation from the
    caller's batch order to the length-sorted one, and back; None when the batch was sorted)."""
    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """The same sequence with its data converted (indices stay int64 on the data's device)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self, *args, **kwargs):
        return self.to('cpu', *args, **kwargs)

    def cuda(self, *args, **kwargs):
        return self.to('cuda', *args, **kwargs)

    def pin_memory(self):
        return self

    def is_pinned(self):
        return False

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def double(self):
        return self.to(dtype=_dtype.float64)

    def float(self):
        return self.to(dtype=_dtype.float32)

    def half(self):
        return self.to(dtype=_dtype.float16)

    def long(self):
        return self.to(dtype=_dtype.int64)

    def int(self):
        return self.to(dtype=_dtype.int32)

    def short(self):
        return self.to(dtype=_dtype.int16)

    def char(self):
        return self.to(dtype=_dtype.int8)

    def byte(self):
        return self.to(dtype=_dtype.uint8)


def invert_permutation(permutation):
    """The inverse of a permutation tensor (None stays None)."""
    if permutation is None:
        return None
    p = permutation._data
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=p.dtype)
    return _wrap(out)


# -- the two row movements ------------------------------------------------------------------------
class PackGather(Op):
    """Packed rows taken from a padded (T, B, *) (or batch-first (B, T, *)) tensor."""
    _bname = 'PackPaddedSequenceBackward0'

    @staticmethod
    def forward(ctx, x, steps, batch, batch_first):
        ctx.meta = (steps, batch, x._data.shape, batch_first)
        return x._data[batch, steps] if batch_first else x._data[steps, batch]

    @staticmethod
    def backward(ctx, g):
        steps, batch, shape, batch_first = ctx.meta
        return PadScatter.apply(g, steps, batch, shape, 0.0, batch_first), None, None, None


class PadScatter(Op):
    """A padded tensor of the given shape, filled with padding_value, with packed rows put in."""
    _bname = 'PadPackedSequenceBackward0'

    @staticmethod
    def forward(ctx, data, steps, batch, shape, padding_value, batch_first):
        ctx.meta = (steps, batch, batch_first)
        out = np.full(shape, padding_value, data._data.dtype)
        if batch_first:
            out[batch, steps] = data._data
        else:
            out[steps, batch] = data._data
        return out

    @staticmethod
    def backward(ctx, g):
        steps, batch, batch_first = ctx.meta
        return PackGather.apply(g, steps, batch, batch_first), None, None, None, None, None


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        return lengths._data.astype(np.int64)
    return np.asarray(lengths, dtype=np.int64).reshape(-1)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) (or (B, T, *) with batch_first) of sequences of the given
    lengths. With enforce_sorted the lengths must be decreasing; otherwise the batch is sorted
    here and the permutation kept in the result."""
    lens = _lengths_array(lengths)
    sorted_indices = None
    if not enforce_sorted:
        order = np.argsort(-lens, kind='stable')
        lens = lens[order]
        sorted_indices = _wrap(order.astype(np.int64))
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    batch_dim, time_dim = (0, 1) if batch_first else (1, 0)
    B, T = input.shape[batch_dim], input.shape[time_dim]
    if lens.shape[0] != B:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lens.shape[0]} "
                           f"(batch_size={B})")
    if lens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in "
                           "'lengths' that is <= 0")
    if np.any(lens[1:] > lens[:-1]):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                           "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                           "pack_sequence to sidestep this requirement if you do not need ONNX "
                           "exportability.")
    if lens[0] > T:
        raise RuntimeError(f"pack_padded_sequence: a sequence length ({int(lens[0])}) exceeds the "
                           f"padded sequence length ({T})")
    batch_sizes = (lens[None, :] > np.arange(lens[0])[:, None]).sum(1)
    steps, batch = packed_rows(batch_sizes)
    data = PackGather.apply(input, steps, batch, batch_first)
    return PackedSequence(data, _wrap(batch_sizes.astype(np.int64)), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo pack_padded_sequence: (padded tensor, lengths) in the caller's batch order."""
    data, batch_sizes = sequence.data, sequence.batch_sizes._data
    T = batch_sizes.shape[0]
    if total_length is not None:
        if total_length < T:
            raise ValueError("Expected total_length to be at least the length of the longest sequence "
                             f"in input, but got total_length={total_length} and max sequence length "
                             f"being {T}")
        T = total_length
    B = int(batch_sizes[0])
    lengths = (batch_sizes[None, :] > np.arange(B)[:, None]).sum(1).astype(np.int64)
    steps, batch = packed_rows(batch_sizes)
    shape = ((B, T) if batch_first else (T, B)) + tuple(data.shape[1:])
    padded = PadScatter.apply(data, steps, batch, shape, padding_value, batch_first)
    if sequence.unsorted_indices is not None:
        unsorted = sequence.unsorted_indices
        return (padded.index_select(0 if batch_first else 1, unsorted),
                _wrap(lengths[unsorted._data]))
    return padded, _wrap(lengths)


class PadSequence(Op):
    """Stack sequences of different lengths into one padded tensor."""
    _bname = 'CopySlices'

    @staticmethod
    def forward(ctx, spec, *seqs):
        batch_first, padding_value, left = spec
        arrays = [s._data for s in seqs]
        lens = [a.shape[0] for a in arrays]
        T, B = max(lens), len(arrays)
        trailing = arrays[0].shape[1:]
        out = np.full(((B, T) if batch_first else (T, B)) + trailing, padding_value, arrays[0].dtype)
        spans = [slice(T - n, T) if left else slice(0, n) for n in lens]
        for i, (a, span) in enumerate(zip(arrays, spans)):
            if a.shape[1:] != trailing:
                _raise_trailing(a.shape, trailing)
            if batch_first:
                out[i, span] = a
            else:
                out[span, i] = a
        ctx.meta = (spans, batch_first, [a.dtype for a in arrays])
        return out

    @staticmethod
    def backward(ctx, g):
        spans, batch_first, dts = ctx.meta
        grads = [None]
        for i, (span, dt) in enumerate(zip(spans, dts)):
            if not ctx.needs_grad(i + 1):
                grads.append(None)
                continue
            piece = g[i, span] if batch_first else g[span, i]
            grads.append(piece if piece.dtype.np == dt else piece.to(_dtype.from_numpy_dtype(dt)))
        return tuple(grads)


def _raise_trailing(shape, trailing):
    """torch's message when a sequence's trailing dims differ from the first one's."""
    for d in range(len(trailing) - 1, -1, -1):
        a, b = shape[1 + d] if 1 + d < len(shape) else 1, trailing[d]
        if a != b:
            raise RuntimeError(f"The size of tensor a ({b}) must match the size of tensor b ({a}) at "
                               f"non-singleton dimension {d + 1}")
    raise RuntimeError(f"pad_sequence: expected every sequence to have trailing dimensions "
                       f"{list(trailing)}, but got one of size {list(shape)}")


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side='right'):
    """Pad a list of (L_i, *) tensors to (max L, B, *) (or (B, max L, *) with batch_first),
    padding after (``padding_side='right'``) or before (``'left'``) each sequence."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}")
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ('left', 'right'):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    for s in sequences:
        if not isinstance(s, Tensor):
            raise TypeError(f"pad_sequence(): argument 'sequences' must be tuple of Tensors, not "
                            f"{type(s).__name__}")
    return PadSequence.apply((bool(batch_first), padding_value, padding_side == 'left'), *sequences)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into a list of sequences of the given lengths."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    max_length = padded_sequences.shape[1]
    idx = np.arange(max_length)
    lens = _lengths_array(lengths)
    if len(lens) != padded_sequences.shape[0]:
        raise ValueError("zip() argument 2 is shorter than argument 1" if len(lens) <
                         padded_sequences.shape[0] else "zip() argument 2 is longer than argument 1")
    return [padded_sequences[i][_wrap(idx < n)] for i, n in enumerate(lens.tolist())]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of (L_i, *) tensors (longest first unless enforce_sorted=False)."""
    lengths = [v.size(0) for v in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences held by a PackedSequence, in the caller's original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
