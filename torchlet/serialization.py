"""torch.save / torch.load in PyTorch's formats, readable and writable by real PyTorch.

The zip format (the default since torch 1.6) is an archive ``<name>/data.pkl`` + ``<name>/data/<key>``
(one raw little-endian storage per key) + ``<name>/byteorder`` + ``<name>/version`` +
``<name>/.data/serialization_id``. ``data.pkl`` is a protocol-2 pickle in which every tensor is
``torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks)`` and
every storage is the persistent id ``('storage', torch.<Dtype>Storage, key, location, numel)``.
Tensors that view the same memory (``x`` and ``x[1]``) point at one storage, saved once, and load back
as views of one array again. The legacy format (``_use_new_zipfile_serialization=False``) is the same
pickle between a magic-number header and the raw storages.

``load`` unpickles only an allow-list by default (``weights_only=True``, as in torch 2.6+): tensors,
storages, dtypes, devices, ``torch.Size``, containers, numbers and strings; anything else raises
``pickle.UnpicklingError`` before it can run. ``save`` to a path is atomic: a temporary file in the same
directory is written, fsynced and renamed over the target, so a failed save leaves the old file intact.
"""
import collections
import contextlib
import functools
import io
import os
import pickle
import struct
import sys
import tempfile
import zipfile

import numpy as np

from . import _dtype
from ._device import device as _device
from ._tensor import Tensor, Size
from ._weights_only_unpickler import (add_safe_globals, get_safe_globals, clear_safe_globals,  # noqa: F401
                                     safe_globals, _unpickler_class, _weights_only_message)

__all__ = ['save', 'load']

DEFAULT_PROTOCOL = 2
MAGIC_NUMBER = 0x1950a86a20f9469cfc6c
PROTOCOL_VERSION = 1001
_ALIGNMENT = 64
# -- storage types ---------------------------------------------------------------------------------
# torch's legacy storage class names, the NumPy dtype of their elements, and (for dtypes NumPy or
# torchlet lack) how the raw elements convert to a torchlet dtype.
_STORAGE_NP = {
    'FloatStorage': np.float32, 'DoubleStorage': np.float64, 'HalfStorage': np.float16,
    'LongStorage': np.int64, 'IntStorage': np.int32, 'ShortStorage': np.int16, 'CharStorage': np.int8,
    'ByteStorage': np.uint8, 'BoolStorage': np.bool_, 'ComplexFloatStorage': np.complex64,
    'ComplexDoubleStorage': np.complex128, 'UntypedStorage': np.uint8,
}


def _bf16_to_f32(raw):
    return (raw.view(np.uint16).astype(np.uint32) << 16).view(np.float32)


# raw element dtype -> (the dtype torchlet holds, converter from raw elements)
_CONVERTED = {'BFloat16Storage': (np.uint16, np.float32, _bf16_to_f32)}
# dtypes that only _rebuild_tensor_v3 names (on an UntypedStorage); torchlet widens them to int64
_WIDENED = {'uint16': np.uint16, 'uint32': np.uint32, 'uint64': np.uint64}


class _TorchGlobal:
    """A stand-in for a torch global (``torch._utils._rebuild_tensor_v2``, ``torch.FloatStorage``...)
    that the saving pickler writes by name, so that saving never imports torch."""
    __slots__ = ('module', 'name')

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __repr__(self):
        return f'{self.module}.{self.name}'

    def __call__(self, *args):         # save_reduce insists on a callable; this one is only written
        raise TypeError(f"{self!r} is a name written into checkpoints, not a function")


