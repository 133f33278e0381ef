"""Loss modules of torch.nn against PyTorch: reprs, attributes, weight buffers in the state_dict,
the deprecated constructor arguments, forward like the functional form, and a training step."""
import warnings

import numpy as np
import pytest

import torchlet
import torchlet.nn as tnn
import torchlet.nn.functional as TF
from conftest import torch, check_op, assert_same
from test_nn_loss import randn, uniform, classes, raises_like

thF = torch.nn.functional


MODULES = ['L1Loss', 'NLLLoss', 'PoissonNLLLoss', 'GaussianNLLLoss', 'KLDivLoss', 'MSELoss',
           'BCELoss', 'BCEWithLogitsLoss', 'HingeEmbeddingLoss', 'MultiLabelMarginLoss',
           'SmoothL1Loss', 'HuberLoss', 'SoftMarginLoss', 'CrossEntropyLoss',
           'MultiLabelSoftMarginLoss', 'CosineEmbeddingLoss', 'MarginRankingLoss',
           'MultiMarginLoss', 'TripletMarginLoss', 'TripletMarginWithDistanceLoss',
           'CosineSimilarity', 'PairwiseDistance']


@pytest.mark.parametrize('name', MODULES)
def test_module_repr_and_attributes(name):
    ours, theirs = getattr(tnn, name)(), getattr(torch.nn, name)()
    assert repr(ours) == repr(theirs)
    for attr in ('reduction', 'ignore_index', 'label_smoothing', 'margin', 'p', 'eps', 'swap',
                 'beta', 'delta', 'log_input', 'full', 'log_target', 'dim', 'norm', 'keepdim'):
        assert getattr(ours, attr, None) == getattr(theirs, attr, None), attr
    assert list(ours.state_dict()) == list(theirs.state_dict())


@pytest.mark.parametrize('name,kwargs', [
    ('CrossEntropyLoss', {'weight': [1.0, 2.0, 0.5]}), ('NLLLoss', {'weight': [1.0, 2.0, 0.5]}),
    ('BCELoss', {'weight': [1.0, 2.0, 0.5]}), ('MultiMarginLoss', {'weight': [1.0, 2.0, 0.5]}),
    ('BCEWithLogitsLoss', {'pos_weight': [1.0, 2.0, 0.5]}),
    ('BCEWithLogitsLoss', {'weight': [1.0, 2.0, 0.5], 'pos_weight': [3.0, 2.0, 0.5]})])
def test_weighted_module_state_dict(name, kwargs):
    ours = getattr(tnn, name)(**{k: torchlet.tensor(v) for k, v in kwargs.items()})
    theirs = getattr(torch.nn, name)(**{k: torch.tensor(v) for k, v in kwargs.items()})
    assert repr(ours) == repr(theirs)
    sd_ours, sd_theirs = ours.state_dict(), theirs.state_dict()
    assert list(sd_ours) == list(sd_theirs)
    for k in sd_theirs:
        assert_same(sd_ours[k], sd_theirs[k])
    ours.load_state_dict({k: torchlet.tensor(v.numpy() * 2) for k, v in sd_theirs.items()})


