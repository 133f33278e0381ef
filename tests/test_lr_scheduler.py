"""torch.optim.lr_scheduler against torch: 100-step lr (and momentum) sequences for every scheduler
and several parameterisations, state_dict keys and round trips, warnings and errors."""
import math
import pickle
import warnings

import numpy as np
import pytest

import torchlet

torch = pytest.importorskip('torch')


def make_optimizer(lib, opt='SGD', **kwargs):
    ps = [lib.nn.Parameter(lib.zeros(2)) for _ in range(2)]
    kwargs = kwargs or (dict(lr=0.1, momentum=0.9) if opt == 'SGD' else {})
    groups = [{'params': [ps[0]]}, {'params': [ps[1]], 'lr': 0.05}]
    return getattr(lib.optim, opt)(groups, **kwargs)


def record(opt, sched):
    """lrs, momentum / beta1 of each group, and get_last_lr()."""
    momenta = [g['momentum'] if 'momentum' in g else g['betas'][0] for g in opt.param_groups]
    return [g['lr'] for g in opt.param_groups] + momenta + list(sched.get_last_lr())


def lr_sequence(lib, make, steps=100, opt='SGD', metrics=None, **opt_kwargs):
    o = make_optimizer(lib, opt, **opt_kwargs)
    s = make(lib.optim.lr_scheduler, o)
    out = [record(o, s)]
    for i in range(steps):
        o.step()
        s.step() if metrics is None else s.step(metrics[i])
        out.append(record(o, s))
    return np.array(out, np.float64), o, s


SCHEDULERS = {
    'LambdaLR': lambda m, o: m.LambdaLR(o, lambda e: 0.95 ** e),
    'LambdaLR-per-group': lambda m, o: m.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9 ** e]),
    'MultiplicativeLR': lambda m, o: m.MultiplicativeLR(o, lambda e: 0.97),
    'StepLR': lambda m, o: m.StepLR(o, 7, 0.5),
    'StepLR-default': lambda m, o: m.StepLR(o, 30),
    'MultiStepLR': lambda m, o: m.MultiStepLR(o, [10, 30, 30, 60], 0.3),
    'ConstantLR': lambda m, o: m.ConstantLR(o, 0.25, 13),
    'ConstantLR-default': lambda m, o: m.ConstantLR(o),
    'LinearLR': lambda m, o: m.LinearLR(o, 0.1, 0.9, 37),
    'LinearLR-default': lambda m, o: m.LinearLR(o),
    'ExponentialLR': lambda m, o: m.ExponentialLR(o, 0.97),
    'PolynomialLR': lambda m, o: m.PolynomialLR(o, 40, 2.0),
    'PolynomialLR-default': lambda m, o: m.PolynomialLR(o),
    'CosineAnnealingLR': lambda m, o: m.CosineAnnealingLR(o, 17, 0.001),
    'CosineAnnealingLR-long': lambda m, o: m.CosineAnnealingLR(o, 100),
    'CosineAnnealingWarmRestarts': lambda m, o: m.CosineAnnealingWarmRestarts(o, 5, 2, 0.001),
    'CosineAnnealingWarmRestarts-Tmult1': lambda m, o: m.CosineAnnealingWarmRestarts(o, 8),
    'CyclicLR': lambda m, o: m.CyclicLR(o, 0.01, [0.1, 0.2], 7, 5),
    'CyclicLR-triangular2': lambda m, o: m.CyclicLR(o, 0.01, 0.1, 7, 5, 'triangular2'),
    'CyclicLR-exp_range': lambda m, o: m.CyclicLR(o, 0.01, 0.1, 9, mode='exp_range', gamma=0.98),
    'CyclicLR-scale_fn': lambda m, o: m.CyclicLR(o, 0.01, 0.1, 4, scale_fn=lambda x: 0.9 ** x,
                                                 scale_mode='iterations', cycle_momentum=False),
    'OneCycleLR': lambda m, o: m.OneCycleLR(o, 0.5, total_steps=100),
    'OneCycleLR-three-phase-linear': lambda m, o: m.OneCycleLR(
        o, [0.5, 0.3], epochs=10, steps_per_epoch=10, pct_start=0.25, anneal_strategy='linear',
        three_phase=True, div_factor=10.0, final_div_factor=100.0),
    'OneCycleLR-no-momentum': lambda m, o: m.OneCycleLR(o, 0.2, total_steps=120,
                                                        cycle_momentum=False),
    'SequentialLR': lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, 0.1, 1.0, 10), m.CosineAnnealingLR(o, 50)], [10]),
    'SequentialLR-three': lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, 0.5, 5), m.ExponentialLR(o, 0.9), m.StepLR(o, 5, 0.5)], [20, 50]),
    'ChainedScheduler': lambda m, o: m.ChainedScheduler([m.ExponentialLR(o, 0.99),
                                                         m.StepLR(o, 10, 0.5)]),
    'ChainedScheduler-optimizer': lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, 0.1, 10), m.CosineAnnealingLR(o, 30)], optimizer=o),
}


