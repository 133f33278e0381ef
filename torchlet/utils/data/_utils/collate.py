"""torch.utils.data._utils.collate (the implementation lives in torchlet/utils/data/_collate.py)."""
from .._collate import (default_collate, default_convert, collate, default_collate_fn_map,  # noqa: F401
                        default_collate_err_msg_format, np_str_obj_array_pattern, collate_tensor_fn,
                        collate_numpy_array_fn, collate_numpy_scalar_fn, collate_float_fn,
                        collate_int_fn, collate_str_fn)