_REBUILD_V2 = _TorchGlobal('torch._utils', '_rebuild_tensor_v2')
_REBUILD_PARAM = _TorchGlobal('torch._utils', '_rebuild_parameter')
_REBUILD_PARAM_STATE = _TorchGlobal('torch._utils', '_rebuild_parameter_with_state')
_REBUILD_FROM_TYPE = _TorchGlobal('torch._tensor', '_rebuild_from_type_v2')
_TORCH_TENSOR = _TorchGlobal('torch', 'Tensor')
_TORCH_SIZE = _TorchGlobal('torch', 'Size')
_TORCH_DEVICE = _TorchGlobal('torch', 'device')
_STORAGE_GLOBAL = {np.dtype(v): _TorchGlobal('torch', k) for k, v in _STORAGE_NP.items()
                   if k != 'UntypedStorage'}


# -- saving ----------------------------------------------------------------------------------------
class _StorageRef:
    """One storage to write: the bytes of an array's whole memory block, as a typed storage."""
    __slots__ = ('key', 'buffer', 'numel', 'storage_type', 'pid')

    def __init__(self, key, buffer, dtype, legacy):
        self.key = key
        self.buffer = buffer                # 1-D uint8 array over the memory block (keeps it alive)
        self.numel = buffer.size // dtype.itemsize
        self.storage_type = _STORAGE_GLOBAL.get(dtype)
        if self.storage_type is None:
            raise TypeError(f"torch.save: cannot save a tensor of NumPy dtype {dtype}")
        self.pid = ('storage', self.storage_type, key, 'cpu', self.numel) + ((None,) if legacy else ())


class _StorageTable:
    """Finds the storage, offset and strides of each saved array, so that views share one storage."""

    def __init__(self, legacy):
        self.legacy = legacy
        self.refs = []                       # in key order
        self._by_root = {}                   # (id(root array), dtype) -> _StorageRef

    def _new(self, flat_bytes, dtype):
        ref = _StorageRef(str(len(self.refs)), flat_bytes, dtype, self.legacy)
        self.refs.append(ref)
        return ref

    def locate(self, arr):
        """(storage ref, storage_offset, size, stride) of an ndarray, in elements as torch counts."""
        item = arr.itemsize
        root = arr
        while isinstance(root.base, np.ndarray):
            root = root.base
        if arr.size and arr.dtype.isnative and (root.flags.c_contiguous or root.flags.f_contiguous):
            offset = arr.__array_interface__['data'][0] - root.__array_interface__['data'][0]
            strides = arr.strides
            extent = offset + item + sum((n - 1) * s for n, s in zip(arr.shape, strides))
            if (offset >= 0 and offset % item == 0 and root.nbytes % item == 0 and extent <= root.nbytes
                    and all(s >= 0 and s % item == 0 for s in strides)):
                key = (id(root), arr.dtype)
                ref = self._by_root.get(key)
                if ref is None:
                    ref = self._by_root[key] = self._new(np.ravel(root, order='A').view(np.uint8),
                                                         arr.dtype)
                return ref, offset // item, arr.shape, tuple(s // item for s in strides)
        # A layout torch cannot express (negative strides, odd offsets) or an empty array: a copy.
        dense = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder('='))
        ref = self._new(dense.reshape(-1).view(np.uint8), dense.dtype)
        return ref, 0, dense.shape, tuple(s // item for s in dense.strides)


def _obj_state(t):
    """A tensor's Python attributes (what torch calls its state), or None."""
    d = t.__dict__
    return dict(d) if d else None


class _Pickler(pickle._Pickler):
    """Writes tensors, dtypes, devices and sizes under torch's names, storages as persistent ids."""
    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol, table):
        super().__init__(file, protocol)
        self.table = table

    def persistent_id(self, obj):
        return obj.pid if type(obj) is _StorageRef else None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        t = type(obj)
        if t is Size:
            return _TORCH_SIZE, (tuple(obj),)
        if t is _device:
            return _TORCH_DEVICE, ((obj.type,) if obj.index is None else (obj.type, obj.index))
        return NotImplemented

    def _reduce_tensor(self, t):
        ref, offset, size, stride = self.table.locate(t._data)
        hooks = collections.OrderedDict()
        param_cls = getattr(sys.modules.get('torchlet.nn.parameter'), 'Parameter', None)
        state = _obj_state(t)
        if param_cls is not None and isinstance(t, param_cls):
            data = Tensor._wrap(t._data)
            if state:
                return _REBUILD_PARAM_STATE, (data, t._rg, hooks, state)
            return _REBUILD_PARAM, (data, t._rg, hooks)
        args = (ref, offset, tuple(size), stride, t._rg, hooks)
        if state:
            return _REBUILD_FROM_TYPE, (_REBUILD_V2, _TORCH_TENSOR, args, state)
        return _REBUILD_V2, args

    def _save_torch_global(self, obj):
        self.write(pickle.GLOBAL + f'{obj.module}\n{obj.name}\n'.encode('utf-8'))
        self.memoize(obj)

    def _save_dtype(self, obj):
        self._save_torch_global(_TorchGlobal('torch', obj.name))

    dispatch[_TorchGlobal] = _save_torch_global
    dispatch[_dtype.dtype] = _save_dtype


