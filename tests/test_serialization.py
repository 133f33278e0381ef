"""torchlet.save / torchlet.load against real torch.save / torch.load, in both directions."""
import collections
import io
import os
import pathlib
import pickle
import stat
import zipfile

import numpy as np
import pytest

import torchlet
from conftest import torch, rng

DTYPES = ['float16', 'float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'bool',
          'complex64', 'complex128']


def _array(dtype, shape=(3, 4), seed=0):
    r = rng(seed)
    if dtype == 'bool':
        return r.random(shape) > 0.5
    if dtype.startswith('complex'):
        return (r.standard_normal(shape) + 1j * r.standard_normal(shape)).astype(dtype)
    if dtype.startswith(('int', 'uint')):
        return r.integers(0, 100, shape).astype(dtype)
    return r.standard_normal(shape).astype(dtype)


def _tl_to_torch(obj, **kwargs):
    buf = io.BytesIO()
    torchlet.save(obj, buf)
    buf.seek(0)
    return torch.load(buf, **kwargs)


def _torch_to_tl(obj, **kwargs):
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return torchlet.load(buf, **kwargs)


def _tl_to_tl(obj, **kwargs):
    buf = io.BytesIO()
    torchlet.save(obj, buf)
    buf.seek(0)
    return torchlet.load(buf, **kwargs)


def assert_tensor_equal(tl, th):
    """A torchlet tensor and a torch tensor with the same dtype, shape, values and requires_grad."""
    assert isinstance(tl, torchlet.Tensor) and isinstance(th, torch.Tensor)
    assert str(tl.dtype) == str(th.dtype)
    assert tuple(tl.shape) == tuple(th.shape)
    assert tl.requires_grad == th.requires_grad
    np.testing.assert_array_equal(tl.detach().numpy(), th.detach().numpy())


def assert_same_structure(tl, th):
    """Walk a torchlet object and a torch object in parallel: same containers, keys and leaves."""
    if isinstance(th, torch.Tensor):
        assert_tensor_equal(tl, th)
    elif isinstance(th, (torch.device, torch.Size, torch.dtype)):
        assert type(tl).__name__ == type(th).__name__ and repr(tl) == repr(th)
    elif isinstance(th, dict):
        assert type(tl) is type(th) and list(tl) == list(th)
        for k in th:
            assert_same_structure(tl[k], th[k])
    elif isinstance(th, (list, tuple)):
        assert type(tl) is type(th) and len(tl) == len(th)
        for a, b in zip(tl, th):
            assert_same_structure(a, b)
    else:
        assert type(tl) is type(th) and tl == th


# -- every dtype, every layout, both directions ---------------------------------------------------
@pytest.mark.parametrize('dtype', DTYPES)
def test_dtypes_torchlet_to_torch_and_back(dtype):
    arr = _array(dtype)
    for t in (torchlet.tensor(arr), torchlet.tensor(arr[0, 0]), torchlet.tensor(arr[:0])):
        th = _tl_to_torch(t)
        assert_tensor_equal(t, th)
        assert_tensor_equal(_tl_to_tl(t), th)
        assert_tensor_equal(_torch_to_tl(th), th)


def test_non_contiguous_layouts():
    base = torchlet.tensor(_array('float32', (4, 6)))
    views = {'T': base.T, 'step': base[:, ::2], 'row': base[2], 'col': base[:, 3],
             'expand': torchlet.Tensor._wrap(np.broadcast_to(base._data[:1], (5, 6))),
             'flipped': torchlet.Tensor._wrap(base._data[::-1, ::-2])}
    th = _tl_to_torch(views)
    for k, v in views.items():
        assert_tensor_equal(v, th[k])
    assert th['T'].stride() == (1, 6) and th['step'].stride() == (6, 2)
    assert th['expand'].stride() == (0, 1)
    back = _torch_to_tl(th)
    for k, v in views.items():
        assert_tensor_equal(back[k], th[k])


