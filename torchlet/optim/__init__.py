"""torch.optim: optimizers (one file each) and learning-rate schedulers."""
from .optimizer import Optimizer  # noqa: F401
from . import lr_scheduler  # noqa: F401