def _pickle(obj, protocol, legacy=False):
    """The pickle bytes of obj and the storages it refers to."""
    buf = io.BytesIO()
    table = _StorageTable(legacy)
    _Pickler(buf, protocol, table).dump(obj)
    return buf.getvalue(), table.refs


def _write_record(zf, name, data, nbytes):
    """One stored (uncompressed) zip entry whose payload starts on a 64-byte boundary, as torch's
    writer aligns it (so that it can be memory-mapped)."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = nbytes
    zip64 = nbytes * 1.05 > zipfile.ZIP64_LIMIT
    start = zf.fp.tell() + 30 + len(name.encode('utf-8')) + (20 if zip64 else 0) + 4
    pad = -start % _ALIGNMENT
    info.extra = b'FB' + struct.pack('<H', pad) + b'Z' * pad
    with zf.open(info, 'w', force_zip64=zip64) as w:
        w.write(data)


def _write_zip(fh, archive, pickled, refs):
    with zipfile.ZipFile(fh, 'w', zipfile.ZIP_STORED, allowZip64=True) as zf:
        _write_record(zf, f'{archive}/data.pkl', pickled, len(pickled))
        _write_record(zf, f'{archive}/byteorder', sys.byteorder.encode(), len(sys.byteorder))
        for ref in refs:
            _write_record(zf, f'{archive}/data/{ref.key}', memoryview(ref.buffer), ref.buffer.size)
        _write_record(zf, f'{archive}/version', b'3\n', 2)
        sid = str(int.from_bytes(os.urandom(16), 'little')).zfill(40)[:40].encode()
        _write_record(zf, f'{archive}/.data/serialization_id', sid, len(sid))


def _write_legacy(fh, obj, protocol):
    pickled, refs = _pickle(obj, protocol, legacy=True)
    sys_info = dict(protocol_version=PROTOCOL_VERSION, little_endian=sys.byteorder == 'little',
                    type_sizes=dict(short=2, int=4, long=4))
    for header in (MAGIC_NUMBER, PROTOCOL_VERSION, sys_info):
        pickle.dump(header, fh, protocol=protocol)
    fh.write(pickled)
    pickle.dump([ref.key for ref in refs], fh, protocol=protocol)
    for ref in refs:
        fh.write(struct.pack('<q', ref.numel))
        fh.write(memoryview(ref.buffer))


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization=True, _disable_byteorder_record=False):
    """Save obj (tensors, state dicts, nested containers...) to a path or a writable file-like object,
    in PyTorch's format. Saving to a path is atomic: the old file survives a failed save."""
    if not isinstance(f, (str, os.PathLike)) and not hasattr(f, 'write'):
        raise AttributeError("expected 'f' to be string, path, or a file-like object with a 'write' "
                             "attribute")
    if _use_new_zipfile_serialization:
        pickled, refs = _pickle(obj, pickle_protocol)

        def write(fh, archive):
            _write_zip(fh, archive, pickled, refs)
    else:
        def write(fh, archive):
            _write_legacy(fh, obj, pickle_protocol)
    if hasattr(f, 'write'):
        write(f, 'archive')
        return
    path = os.fspath(f)
    _atomic_write(path, write, os.path.splitext(os.path.basename(path))[0] or 'archive')


