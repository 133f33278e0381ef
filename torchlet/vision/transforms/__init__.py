"""torchvision.transforms for torchlet (the v1 API): transform classes, and ``functional``."""
from .transforms import *  # noqa: F401,F403
from .transforms import __all__  # noqa: F401
from . import functional  # noqa: F401


def __getattr__(name):
    """A torchvision transform that torchlet lacks fails loudly, naming it."""
    from ...compat import module_getattr
    return module_getattr(__name__, 'torchvision.transforms', name)
