"""torch.optim: optimizers (one file each) and learning-rate schedulers."""
from . import lr_scheduler  # noqa: F401
from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam
from .adamw import AdamW
from .adagrad import Adagrad
from .rmsprop import RMSprop
from .adadelta import Adadelta
from .adamax import Adamax
from .nadam import NAdam
from .radam import RAdam
from .lbfgs import LBFGS

__all__ = ['Adadelta', 'Adagrad', 'Adam', 'Adamax', 'AdamW', 'LBFGS', 'lr_scheduler', 'NAdam',
           'Optimizer', 'RAdam', 'RMSprop', 'SGD']


def __getattr__(name):
    """torch.optim.X that torchlet lacks (ASGD, Rprop, SparseAdam, ...): an AttributeError naming it."""
    from ..compat import module_getattr
    return module_getattr(__name__, 'torch.optim', name)