def _atomic_write(path, write, archive):
    """Write to a temporary file beside path, fsync it, then rename it over path."""
    parent = os.path.dirname(path)
    if parent and not os.path.isdir(parent):
        raise RuntimeError(f"Parent directory {parent} does not exist.")
    if os.path.islink(path):
        path = os.path.realpath(path)
        parent = os.path.dirname(path)
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f'.{os.path.basename(path)}.', suffix='.tmp', dir=parent or '.')
    try:
        with os.fdopen(fd, 'wb') as fh:
            write(fh, archive)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):           # make the rename itself durable
        dir_fd = os.open(parent or '.', os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


# -- loading: storages and tensors -----------------------------------------------------------------
class _StorageType:
    """What a pickled ``torch.FloatStorage`` (etc.) global loads as: the element type of a storage."""
    __slots__ = ('name', 'raw', 'np')

    def __init__(self, name):
        raw, held = _CONVERTED[name][:2] if name in _CONVERTED else (_STORAGE_NP[name],) * 2
        self.name, self.raw, self.np = name, np.dtype(raw), np.dtype(held)

    def __repr__(self):
        return f'torch.{self.name}'


_STORAGE_TYPES = {n: _StorageType(n) for n in list(_STORAGE_NP) + list(_CONVERTED)}


class UntypedStorage:
    """A loaded storage: a flat array on the CPU. It is what a ``map_location`` callable receives."""

    def __init__(self, array):
        self.array = array

    @property
    def device(self):
        return _device('cpu')

    @property
    def dtype(self):
        return _dtype.from_numpy_dtype(self.array.dtype)

    def size(self):
        return self.array.size

    def nbytes(self):
        return self.array.nbytes

    def cpu(self):
        return self

    def cuda(self, device=None, non_blocking=False):
        _restore_location(self, 'cuda' if device is None else str(_device('cuda', device)
                                                                 if isinstance(device, int) else device))

    def to(self, device=None, **kwargs):
        return _restore_location(self, str(device))

    def __repr__(self):
        return f'torch.storage.UntypedStorage of {self.array.size} elements ({self.array.dtype})'


def _restore_location(storage, location):
    """torch's default_restore_location for the devices torchlet has: cpu only."""
    if location == 'cpu' or location.startswith('cpu:'):
        return storage
    backend = location.split(':')[0]
    if backend == 'cuda':
        from . import cuda
        if not cuda.is_available():
            raise RuntimeError("Attempting to deserialize object on a CUDA device but "
                               "torch.cuda.is_available() is False. If you are running on a CPU-only "
                               "machine, please use torch.load with map_location=torch.device('cpu') "
                               "to map your storages to the CPU.")
    raise RuntimeError(f"don't know how to restore data location of torch.storage.UntypedStorage "
                       f"(tagged with {location})")


def _location_restorer(map_location):
    """(storage, saved location) -> storage, following torch.load's map_location rules."""
    if map_location is None:
        return _restore_location
    if isinstance(map_location, dict):
        return lambda s, loc: _restore_location(s, str(map_location.get(loc, loc)))
    if isinstance(map_location, bytes):
        map_location = map_location.decode()
    if isinstance(map_location, str) or not callable(map_location):   # str, torch/torchlet device
        target = str(map_location)
        return lambda s, loc: _restore_location(s, target)

    def restore(s, loc):
        result = map_location(s, loc)
        return _restore_location(s, loc) if result is None else result
    return restore


def _set_tensor(storage, offset, size, stride):
    """A tensor viewing storage with torch's size/stride/offset (in elements), bounds-checked."""
    arr = storage.array if isinstance(storage, UntypedStorage) else storage
    size, stride = tuple(int(n) for n in size), tuple(int(s) for s in stride)
    item, numel = arr.itemsize, arr.size
    if len(size) != len(stride) or any(n < 0 for n in size) or any(s < 0 for s in stride):
        raise RuntimeError(f"invalid tensor layout in checkpoint: size {list(size)}, stride {list(stride)}")
    needed = 0 if 0 in size else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if offset < 0 or needed > numel:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
                           f"{offset}, and itemsize {item} requiring a storage size of {needed * item} "
                           f"are out of bounds for storage of size {numel * item}")
    if 0 in size:
        data = np.empty(size, arr.dtype)
    else:
        data = np.ndarray(size, arr.dtype, buffer=arr, offset=offset * item,
                          strides=tuple(s * item for s in stride))
    return Tensor._wrap(data)


