"""torchlet: a PyTorch-compatible deep-learning framework on NumPy. ``import torchlet as torch``."""
__version__ = '0.1.0'

from ._dtype import (dtype, float16, float32, float64, half, float, double, bfloat16, int8, int16,  # noqa: F401
                     int32, int64, short, int, long, uint8, bool, complex64, complex128, cfloat,
                     cdouble, get_default_dtype, set_default_dtype, promote_types, result_type,
                     can_cast, finfo, iinfo)
from ._device import device  # noqa: F401
from ._tensor import Tensor, Size  # noqa: F401
from . import autograd  # noqa: F401
from .autograd import no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode  # noqa: F401
from .autograd.grad_mode import is_inference_mode_enabled  # noqa: F401
from .autograd.anomaly_mode import (is_anomaly_enabled, is_anomaly_check_nan_enabled,  # noqa: F401
                                    set_anomaly_enabled)

from .ops import conversion, elementwise, unary, binary, comparison, reduction, sorting, shape  # noqa: F401
from .ops import indexing, linalg as _linalg_ops, factories  # noqa: F401
from .ops.conversion import *  # noqa: F401,F403
from .ops.elementwise import *  # noqa: F401,F403
from .ops.unary import *  # noqa: F401,F403
from .ops.binary import *  # noqa: F401,F403
from .ops.comparison import *  # noqa: F401,F403
from .ops.reduction import *  # noqa: F401,F403
from .ops.sorting import *  # noqa: F401,F403
from .ops.shape import *  # noqa: F401,F403
from .ops.indexing import *  # noqa: F401,F403
from .ops.linalg import *  # noqa: F401,F403
from .ops.factories import *  # noqa: F401,F403
from . import _backend  # noqa: F401,E402  (process-level allocator settings)
from . import _extras  # noqa: F401,E402  (random, legacy types, linalg, cuda, backends, ...)
from ._extras import *  # noqa: F401,F403


def __getattr__(name):
    """torch.xyz that is not defined: a submodule not imported yet, else an AttributeError that
    names the missing torch API (torchlet.compat.module_getattr)."""
    from .compat import module_getattr
    return module_getattr(__name__, 'torch', name)