@pytest.mark.parametrize('name', list(SCHEDULERS))
def test_lr_sequence_matches_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        expected, th_opt, th_sched = lr_sequence(torch, SCHEDULERS[name])
        got, tl_opt, tl_sched = lr_sequence(torchlet, SCHEDULERS[name])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    assert list(tl_sched.state_dict()) == list(th_sched.state_dict())
    assert [sorted(g) for g in tl_opt.param_groups] == [sorted(g) for g in th_opt.param_groups]


@pytest.mark.parametrize('name', ['OneCycleLR', 'CyclicLR', 'OneCycleLR-three-phase-linear'])
def test_momentum_cycles_beta1_of_adam(name):
    expected, _, _ = lr_sequence(torch, SCHEDULERS[name], opt='Adam')
    got, tl_opt, _ = lr_sequence(torchlet, SCHEDULERS[name], opt='Adam')
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    assert tl_opt.param_groups[0]['betas'][1] == 0.999


PLATEAU = {
    'min-rel': dict(),
    'min-abs-cooldown': dict(mode='min', factor=0.5, patience=2, threshold=0.01,
                             threshold_mode='abs', cooldown=3, min_lr=[0.001, 0.002]),
    'max-rel': dict(mode='max', factor=0.3, patience=1, threshold=0.05, min_lr=1e-3),
    'max-abs-eps': dict(mode='max', factor=0.9, patience=0, threshold_mode='abs', eps=1e-3),
}


@pytest.mark.parametrize('name', list(PLATEAU))
def test_reduce_lr_on_plateau_matches_torch(name):
    t = np.arange(100)
    metrics = list(1.0 / (1 + t) + 0.05 * np.sin(t * 0.7))
    make = lambda m, o: m.ReduceLROnPlateau(o, **PLATEAU[name])  # noqa: E731
    expected, _, th_sched = lr_sequence(torch, make, metrics=metrics)
    got, _, tl_sched = lr_sequence(torchlet, make, metrics=metrics)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    assert tl_sched.state_dict() == th_sched.state_dict()


def test_reduce_lr_on_plateau_with_tensor_metric_and_errors():
    for lib in (torch, torchlet):
        o = make_optimizer(lib)
        s = lib.optim.lr_scheduler.ReduceLROnPlateau(o, patience=0)
        s.step(lib.tensor(1.0))
        s.step(lib.tensor(2.0))
        assert s.get_last_lr() == [0.010000000000000002, 0.005000000000000001]
    for kwargs, message in [(dict(factor=1.0), "Factor should be < 1.0."),
                            (dict(mode='avg'), "mode avg is unknown!"),
                            (dict(threshold_mode='x'), "threshold mode x is unknown!"),
                            (dict(min_lr=[0.1]), "expected 2 min_lrs, got 1")]:
        with pytest.raises(ValueError, match=message):
            torchlet.optim.lr_scheduler.ReduceLROnPlateau(make_optimizer(torchlet), **kwargs)


def test_cosine_warm_restarts_with_fractional_epochs():
    out = []
    for lib in (torch, torchlet):
        o = make_optimizer(lib)
        s = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=1e-4)
        lrs = []
        for epoch in range(12):
            for i in range(5):
                o.step()
                s.step(epoch + i / 5)
                lrs.append(s.get_last_lr() + [s.T_cur, s.T_i, s.last_epoch])
        out.append(np.array(lrs, np.float64))
    np.testing.assert_allclose(out[1], out[0], rtol=0, atol=1e-9)


@pytest.mark.parametrize('name', ['StepLR', 'MultiStepLR', 'ConstantLR', 'LinearLR', 'ExponentialLR',
                                  'PolynomialLR', 'CosineAnnealingLR'])