def test_modules_forward_like_functional():
    x, t = randn((4, 3), 1), classes(4, 3, 2)
    w = uniform(3, 0.2, 2, 3)
    check_op(lambda a: tnn.CrossEntropyLoss(torchlet.tensor(w), ignore_index=1,
                                            label_smoothing=0.1, reduction='sum')(
                 a, torchlet.tensor(t)),
             lambda a: torch.nn.CrossEntropyLoss(torch.tensor(w), ignore_index=1,
                                                 label_smoothing=0.1, reduction='sum')(
                 a, torch.tensor(t)), x)
    check_op(lambda a, b: tnn.BCEWithLogitsLoss(pos_weight=torchlet.tensor(w))(a, b),
             lambda a, b: torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(w))(a, b),
             x, uniform((4, 3), 0, 1, 5))
    check_op(lambda a, b: tnn.HuberLoss(delta=0.5)(a, b),
             lambda a, b: torch.nn.HuberLoss(delta=0.5)(a, b), x, randn((4, 3), 4))
    check_op(lambda a, b, c: tnn.GaussianNLLLoss(full=True)(a, b, c),
             lambda a, b, c: torch.nn.GaussianNLLLoss(full=True)(a, b, c), x, randn((4, 3), 4),
             uniform((4, 3), 0.5, 1, 5))
    check_op(lambda a, b: tnn.KLDivLoss(reduction='batchmean', log_target=True)(a, b),
             lambda a, b: torch.nn.KLDivLoss(reduction='batchmean', log_target=True)(a, b),
             x, randn((4, 3), 4))
    check_op(lambda a, b, c: tnn.TripletMarginLoss(margin=0.5, p=1)(a, b, c),
             lambda a, b, c: torch.nn.TripletMarginLoss(margin=0.5, p=1)(a, b, c),
             x, randn((4, 3), 4), randn((4, 3), 5))


def test_module_deprecated_arguments_warn_at_construction():
    # seed 002: nn.BCELoss(size_average=False) sums
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated, please "
                                         "use reduction='sum' instead."):
        crit = tnn.BCELoss(size_average=False)
    assert crit.reduction == 'sum'
    x, y = uniform((4, 1), 0.1, 0.9, 1), (uniform((4, 1), 0, 1, 2) > 0.5).astype(np.float64)
    assert_same(crit(torchlet.tensor(x), torchlet.tensor(y)),
                torch.nn.BCELoss(reduction='sum')(torch.tensor(x), torch.tensor(y)))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        assert tnn.CrossEntropyLoss(reduce=False).reduction == 'none'
        assert tnn.MSELoss(size_average=True).reduction == 'mean'
    with pytest.warns(FutureWarning, match="`NLLLoss2d` has been deprecated"):
        tnn.NLLLoss2d()


def test_module_errors():
    raises_like(lambda: tnn.HuberLoss(delta='1'), lambda: torch.nn.HuberLoss(delta='1'))
    raises_like(lambda: tnn.MultiMarginLoss(p=3), lambda: torch.nn.MultiMarginLoss(p=3))
    raises_like(lambda: tnn.MultiMarginLoss(weight=torchlet.ones(2, 2)),
                lambda: torch.nn.MultiMarginLoss(weight=torch.ones(2, 2)))
    raises_like(lambda: tnn.TripletMarginLoss(margin=0), lambda: torch.nn.TripletMarginLoss(margin=0))
    raises_like(lambda: tnn.TripletMarginWithDistanceLoss(margin=-1),
                lambda: torch.nn.TripletMarginWithDistanceLoss(margin=-1))
    raises_like(lambda: tnn.CrossEntropyLoss(reduction='x')(torchlet.randn(3, 5),
                                                            torchlet.tensor([1, 2, 3])),
                lambda: torch.nn.CrossEntropyLoss(reduction='x')(torch.randn(3, 5),
                                                                 torch.tensor([1, 2, 3])))


def test_training_step_with_cross_entropy_matches_torch():
    """A tiny softmax-regression step: loss, gradients and updated weights agree with torch."""
    x, t = randn((8, 4), 1, np.float32), classes(8, 3, 2)
    w0 = randn((4, 3), 3, np.float32)
    results = []
    for lib, F in ((torchlet, TF), (torch, thF)):
        w = lib.tensor(w0.copy(), requires_grad=True)
        for _ in range(3):
            loss = F.cross_entropy(lib.tensor(x) @ w, lib.tensor(t))
            loss.backward()
            with lib.no_grad():
                w -= 0.5 * w.grad
            w.grad = None
        results.append((loss.detach(), w.detach()))
    assert_same(results[0], results[1], rtol=1e-5, atol=1e-6)