def _finish(t, requires_grad, metadata=None):
    if metadata:
        if metadata.get('conj'):
            t._data = np.conj(t._data)
        if metadata.get('neg'):
            t._data = np.negative(t._data)
    if requires_grad:
        t.requires_grad = True
    return t


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       metadata=None):
    return _finish(_set_tensor(storage, storage_offset, size, stride), requires_grad, metadata)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype,
                       metadata=None):
    """A tensor of dtype over an untyped (byte) storage; dtypes torchlet lacks are converted."""
    raw, convert = dtype.np, None
    if dtype is _dtype.bfloat16:
        raw, convert = np.uint16, _bf16_to_f32
    elif isinstance(dtype, _UnsupportedDtype):
        convert = functools.partial(np.asarray, dtype=np.int64)
    arr = storage.array if isinstance(storage, UntypedStorage) else storage
    t = _set_tensor(arr.view(raw), storage_offset, size, stride)
    if convert is not None:
        t._data = convert(t._data)
    return _finish(t, requires_grad, metadata)


def _parameter(data, requires_grad=True):
    """A torchlet nn.Parameter when torchlet.nn is importable, else a tensor that requires grad."""
    try:
        from .nn.parameter import Parameter
    except ImportError:
        return _finish(data.detach(), requires_grad)
    return Parameter(data, requires_grad)


def _set_obj_state(obj, state):
    if isinstance(state, tuple) and len(state) == 2:
        state, slots = state
        for k, v in (slots or {}).items():
            setattr(obj, k, v)
    if state:
        obj.__dict__.update(state)
    return obj


def _rebuild_parameter(data, requires_grad, backward_hooks):
    return _parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_obj_state(_parameter(data, requires_grad), state)


def _rebuild_from_type_v2(func, new_type, args, state):
    ret = func(*args)
    if new_type is not Tensor and isinstance(new_type, type) and issubclass(new_type, Tensor) \
            and type(ret) is not new_type:
        ret = ret.as_subclass(new_type)
    if state:
        if getattr(type(ret), '__setstate__', Tensor.__setstate__) is not Tensor.__setstate__:
            ret.__setstate__(state)
        else:
            _set_obj_state(ret, state)
    return ret


def _rebuild_device_tensor(data, dtype, device, requires_grad):
    t = Tensor._wrap(np.array(data, copy=True)) if isinstance(data, np.ndarray) else data
    if dtype is not None and t.dtype is not dtype:
        t = Tensor._wrap(t._data.astype(dtype.np))
    return _finish(t, requires_grad)


def _unsupported_rebuild(what):
    def rebuild(*args, **kwargs):
        raise RuntimeError(f"torchlet cannot load {what}: only dense (strided) tensors are supported")
    rebuild.__name__ = f'_rebuild_{what.replace(" ", "_")}'
    return rebuild


class _UnsupportedDtype:
    """A torch dtype torchlet lacks (uint16/32/64): tensors of it load widened to int64."""

    def __init__(self, name):
        self.name, self.np = name, np.dtype(_WIDENED[name])


