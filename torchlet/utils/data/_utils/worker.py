"""torch.utils.data._utils.worker (the implementation lives in torchlet/utils/data/_worker.py)."""
from .._worker import WorkerInfo, get_worker_info  # noqa: F401
