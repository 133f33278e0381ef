"""torch.optim against torch: 100-step trajectories of every optimizer and option, state_dict layout
and round trips (both directions), repr, param groups, hooks, closures and errors."""
import copy
import pickle
import warnings

import numpy as np
import pytest

import torchlet
from conftest import rng

torch = pytest.importorskip('torch')

SHAPES = ((3, 4), (5,), ())


# -- helpers ---------------------------------------------------------------------------------------
def make_params(lib, dtype, shapes=SHAPES, seed=0):
    r = rng(seed)
    return [lib.nn.Parameter(lib.tensor(r.standard_normal(s).astype(dtype))) for s in shapes]


def grad_of(x, k, g, sign=1):
    """A deterministic gradient that depends on the parameter (a convex objective plus a drifting
    linear term); sign=-1 for maximize=True, so that every run descends."""
    return sign * (g * np.cos(0.1 * k) + 0.5 * x + 0.1 * np.tanh(x))


def run_pair(name, kwargs, dtype=np.float32, steps=100, shapes=SHAPES, th_opt=None, tl_opt=None):
    """Step torch's and torchlet's optimizer on identical gradients; return the largest difference of
    the parameters over the trajectory and the two optimizers."""
    r = rng(1)
    gs = [r.standard_normal(s).astype(dtype) for s in shapes]
    tp, lp = make_params(torch, dtype, shapes), make_params(torchlet, dtype, shapes)
    to = th_opt(tp) if th_opt else getattr(torch.optim, name)(tp, **kwargs)
    lo = tl_opt(lp) if tl_opt else getattr(torchlet.optim, name)(lp, **kwargs)
    sign = -1 if to.defaults.get('maximize') else 1
    err = 0.0
    for k in range(steps):
        for p, q, g in zip(tp, lp, gs):
            p.grad = torch.tensor(grad_of(p.detach().numpy(), k, g, sign).astype(dtype))
            q.grad = torchlet.tensor(grad_of(q.detach().numpy(), k, g, sign).astype(dtype))
        to.step()
        lo.step()
        for p, q in zip(tp, lp):
            assert q.dtype == getattr(torchlet, str(p.dtype)[6:])
            err = max(err, float(np.abs(p.detach().numpy() - q.detach().numpy()).max()))
    return err, to, lo