def _get_layout(name):
    if name != 'torch.strided':
        raise RuntimeError(f"torchlet cannot load tensors with layout {name}: only torch.strided")
    return name


# -- loading: the two container formats ------------------------------------------------------------
def _decode(s):
    return s.decode('ascii') if isinstance(s, bytes) else s


class _Loader:
    """Turns persistent ids into storages (one per key) with read_storage(key, type, numel)."""

    def __init__(self, read_storage, restore):
        self.read_storage, self.restore = read_storage, restore
        self.storages = {}

    def persistent_load(self, pid):
        if type(pid) is not tuple or not pid or _decode(pid[0]) != 'storage':
            raise pickle.UnpicklingError(f"Only persistent_load of storage is allowed, but got {pid!r}")
        storage_type, key, location, numel = pid[1:5]
        if not isinstance(storage_type, _StorageType):
            raise pickle.UnpicklingError(f"unknown storage type in checkpoint: {storage_type!r}")
        key, numel = _decode(key), int(numel)
        storage = self.storages.get(key)
        if storage is None:
            if numel < 0:
                raise RuntimeError(f"invalid storage size {numel} in checkpoint")
            storage = UntypedStorage(self.read_storage(key, storage_type, numel))
            storage = self.storages[key] = self.restore(storage, _decode(location))
        view = pid[5] if len(pid) > 5 else None
        if view is not None:                                 # legacy format: a view of a storage
            view_key, offset, size = view
            if view_key not in self.storages:
                self.storages[view_key] = UntypedStorage(storage.array[offset:offset + size])
            return self.storages[view_key]
        return storage


def _read_exactly(reader, array):
    mv = memoryview(array.view(np.uint8).reshape(-1))
    pos = 0
    while pos < len(mv):
        n = reader.readinto(mv[pos:])
        if not n:
            raise RuntimeError("unexpected end of file while reading a storage from the checkpoint")
        pos += n


def _record_data_offset(fh, info):
    """Where a stored zip record's payload starts in the file (after its local header)."""
    fh.seek(info.header_offset)
    header = fh.read(30)
    name_len, extra_len = struct.unpack('<HH', header[26:30])
    return info.header_offset + 30 + name_len + extra_len


def _load_zip(fh, path, unpickler_cls, restore, mmap, pickle_load_args):
    zf = zipfile.ZipFile(fh)
    names = zf.namelist()
    if not names or '/' not in names[0]:
        raise RuntimeError("PytorchStreamReader failed reading zip archive: not a torch.save archive")
    prefix = names[0].split('/')[0] + '/'
    if prefix + 'data.pkl' not in names:
        if prefix + 'constants.pkl' in names:
            raise RuntimeError("torchlet cannot load TorchScript archives (torch.jit.save output)")
        raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found")
    swap = prefix + 'byteorder' in names and zf.read(prefix + 'byteorder').decode() != sys.byteorder

    def read_storage(key, st, numel):
        try:
            info = zf.getinfo(f'{prefix}data/{key}')
        except KeyError:
            raise RuntimeError(f"PytorchStreamReader failed locating file data/{key}: file not found") \
                from None
        nbytes = numel * st.raw.itemsize
        if info.file_size < nbytes:
            raise RuntimeError(f"storage data/{key} holds {info.file_size} bytes, {nbytes} expected")
        if mmap and numel and not swap and info.compress_type == zipfile.ZIP_STORED:
            raw = np.memmap(path, dtype=st.raw, mode='c', offset=_record_data_offset(fh, info),
                            shape=(numel,))
        elif info.compress_type == zipfile.ZIP_STORED:          # straight into the array
            raw = np.empty(numel, st.raw)
            fh.seek(_record_data_offset(fh, info))
            _read_exactly(fh, raw)
        else:
            raw = np.empty(numel, st.raw)
            with zf.open(info) as r:
                _read_exactly(r, raw)
        if swap:
            raw.byteswap(inplace=True)
        return _CONVERTED[st.name][2](raw) if st.name in _CONVERTED else raw

    unpickler = unpickler_cls(io.BytesIO(zf.read(prefix + 'data.pkl')), **pickle_load_args)
    unpickler.loader = _Loader(read_storage, restore)
    return unpickler.load()


