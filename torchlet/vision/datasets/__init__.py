"""torchvision.datasets for torchlet: MNIST family, CIFAR, ImageFolder/DatasetFolder, FakeData."""
from .vision import VisionDataset, StandardTransform
from .mnist import MNIST, FashionMNIST, KMNIST, EMNIST, load_mnist
from .cifar import CIFAR10, CIFAR100
from .folder import DatasetFolder, ImageFolder
from .fakedata import FakeData
from . import utils  # noqa: F401

__all__ = ('VisionDataset', 'StandardTransform', 'MNIST', 'FashionMNIST', 'KMNIST', 'EMNIST', 'load_mnist',
           'CIFAR10', 'CIFAR100', 'DatasetFolder', 'ImageFolder', 'FakeData')


def __getattr__(name):
    """A torchvision dataset torchlet does not have fails loudly, naming it."""
    from ...compat import module_getattr
    return module_getattr(__name__, 'torchvision.datasets', name)