def test_views_share_one_storage_both_ways():
    x = torchlet.tensor(_array('float32', (3, 4)))
    obj = {'x': x, 'row': x[1], 'col': x[:, 2], 'xt': x.T}
    buf = io.BytesIO()
    torchlet.save(obj, buf)
    records = [n for n in zipfile.ZipFile(buf).namelist() if '/data/' in n]
    assert len(records) == 1                                   # saved once
    buf.seek(0)
    th = torch.load(buf)
    ptr = th['x'].untyped_storage().data_ptr()
    assert all(th[k].untyped_storage().data_ptr() == ptr for k in obj)
    assert th['row'].storage_offset() == 4 and th['col'].storage_offset() == 2
    th['x'][1, 2] = 100.0                                      # one memory in torch ...
    assert th['row'][2].item() == 100.0 and th['col'][1].item() == 100.0
    buf.seek(0)
    tl = torchlet.load(buf)                                    # ... and in torchlet
    tl['x']._data[1, 2] = -5.0
    assert tl['row']._data[2] == -5.0 and tl['col']._data[1] == -5.0 and tl['xt']._data[2, 1] == -5.0
    assert_tensor_equal(_torch_to_tl(th)['col'], th['col'])


def test_torch_shared_storage_loads_as_views():
    x = torch.arange(12.).reshape(3, 4)
    tl = _torch_to_tl({'x': x, 'v': x[1:, 1:3], 'flat': x.view(-1)})
    assert np.shares_memory(tl['x']._data, tl['v']._data)
    assert np.shares_memory(tl['x']._data, tl['flat']._data)
    tl['flat']._data[5] = 42.0
    assert tl['x']._data[1, 1] == 42.0 and tl['v']._data[0, 0] == 42.0
    np.testing.assert_array_equal(tl['v']._data[1], x[2, 1:3].numpy())
    again = _tl_to_torch(tl)                                   # still one storage when saved again
    assert again['x'].untyped_storage().data_ptr() == again['v'].untyped_storage().data_ptr()


def test_state_dict_and_optimizer_state():
    sd = collections.OrderedDict([('0.weight', torchlet.tensor(_array('float32', (4, 3)))),
                                  ('0.bias', torchlet.tensor(_array('float32', (4,)))),
                                  ('bn.num_batches_tracked', torchlet.tensor(7))])
    opt = {'state': {0: {'step': torchlet.tensor(3.0), 'exp_avg': torchlet.zeros(4, 3),
                         'exp_avg_sq': torchlet.ones(4, 3)}, 1: {'step': torchlet.tensor(3.0)}},
           'param_groups': [{'lr': 1e-3, 'betas': (0.9, 0.999), 'eps': 1e-8, 'weight_decay': 0,
                             'amsgrad': False, 'foreach': None, 'params': [0, 1], 'name': 'g0'}]}
    obj = {'model': sd, 'optimizer': opt, 'epoch': 5, 'loss': 0.25, 'tags': ['a', 'b'],
           'dtype': torchlet.float16, 'device': torchlet.device('cpu'), 'shape': torchlet.Size([2, 3])}
    th = _tl_to_torch(obj)
    assert_same_structure(obj, th)
    assert isinstance(th['model'], collections.OrderedDict)
    assert_same_structure(_torch_to_tl(th), th)
    assert_same_structure(_tl_to_tl(obj), th)


def test_requires_grad_and_parameters():
    w = torchlet.nn.Parameter(torchlet.tensor(_array('float32', (2, 3))))
    frozen = torchlet.nn.Parameter(torchlet.tensor(_array('float32', (3,))), requires_grad=False)
    leaf = torchlet.tensor(_array('float64', (2,)), requires_grad=True)
    th = _tl_to_torch({'w': w, 'frozen': frozen, 'leaf': leaf, 'y': leaf * 2})
    assert isinstance(th['w'], torch.nn.Parameter) and th['w'].requires_grad
    assert isinstance(th['frozen'], torch.nn.Parameter) and not th['frozen'].requires_grad
    assert th['leaf'].requires_grad and th['y'].requires_grad and th['y'].is_leaf
    back = _torch_to_tl({'p': torch.nn.Parameter(torch.ones(2, 2)), 'g': torch.ones(3, requires_grad=True),
                         'n': torch.nn.Parameter(torch.zeros(1), requires_grad=False)})
    assert isinstance(back['p'], torchlet.nn.Parameter) and back['p'].requires_grad and back['p'].is_leaf
    assert back['g'].requires_grad and not isinstance(back['g'], torchlet.nn.Parameter)
    assert isinstance(back['n'], torchlet.nn.Parameter) and not back['n'].requires_grad