def _load_legacy(fh, unpickler_cls, restore, pickle_load_args):
    def header():
        h = unpickler_cls(fh, **pickle_load_args)
        h.loader = None
        return h.load()
    try:
        magic = header()
    except Exception:
        fh.seek(0)
        if fh.read(262)[257:262] == b'ustar':
            raise RuntimeError("torchlet cannot load the pre-1.0 tar checkpoint format") from None
        raise
    if magic != MAGIC_NUMBER:
        raise RuntimeError("Invalid magic number; corrupt file?")
    version = header()
    if version != PROTOCOL_VERSION:
        raise RuntimeError(f"Invalid protocol version: {version}")
    sys_info = header()
    swap = isinstance(sys_info, dict) and sys_info.get('little_endian', True) != (sys.byteorder == 'little')
    pending = {}

    def read_storage(key, st, numel):                       # the data comes after the pickle
        pending[key] = (np.empty(numel, st.np), st)
        return pending[key][0]

    unpickler = unpickler_cls(fh, **pickle_load_args)
    unpickler.loader = _Loader(read_storage, restore)
    result = unpickler.load()
    for key in header():
        array, st = pending[_decode(key)]
        (count,) = struct.unpack('<q', fh.read(8))
        if count != array.size:
            raise RuntimeError(f"storage {key}: {count} elements in file, {array.size} expected")
        raw = array if st.raw == st.np else np.empty(count, st.raw)
        _read_exactly(fh, raw)
        if swap:
            raw.byteswap(inplace=True)
        if raw is not array:
            array[...] = _CONVERTED[st.name][2](raw)
    return result


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Load an object saved by torch.save or torchlet.save (zip or legacy format).

    weights_only (default True, as in torch 2.6+) unpickles only tensors, storages, dtypes, devices,
    torch.Size, containers, numbers and strings. map_location: None, a device or device string, a dict
    {saved location: new location} or a callable(storage, location). Parameters load as torchlet
    nn.Parameter; storages shared by several tensors load as views of one array."""
    truthy = ('1', 'y', 'yes', 'true')
    if weights_only is None:
        weights_only = pickle_module is None
        if os.getenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '0').lower() in truthy:
            weights_only = False
    if os.getenv('TORCH_FORCE_WEIGHTS_ONLY_LOAD', '0').lower() in truthy:
        weights_only = True
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    pickle_load_args.setdefault('encoding', 'utf-8')
    unpickler_cls = _unpickler_class(weights_only, pickle_module)
    restore = _location_restorer(map_location)
    is_path = isinstance(f, (str, os.PathLike))
    if mmap and not is_path:
        raise ValueError("f must be a file path in order to use the mmap argument")
    with (open(f, 'rb') if is_path else contextlib.nullcontext(f)) as fh:
        if not is_path and not (hasattr(fh, 'seekable') and fh.seekable()):
            fh = io.BytesIO(fh.read())
        start = fh.tell()
        is_zip = fh.read(4) == b'PK\x03\x04'
        fh.seek(start)
        try:
            if is_zip:
                return _load_zip(fh, os.fspath(f) if is_path else None, unpickler_cls, restore,
                                 mmap and is_path, pickle_load_args)
            if mmap:
                raise RuntimeError(f"mmap can only be used with files saved with `torch.save({f}, "
                                   f"_use_new_zipfile_serialization=True), please torch.save your "
                                   f"checkpoint with this option in order to use mmap.")
            return _load_legacy(fh, unpickler_cls, restore, pickle_load_args)
        except pickle.UnpicklingError as e:
            if weights_only:
                raise pickle.UnpicklingError(_weights_only_message(str(e))) from None
            raise
