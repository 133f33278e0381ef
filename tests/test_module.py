"""nn.Module and containers against torch.nn: registration, iteration, state_dict, repr, hooks."""
from collections import OrderedDict
import copy
import pickle

import numpy as np
import pytest

import torchlet
from conftest import torch


def build(lib):
    return _build(lib)()


def _build(lib):
    """The same small model built from custom modules with torch or torchlet."""
    nn = lib.nn

    class Affine(nn.Module):
        def __init__(self, n, m):
            super().__init__()
            self.weight = nn.Parameter(lib.tensor(np.arange(n * m, dtype=np.float32).reshape(m, n)))
            self.bias = nn.Parameter(lib.tensor(np.zeros(m, np.float32)))
            self.register_buffer('count', lib.tensor(np.zeros((), np.int64)))
            self.register_buffer('scratch', lib.tensor(np.zeros(2, np.float32)), persistent=False)

        def forward(self, x):
            return x * 2

        def extra_repr(self):
            return f'in={self.weight.shape[1]}, out={self.weight.shape[0]}'

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(Affine(3, 4), nn.Sequential(OrderedDict(a=Affine(4, 2))))
            self.heads = nn.ModuleList([Affine(2, 2), Affine(2, 1)])
            self.table = nn.ModuleDict({'x': Affine(1, 1)})
            self.extra = nn.ParameterList([nn.Parameter(lib.tensor(np.ones(2, np.float32)))])
            self.pd = nn.ParameterDict({'p': nn.Parameter(lib.tensor(np.ones(3, np.float32)))})
            self.shared = self.heads[0]

        def forward(self, x):
            return self.body(x)
    return Net


def test_names_and_keys_match_torch():
    a, b = build(torchlet), build(torch)
    assert [n for n, _ in a.named_parameters()] == [n for n, _ in b.named_parameters()]
    assert [n for n, _ in a.named_buffers()] == [n for n, _ in b.named_buffers()]
    assert [n for n, _ in a.named_modules()] == [n for n, _ in b.named_modules()]
    assert [n for n, _ in a.named_children()] == [n for n, _ in b.named_children()]
    assert list(a.state_dict().keys()) == list(b.state_dict().keys())
    assert len(list(a.parameters())) == len(list(b.parameters()))
    assert [n for n, _ in a.named_parameters(remove_duplicate=False)] == \
        [n for n, _ in b.named_parameters(remove_duplicate=False)]


def test_repr_matches_torch():
    a, b = build(torchlet), build(torch)
    assert repr(a) == repr(b)
    for lib_a, lib_b in ((a, b),):
        lib_a.extra.append(torchlet.nn.Parameter(torchlet.zeros(2, 3, dtype=torchlet.float64)))
        lib_b.extra.append(torch.nn.Parameter(torch.zeros(2, 3, dtype=torch.float64)))
        lib_a.heads.extend([lib_a.heads[1], lib_a.heads[1], lib_a.heads[0]])
        lib_b.heads.extend([lib_b.heads[1], lib_b.heads[1], lib_b.heads[0]])
    assert repr(a) == repr(b)
    assert repr(torchlet.nn.ModuleList()) == repr(torch.nn.ModuleList())
    assert repr(torchlet.nn.ParameterList()) == repr(torch.nn.ParameterList())


def test_state_dict_round_trip_between_libraries():
    a, b = build(torchlet), build(torch)
    sd = {k: torch.tensor(v.numpy() + 1) for k, v in a.state_dict().items()}
    b.load_state_dict(sd)
    back = {k: torchlet.tensor(v.numpy()) for k, v in b.state_dict().items()}
    a2 = build(torchlet)
    assert str(a2.load_state_dict(back)) == str(b.load_state_dict(sd))
    for k, v in a2.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), b.state_dict()[k].numpy())


def test_load_state_dict_errors_match_torch():
    a, b = build(torchlet), build(torch)
    sd_a, sd_b = a.state_dict(), b.state_dict()
    del sd_a['body.0.bias'], sd_b['body.0.bias']
    sd_a['junk'] = torchlet.zeros(1)
    sd_b['junk'] = torch.zeros(1)
    sd_a['heads.1.weight'] = torchlet.zeros(5, 5)
    sd_b['heads.1.weight'] = torch.zeros(5, 5)
    with pytest.raises(RuntimeError) as ea:
        a.load_state_dict(sd_a)
    with pytest.raises(RuntimeError) as eb:
        b.load_state_dict(sd_b)
    assert str(ea.value) == str(eb.value)


