"""nn.RNN / LSTM / GRU, their cells and nn.utils.rnn against torch: parameters and initialisation,
outputs, final states and every gradient (batch_first, bidirectional, multi-layer, proj_size,
dropout, packed sequences, unbatched input), state_dict interchange, reprs, errors, finite
differences, and the recurrent programs of the seeds (POS tagger, 'hello' -> 'ohlol', names)."""
import warnings

import numpy as np
import pytest

import torchlet
from conftest import torch, to_np, numeric_gradcheck

pytestmark = [pytest.mark.filterwarnings('ignore:LSTM with projections'),
              pytest.mark.usefixtures('torch_single_thread')]

tnn = torchlet.nn
R = torch.nn.utils.rnn
TR = torchlet.nn.utils.rnn


def pair(mode, *args, dtype=None, seed=0, **kwargs):
    """The same layer from torch and torchlet, initialised from the same seed."""
    torch.manual_seed(seed)
    torchlet.manual_seed(seed)
    a, b = getattr(torch.nn, mode)(*args, **kwargs), getattr(tnn, mode)(*args, **kwargs)
    if dtype == np.float64:
        a, b = a.double(), b.double()
    return a, b


def close(x, y, tol):
    np.testing.assert_allclose(to_np(x), to_np(y), rtol=tol, atol=tol)


def flat(out):
    """Every tensor of a (nested) RNN result."""
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in flat(o)]
    if isinstance(out, (R.PackedSequence, TR.PackedSequence)):
        return [out.data]
    return [out]


def compare(m_th, m_tl, inputs_th, inputs_tl, leaves, tol):
    """Run both modules, compare every output, then the gradients of a weighted sum of them with
    respect to the leaves (pairs of torch/torchlet tensors) and to every parameter."""
    out_th, out_tl = m_th(*inputs_th), m_tl(*inputs_tl)
    outs_th, outs_tl = flat(out_th), flat(out_tl)
    assert len(outs_th) == len(outs_tl)
    rng = np.random.default_rng(3)
    loss_th = loss_tl = 0
    for a, b in zip(outs_th, outs_tl):
        assert tuple(a.shape) == tuple(b.shape)
        assert str(a.dtype) == str(b.dtype)
        close(b, a, tol)
        w = rng.standard_normal(tuple(a.shape)).astype(to_np(a).dtype)
        loss_th = loss_th + (a * torch.tensor(w)).sum()
        loss_tl = loss_tl + (b * torchlet.tensor(w)).sum()
    loss_th.backward()
    loss_tl.backward()
    for a, b in leaves:
        close(b.grad, a.grad, tol)
    for (na, pa), (nb, pb) in zip(m_th.named_parameters(), m_tl.named_parameters()):
        assert na == nb
        close(pb.grad, pa.grad, tol)
    return out_th, out_tl


def leaf(arr):
    return torch.tensor(arr, requires_grad=True), torchlet.tensor(arr, requires_grad=True)


CONFIGS = [
    ('LSTM', dict()),
    ('LSTM', dict(num_layers=2, bidirectional=True)),
    ('LSTM', dict(batch_first=True, bias=False)),
    ('LSTM', dict(proj_size=3, num_layers=2, bidirectional=True)),
    ('LSTM', dict(num_layers=3, dropout=0.5)),          # eval mode below: dropout off
    ('GRU', dict()),
    ('GRU', dict(num_layers=2, bidirectional=True, batch_first=True)),
    ('GRU', dict(bias=False)),
    ('RNN', dict()),
    ('RNN', dict(nonlinearity='relu', num_layers=2, bidirectional=True)),
    ('RNN', dict(nonlinearity='relu', bias=False, batch_first=True)),
]


def states(mode, kw, batch, seed, dtype, L=None):
    """Random initial states (h0 or (h0, c0)) as torch/torchlet leaf pairs."""
    rng = np.random.default_rng(seed)
    D = 2 if kw.get('bidirectional') else 1
    L = kw.get('num_layers', 1) if L is None else L
    h = leaf(rng.standard_normal((L * D, batch, kw.get('proj_size') or 5)).astype(dtype))
    if mode != 'LSTM':
        return [h]
    return [h, leaf(rng.standard_normal((L * D, batch, 5)).astype(dtype))]


def hidden_arg(mode, st, side):
    if mode == 'LSTM':
        return (st[0][side], st[1][side])
    return st[0][side]