def test_torch_model_state_dict_loads():
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 2))
    sd = model.state_dict()
    tl = _torch_to_tl(sd)
    assert list(tl) == list(sd)
    for k in sd:
        assert_tensor_equal(tl[k], sd[k])
    full = _torch_to_tl({'model': model.state_dict(), 'params': list(model.parameters())})
    assert all(isinstance(p, torchlet.nn.Parameter) and p.requires_grad for p in full['params'])


def test_bfloat16_and_uint16_from_torch():
    x = torch.tensor([1.5, -2.25, 3e38, 1e-3], dtype=torch.bfloat16)
    u = torch.tensor([0, 7, 65535], dtype=torch.uint16)
    tl = _torch_to_tl({'x': x, 'u': u})
    assert tl['x'].dtype == torchlet.float32 and tl['u'].dtype == torchlet.int64
    np.testing.assert_array_equal(tl['x'].numpy(), x.float().numpy())
    np.testing.assert_array_equal(tl['u'].numpy(), [0, 7, 65535])


@pytest.mark.parametrize('protocol', [2, 4])
def test_pickle_protocols(protocol):
    obj = {'t': torchlet.tensor(_array('int32')), 'b': b'bytes', 'c': 1 + 2j, 's': {1, 2}}
    buf = io.BytesIO()
    torchlet.save(obj, buf, pickle_protocol=protocol)
    buf.seek(0)
    assert_same_structure(torchlet.load(buf), _tl_to_torch(obj))


def test_paths_pathlike_and_mmap(tmp_path):
    x = torchlet.tensor(_array('float32', (5, 7)))
    for f in (str(tmp_path / 'a.pt'), tmp_path / 'b.pt'):
        torchlet.save({'x': x, 'v': x[1:, 2], 'h': torchlet.ones(3, dtype=torchlet.float16)}, f)
        with open(f, 'rb') as fh:                               # payloads 64-byte aligned, like torch's
            for info in zipfile.ZipFile(fh).infolist():
                fh.seek(info.header_offset + 26)
                name_len, extra_len = np.frombuffer(fh.read(4), '<u2')
                assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0
        th = torch.load(f, mmap=True)
        assert_tensor_equal(x, th['x'])
        for mmap in (False, True):
            tl = torchlet.load(f, mmap=mmap)
            assert_tensor_equal(tl['v'], th['v'])
            tl['x']._data[2, 2] = 9.0                          # writable, still one memory
            assert tl['v']._data[1] == 9.0
    torch.save({'y': torch.arange(6.)}, tmp_path / 'c.pt')
    with open(tmp_path / 'c.pt', 'rb') as fh:
        np.testing.assert_array_equal(torchlet.load(fh)['y'].numpy(), np.arange(6.0))
    with pytest.raises(ValueError, match='f must be a file path'):
        torchlet.load(io.BytesIO(), mmap=True)


def test_legacy_format_both_ways():
    x = torch.arange(12.).reshape(3, 4)
    buf = io.BytesIO()
    torch.save({'x': x, 'row': x[1], 'i': torch.tensor([1, 2])}, buf, _use_new_zipfile_serialization=False)
    buf.seek(0)
    tl = torchlet.load(buf)
    np.testing.assert_array_equal(tl['row'].numpy(), [4, 5, 6, 7])
    assert np.shares_memory(tl['x']._data, tl['row']._data)
    t = torchlet.tensor(_array('float64', (2, 3)))
    buf = io.BytesIO()
    torchlet.save({'t': t, 'col': t[:, 1]}, buf, _use_new_zipfile_serialization=False)
    buf.seek(0)
    th = torch.load(buf)
    assert_tensor_equal(t, th['t'])
    assert_tensor_equal(t[:, 1], th['col'])
    buf.seek(0)
    assert_tensor_equal(torchlet.load(buf)['col'], th['col'])


# -- atomic writes ---------------------------------------------------------------------------------
class _ExplodingReduce:
    def __reduce__(self):
        raise RuntimeError("cannot pickle this")


