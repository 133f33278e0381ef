"""Wires in the parts of the public surface that live outside torchlet/ops."""
from .random import *  # noqa: F401,F403
from ._legacy import *  # noqa: F401,F403
from ._misc import *  # noqa: F401,F403
from .serialization import *  # noqa: F401,F403
from . import random, linalg, cuda, backends, accelerator, utils, compat, nn, optim  # noqa: F401

__all__ = (random.__all__ + __import__('torchlet._legacy', fromlist=['x']).__all__ +
           __import__('torchlet._misc', fromlist=['x']).__all__ +
           __import__('torchlet.serialization', fromlist=['x']).__all__)
