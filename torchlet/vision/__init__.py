"""torchvision for torchlet: ``datasets``, ``transforms`` and ``utils`` (``make_grid``, ``save_image``).
Under the torch alias (``python -m torchlet run``) ``import torchvision`` gives this package.

Pillow is optional (``pip install torchlet[vision]``): importing this package does not need it; the
first operation that creates or reads a PIL image imports it, or says how to install it.
"""
from ..version import __version__  # noqa: F401
from . import datasets, transforms, utils  # noqa: F401

__all__ = ['datasets', 'transforms', 'utils', 'get_image_backend', 'set_image_backend']

_image_backend = "PIL"


def set_image_backend(backend):
    """Set the image backend of the default loader; torchlet has only ``'PIL'``."""
    global _image_backend
    if backend not in ["PIL", "accimage"]:
        raise ValueError(f"Invalid backend '{backend}'. Options are 'PIL' and 'accimage'")
    if backend == "accimage":
        import accimage  # noqa: F401  (fails loudly when it is not installed)
    _image_backend = backend


def get_image_backend():
    """The image backend of the default loader (``'PIL'``)."""
    return _image_backend


def __getattr__(name):
    """A torchvision submodule or attribute that torchlet lacks fails loudly, naming it."""
    from ..compat import module_getattr
    return module_getattr(__name__, 'torchvision', name)