@pytest.mark.parametrize('mode,kw', CONFIGS)
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_layers_match_torch(mode, kw, dtype):
    m_th, m_tl = pair(mode, 4, 5, dtype=dtype, **kw)
    if kw.get('dropout'):
        m_th.eval()
        m_tl.eval()
    rng = np.random.default_rng(1)
    shape = (3, 6, 4) if kw.get('batch_first') else (6, 3, 4)
    x = leaf(rng.standard_normal(shape).astype(dtype))
    st = states(mode, kw, 3, 2, dtype)
    tol = 2e-5 if dtype == np.float32 else 1e-10
    compare(m_th, m_tl, (x[0], hidden_arg(mode, st, 0)), (x[1], hidden_arg(mode, st, 1)),
            [x] + st, tol)
    # without initial states, and on a non-contiguous input
    m_th.zero_grad()
    m_tl.zero_grad()
    big = rng.standard_normal(shape[:2] + (8,)).astype(dtype)
    xt, xl = leaf(big)
    compare(m_th, m_tl, (xt[:, :, ::2],), (xl[:, :, ::2],), [(xt, xl)], tol)


@pytest.mark.parametrize('mode', ['LSTM', 'GRU', 'RNN'])
def test_init_state_dict_and_repr_match_torch(mode):
    kw = dict(num_layers=2, bidirectional=True, bias=False, batch_first=True, dropout=0.25)
    if mode == 'LSTM':
        kw['proj_size'] = 2
    m_th, m_tl = pair(mode, 3, 5, seed=11, **kw)
    sd_th, sd_tl = m_th.state_dict(), m_tl.state_dict()
    assert list(sd_th) == list(sd_tl)
    for k in sd_th:
        assert tuple(sd_th[k].shape) == tuple(sd_tl[k].shape) and str(sd_tl[k].dtype) == 'torch.float32'
        np.testing.assert_array_equal(to_np(sd_tl[k]), to_np(sd_th[k]))   # same generator stream
    assert repr(m_tl) == repr(m_th)
    assert [[tuple(p.shape) for p in ws] for ws in m_tl.all_weights] == \
        [[tuple(p.shape) for p in ws] for ws in m_th.all_weights]
    for args, kwargs in [((3, 5), {}), ((3, 5, 2), dict(nonlinearity='relu')), ((3, 5), dict(bias=False))]:
        if mode != 'RNN' and 'nonlinearity' in kwargs:
            continue
        a, b = pair(mode, *args, **kwargs)
        assert repr(b) == repr(a)


