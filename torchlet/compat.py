"""The ``torch`` alias: run unmodified PyTorch code on torchlet.

``install()`` puts an import hook first on ``sys.meta_path`` that resolves ``torch`` to ``torchlet``,
``torch.X.Y`` to ``torchlet.X.Y`` and ``torchvision[.X]`` to ``torchlet.vision[.X]``. The aliases
are the *same module objects* (``import torch, torchlet; torch.Tensor is torchlet.Tensor``), so
isinstance checks, pickling and monkey-patching see one library. ``uninstall()`` removes the hook and
the aliases and restores whatever real ``torch`` modules were imported before ``install()``
(while installed they are hidden from ``import``; objects already holding them keep working).
``python -m torchlet run script.py`` is ``install()`` followed by running the script as ``__main__``.

A torch module that torchlet lacks fails to import with ``ModuleNotFoundError: torch.distributions
is not yet implemented in torchlet``; a missing attribute fails with ``AttributeError: module 'torch'
has no attribute 'xyz' (torch.xyz is not yet implemented in torchlet)`` (see ``module_getattr``).

Versions. Because the alias is the very same module, ``torch.__version__`` *is*
``torchlet.__version__``: torchlet's own version ('0.1.0'), not a PyTorch version. It is a
``torchlet.version.TorchVersion``, so comparisons behave like torch's (PEP 440 order, against
strings, tuples and packaging Versions: ``torch.__version__ >= (1, 9)`` works). The consequence to know: a script or
library that gates on the PyTorch version (``if torch.__version__ >= '2.0'``) sees 0.1 and takes its
oldest code path, and one that *requires* a minimum torch version refuses to run. We chose the honest
answer over a borrowed PyTorch number: a fake '2.x' would make such code assume APIs torchlet may not
have, and would mislabel bug reports. ``torch.version.cuda`` is None, as in a CPU-only build.

Limitation: child processes started with the 'spawn' or 'forkserver' method (not the Linux default
'fork') do not inherit the hook, so a script's ``__main__`` re-imported there sees the real torch.
"""
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys

from . import version  # noqa: F401  (installs torchlet.__version__ as a TorchVersion)

__all__ = ['install', 'uninstall', 'is_installed', 'module_getattr']

_ALIASES = (('torchvision', 'torchlet.vision'), ('torch', 'torchlet'))


def _target(name):
    """The torchlet module that the torch-side module ``name`` stands for, or None."""
    for alias, real in _ALIASES:
        if name == alias or name.startswith(alias + '.'):
            return real + name[len(alias):]
    return None


def _not_implemented(name):
    return f"{name} is not yet implemented in torchlet"


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``torch[.X]`` / ``torchvision[.X]`` and loads them as the matching torchlet module."""

    def find_spec(self, fullname, path=None, target=None):
        real = _target(fullname)
        if real is None:
            return None
        try:
            module = importlib.import_module(real)
        except ModuleNotFoundError as e:
            if e.name is None or not (real == e.name or real.startswith(e.name + '.')):
                raise  # something torchlet itself imports is missing: a real error
            # name=real (not fullname) so that `from torch.nn import functional` re-raises it.
            raise ModuleNotFoundError(_not_implemented(fullname), name=real) from None
        return importlib.machinery.ModuleSpec(fullname, self, loader_state=module.__spec__,
                                              is_package=hasattr(module, '__path__'))

    def create_module(self, spec):
        return sys.modules[spec.loader_state.name]

    def exec_module(self, module):
        # Already executed under its torchlet name; only undo the import system's overwrite of
        # __spec__, so that the module keeps describing itself as torchlet.X.
        module.__spec__ = module.__spec__.loader_state


_finder = _AliasFinder()
_shadowed = {}


def is_installed():
    return _finder in sys.meta_path


def install():
    """Make ``import torch`` (and torchvision) import torchlet, in this process."""
    if is_installed():
        return
    for name in list(sys.modules):
        if _target(name) is not None:
            _shadowed[name] = sys.modules.pop(name)
    sys.meta_path.insert(0, _finder)


def uninstall():
    """Undo ``install()``: drop the hook and the aliases, restore previously imported torch modules."""
    if not is_installed():
        return
    sys.meta_path.remove(_finder)
    for name in list(sys.modules):
        if _target(name) is not None:
            del sys.modules[name]
    sys.modules.update(_shadowed)
    _shadowed.clear()


def module_getattr(package, torch_name, name):
    """Module ``__getattr__`` body for torchlet packages: import the submodule ``name`` if it exists,
    else raise AttributeError naming ``torch_name.name`` as not yet implemented."""
    if name.startswith('__') and name.endswith('__'):
        raise AttributeError(f"module '{torch_name}' has no attribute '{name}'")
    pkg = sys.modules.get(package)
    if pkg is not None and hasattr(pkg, '__path__'):
        try:
            spec = importlib.util.find_spec(f'{package}.{name}')
        except (ImportError, ValueError):
            spec = None
        if spec is not None:
            return importlib.import_module(f'{package}.{name}')
    raise AttributeError(f"module '{torch_name}' has no attribute '{name}' "
                         f"({_not_implemented(f'{torch_name}.{name}')})")