def test_failed_save_keeps_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / 'ckpt.pt'
    torchlet.save({'w': torchlet.ones(3)}, path)
    before = path.read_bytes()
    with pytest.raises(RuntimeError, match='cannot pickle this'):
        torchlet.save({'w': torchlet.zeros(1000), 'bad': _ExplodingReduce(), 'z': torchlet.ones(2)}, path)
    assert path.read_bytes() == before
    np.testing.assert_array_equal(torchlet.load(path)['w'].numpy(), np.ones(3))
    assert sorted(os.listdir(tmp_path)) == ['ckpt.pt']         # no temporary file left behind

    def failing_fsync(fd):                                      # a crash after the data is written
        raise OSError("disk on fire")
    monkeypatch.setattr(os, 'fsync', failing_fsync)
    with pytest.raises(OSError, match='disk on fire'):
        torchlet.save({'w': torchlet.zeros(3)}, path)
    monkeypatch.undo()
    assert torch.load(path)['w'].tolist() == [1.0, 1.0, 1.0]
    assert sorted(os.listdir(tmp_path)) == ['ckpt.pt']


def test_save_file_mode_and_errors(tmp_path):
    path = tmp_path / 'm.pt'
    torchlet.save(torchlet.ones(1), path)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask
    os.chmod(path, 0o600)
    torchlet.save(torchlet.ones(2), path)                      # an existing file keeps its mode
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with pytest.raises(RuntimeError) as tl_err:
        torchlet.save(torchlet.ones(1), str(tmp_path / 'missing' / 'x.pt'))
    with pytest.raises(RuntimeError) as th_err:
        torch.save(torch.ones(1), str(tmp_path / 'missing' / 'x.pt'))
    assert str(tl_err.value) == str(th_err.value)
    with pytest.raises(AttributeError, match="file-like object with a 'write' attribute"):
        torchlet.save(torchlet.ones(1), 123)


# -- weights_only and malicious pickles ------------------------------------------------------------
def _write_marker(path):
    pathlib.Path(path).write_text('pwned')
    return 0


class _Evil:
    def __init__(self, func, arg):
        self.func, self.arg = func, arg

    def __reduce__(self):
        return self.func, (self.arg,)