def tl_from_th(obj):
    """A torch state_dict converted tensor by tensor to torchlet."""
    if isinstance(obj, torch.Tensor):
        return torchlet.tensor(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        return {k: tl_from_th(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(tl_from_th(v) for v in obj)
    return obj


def th_from_tl(obj):
    if isinstance(obj, torchlet.Tensor):
        return torch.tensor(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        return {k: th_from_tl(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(th_from_tl(v) for v in obj)
    return obj


def assert_same_structure(tl, th, rtol=1e-5, atol=1e-6):
    """Same nesting, keys, Python values; tensors with the same shape, dtype and values."""
    if isinstance(th, torch.Tensor):
        assert isinstance(tl, torchlet.Tensor), (type(tl), th)
        assert tuple(tl.shape) == tuple(th.shape)
        assert str(tl.dtype) == str(th.dtype)
        np.testing.assert_allclose(tl.detach().numpy(), th.detach().numpy(), rtol=rtol, atol=atol)
    elif isinstance(th, dict):
        assert list(tl.keys()) == list(th.keys())
        for k in th:
            assert_same_structure(tl[k], th[k], rtol, atol)
    elif isinstance(th, (list, tuple)):
        assert type(tl) is type(th) and len(tl) == len(th)
        for a, b in zip(tl, th):
            assert_same_structure(a, b, rtol, atol)
    else:
        assert type(tl) is type(th) and tl == th, (tl, th)


CASES = [
    ('SGD', dict(lr=0.1)),
    ('SGD', dict(lr=0.05, momentum=0.9)),
    ('SGD', dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    ('SGD', dict(lr=0.05, momentum=0.9, nesterov=True, maximize=True)),
    ('Adam', dict(lr=0.01)),
    ('Adam', dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1, amsgrad=True)),
    ('Adam', dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ('AdamW', dict(lr=0.01)),
    ('AdamW', dict(lr=0.02, weight_decay=0.3, amsgrad=True)),
    ('Adagrad', dict(lr=0.1)),
    ('Adagrad', dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.2,
                     maximize=True)),
    ('RMSprop', dict(lr=0.01)),
    ('RMSprop', dict(lr=0.01, alpha=0.9, momentum=0.8, centered=True, weight_decay=0.1)),
    ('RMSprop', dict(lr=0.005, centered=True, maximize=True)),
    ('Adadelta', dict()),
    ('Adadelta', dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1, maximize=True)),
    ('Adamax', dict()),
    ('Adamax', dict(lr=0.01, betas=(0.8, 0.95), weight_decay=0.1)),
    ('NAdam', dict()),
    ('NAdam', dict(lr=0.01, momentum_decay=0.01, weight_decay=0.1)),
    ('NAdam', dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ('RAdam', dict()),
    ('RAdam', dict(lr=0.01, weight_decay=0.1)),
    ('RAdam', dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
]


# -- trajectories ----------------------------------------------------------------------------------
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('name,kwargs', CASES, ids=[f'{n}-{i}' for i, (n, _) in enumerate(CASES)])
def test_trajectory_matches_torch(name, kwargs, dtype):
    err, to, lo = run_pair(name, kwargs, dtype)
    assert err < (1e-5 if dtype == np.float32 else 1e-12), err
    # float32 state can differ more than the parameters where the update divides small numbers
    # (centered RMSprop near convergence); float64 checks the state tightly
    tol = dict(rtol=1e-2, atol=1e-3) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-12)
    assert_same_structure(lo.state_dict(), to.state_dict(), **tol)


@pytest.mark.parametrize('name', ['SGD', 'Adam', 'AdamW', 'Adagrad'])
def test_foreach_and_fused_flags_give_the_same_trajectory(name):
    kwargs = dict(lr=0.01, fused=True) if name != 'SGD' else dict(lr=0.01, momentum=0.9, fused=True)
    err, to, lo = run_pair(name, kwargs, steps=20)
    assert err < 1e-5
    assert lo.param_groups[0]['fused'] is True
    err, _, _ = run_pair(name, dict(lr=0.01, foreach=True), steps=20)
    assert err < 1e-5


def test_param_groups_with_their_own_options():
    def groups(ps):
        return [{'params': ps[:1]}, {'params': ps[1:], 'lr': 0.003, 'betas': (0.5, 0.9)}]
    err, to, lo = run_pair('Adam', None, th_opt=lambda ps: torch.optim.Adam(groups(ps), lr=0.02),
                           tl_opt=lambda ps: torchlet.optim.Adam(groups(ps), lr=0.02))
    assert err < 1e-5
    assert_same_structure(lo.state_dict(), to.state_dict())


def test_params_without_grad_are_skipped_and_get_no_state():
    for lib in (torch, torchlet):
        a, b = make_params(lib, np.float32, ((2,), (3,)))
        opt = lib.optim.Adam([a, b], lr=0.1)
        a.grad = lib.ones(2)
        before = b.detach().numpy().copy()
        opt.step()
        np.testing.assert_array_equal(b.detach().numpy(), before)
        assert list(opt.state_dict()['state']) == [0]


def test_sgd_without_momentum_keeps_no_state():
    p = torchlet.nn.Parameter(torchlet.ones(2))
    opt = torchlet.optim.SGD([p], lr=0.5)
    p.grad = torchlet.ones(2)
    opt.step()
    assert opt.state_dict()['state'] == {}
    np.testing.assert_array_equal(p.detach().numpy(), [0.5, 0.5])


def test_step_updates_in_place_and_bumps_the_version():
    p = torchlet.nn.Parameter(torchlet.ones(3))
    data, version = p._data, p._version
    view = p.detach()
    opt = torchlet.optim.SGD([p], lr=0.5)
    p.grad = torchlet.ones(3)
    opt.step()
    assert p._data is data and p._version > version
    np.testing.assert_array_equal(view.numpy(), [0.5, 0.5, 0.5])
    assert p.grad_fn is None and p.requires_grad


def test_complex_params_follow_torch():
    r = rng(3)
    init = (r.standard_normal(4) + 1j * r.standard_normal(4)).astype(np.complex64)
    grad = (r.standard_normal(4) + 1j * r.standard_normal(4)).astype(np.complex64)
    for name, kwargs in [('SGD', dict(lr=0.1, momentum=0.9)), ('Adam', dict(lr=0.1))]:
        out = []
        for lib in (torch, torchlet):
            p = lib.nn.Parameter(lib.tensor(init.copy()))
            opt = getattr(lib.optim, name)([p], **kwargs)
            for _ in range(5):
                p.grad = lib.tensor(grad.copy())
                opt.step()
            out.append(p.detach().numpy().copy())
        np.testing.assert_allclose(out[1], out[0], rtol=1e-5, atol=1e-6)


# -- closures and LBFGS ----------------------------------------------------------------------------
def rosenbrock(x):
    return ((1 - x[0::2]) ** 2).sum() + (100 * (x[1::2] - x[0::2] ** 2) ** 2).sum()


@pytest.mark.parametrize('name,kwargs', [('SGD', dict(lr=1e-3, momentum=0.9)),
                                         ('Adam', dict(lr=0.01))])
def test_closure_rosenbrock_matches_torch(name, kwargs):
    init = np.array([-1.2, 1.0, -0.5, 0.8], np.float64)
    traj = []
    for lib in (torch, torchlet):
        x = lib.nn.Parameter(lib.tensor(init.copy()))
        opt = getattr(lib.optim, name)([x], **kwargs)
        losses = []

        def closure():
            opt.zero_grad()
            loss = rosenbrock(x)
            loss.backward()
            return loss
        for _ in range(100):
            losses.append(float(opt.step(closure).detach()))
        traj.append((x.detach().numpy().copy(), losses))
    np.testing.assert_allclose(traj[1][0], traj[0][0], atol=1e-9)
    np.testing.assert_allclose(traj[1][1], traj[0][1], rtol=1e-9)


def test_closure_runs_with_grad_enabled_and_step_without():
    p = torchlet.nn.Parameter(torchlet.ones(2))
    opt = torchlet.optim.SGD([p], lr=0.1)
    seen = []

    def closure():
        seen.append(torchlet.is_grad_enabled())
        loss = (p * p).sum()
        loss.backward()
        return loss
    with torchlet.no_grad():
        loss = opt.step(closure)
    assert seen == [True] and float(loss) == 2.0
    assert torchlet.is_grad_enabled()
    assert p.grad_fn is None and p.is_leaf


def rosenbrock_grad(x):
    a, b = x[0::2], x[1::2]
    g = np.zeros_like(x)
    g[0::2] = -2 * (1 - a) - 400 * a * (b - a ** 2)
    g[1::2] = 200 * (b - a ** 2)
    return ((1 - a) ** 2).sum() + (100 * (b - a ** 2) ** 2).sum(), g


def quadratic_grad(x):
    c = np.arange(1, x.size + 1, dtype=np.float64)
    d = x.astype(np.float64) - 0.5
    return float((c * d * d).sum()), 2 * c * d


LBFGS_CASES = [dict(), dict(line_search_fn='strong_wolfe'), dict(lr=0.5, history_size=3, max_iter=7),
               dict(history_size=3, max_iter=5, line_search_fn='strong_wolfe')]


@pytest.mark.parametrize('kwargs', LBFGS_CASES)
@pytest.mark.parametrize('dtype,fn,tol', [(np.float64, rosenbrock_grad, 1e-5),
                                          (np.float32, quadratic_grad, 1e-5)])
def test_lbfgs_matches_torch(kwargs, dtype, fn, tol):
    init = np.array([-1.2, 1.0, -0.5, 0.8, 0.3, 0.1], dtype)
    out = []
    for lib in (torch, torchlet):
        x = lib.nn.Parameter(lib.tensor(init[:4].copy()))
        y = lib.nn.Parameter(lib.tensor(init[4:].copy()))
        opt = lib.optim.LBFGS([x, y], **kwargs)

        def closure():
            flat = np.concatenate([x.detach().numpy(), y.detach().numpy()])
            f, g = fn(flat)
            x.grad, y.grad = lib.tensor(g[:4].astype(dtype)), lib.tensor(g[4:].astype(dtype))
            return lib.tensor(f)
        traj = []
        for _ in range(10):
            opt.step(closure)
            traj.append(np.concatenate([x.detach().numpy(), y.detach().numpy()]))
        out.append((np.array(traj), opt.state_dict()))
    assert np.abs(out[1][0] - out[0][0]).max() < tol
    th_state, tl_state = out[0][1]['state'][0], out[1][1]['state'][0]
    assert sorted(tl_state) == sorted(th_state)
    assert tl_state['func_evals'] == th_state['func_evals']
    assert tl_state['n_iter'] == th_state['n_iter']
    assert_same_structure(out[1][1]['param_groups'], out[0][1]['param_groups'])


def test_lbfgs_with_autograd_closure():
    out = []
    for lib in (torch, torchlet):
        x = lib.nn.Parameter(lib.tensor([-1.2, 1.0, 0.5, -0.3], dtype=lib.float64))
        opt = lib.optim.LBFGS([x], line_search_fn='strong_wolfe', max_iter=10)
        losses = []

        def closure():
            opt.zero_grad()
            loss = rosenbrock(x)
            loss.backward()
            return loss
        for _ in range(3):
            losses.append(float(opt.step(closure).detach()))
        out.append((x.detach().numpy().copy(), losses))
    np.testing.assert_allclose(out[1][0], out[0][0], atol=1e-7)
    np.testing.assert_allclose(out[1][1], out[0][1], rtol=1e-7)


def test_lbfgs_errors():
    p, q = torchlet.nn.Parameter(torchlet.ones(1)), torchlet.nn.Parameter(torchlet.ones(1))
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        torchlet.optim.LBFGS([{'params': [p]}, {'params': [q]}])
    opt = torchlet.optim.LBFGS([p], line_search_fn='backtracking')

    def closure():
        p.grad = torchlet.ones(1)
        return torchlet.tensor(1.0)
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)


# -- state_dict ------------------------------------------------------------------------------------
def _state_after(lib, name, kwargs, steps, dtype=np.float32):
    ps = make_params(lib, dtype)
    opt = getattr(lib.optim, name)(ps, **kwargs)
    r = rng(7)
    for k in range(steps):
        for p in ps:
            p.grad = lib.tensor(r.standard_normal(tuple(p.shape)).astype(dtype))
        opt.step()
    return ps, opt


def _continue(lib, ps, opt, steps, dtype=np.float32):
    r = rng(8)
    for k in range(steps):
        for p in ps:
            p.grad = lib.tensor(r.standard_normal(tuple(p.shape)).astype(dtype))
        opt.step()
    return [p.detach().numpy().copy() for p in ps]


@pytest.mark.parametrize('name,kwargs', CASES[1::2], ids=[n for n, _ in CASES[1::2]])
def test_torch_state_dict_loads_into_torchlet_and_back(name, kwargs):
    tp, to = _state_after(torch, name, kwargs, 5)
    # torch -> torchlet: a fresh torchlet optimizer on the same parameter values continues identically
    lp = [torchlet.nn.Parameter(torchlet.tensor(p.detach().numpy().copy())) for p in tp]
    lo = getattr(torchlet.optim, name)(lp, **kwargs)
    lo.load_state_dict(tl_from_th(to.state_dict()))
    assert_same_structure(lo.state_dict(), to.state_dict())
    expected = _continue(torch, tp, to, 10)
    got = _continue(torchlet, lp, lo, 10)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    # torchlet -> torch
    tp2 = [torch.nn.Parameter(torch.tensor(p.detach().numpy().copy())) for p in lp]
    to2 = getattr(torch.optim, name)(tp2, **kwargs)
    to2.load_state_dict(th_from_tl(lo.state_dict()))
    expected = _continue(torch, tp2, to2, 10)
    got = _continue(torchlet, lp, lo, 10)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_state_dict_layout_and_step_dtype():
    ps, opt = _state_after(torchlet, 'Adam', {}, 2)
    sd = opt.state_dict()
    assert list(sd) == ['state', 'param_groups']
    assert list(sd['state']) == [0, 1, 2]
    assert list(sd['state'][0]) == ['step', 'exp_avg', 'exp_avg_sq']
    step = sd['state'][0]['step']
    assert step.dtype == torchlet.float32 and step.dim() == 0 and float(step) == 2.0
    assert sd['param_groups'][0]['params'] == [0, 1, 2]
    assert list(sd['param_groups'][0])[-1] == 'params'
    assert sd['state'][0]['exp_avg'] is opt.state[ps[0]]['exp_avg']   # references, like torch


def test_step_dtype_follows_default_dtype():
    torchlet.set_default_dtype(torchlet.float64)
    try:
        ps, opt = _state_after(torchlet, 'Adam', {}, 1, dtype=np.float64)
        assert opt.state[ps[0]]['step'].dtype == torchlet.float64
    finally:
        torchlet.set_default_dtype(torchlet.float32)


def test_load_state_dict_casts_state_to_param_dtype_and_keeps_step():
    ps, opt = _state_after(torchlet, 'Adam', {}, 2, dtype=np.float64)
    sd = opt.state_dict()
    sd['state'][0]['exp_avg'] = sd['state'][0]['exp_avg'].float()
    opt.load_state_dict(sd)
    assert opt.state[ps[0]]['exp_avg'].dtype == torchlet.float64
    assert opt.state[ps[0]]['step'].dtype == torchlet.float32


def test_load_state_dict_with_python_number_steps():
    ps, opt = _state_after(torchlet, 'Adam', {}, 3)
    sd = opt.state_dict()
    for s in sd['state'].values():
        s['step'] = 3
    opt2 = torchlet.optim.Adam(ps)
    opt2.load_state_dict(sd)
    step = opt2.state[ps[0]]['step']
    assert isinstance(step, torchlet.Tensor) and float(step) == 3.0


def test_load_state_dict_errors():
    ps, opt = _state_after(torchlet, 'SGD', dict(lr=0.1, momentum=0.9), 1)
    sd = opt.state_dict()
    other = torchlet.optim.SGD([{'params': ps[:1]}, {'params': ps[1:]}], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        other.load_state_dict(sd)
    fewer = torchlet.optim.SGD(ps[:2], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        fewer.load_state_dict(sd)


def test_load_state_dict_restores_hyperparameters():
    ps, opt = _state_after(torchlet, 'SGD', dict(lr=0.1, momentum=0.9), 1)
    sd = copy.deepcopy(opt.state_dict())
    opt.param_groups[0]['lr'] = 5.0
    opt.load_state_dict(sd)
    assert opt.param_groups[0]['lr'] == 0.1
    assert opt.param_groups[0]['params'][0] is ps[0]


# -- construction, repr, groups, zero_grad ---------------------------------------------------------
@pytest.mark.parametrize('name,kwargs', [('SGD', dict(lr=0.1, momentum=0.9)), ('Adam', {}),
                                         ('AdamW', {}), ('Adagrad', {}), ('RMSprop', {}),
                                         ('Adadelta', {}), ('Adamax', {}), ('NAdam', {}),
                                         ('RAdam', {}), ('LBFGS', {})])
def test_repr_and_param_group_keys_match_torch(name, kwargs):
    tp, lp = make_params(torch, np.float32), make_params(torchlet, np.float32)
    to, lo = getattr(torch.optim, name)(tp, **kwargs), getattr(torchlet.optim, name)(lp, **kwargs)
    assert repr(lo) == repr(to)
    assert list(lo.param_groups[0]) == list(to.param_groups[0])
    assert lo.defaults == to.defaults
    assert_same_structure(lo.state_dict(), to.state_dict())


def test_repr_of_several_groups():
    def groups(ps):
        return [{'params': ps[:1]}, {'params': ps[1:], 'lr': 0.5}]
    to = torch.optim.SGD(groups(make_params(torch, np.float32)), lr=0.1)
    lo = torchlet.optim.SGD(groups(make_params(torchlet, np.float32)), lr=0.1)
    assert repr(lo) == repr(to)


def test_named_parameters():
    for lib in (torch, torchlet):
        a, b = make_params(lib, np.float32, ((2,), (3,)))
        opt = lib.optim.SGD([('a', a), ('b', b)], lr=0.1)
        assert opt.param_groups[0]['param_names'] == ['a', 'b']
        assert opt.state_dict()['param_groups'][0]['param_names'] == ['a', 'b']
    with pytest.raises(ValueError, match="all optimizer param groups should be with/without names"):
        opt.add_param_group({'params': [torchlet.nn.Parameter(torchlet.ones(1))]})


def test_add_param_group():
    a, b = make_params(torchlet, np.float32, ((2,), (3,)))
    opt = torchlet.optim.SGD([a], lr=0.1, momentum=0.5)
    opt.add_param_group({'params': b, 'lr': 0.01})
    assert len(opt.param_groups) == 2
    assert opt.param_groups[1]['momentum'] == 0.5 and opt.param_groups[1]['lr'] == 0.01
    assert opt.param_groups[1]['params'] == [b] or opt.param_groups[1]['params'][0] is b
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({'params': [a]})
    with pytest.raises(TypeError, match="param_group must be a dict"):
        opt.add_param_group([a])
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({'params': {torchlet.nn.Parameter(torchlet.ones(1))}})


def test_duplicate_params_in_a_group_warn():
    a = torchlet.nn.Parameter(torchlet.ones(1))
    with pytest.warns(UserWarning, match="duplicate parameters"):
        torchlet.optim.SGD([a, a], lr=0.1)


def _error(fn_th, fn_tl, exc):
    with pytest.raises(exc) as th_info:
        fn_th()
    with pytest.raises(exc) as tl_info:
        fn_tl()
    assert str(tl_info.value) == str(th_info.value)


@pytest.mark.parametrize('make', [
    lambda lib, p: lib.optim.SGD(p[0], lr=0.1),
    lambda lib, p: lib.optim.SGD([], lr=0.1),
    lambda lib, p: lib.optim.SGD([{'params': p}, {'params': p[:1]}]),
    lambda lib, p: lib.optim.SGD(p, lr=-1),
    lambda lib, p: lib.optim.SGD(p, momentum=-0.5),
    lambda lib, p: lib.optim.SGD(p, weight_decay=-1),
    lambda lib, p: lib.optim.SGD(p, lr=0.1, nesterov=True),
    lambda lib, p: lib.optim.SGD([1.0]),
    lambda lib, p: lib.optim.SGD([p[0] * 2]),
    lambda lib, p: lib.optim.SGD(p, fused=True, foreach=True),
    lambda lib, p: lib.optim.Adam(p, betas=(1.0, 0.9)),
    lambda lib, p: lib.optim.Adam(p, betas=(0.9, -0.1)),
    lambda lib, p: lib.optim.Adam(p, betas=(0.9, 0)),
    lambda lib, p: lib.optim.Adam(p, eps=-1.0),
    lambda lib, p: lib.optim.AdamW(p, weight_decay=-1.0),
    lambda lib, p: lib.optim.Adagrad(p, lr_decay=-1.0),
    lambda lib, p: lib.optim.Adagrad(p, initial_accumulator_value=-1.0),
    lambda lib, p: lib.optim.RMSprop(p, alpha=-1.0),
    lambda lib, p: lib.optim.Adadelta(p, rho=1.5),
    lambda lib, p: lib.optim.Adamax(p, betas=(0.9, 1.0)),
    lambda lib, p: lib.optim.NAdam(p, momentum_decay=-1.0),
    lambda lib, p: lib.optim.RAdam(p, lr=-0.1),
    lambda lib, p: lib.optim.LBFGS(p, lr=-0.1),
    lambda lib, p: lib.optim.SGD(p, lr=lib.tensor([0.1, 0.2])),
])
def test_construction_errors_match_torch(make):
    tp, lp = make_params(torch, np.float32), make_params(torchlet, np.float32)
    with pytest.raises(Exception) as th_info:
        make(torch, tp)
    with pytest.raises(type(th_info.value)) as tl_info:
        make(torchlet, lp)
    assert str(tl_info.value) == str(th_info.value)


def test_capturable_on_cpu_raises_like_torch():
    for name in ('Adam', 'RMSprop', 'Adamax', 'RAdam'):
        msgs = []
        for lib in (torch, torchlet):
            p = lib.nn.Parameter(lib.ones(2))
            opt = getattr(lib.optim, name)([p], capturable=True)
            p.grad = lib.ones(2)
            with pytest.raises(AssertionError) as info:
                opt.step()
            msgs.append(str(info.value))
        assert msgs[0] == msgs[1]


def test_differentiable_is_reported_as_missing():
    p = torchlet.nn.Parameter(torchlet.ones(2))
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        torchlet.optim.Adam([p], differentiable=True)


def test_missing_optimizer_names_the_torch_api():
    with pytest.raises(AttributeError, match=r"torch.optim.ASGD is not yet implemented in torchlet"):
        torchlet.optim.ASGD


@pytest.mark.parametrize('set_to_none', [True, False])
def test_zero_grad(set_to_none):
    for lib in (torch, torchlet):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.1)
        (p * 3).sum().backward()
        grad = p.grad
        opt.zero_grad(set_to_none=set_to_none)
        if set_to_none:
            assert p.grad is None
        else:
            assert p.grad is grad
            np.testing.assert_array_equal(p.grad.numpy(), [0.0, 0.0])


# -- hooks, subclassing, copying -------------------------------------------------------------------
def test_step_hooks():
    p = torchlet.nn.Parameter(torchlet.ones(1))
    opt = torchlet.optim.SGD([p], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(('pre', o is opt)))
    h2 = opt.register_step_post_hook(lambda o, args, kwargs: calls.append(('post', o is opt)))
    hg = torchlet.optim.optimizer.register_optimizer_step_pre_hook(
        lambda o, args, kwargs: calls.append(('global', type(o).__name__)))
    p.grad = torchlet.ones(1)
    opt.step()
    assert calls == [('global', 'SGD'), ('pre', True), ('post', True)]
    h1.remove()
    h2.remove()
    hg.remove()
    opt.step()
    assert len(calls) == 3


def test_state_dict_hooks():
    ps, opt = _state_after(torchlet, 'SGD', dict(lr=0.1, momentum=0.9), 1)
    seen = []
    opt.register_state_dict_pre_hook(lambda o: seen.append('pre'))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, 'extra': 1})
    sd = opt.state_dict()
    assert seen == ['pre'] and sd['extra'] == 1
    opt.register_load_state_dict_pre_hook(lambda o, sd: {k: v for k, v in sd.items() if k != 'extra'})
    opt.register_load_state_dict_post_hook(lambda o: seen.append('loaded'))
    opt.load_state_dict(sd)
    assert seen[-1] == 'loaded'


class TutorialSGD(torchlet.optim.Optimizer):
    """A user optimizer written the way tutorials do."""

    def __init__(self, params, lr=0.01, decay=0.0):
        super().__init__(params, dict(lr=lr, decay=decay))

    @torchlet.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torchlet.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is None:
                    continue
                state = self.state[p]
                if 'steps' not in state:
                    state['steps'] = 0
                state['steps'] += 1
                p.add_(p.grad, alpha=-group['lr'])
        return loss


def test_user_subclass():
    p = torchlet.nn.Parameter(torchlet.tensor([1.0, 2.0]))
    opt = TutorialSGD([p], lr=0.5)
    calls = []
    opt.register_step_post_hook(lambda o, a, k: calls.append(1))

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss
    loss = opt.step(closure)
    assert float(loss) == 5.0 and calls == [1]
    np.testing.assert_allclose(p.detach().numpy(), [0.0, 0.0])
    assert opt.state_dict()['state'] == {0: {'steps': 1}}
    assert repr(opt) == 'TutorialSGD (\nParameter Group 0\n    decay: 0.0\n    lr: 0.5\n)'
    with pytest.raises(NotImplementedError):
        torchlet.optim.Optimizer([p], {}).step()


def test_required_default():
    from torchlet.optim.optimizer import required

    class NeedsLr(torchlet.optim.Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, dict(lr=lr))
    p = torchlet.nn.Parameter(torchlet.ones(1))
    with pytest.raises(ValueError, match="didn't specify a value of required optimization parameter lr"):
        NeedsLr([p])
    assert NeedsLr([{'params': [p], 'lr': 0.1}]).param_groups[0]['lr'] == 0.1


def test_deepcopy_and_pickle():
    ps, opt = _state_after(torchlet, 'Adam', {}, 2)
    clone = copy.deepcopy(opt)
    assert clone.state_dict()['param_groups'] == opt.state_dict()['param_groups']
    np.testing.assert_array_equal(clone.state_dict()['state'][0]['exp_avg'].numpy(),
                                  opt.state_dict()['state'][0]['exp_avg'].numpy())
    restored = pickle.loads(pickle.dumps(opt))
    assert repr(restored) == repr(opt)
    for p in restored.param_groups[0]['params']:
        p.grad = torchlet.ones_like(p)
    restored.step()


def test_tensor_lr():
    out = []
    for lib in (torch, torchlet):
        p = lib.nn.Parameter(lib.ones(3))
        opt = lib.optim.Adam([p], lr=lib.tensor(0.01))
        for _ in range(3):
            p.grad = lib.tensor([1.0, -2.0, 3.0])
            opt.step()
        out.append(p.detach().numpy().copy())
    np.testing.assert_allclose(out[1], out[0], rtol=1e-6)


def test_no_warnings_in_a_plain_training_step():
    p = torchlet.nn.Parameter(torchlet.ones(3))
    opt = torchlet.optim.AdamW([p])
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        (p * p).sum().backward()
        opt.step()
        opt.zero_grad()