def test_step_with_epoch_uses_the_closed_form(name):
    out = []
    for lib in (torch, torchlet):
        o = make_optimizer(lib)
        s = SCHEDULERS[name](lib.optim.lr_scheduler, o)
        lrs = []
        with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)`"):
            for epoch in [3, 8, 20, 15, 60, 99]:
                o.step()
                s.step(epoch)
                lrs.append(s.get_last_lr())
        out.append(np.array(lrs))
    np.testing.assert_allclose(out[1], out[0], rtol=0, atol=1e-12)


# -- state_dict ------------------------------------------------------------------------------------
def _resumed_sequence(lib, name, split, state_from=None):
    """Run `split` steps, save the scheduler state (or take ``state_from``), build a fresh optimizer
    + scheduler, load the state (and the optimizer's), and run the rest."""
    make = SCHEDULERS[name]
    o = make_optimizer(lib)
    s = make(lib.optim.lr_scheduler, o)
    for _ in range(split):
        o.step()
        s.step()
    sched_state = s.state_dict() if state_from is None else state_from[0]
    opt_state = o.state_dict() if state_from is None else state_from[1]
    o2 = make_optimizer(lib)
    s2 = make(lib.optim.lr_scheduler, o2)
    s2.load_state_dict(sched_state)
    o2.load_state_dict(opt_state)
    lrs = []
    for _ in range(100 - split):
        o2.step()
        s2.step()
        lrs.append(record(o2, s2))
    return np.array(lrs, np.float64), (s.state_dict(), o.state_dict())


def _plain_state(state):
    """A torch optimizer/scheduler state with the tensors (none for these optimizers) as is."""
    return pickle.loads(pickle.dumps(state))


@pytest.mark.parametrize('name', [n for n in SCHEDULERS if 'scale_fn' not in n
                                  and n not in ('LambdaLR', 'LambdaLR-per-group', 'MultiplicativeLR')]
                         + ['LambdaLR', 'MultiplicativeLR'])
def test_state_dict_round_trip_and_torch_state_loads(name):
    full, _, _ = lr_sequence(torch, SCHEDULERS[name])
    resumed, _ = _resumed_sequence(torchlet, name, 37)
    np.testing.assert_allclose(resumed, full[38:], rtol=0, atol=1e-9)
    # a torch scheduler + optimizer state (plain Python values for SGD) loads into torchlet
    _, th_state = _resumed_sequence(torch, name, 37)
    th_state = (th_state[0], _plain_state(th_state[1]))
    from_torch, _ = _resumed_sequence(torchlet, name, 37, state_from=th_state)
    np.testing.assert_allclose(from_torch, full[38:], rtol=0, atol=1e-9)


def test_state_dict_contents_match_torch():
    for name in ['StepLR', 'OneCycleLR', 'CyclicLR', 'CosineAnnealingWarmRestarts']:
        states = []
        for lib in (torch, torchlet):
            o = make_optimizer(lib)
            s = SCHEDULERS[name](lib.optim.lr_scheduler, o)
            for _ in range(5):
                o.step()
                s.step()
            states.append(s.state_dict())
        assert states[1] == states[0], name


def test_lambda_state_dict_saves_callable_objects():
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, epoch):
            return self.rate ** epoch
    o = make_optimizer(torchlet)
    s = torchlet.optim.lr_scheduler.LambdaLR(o, [Decay(0.5), lambda e: 1.0])
    sd = s.state_dict()
    assert sd['lr_lambdas'] == [{'rate': 0.5}, None]
    sd['lr_lambdas'][0]['rate'] = 0.25
    s.load_state_dict(sd)
    assert s.lr_lambdas[0].rate == 0.25


def test_initial_lr_and_last_epoch_resume():
    o = make_optimizer(torchlet)
    with pytest.raises(KeyError, match=r"param 'initial_lr' is not specified in param_groups\[0\]"):
        torchlet.optim.lr_scheduler.StepLR(o, 3, last_epoch=5)
    s = torchlet.optim.lr_scheduler.StepLR(o, 3)
    assert [g['initial_lr'] for g in o.param_groups] == [0.1, 0.05]
    assert s.base_lrs == [0.1, 0.05] and s.last_epoch == 0 and s.get_last_lr() == [0.1, 0.05]


# -- warnings and errors ---------------------------------------------------------------------------
def test_warns_when_scheduler_steps_before_optimizer():
    o = make_optimizer(torchlet)
    s = torchlet.optim.lr_scheduler.StepLR(o, 3)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before "
                                         "`optimizer.step\\(\\)`"):
        s.step()


def test_warns_when_optimizer_step_is_replaced():
    o = make_optimizer(torchlet)
    s = torchlet.optim.lr_scheduler.StepLR(o, 3)
    o.step = lambda closure=None: None
    with pytest.warns(UserWarning, match="Seems like `optimizer.step\\(\\)` has been overridden"):
        s.step()


def test_get_lr_outside_step_warns():
    o = make_optimizer(torchlet)
    s = torchlet.optim.lr_scheduler.ExponentialLR(o, 0.5)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        s.get_lr()


def test_optimizer_step_wrapping_keeps_hooks_and_closure():
    o = make_optimizer(torchlet)
    torchlet.optim.lr_scheduler.StepLR(o, 3)
    torchlet.optim.lr_scheduler.ExponentialLR(o, 0.9)   # a second scheduler does not re-wrap
    calls = []
    o.register_step_post_hook(lambda *a: calls.append(1))
    assert o.step(lambda: 3.0) == 3.0
    assert calls == [1] and o._opt_called


@pytest.mark.parametrize('make', [
    lambda m, o: m.StepLR(object(), 3),
    lambda m, o: m.ConstantLR(o, factor=1.5),
    lambda m, o: m.LinearLR(o, start_factor=0),
    lambda m, o: m.LinearLR(o, end_factor=1.5),
    lambda m, o: m.LambdaLR(o, [lambda e: 1.0]),
    lambda m, o: m.MultiplicativeLR(o, 0.5),
    lambda m, o: m.CosineAnnealingWarmRestarts(o, 0),
    lambda m, o: m.CosineAnnealingWarmRestarts(o, 5, T_mult=1.5),
    lambda m, o: m.CosineAnnealingWarmRestarts(o, 5, eta_min='x'),
    lambda m, o: m.CyclicLR(o, 0.1, 1.0, mode='sawtooth'),
    lambda m, o: m.CyclicLR(o, [0.1], 1.0),
    lambda m, o: m.OneCycleLR(o, 1.0),
    lambda m, o: m.OneCycleLR(o, 1.0, total_steps=0),
    lambda m, o: m.OneCycleLR(o, 1.0, epochs=0, steps_per_epoch=3),
    lambda m, o: m.OneCycleLR(o, 1.0, total_steps=10, pct_start=1),
    lambda m, o: m.OneCycleLR(o, 1.0, total_steps=10, anneal_strategy='exp'),
    lambda m, o: m.SequentialLR(o, [], []),
    lambda m, o: m.SequentialLR(o, [m.StepLR(o, 2)], [3]),
    lambda m, o: m.SequentialLR(o, [m.ReduceLROnPlateau(o)], []),
    lambda m, o: m.ChainedScheduler([]),
])
def test_errors_match_torch(make):
    with pytest.raises(Exception) as th_info:
        make(torch.optim.lr_scheduler, make_optimizer(torch))
    with pytest.raises(type(th_info.value)) as tl_info:
        make(torchlet.optim.lr_scheduler, make_optimizer(torchlet))
    assert str(tl_info.value) == str(th_info.value)


def test_cycle_momentum_needs_momentum():
    for lib in (torch, torchlet):
        p = lib.nn.Parameter(lib.zeros(1))
        o = lib.optim.Adagrad([p])
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            lib.optim.lr_scheduler.OneCycleLR(o, 1.0, total_steps=10)


def test_one_cycle_too_many_steps():
    o = make_optimizer(torchlet)
    s = torchlet.optim.lr_scheduler.OneCycleLR(o, 1.0, total_steps=3)
    for _ in range(3):
        o.step()
        s.step()
    with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total "
                                         "steps is 3"):
        o.step()
        s.step()


def test_tensor_lr_is_filled_in_place():
    out = []
    for lib in (torch, torchlet):
        p = lib.nn.Parameter(lib.zeros(2))
        o = lib.optim.Adam([p], lr=lib.tensor(0.01))
        lr_tensor = o.param_groups[0]['lr']
        s = lib.optim.lr_scheduler.ExponentialLR(o, 0.5)
        for _ in range(3):
            o.step()
            s.step()
        assert o.param_groups[0]['lr'] is lr_tensor
        out.append([float(lr_tensor), float(s.get_last_lr()[0]), float(s.base_lrs[0])])
    np.testing.assert_allclose(out[1], out[0], rtol=1e-7)
    assert math.isclose(out[1][0], 0.00125, rel_tol=1e-6)


def test_public_names():
    import torch.optim.lr_scheduler as th_mod
    for name in th_mod.__all__:
        assert hasattr(torchlet.optim.lr_scheduler, name), name