def test_non_strict_load_reports_keys():
    a, b = build(torchlet), build(torch)
    sd_a, sd_b = a.state_dict(), b.state_dict()
    del sd_a['body.0.bias'], sd_b['body.0.bias']
    sd_a['junk'] = torchlet.zeros(1)
    sd_b['junk'] = torch.zeros(1)
    assert tuple(a.load_state_dict(sd_a, strict=False)) == tuple(b.load_state_dict(sd_b, strict=False))


def test_state_dict_shares_storage_and_detaches():
    a = build(torchlet)
    sd = a.state_dict()
    assert not sd['body.0.weight'].requires_grad
    sd['body.0.weight'].fill_(100.0)
    assert a.body[0].weight.detach().numpy()[0, 0] == 100.0


def test_train_eval_and_requires_grad():
    a = build(torchlet)
    a.eval()
    assert not any(m.training for m in a.modules())
    a.train()
    assert all(m.training for m in a.modules())
    a.requires_grad_(False)
    assert not any(p.requires_grad for p in a.parameters())


def test_zero_grad_and_to_double():
    a = build(torchlet)
    for p in a.parameters():
        p.grad = torchlet.ones(*p.shape)
    a.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.numpy() == 0) for p in a.parameters())
    a.zero_grad()
    assert all(p.grad is None for p in a.parameters())
    w = a.body[0].weight
    a.double()
    assert a.body[0].weight is w and w.dtype == torchlet.float64
    assert a.body[0].count.dtype == torchlet.int64


def test_setattr_rules_match_torch():
    for lib in (torchlet, torch):
        m = lib.nn.Module()
        with pytest.raises(TypeError):
            m.register_parameter('w', lib.zeros(2))
        m.w = lib.nn.Parameter(lib.zeros(2))
        with pytest.raises(TypeError):
            m.w = lib.zeros(2)
        m.w = None
        assert 'w' in m._parameters and m.w is None
        with pytest.raises(KeyError):
            m.register_buffer('a.b', lib.zeros(1))
        with pytest.raises(AttributeError):
            m.nothing


def test_hooks():
    for lib in (torchlet, torch):
        m = build(lib).body[0]
        calls = []
        h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] + 1,))
        h2 = m.register_forward_hook(lambda mod, args, out: calls.append(out) or out * 10)
        y = m(lib.ones(2))
        assert y.tolist() == [40.0, 40.0] and len(calls) == 1
        h1.remove()
        h2.remove()
        assert m(lib.ones(2)).tolist() == [2.0, 2.0]


def test_sequential_indexing_and_editing():
    for lib in (torchlet, torch):
        nn = lib.nn
        s = nn.Sequential(nn.Module(), nn.Module(), nn.Module())
        assert isinstance(s[1:], nn.Sequential) and len(s[1:]) == 2
        s.append(nn.Module())
        del s[0]
        assert list(s._modules.keys()) == ['0', '1', '2']
        with pytest.raises(IndexError):
            s[10]


def test_deepcopy_and_pickle():
    a = build(torchlet)
    b = copy.deepcopy(a)
    assert b.body[0].weight is not a.body[0].weight
    assert isinstance(b.body[0].weight, torchlet.nn.Parameter)
    np.testing.assert_array_equal(b.body[0].weight.detach().numpy(), a.body[0].weight.detach().numpy())
    assert b.shared is b.heads[0]
    c = pickle.loads(pickle.dumps(PickleNet()))
    assert isinstance(c.w, torchlet.nn.Parameter) and c.w.requires_grad
    assert c.w.tolist() == [1.0, 2.0] and c.body[0].w.tolist() == [1.0, 2.0]


class PickleNet(torchlet.nn.Module):
    def __init__(self, inner=True):
        super().__init__()
        self.w = torchlet.nn.Parameter(torchlet.tensor([1.0, 2.0]))
        if inner:
            self.body = torchlet.nn.Sequential(PickleNet(False))


def test_apply_visits_all_modules_in_torch_order():
    names = []
    for lib in (torchlet, torch):
        seen = []
        build(lib).apply(lambda m: seen.append(type(m).__name__))
        names.append(seen)
    assert names[0] == names[1]
