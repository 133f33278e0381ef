"""torch.version: torchlet's version and the (absent) native toolkits.

``__version__`` is torchlet's own version as a :class:`TorchVersion`, a ``str`` that, like torch's,
also compares by version number against strings and tuples (``torch.__version__ >= (2, 0)``). This
module installs it as ``torchlet.__version__`` too (same text, richer comparisons); see compat.py for
what that means for ``torch.__version__`` under the alias.
"""
import operator
import re

import torchlet as _torchlet

__all__ = ['__version__', 'TorchVersion', 'cuda', 'hip', 'rocm', 'xpu', 'debug', 'git_version']

_VERSION = re.compile(r'v?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|rc|alpha|beta|c)[-_.]?(\d*))?'
                      r'(?:[-_.]?post[-_.]?(\d*))?(?:[-_.]?dev[-_.]?(\d*))?(?:\+([a-z0-9.]+))?', re.I)
_PRE = {'a': 0, 'alpha': 0, 'b': 1, 'beta': 1, 'c': 2, 'rc': 2}


def _key(v):
    """A sort key for a version given as str, tuple/list or packaging Version (PEP 440 order:
    1.0.dev0 < 1.0a1 < 1.0 < 1.0+cpu < 1.0.post1), or None when it is not a version."""
    if isinstance(v, (tuple, list)):
        v = '.'.join(str(x) for x in v)
    elif not isinstance(v, str):
        if not hasattr(v, 'release'):
            return None
        v = str(v)
    m = _VERSION.fullmatch(v.strip().lower())
    if m is None:
        return None
    release, pre, pre_n, post, dev, local = m.groups()
    nums = [int(x) for x in release.split('.')]
    while len(nums) > 1 and nums[-1] == 0:
        nums.pop()
    if pre is not None:
        pre_key = (_PRE[pre], int(pre_n or 0))
    else:
        pre_key = (-1,) if dev is not None and post is None else (3,)
    post_key = -1 if post is None else int(post or 0)
    dev_key = float('inf') if dev is None else int(dev or 0)
    local_key = () if local is None else tuple((1, int(p), '') if p.isdigit() else (0, 0, p)
                                               for p in local.split('.'))
    return tuple(nums), pre_key, post_key, dev_key, local_key


class TorchVersion(str):
    """A version string that compares by PEP 440 rules against strings, tuples and packaging
    Versions, like torch's: '0.10' > '0.9', '2.1' == (2, 1); a non-version compares as a str."""
    __slots__ = ()

    def _compare(self, other, op, str_op):
        a, b = _key(self), _key(other)
        if a is None or b is None:
            return str_op(self, other)
        return op(a, b)

    def __lt__(self, other):
        return self._compare(other, operator.lt, str.__lt__)

    def __le__(self, other):
        return self._compare(other, operator.le, str.__le__)

    def __gt__(self, other):
        return self._compare(other, operator.gt, str.__gt__)

    def __ge__(self, other):
        return self._compare(other, operator.ge, str.__ge__)

    def __eq__(self, other):
        return self._compare(other, operator.eq, str.__eq__)

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = str.__hash__


__version__ = TorchVersion(_torchlet.__version__)
_torchlet.__version__ = __version__

cuda = None
hip = None
rocm = None
xpu = None
debug = False
git_version = 'Unknown'
