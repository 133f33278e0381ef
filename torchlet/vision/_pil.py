"""Pillow, imported only when needed: ``import torchlet.vision`` works without it (Pillow is the
``torchlet[vision]`` extra), and the first operation that needs a PIL image names the fix."""
import sys

_MISSING = ("torchlet.vision needs Pillow to create or read PIL images; install it with "
            "`pip install torchlet[vision]` (or `pip install pillow`)")


def pil_image():
    """The ``PIL.Image`` module (imports Pillow, or raises ModuleNotFoundError saying how to get it)."""
    module = sys.modules.get('PIL.Image')
    if module is not None:
        return module
    try:
        from PIL import Image
    except ImportError as e:
        raise ModuleNotFoundError(_MISSING, name='PIL') from e
    return Image


def pil_module(name):
    """A Pillow submodule such as ``'ImageOps'`` or ``'ImageEnhance'``."""
    pil_image()
    import importlib
    return importlib.import_module('PIL.' + name)


def is_pil_image(obj):
    """Whether obj is a PIL image; never imports Pillow (without it loaded nothing can be one)."""
    module = sys.modules.get('PIL.Image')
    return module is not None and isinstance(obj, module.Image)
