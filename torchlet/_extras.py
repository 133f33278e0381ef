"""Wires in the parts of the public surface that live outside torchlet/ops."""
from . import random as _random, _legacy, _misc, serialization
from .random import *  # noqa: F401,F403
from ._legacy import *  # noqa: F401,F403
from ._misc import *  # noqa: F401,F403
from .serialization import *  # noqa: F401,F403
from . import linalg, cuda, backends, accelerator, utils, compat, nn, optim  # noqa: F401
from .nn import functional as _F

# torch.xxx aliases of nn.functional that PyTorch also exposes at the top level
softmax, log_softmax = _F.softmax, _F.log_softmax
conv1d, conv2d = _F.conv1d, _F.conv2d
max_pool1d, max_pool2d, avg_pool1d = _F.max_pool1d, _F.max_pool2d, _F.avg_pool1d
pixel_shuffle, pixel_unshuffle = _F.pixel_shuffle, _F.pixel_unshuffle
cosine_similarity, pairwise_distance, pdist = _F.cosine_similarity, _F.pairwise_distance, _F.pdist
layer_norm, group_norm, prelu, selu, celu = _F.layer_norm, _F.group_norm, _F.prelu, _F.selu, _F.celu
hardshrink, rrelu, threshold = _F.hardshrink, _F.rrelu, _F.threshold


def dropout(input, p, train):
    """torch.dropout(input, p, train)."""
    return _F.dropout(input, p, train)


_ALIASES = ['softmax', 'log_softmax', 'conv1d', 'conv2d', 'max_pool1d', 'max_pool2d', 'avg_pool1d',
            'pixel_shuffle', 'pixel_unshuffle', 'cosine_similarity', 'pairwise_distance', 'pdist',
            'layer_norm', 'group_norm', 'prelu', 'selu', 'celu', 'hardshrink', 'rrelu', 'threshold',
            'dropout']
__all__ = [*_random.__all__, *_legacy.__all__, *_misc.__all__, *serialization.__all__, *_ALIASES]
