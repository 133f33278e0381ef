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
    """The example names, sorted (the public modules of this package)."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith('_'))


def load(name):
    """The module of example ``name``; an unknown name raises KeyError listing the known ones."""
    if name not in names():
        raise KeyError(f"no example named {name!r}; the examples are: {', '.join(names())}")
    return importlib.import_module(f'{__name__}.{name}')


def describe():
    """{name: {'description', 'seed'}} for every example; a module that fails to import says so in
    its description instead of hiding the error."""
    table = {}
    for name in names():
        try:
            module = load(name)
        except Exception as error:  # noqa: BLE001 (reported, not swallowed)
            table[name] = {'description': f'(cannot import: {type(error).__name__}: {error})', 'seed': '?'}
            continue
        if hasattr(module, 'main'):
            table[name] = {'description': getattr(module, 'DESCRIPTION', ''), 'seed': getattr(module, 'SEED', '')}
    return table