@pytest.mark.parametrize('mode', ['LSTM', 'GRU', 'RNN'])
def test_torch_state_dict_loads_and_runs_the_same(mode):
    kw = dict(num_layers=2, bidirectional=True)
    torch.manual_seed(5)
    m_th = getattr(torch.nn, mode)(4, 6, **kw)
    torchlet.manual_seed(99)                    # a different init, replaced by torch's weights
    m_tl = getattr(tnn, mode)(4, 6, **kw)
    result = m_tl.load_state_dict({k: torchlet.tensor(v.numpy()) for k, v in m_th.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys
    x = np.random.default_rng(0).standard_normal((7, 2, 4)).astype(np.float32)
    out_th, out_tl = m_th(torch.tensor(x)), m_tl(torchlet.tensor(x))
    for a, b in zip(flat(out_th), flat(out_tl)):
        close(b, a, 2e-5)


@pytest.mark.parametrize('mode', ['LSTM', 'GRU', 'RNN'])
def test_dropout_in_training_draws_torchs_masks(mode):
    m_th, m_tl = pair(mode, 3, 5, num_layers=3, dropout=0.5, bidirectional=True)
    x = np.random.default_rng(0).standard_normal((4, 2, 3)).astype(np.float32)
    torch.manual_seed(7)
    torchlet.manual_seed(7)
    for a, b in zip(flat(m_th(torch.tensor(x))), flat(m_tl(torchlet.tensor(x)))):
        close(b, a, 2e-5)


@pytest.mark.parametrize('mode', ['LSTM', 'GRU', 'RNN'])
@pytest.mark.parametrize('batch_first', [False, True])
def test_unbatched_input(mode, batch_first):
    m_th, m_tl = pair(mode, 3, 4, num_layers=2, batch_first=batch_first, dtype=np.float64)
    rng = np.random.default_rng(0)
    x = leaf(rng.standard_normal((5, 3)))
    compare(m_th, m_tl, (x[0],), (x[1],), [x], 1e-10)
    h = [leaf(rng.standard_normal((2, 4))) for _ in range(2 if mode == 'LSTM' else 1)]
    hx_th = (h[0][0], h[1][0]) if mode == 'LSTM' else h[0][0]
    hx_tl = (h[0][1], h[1][1]) if mode == 'LSTM' else h[0][1]
    m_th.zero_grad()
    m_tl.zero_grad()
    out_th, out_tl = compare(m_th, m_tl, (x[0], hx_th), (x[1], hx_tl), h, 1e-10)
    assert tuple(out_tl[0].shape) == (5, 4)


@pytest.mark.parametrize('mode,kw', [('LSTM', dict()), ('LSTM', dict(num_layers=2, bidirectional=True)),
                                     ('LSTM', dict(proj_size=2, bidirectional=True)),
                                     ('GRU', dict(num_layers=2, bidirectional=True)),
                                     ('RNN', dict(bidirectional=True, nonlinearity='relu'))])
@pytest.mark.parametrize('sort', [True, False])
def test_packed_sequences(mode, kw, sort):
    m_th, m_tl = pair(mode, 3, 5, dtype=np.float64, **kw)
    rng = np.random.default_rng(4)
    lengths = [6, 4, 4, 1] if sort else [2, 6, 1, 4]
    x = leaf(rng.standard_normal((6, 4, 3)))
    st = states(mode, kw, 4, 5, np.float64)
    p_th = R.pack_padded_sequence(x[0], lengths, enforce_sorted=sort)
    p_tl = TR.pack_padded_sequence(x[1], torchlet.tensor(lengths), enforce_sorted=sort)
    np.testing.assert_array_equal(to_np(p_tl.batch_sizes), to_np(p_th.batch_sizes))
    close(p_tl.data, p_th.data, 0)
    out_th, out_tl = m_th(p_th, hidden_arg(mode, st, 0)), m_tl(p_tl, hidden_arg(mode, st, 1))
    assert isinstance(out_tl[0], TR.PackedSequence)
    pad_th, len_th = R.pad_packed_sequence(out_th[0], batch_first=True, total_length=7)
    pad_tl, len_tl = TR.pad_packed_sequence(out_tl[0], batch_first=True, total_length=7)
    np.testing.assert_array_equal(to_np(len_tl), to_np(len_th))
    outs_th, outs_tl = [pad_th] + flat(out_th[1]), [pad_tl] + flat(out_tl[1])
    rng = np.random.default_rng(6)
    loss_th = loss_tl = 0
    for a, b in zip(outs_th, outs_tl):
        close(b, a, 1e-10)
        w = rng.standard_normal(tuple(a.shape))
        loss_th = loss_th + (a * torch.tensor(w)).sum()
        loss_tl = loss_tl + (b * torchlet.tensor(w)).sum()
    loss_th.backward()
    loss_tl.backward()
    for a, b in [x] + st:
        close(b.grad, a.grad, 1e-10)
    for pa, pb in zip(m_th.parameters(), m_tl.parameters()):
        close(pb.grad, pa.grad, 1e-10)


# -- cells ----------------------------------------------------------------------------------------
CELLS = [('RNNCell', dict()), ('RNNCell', dict(nonlinearity='relu', bias=False)), ('LSTMCell', dict()),
         ('LSTMCell', dict(bias=False)), ('GRUCell', dict()), ('GRUCell', dict(bias=False))]


@pytest.mark.parametrize('name,kw', CELLS)
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_cells_match_torch(name, kw, dtype):
    c_th, c_tl = pair(name, 4, 5, dtype=dtype, **kw)
    assert repr(c_tl) == repr(c_th)
    assert list(c_tl.state_dict()) == list(c_th.state_dict())
    for p, q in zip(c_th.parameters(), c_tl.parameters()):
        np.testing.assert_array_equal(to_np(q), to_np(p))
    rng = np.random.default_rng(0)
    tol = 2e-5 if dtype == np.float32 else 1e-10
    x = leaf(rng.standard_normal((3, 4)).astype(dtype))
    h = [leaf(rng.standard_normal((3, 5)).astype(dtype)) for _ in range(2 if name == 'LSTMCell' else 1)]
    hx_th = tuple(a for a, _ in h) if name == 'LSTMCell' else h[0][0]
    hx_tl = tuple(b for _, b in h) if name == 'LSTMCell' else h[0][1]
    compare(c_th, c_tl, (x[0], hx_th), (x[1], hx_tl), [x] + h, tol)
    c_th.zero_grad()
    c_tl.zero_grad()
    compare(c_th, c_tl, (x[0],), (x[1],), [x], tol)                      # zero initial state
    c_th.zero_grad()
    c_tl.zero_grad()
    x1 = leaf(rng.standard_normal(4).astype(dtype))                     # unbatched
    out_th, out_tl = compare(c_th, c_tl, (x1[0],), (x1[1],), [x1], tol)
    assert tuple(flat(out_tl)[0].shape) == (5,)


def test_cell_loop_matches_layer():
    """An LSTMCell unrolled by hand gives nn.LSTM's outputs (the seed's RNNCell-style loop)."""
    torchlet.manual_seed(0)
    cell = tnn.LSTMCell(3, 4)
    layer = tnn.LSTM(3, 4)
    layer.load_state_dict({k + '_l0': v for k, v in cell.state_dict().items()})
    x = torchlet.randn(5, 2, 3)
    h = c = torchlet.zeros(2, 4)
    outs = []
    for t in range(5):
        h, c = cell(x[t], (h, c))
        outs.append(h)
    out, (hn, cn) = layer(x)
    close(torchlet.stack(outs), out.detach(), 1e-6)
    close(c, cn[0].detach(), 1e-6)


# -- finite differences ---------------------------------------------------------------------------
def functional(module, names):
    """fn(x, *weights) running module with the given tensors in place of its parameters."""
    def fn(x, *weights):
        for n, w in zip(names, weights):
            module._parameters[n] = w
        out = module(x)
        return torchlet.cat([t.reshape(-1) for t in flat(out)])
    return fn


@pytest.mark.parametrize('mode,kw', [('LSTM', dict(bidirectional=True)), ('LSTM', dict(proj_size=2)),
                                     ('GRU', dict(num_layers=2)), ('RNN', dict(bidirectional=True)),
                                     ('LSTMCell', dict()), ('GRUCell', dict()), ('RNNCell', dict())])
def test_numeric_gradcheck(mode, kw):
    torchlet.manual_seed(0)
    m = getattr(tnn, mode)(2, 3, **kw).double()
    names = list(m._parameters) if 'Cell' in mode else m._flat_weights_names
    weights = [to_np(m._parameters[n]).copy() for n in names]
    shape = (2, 2) if 'Cell' in mode else (3, 2, 2)
    x = np.random.default_rng(0).standard_normal(shape)
    numeric_gradcheck(functional(m, names), x, *weights)


def test_packed_numeric_gradcheck():
    torchlet.manual_seed(0)
    m = tnn.GRU(2, 2, bidirectional=True).double()

    def fn(x, h0):
        packed = TR.pack_padded_sequence(x, [3, 1], enforce_sorted=False)
        out, hn = m(packed, h0)
        return torchlet.cat([TR.pad_packed_sequence(out)[0].reshape(-1), hn.reshape(-1)])
    rng = np.random.default_rng(1)
    numeric_gradcheck(fn, rng.standard_normal((3, 2, 2)), rng.standard_normal((2, 2, 2)))


def test_create_graph_first_order_and_double_backward_error():
    torchlet.manual_seed(0)
    m = tnn.LSTM(2, 3)
    x = torchlet.randn(4, 1, 2, requires_grad=True)
    out, _ = m(x)
    (gx,) = torchlet.autograd.grad(out.sum(), x, create_graph=True)
    torch.manual_seed(0)
    mt = torch.nn.LSTM(2, 3)
    mt.load_state_dict({k: torch.tensor(to_np(v)) for k, v in m.state_dict().items()})
    xt = torch.tensor(to_np(x), requires_grad=True)
    (gxt,) = torch.autograd.grad(mt(xt)[0].sum(), xt)
    close(gx, gxt, 1e-5)
    with pytest.raises(RuntimeError, match='double backward'):
        gx.sum().backward()


def test_graph_is_freed_after_backward():
    m = tnn.GRU(2, 3)
    out, _ = m(torchlet.randn(3, 1, 2))
    out.sum().backward()
    with pytest.raises(RuntimeError, match='backward through the graph a second time'):
        out.sum().backward()


def test_retain_graph_gives_the_same_gradients_twice():
    torchlet.manual_seed(0)
    m = tnn.LSTM(2, 3, num_layers=2, bidirectional=True)
    x = torchlet.randn(4, 2, 2, requires_grad=True)
    out, (hn, cn) = m(x)
    loss = (out ** 2).sum() + cn.sum()
    loss.backward(retain_graph=True)
    first = [to_np(p.grad).copy() for p in m.parameters()] + [to_np(x.grad).copy()]
    loss.backward()
    for a, p in zip(first, list(m.parameters()) + [x]):
        np.testing.assert_allclose(to_np(p.grad), 2 * a, rtol=1e-5, atol=1e-6)


def test_inplace_change_of_output_keeps_gradients_right():
    """The returned output does not alias what backward reads."""
    m_th, m_tl = pair('RNN', 2, 3, num_layers=2)
    x = np.random.default_rng(0).standard_normal((4, 2, 2)).astype(np.float32)
    o_th, _ = m_th(torch.tensor(x))
    o_tl, _ = m_tl(torchlet.tensor(x))
    (o_th * 1).sum().backward()
    o_tl.mul_(0)
    o_tl2, _ = m_tl(torchlet.tensor(x))
    m_tl.zero_grad()
    (o_tl2 * 1).sum().backward()
    for p, q in zip(m_th.parameters(), m_tl.parameters()):
        close(q.grad, p.grad, 2e-5)


# -- errors -----------------------------------------------------------------------------------------
def same_error(fn_th, fn_tl):
    with pytest.raises(Exception) as e_th:
        fn_th()
    with pytest.raises(Exception) as e_tl:
        fn_tl()
    assert type(e_tl.value) is type(e_th.value), (e_tl.value, e_th.value)
    assert str(e_tl.value) == str(e_th.value)


@pytest.mark.parametrize('mode', ['LSTM', 'GRU', 'RNN'])
def test_forward_errors(mode):
    m_th, m_tl = pair(mode, 10, 20)
    lstm = mode == 'LSTM'

    def both(make):
        same_error(lambda: make(torch, m_th), lambda: make(torchlet, m_tl))
    both(lambda lib, m: m(lib.randn(5, 3, 7)))
    both(lambda lib, m: m(lib.randn(5, 3, 10, 2)))
    both(lambda lib, m: m(lib.randn(5, 3, 10).double()))
    both(lambda lib, m: m(lib.randn(0, 3, 10)))
    if lstm:
        both(lambda lib, m: m(lib.randn(5, 3, 10), (lib.randn(1, 4, 20), lib.randn(1, 3, 20))))
        both(lambda lib, m: m(lib.randn(5, 3, 10), (lib.randn(1, 3, 20), lib.randn(1, 4, 20))))
        both(lambda lib, m: m(lib.randn(5, 3, 10), (lib.randn(3, 20), lib.randn(3, 20))))
        both(lambda lib, m: m(lib.randn(5, 10), (lib.randn(1, 3, 20), lib.randn(1, 3, 20))))
    else:
        both(lambda lib, m: m(lib.randn(5, 3, 10), lib.randn(1, 4, 20)))
        both(lambda lib, m: m(lib.randn(5, 3, 10), lib.randn(4, 20)))
        both(lambda lib, m: m(lib.randn(5, 10), lib.randn(1, 4, 20)))


def test_constructor_errors():
    def both(name, *args, **kwargs):
        same_error(lambda: getattr(torch.nn, name)(*args, **kwargs),
                   lambda: getattr(tnn, name)(*args, **kwargs))
    both('LSTM', 3, 4, dropout=1.5)
    both('LSTM', 3, 4, proj_size=4)
    both('LSTM', 3, 4, proj_size=-1)
    both('GRU', 3, 4, proj_size=2)
    both('RNN', 3, 4, nonlinearity='sigmoid')
    both('LSTM', 3, 4, bias=1)
    both('LSTM', 3, 4, batch_first=None)
    both('LSTM', 3.0, 4)
    both('LSTM', 0, 4)
    both('LSTM', 3, 0)
    both('LSTM', 3, 4, num_layers=0)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        tnn.LSTM(3, 4, dropout=0.2)
    assert any('num_layers greater than 1' in str(x.message) for x in w)


@pytest.mark.parametrize('name', ['RNNCell', 'LSTMCell', 'GRUCell'])
def test_cell_errors(name):
    c_th, c_tl = pair(name, 10, 20)
    lstm = name == 'LSTMCell'

    def both(make):
        same_error(lambda: make(torch, c_th), lambda: make(torchlet, c_tl))

    def hx(lib, *shapes):
        hs = [lib.randn(*s) for s in shapes]
        return tuple(hs) if lstm else hs[0]
    both(lambda lib, c: c(lib.randn(3, 7)))
    both(lambda lib, c: c(lib.randn(3, 10, 2)))
    both(lambda lib, c: c(lib.randn(3, 10), hx(lib, (4, 20), (4, 20))))
    both(lambda lib, c: c(lib.randn(3, 10), hx(lib, (3, 21), (3, 21))))
    both(lambda lib, c: c(lib.randn(3, 10), hx(lib, (3, 20, 1), (3, 20, 1))))
    if lstm:
        both(lambda lib, c: c(lib.randn(3, 10), (lib.randn(3, 20), lib.randn(3, 21))))


# -- nn.utils.rnn -----------------------------------------------------------------------------------
@pytest.mark.parametrize('batch_first', [False, True])
@pytest.mark.parametrize('side', ['right', 'left'])
def test_pad_sequence(batch_first, side):
    rng = np.random.default_rng(0)
    seqs = [leaf(rng.standard_normal((n, 3))) for n in (2, 5, 3)]
    a = R.pad_sequence([s for s, _ in seqs], batch_first=batch_first, padding_value=-1.5,
                       padding_side=side)
    b = TR.pad_sequence([s for _, s in seqs], batch_first=batch_first, padding_value=-1.5,
                        padding_side=side)
    close(b, a, 0)
    w = rng.standard_normal(tuple(a.shape))
    (a * torch.tensor(w)).sum().backward()
    (b * torchlet.tensor(w)).sum().backward()
    for s, t in seqs:
        close(t.grad, s.grad, 0)
    same_error(lambda: R.pad_sequence([]), lambda: TR.pad_sequence([]))
    same_error(lambda: R.pad_sequence([torch.zeros(2, 3)], padding_side='middle'),
               lambda: TR.pad_sequence([torchlet.zeros(2, 3)], padding_side='middle'))
    same_error(lambda: R.pad_sequence([torch.zeros(2, 3), torch.zeros(3, 4)]),
               lambda: TR.pad_sequence([torchlet.zeros(2, 3), torchlet.zeros(3, 4)]))


def test_pack_pad_roundtrip_and_gradients():
    rng = np.random.default_rng(1)
    for batch_first in (False, True):
        x = leaf(rng.standard_normal((3, 4, 2) if batch_first else (4, 3, 2)))
        lengths = [4, 1, 3]
        p_th = R.pack_padded_sequence(x[0], lengths, batch_first=batch_first, enforce_sorted=False)
        p_tl = TR.pack_padded_sequence(x[1], lengths, batch_first=batch_first, enforce_sorted=False)
        for field in ('batch_sizes', 'sorted_indices', 'unsorted_indices'):
            np.testing.assert_array_equal(to_np(getattr(p_tl, field)), to_np(getattr(p_th, field)))
        assert p_tl.data.grad_fn.name() == 'PackPaddedSequenceBackward0'
        a, la = R.pad_packed_sequence(p_th, batch_first=batch_first, padding_value=9.0, total_length=5)
        b, lb = TR.pad_packed_sequence(p_tl, batch_first=batch_first, padding_value=9.0, total_length=5)
        close(b, a, 0)
        np.testing.assert_array_equal(to_np(lb), to_np(la))
        assert str(lb.dtype) == 'torch.int64'
        w = rng.standard_normal(tuple(a.shape))
        (a * torch.tensor(w)).sum().backward()
        (b * torchlet.tensor(w)).sum().backward()
        close(x[1].grad, x[0].grad, 0)


def test_packed_sequence_type_and_helpers():
    seqs = [np.array([1., 2., 3.]), np.array([4., 5.]), np.array([6.])]
    p_th = R.pack_sequence([torch.tensor(s) for s in seqs])
    p_tl = TR.pack_sequence([torchlet.tensor(s) for s in seqs])
    assert isinstance(p_tl, tuple) and TR.PackedSequence._fields == R.PackedSequence._fields
    close(p_tl.data, p_th.data, 0)
    data, batch_sizes, sorted_indices, unsorted_indices = p_tl
    assert sorted_indices is None and unsorted_indices is None
    np.testing.assert_array_equal(to_np(batch_sizes), [3, 2, 1])
    p2 = p_tl.to(torchlet.float32)
    assert str(p2.data.dtype) == 'torch.float32' and isinstance(p2, TR.PackedSequence)
    assert p_tl.double() is p_tl
    unsorted = [torchlet.tensor(s) for s in (seqs[1], seqs[0], seqs[2])]
    back = TR.unpack_sequence(TR.pack_sequence(unsorted, enforce_sorted=False))
    for u, v in zip(back, unsorted):
        close(u, v, 0)
    padded = TR.pad_sequence(unsorted)
    for u, v in zip(TR.unpad_sequence(padded, torchlet.tensor([2, 3, 1])), unsorted):
        close(u, v, 0)
    np.testing.assert_array_equal(to_np(TR.invert_permutation(torchlet.tensor([2, 0, 1]))),
                                  to_np(R.invert_permutation(torch.tensor([2, 0, 1]))))
    assert TR.invert_permutation(None) is None


def test_packing_errors():
    def both(fn):
        same_error(lambda: fn(torch, R), lambda: fn(torchlet, TR))
    both(lambda lib, U: U.pack_padded_sequence(lib.zeros(4, 3, 2), [2, 3, 1]))
    both(lambda lib, U: U.pack_padded_sequence(lib.zeros(4, 3, 2), [2, 3]))
    both(lambda lib, U: U.pack_padded_sequence(lib.zeros(4, 3, 2), [3, 2, 0]))
    both(lambda lib, U: U.pad_packed_sequence(U.pack_padded_sequence(lib.zeros(4, 3, 2), [4, 2, 1]),
                                              total_length=3))
    with pytest.raises(RuntimeError, match='exceeds'):
        TR.pack_padded_sequence(torchlet.zeros(4, 3, 2), [5, 3, 1])


# -- the seeds' recurrent programs --------------------------------------------------------------------
def tagger_losses(lib, epochs=300):
    """Seed 001, section 7.7: Embedding -> LSTM -> Linear -> log_softmax, trained with NLLLoss/SGD."""
    nn, F = lib.nn, lib.nn.functional
    training_data = [("The cat ate the fish".split(), ["DET", "NN", "V", "DET", "NN"]),
                     ("They read that book".split(), ["NN", "V", "DET", "NN"])]
    word_to_ix = {}
    for sent, _ in training_data:
        for word in sent:
            word_to_ix.setdefault(word, len(word_to_ix))
    tag_to_ix = {"DET": 0, "NN": 1, "V": 2}

    class LSTMTagger(nn.Module):
        def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
            super().__init__()
            self.hidden_dim = hidden_dim
            self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
            self.lstm = nn.LSTM(embedding_dim, hidden_dim)
            self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

        def forward(self, sentence):
            embeds = self.word_embeddings(sentence)
            lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
            tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
            return F.log_softmax(tag_space, dim=1)

    def prepare(seq, to_ix):
        return lib.tensor([to_ix[w] for w in seq], dtype=lib.long)

    lib.manual_seed(1)
    model = LSTMTagger(6, 6, len(word_to_ix), len(tag_to_ix))
    loss_function = nn.NLLLoss()
    optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(epochs):
        for sentence, tags in training_data:
            model.zero_grad()
            loss = loss_function(model(prepare(sentence, word_to_ix)), prepare(tags, tag_to_ix))
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    with lib.no_grad():
        scores = model(prepare(training_data[0][0], word_to_ix))
    return losses, to_np(scores)


def test_seed_pos_tagger_trains_like_torch():
    losses_th, scores_th = tagger_losses(torch)
    losses_tl, scores_tl = tagger_losses(torchlet)
    np.testing.assert_allclose(losses_tl, losses_th, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(scores_tl, scores_th, rtol=1e-4, atol=1e-4)
    assert list(scores_tl.argmax(1)) == [0, 1, 2, 0, 1]


def hello_losses(lib, use_cell):
    """Lecture 12: learn 'hello' -> 'ohlol' with an RNNCell loop, or nn.RNN over an embedding."""
    nn = lib.nn
    idx2char = ['e', 'h', 'l', 'o']
    x_data, y_data = [1, 0, 2, 2, 3], [3, 1, 2, 3, 2]
    lib.manual_seed(0)
    if use_cell:
        one_hot = np.eye(4, dtype=np.float32)[x_data]
        inputs = lib.tensor(one_hot).view(-1, 1, 4)
        labels = lib.tensor(y_data, dtype=lib.long).view(-1, 1)
        cell = nn.RNNCell(input_size=4, hidden_size=4)
        params = cell.parameters()
    else:
        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(4, 10)
                self.rnn = nn.RNN(input_size=10, hidden_size=8, num_layers=2, batch_first=True)
                self.fc = nn.Linear(8, 4)

            def forward(self, x):
                hidden = lib.zeros(2, x.size(0), 8)
                x = self.emb(x)
                x, _ = self.rnn(x, hidden)
                return self.fc(x).view(-1, 4)
        model = Model()
        params = model.parameters()
        inputs = lib.tensor([x_data], dtype=lib.long)
        labels = lib.tensor(y_data, dtype=lib.long)
    criterion = nn.CrossEntropyLoss()
    optimizer = lib.optim.Adam(params, lr=0.1)
    losses, words = [], []
    for _ in range(15):
        optimizer.zero_grad()
        if use_cell:
            loss = 0
            hidden = lib.zeros(1, 4)
            word = ''
            for inp, label in zip(inputs, labels):
                hidden = cell(inp, hidden)
                loss = loss + criterion(hidden, label)
                word += idx2char[int(hidden.argmax(dim=1)[0])]
        else:
            out = model(inputs)
            loss = criterion(out, labels)
            word = ''.join(idx2char[i] for i in out.argmax(dim=1).tolist())
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        words.append(word)
    return losses, words


@pytest.mark.parametrize('use_cell', [True, False])
def test_seed_hello_ohlol_like_torch(use_cell):
    losses_th, words_th = hello_losses(torch, use_cell)
    losses_tl, words_tl = hello_losses(torchlet, use_cell)
    np.testing.assert_allclose(losses_tl, losses_th, rtol=1e-3, atol=1e-4)
    assert words_tl == words_th


def name_classifier_losses(lib):
    """Lecture 13: embedded names, packed, through a bidirectional GRU; hidden of both directions."""
    nn = lib.nn
    names = ['Maria', 'Li', 'Abramov', 'Smith', 'Nguyen', 'Ota']
    labels = lib.tensor([0, 1, 2, 3, 1, 1])
    seqs = [[ord(c) for c in n] for n in names]
    lengths = [len(s) for s in seqs]
    order = sorted(range(len(seqs)), key=lambda i: -lengths[i])
    padded = np.zeros((len(seqs), max(lengths)), np.int64)
    for i, s in enumerate(seqs):
        padded[i, :len(s)] = s
    seq_tensor = lib.tensor(padded[order])
    seq_lengths = lib.tensor([lengths[i] for i in order])
    target = labels[lib.tensor(order)]

    class RNNClassifier(nn.Module):
        def __init__(self, input_size, hidden_size, output_size, n_layers=1, bidirectional=True):
            super().__init__()
            self.hidden_size, self.n_layers = hidden_size, n_layers
            self.n_directions = 2 if bidirectional else 1
            self.embedding = nn.Embedding(input_size, hidden_size)
            self.gru = nn.GRU(hidden_size, hidden_size, n_layers, bidirectional=bidirectional)
            self.fc = nn.Linear(hidden_size * self.n_directions, output_size)

        def forward(self, input, seq_lengths):
            input = input.t()
            batch_size = input.size(1)
            hidden = lib.zeros(self.n_layers * self.n_directions, batch_size, self.hidden_size)
            embedding = self.embedding(input)
            gru_input = lib.nn.utils.rnn.pack_padded_sequence(embedding, seq_lengths)
            output, hidden = self.gru(gru_input, hidden)
            hidden_cat = lib.cat([hidden[-1], hidden[-2]], dim=1)
            return self.fc(hidden_cat)

    lib.manual_seed(0)
    model = RNNClassifier(128, 16, 4, n_layers=2)
    criterion = nn.CrossEntropyLoss()
    optimizer = lib.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for _ in range(10):
        loss = criterion(model(seq_tensor, seq_lengths), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test_seed_name_classifier_like_torch():
    np.testing.assert_allclose(name_classifier_losses(torchlet), name_classifier_losses(torch),
                               rtol=1e-4, atol=1e-5)