def _zip_checkpoint(payload=None, raw=None):
    """A torch.save-style archive whose data.pkl is the pickle of payload (or the bytes raw)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as zf:
        zf.writestr('archive/data.pkl', raw or pickle.dumps(payload, protocol=2))
        zf.writestr('archive/byteorder', 'little')
        zf.writestr('archive/version', '3\n')
    buf.seek(0)
    return buf


def test_malicious_pickle_runs_nothing(tmp_path):
    marker = tmp_path / 'pwned'
    for payload in (_Evil(os.system, f'touch {marker}'), {'ok': 1, 'evil': _Evil(_write_marker, str(marker))},
                    _Evil(eval, f'open({str(marker)!r}, "w")')):
        buf = _zip_checkpoint(payload)
        with pytest.raises(pickle.UnpicklingError, match='Weights only load failed') as err:
            torchlet.load(buf)
        assert not marker.exists()
        buf.seek(0)
        with pytest.raises(pickle.UnpicklingError) as th_err:  # torch refuses the same file
            torch.load(buf)
        last = str(err.value).split('\n\n')[0].splitlines()[-1]
        assert last in str(th_err.value)                       # ... with the same explanation
    assert 'Unsupported global: GLOBAL test_serialization._write_marker' in str(
        pytest.raises(pickle.UnpicklingError, torchlet.load, _zip_checkpoint(_Evil(_write_marker, 'x'))).value)
    torchlet.load(_zip_checkpoint(_Evil(_write_marker, str(marker))), weights_only=False)
    assert marker.read_text() == 'pwned'                       # the payload was real


def test_weights_only_allow_list_and_safe_globals():
    import argparse
    ns = argparse.Namespace(lr=0.1)
    buf = io.BytesIO()
    torch.save({'args': ns, 'w': torch.ones(2)}, buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match='GLOBAL argparse.Namespace was not an allowed global'):
        torchlet.load(buf)
    buf.seek(0)
    assert torchlet.load(buf, weights_only=False)['args'].lr == 0.1
    buf.seek(0)
    with torchlet.serialization.safe_globals([argparse.Namespace]):
        assert torchlet.load(buf)['args'].lr == 0.1
    assert argparse.Namespace not in torchlet.serialization.get_safe_globals()
    with pytest.raises(RuntimeError, match='explicit pickle_module'):
        torchlet.load(io.BytesIO(), pickle_module=pickle, weights_only=True)


def test_full_load_maps_torch_classes_to_torchlet():
    buf = io.BytesIO()
    torch.save(torch.nn.Sequential(), buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match='torch.nn.modules.container.Sequential'):
        torchlet.load(buf)
    buf.seek(0)
    assert isinstance(torchlet.load(buf, weights_only=False), torchlet.nn.Sequential)
    seq = torchlet.nn.Sequential()
    buf = io.BytesIO()
    torchlet.save(seq, buf)                                    # a whole torchlet module, pickled
    buf.seek(0)
    assert isinstance(torchlet.load(buf, weights_only=False), torchlet.nn.Sequential)
    missing = _zip_checkpoint(raw=b'\x80\x02ctorch.nn.modules.nowhere\nThing\nq\x00.')
    with pytest.raises(AttributeError, match='torch.nn.modules.nowhere.Thing is not yet implemented'):
        torchlet.load(missing, weights_only=False)


# -- map_location ----------------------------------------------------------------------------------
def _cuda_checkpoint():
    """A checkpoint whose storages are tagged 'cuda:0' (made without a GPU by editing the pickle)."""
    src = io.BytesIO()
    torchlet.save({'w': torchlet.tensor([1.0, 2.0]), 'b': torchlet.tensor([3, 4])}, src)
    zin, out = zipfile.ZipFile(src), io.BytesIO()
    with zipfile.ZipFile(out, 'w') as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name.endswith('data.pkl'):
                assert data.count(b'X\x03\x00\x00\x00cpu') == 1     # memoised after the first use
                data = data.replace(b'X\x03\x00\x00\x00cpu', b'X\x06\x00\x00\x00cuda:0')
            zout.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize('map_location', ['cpu', torchlet.device('cpu'), 'dev_torch', {'cuda:0': 'cpu'},
                                          'callable', 'callable_none_cpu'])
def test_map_location_moves_cuda_to_cpu(map_location):
    data = _cuda_checkpoint()
    seen = []
    if map_location == 'dev_torch':
        map_location = torch.device('cpu')
    elif map_location == 'callable':
        map_location = lambda storage, loc: seen.append(loc) or storage  # noqa: E731
    elif map_location == 'callable_none_cpu':
        data = io.BytesIO()
        torchlet.save({'w': torchlet.tensor([1.0, 2.0]), 'b': torchlet.tensor([3, 4])}, data)
        data = data.getvalue()
        map_location = lambda storage, loc: seen.append(loc)  # noqa: E731   (None: default restore)
    tl = torchlet.load(io.BytesIO(data), map_location=map_location)
    th_location = 'cpu' if callable(map_location) or isinstance(map_location, torchlet.device) else map_location
    th = torch.load(io.BytesIO(data), map_location=th_location)
    assert_same_structure(tl, th)
    assert seen in ([], ['cuda:0', 'cuda:0'], ['cpu', 'cpu'])
    if callable(map_location):
        assert seen


def test_cuda_location_without_map_location_fails_like_torch():
    data = _cuda_checkpoint()
    for ml in (None, {'cuda:1': 'cpu'}, 'cuda'):
        with pytest.raises(RuntimeError) as tl_err:
            torchlet.load(io.BytesIO(data), map_location=ml)
        with pytest.raises(RuntimeError) as th_err:
            torch.load(io.BytesIO(data), map_location=ml)
        assert str(tl_err.value) == str(th_err.value)


def test_compressed_archive_loads():
    src = io.BytesIO()
    x = torchlet.tensor(_array('float64', (6, 5)))
    torchlet.save({'x': x, 'c': x[:, 1]}, src)
    zin, out = zipfile.ZipFile(src), io.BytesIO()
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            zout.writestr(name, zin.read(name))
    out.seek(0)
    tl = torchlet.load(out)
    out.seek(0)
    th = torch.load(out)
    assert_tensor_equal(tl['c'], th['c'])
    assert np.shares_memory(tl['x']._data, tl['c']._data)
