"""torchlet's example gallery: the programs of the study notes (/work/shared/seeds), runnable and
plotted. ``python -m torchlet.examples list`` shows them; ``python -m torchlet.examples run NAME
[options]`` runs one (``--help`` lists its options); in Python, ``torchlet.examples.load(NAME).main(
argv)`` runs one in-process and returns its metrics dict.

Every public module of this package that defines ``main(argv=None) -> dict``, ``DESCRIPTION`` (one
line) and ``SEED`` (the notes it reproduces) is an example; shared code lives in ``_common``.
"""
import importlib
import pkgutil

__all__ = ['names', 'load', 'describe']


def names():
    """The public module names of this package, sorted: the examples and their public helpers (such
    as a shared ``mnist_common``); :func:`describe` keeps only the examples."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith('_'))


def load(name):
    """The module of example ``name``; an unknown name (or a helper module without ``main``) raises
    KeyError listing the known ones."""
    if name in names():
        module = importlib.import_module(f'{__name__}.{name}')
        if callable(getattr(module, 'main', None)):
            return module
    raise KeyError(f"no example named {name!r}; the examples are: {', '.join(describe())}")


def describe():
    """{name: {'description', 'seed'}} for every example; a module that fails to import says so in
    its description instead of hiding the error."""
    table = {}
    for name in names():
        try:
            module = importlib.import_module(f'{__name__}.{name}')
        except Exception as error:  # noqa: BLE001 (reported, not swallowed)
            table[name] = {'description': f'(cannot import: {type(error).__name__}: {error})', 'seed': '?'}
            continue
        if callable(getattr(module, 'main', None)):
            table[name] = {'description': getattr(module, 'DESCRIPTION', ''), 'seed': getattr(module, 'SEED', '')}
    return table
