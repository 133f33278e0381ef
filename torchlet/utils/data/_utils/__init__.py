"""torch.utils.data._utils: the private module paths some libraries import collate helpers from."""
from . import collate, worker  # noqa: F401
