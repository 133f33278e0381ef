"""Device plumbing: torch.device, torch.cuda, torch.backends, torch.accelerator, torch.mps and
tensor.to(device), each answered as the installed CPU-only PyTorch build answers."""
import pickle
import warnings

import numpy as np
import pytest

import torchlet

torch = pytest.importorskip('torch')


def outcome(fn):
    """fn()'s result, or (exception type, message) when it raises."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            return 'ok', fn()
    except Exception as e:  # noqa: BLE001  (comparing whatever either library raises)
        return type(e), str(e)


def same_outcome(fn):
    """Run fn(torchlet) and fn(torch); results (or exception type and message) must agree."""
    ours, theirs = outcome(lambda: fn(torchlet)), outcome(lambda: fn(torch))
    if ours[0] == 'ok' and theirs[0] == 'ok':
        assert _plain(ours[1]) == _plain(theirs[1])
    else:
        assert ours == theirs


def _plain(x):
    """Results made comparable across the libraries (devices by repr)."""
    if isinstance(x, (torchlet.device, torch.device)):
        return repr(x)
    return x


# -- torch.device --------------------------------------------------------------------------------
DEVICE_ARGS = [('cpu',), ('cpu', 0), ('cpu:0',), ('cpu:1',), ('cuda',), ('cuda:0',), ('cuda', 1), ('mps',),
               ('meta',), (0,), (-1,), (None,), (1.5,), ('cuda:x',), ('cuda:-1',), ('cuda:01',),
               ('cuda ',), ('gpu',), ('gpu:0',), ('CPU',), ('',), ('cuda:0:1',), (':0',), ('cuda', -1),
               ('cuda:0', 1), ('cuda', 1.5), ('cuda', '1'), ('cuda', True), ('cpu', None)]


@pytest.mark.parametrize('args', DEVICE_ARGS, ids=repr)
def test_device_constructor(args):
    same_outcome(lambda lib: (repr(lib.device(*args)), str(lib.device(*args)), lib.device(*args).type,
                              lib.device(*args).index))


def test_device_from_device_and_keywords():
    same_outcome(lambda lib: repr(lib.device(lib.device('cuda:1'))))
    same_outcome(lambda lib: repr(lib.device(type='cpu', index=0)))
    same_outcome(lambda lib: lib.device(lib.device('cpu'), 0))


@pytest.mark.parametrize('a,b', [(('cpu',), ('cpu',)), (('cpu',), ('cpu', 0)), (('cuda:1',), ('cuda', 1)),
                                 (('cpu',), 'cpu'), (('cpu:0',), 'cpu:0'), (('cpu',), 1)])
def test_device_equality_and_hash(a, b):
    def eq(lib):
        x = lib.device(*a)
        y = lib.device(*b) if isinstance(b, tuple) else b
        return x == y, x != y, (hash(x) == hash(y)) if isinstance(b, tuple) else None
    same_outcome(eq)


def test_device_is_immutable_and_picklable():
    d = torchlet.device('cuda', 1)
    with pytest.raises(AttributeError):
        d.index = 2
    assert pickle.loads(pickle.dumps(d)) == d
    assert pickle.loads(pickle.dumps(torchlet.device('cpu'))) == torchlet.device('cpu')


def test_common_device_idioms():
    same_outcome(lambda lib: lib.device('cuda' if lib.cuda.is_available() else 'cpu'))
    same_outcome(lambda lib: lib.accelerator.current_accelerator().type
                 if lib.accelerator.is_available() else 'cpu')
    same_outcome(lambda lib: lib.zeros(2).device)
    same_outcome(lambda lib: (lib.zeros(2).device == lib.device('cpu'), lib.zeros(2).device.type,
                              str(lib.zeros(2).device), lib.zeros(2).is_cuda, lib.zeros(2).get_device()))


# -- tensor.to(device) ---------------------------------------------------------------------------
def test_to_cpu_returns_the_same_tensor():
    x = torchlet.tensor([1.0, 2.0])
    for dev in ('cpu', 'cpu:0', torchlet.device('cpu')):
        assert x.to(dev) is x
        assert x.to(device=dev) is x
    assert x.cpu() is x


@pytest.mark.parametrize('dev', ['cuda', 'cuda:0', 'cuda:1', 'mps', 'xpu', 'hip', 'xla', 0, 'gpu'],
                         ids=repr)
def test_to_unavailable_device_raises_like_torch(dev):
    same_outcome(lambda lib: lib.zeros(2).to(dev))
    same_outcome(lambda lib: lib.zeros(2).to(device=dev))


def test_to_cuda_variants_raise_like_torch():
    same_outcome(lambda lib: lib.zeros(2).to(lib.device('cuda')))
    same_outcome(lambda lib: lib.zeros(2).cuda())
    same_outcome(lambda lib: lib.zeros(2).cuda('cuda:1'))
    same_outcome(lambda lib: lib.zeros(2, device='cuda'))
    same_outcome(lambda lib: lib.tensor([1.0], device='cuda:0'))


# -- torch.cuda ------------------------------------------------------------------------------------
CUDA_CALLS = {
    'is_available': lambda c: c.is_available(),
    'device_count': lambda c: c.device_count(),
    'is_initialized': lambda c: c.is_initialized(),
    'init': lambda c: c.init(),
    'current_device': lambda c: c.current_device(),
    'get_device_name': lambda c: c.get_device_name(),
    'get_device_name(0)': lambda c: c.get_device_name(0),
    'get_device_properties(0)': lambda c: c.get_device_properties(0),
    'get_device_capability': lambda c: c.get_device_capability(),
    "set_device('cpu')": lambda c: c.set_device('cpu'),
    'set_device(-1)': lambda c: c.set_device(-1),
    'set_device(None)': lambda c: c.set_device(None),
    'set_device(cuda)': lambda c: c.set_device(torch.device('cuda') if c is torch.cuda else
                                               torchlet.device('cuda')),
    'manual_seed': lambda c: c.manual_seed(0),
    'manual_seed_all': lambda c: c.manual_seed_all(0),
    "manual_seed('x')": lambda c: c.manual_seed('x'),
    'seed': lambda c: c.seed(),
    'seed_all': lambda c: c.seed_all(),
    'initial_seed': lambda c: c.initial_seed(),
    'get_rng_state': lambda c: c.get_rng_state(),
    'get_rng_state_all': lambda c: c.get_rng_state_all(),
    'set_rng_state_all': lambda c: c.set_rng_state_all([]),
    'empty_cache': lambda c: c.empty_cache(),
    'synchronize': lambda c: c.synchronize(),
    'ipc_collect': lambda c: c.ipc_collect(),
    'mem_get_info': lambda c: c.mem_get_info(),
    'memory_allocated': lambda c: c.memory_allocated(),
    'max_memory_allocated': lambda c: c.max_memory_allocated(),
    'memory_reserved': lambda c: c.memory_reserved(),
    'max_memory_reserved': lambda c: c.max_memory_reserved(),
    'memory_cached': lambda c: c.memory_cached(),
    'memory_stats': lambda c: dict(c.memory_stats()),
    'is_bf16_supported': lambda c: c.is_bf16_supported(),
    'is_tf32_supported': lambda c: c.is_tf32_supported(),
    'get_arch_list': lambda c: c.get_arch_list(),
    'get_gencode_flags': lambda c: c.get_gencode_flags(),
    'current_stream': lambda c: c.current_stream(),
    'Stream': lambda c: c.Stream(),
    'device(0) enter': lambda c: c.device(0).__enter__(),
    'device(-1) enter': lambda c: c.device(-1).__enter__(),
    "device('cpu')": lambda c: c.device('cpu'),
    'device_of(cpu tensor)': lambda c: c.device_of(torch.zeros(1) if c is torch.cuda else
                                                   torchlet.zeros(1)).__enter__(),
    'stream(None)': lambda c: c.stream(None).__enter__(),
    'FloatTensor([1])': lambda c: c.FloatTensor([1]),
    'LongTensor()': lambda c: c.LongTensor(),
    'isinstance FloatTensor': lambda c: isinstance(torch.zeros(1) if c is torch.cuda else torchlet.zeros(1),
                                                   c.FloatTensor),
    'default_generators': lambda c: c.default_generators,
    '_is_compiled': lambda c: c._is_compiled(),
}


@pytest.mark.parametrize('name', list(CUDA_CALLS))
def test_cuda_answers_like_cpu_only_torch(name):
    same_outcome(lambda lib: CUDA_CALLS[name](lib.cuda))


def test_cuda_deliberate_deviations():
    """Where the CPU build of torch fails by accident (AttributeError on a missing C hook), we raise
    its ordinary 'not compiled with CUDA' error instead."""
    for fn in (lambda c: c.set_device(0), lambda c: c.reset_peak_memory_stats()):
        with pytest.raises(AttributeError):
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                fn(torch.cuda)
        with pytest.raises(AssertionError, match='^Torch not compiled with CUDA enabled$'):
            fn(torchlet.cuda)
    with pytest.raises(RuntimeError):
        torch.cuda.Event()
    with pytest.raises(RuntimeError, match='requires CUDA support'):
        torchlet.cuda.Event()


def test_cuda_amp_is_disabled_with_torchs_warnings():
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter('always')
        scaler = torchlet.cuda.amp.GradScaler()
    assert [w.category for w in rec] == [FutureWarning, UserWarning]
    assert str(rec[1].message) == ("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                                   "Disabling.")
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        ref = torch.cuda.amp.GradScaler()
        assert torchlet.cuda.amp.GradScaler(enabled=False).is_enabled() is False
    assert scaler.is_enabled() == ref.is_enabled() is False
    assert scaler.get_scale() == ref.get_scale()
    assert scaler.state_dict() == ref.state_dict()
    loss = torchlet.tensor(2.0)
    assert scaler.scale(loss) is loss

    class Opt:
        calls = 0

        def step(self, closure=None):
            Opt.calls += 1
            return 'stepped'
    assert scaler.unscale_(Opt()) is None
    assert scaler.step(Opt()) == ref.step(Opt()) == 'stepped' and Opt.calls == 2
    assert scaler.update() is None

    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter('always')
        ctx = torchlet.cuda.amp.autocast()
    assert [w.category for w in rec] == [FutureWarning, UserWarning]
    assert str(rec[1].message) == "CUDA is not available or torch_xla is imported. Disabling autocast."
    with ctx:
        pass
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        with torchlet.autocast('cuda', enabled=False):
            pass
    with pytest.warns(FutureWarning, match='torch.cuda.amp.autocast'):
        torchlet.cuda.amp.autocast(enabled=False)

    @torchlet.autocast('cuda', enabled=False)
    def f(x):
        return x + 1
    assert f(1) == 2
    assert torchlet.is_autocast_enabled() is torch.is_autocast_enabled() is False


def test_cpu_autocast_says_it_is_not_implemented():
    with pytest.raises(NotImplementedError, match='not yet implemented in torchlet'):
        torchlet.autocast('cpu')
    with torchlet.autocast('cpu', enabled=False):
        pass


# -- torch.backends ------------------------------------------------------------------------------
BACKEND_CALLS = {
    'cudnn.is_available': lambda b: b.cudnn.is_available(),
    'cudnn.version': lambda b: b.cudnn.version(),
    'cudnn.flags': lambda b: (b.cudnn.enabled, b.cudnn.benchmark, b.cudnn.deterministic,
                              b.cudnn.allow_tf32, b.cudnn.benchmark_limit),
    'mps.is_available': lambda b: b.mps.is_available(),
    'mps.is_built': lambda b: b.mps.is_built(),
    'mps.is_macos13_or_newer': lambda b: b.mps.is_macos13_or_newer(),
    'cuda.is_built': lambda b: b.cuda.is_built(),
    'cuda.matmul': lambda b: (b.cuda.matmul.allow_tf32, b.cuda.matmul.allow_fp16_reduced_precision_reduction,
                              b.cuda.matmul.allow_bf16_reduced_precision_reduction),
    'cuda.sdp': lambda b: (b.cuda.flash_sdp_enabled(), b.cuda.mem_efficient_sdp_enabled(),
                           b.cuda.math_sdp_enabled(), b.cuda.is_flash_attention_available()),
    'mkldnn.flags': lambda b: (b.mkldnn.enabled, b.mkldnn.deterministic),
    'cpu.get_cpu_capability': lambda b: b.cpu.get_cpu_capability(),
}


@pytest.mark.parametrize('name', list(BACKEND_CALLS))
def test_backends_answer_like_torch(name):
    same_outcome(lambda lib: BACKEND_CALLS[name](lib.backends))


def test_backend_library_availability():
    """torchlet runs on NumPy: no oneDNN and no OpenMP of its own (torch's CPU build has both); MKL
    only when NumPy's BLAS is MKL."""
    assert torchlet.backends.mkldnn.is_available() is False
    assert torchlet.backends.openmp.is_available() is False
    blas = np.show_config(mode='dicts')['Build Dependencies']['blas']['name']
    assert torchlet.backends.mkl.is_available() is ('mkl' in blas.lower())


def test_cudnn_flags_are_settable_and_restored():
    cudnn = torchlet.backends.cudnn
    import torchlet.backends.cudnn as imported
    assert imported is cudnn
    old = cudnn.benchmark, cudnn.deterministic, cudnn.enabled
    try:
        cudnn.benchmark, cudnn.deterministic, cudnn.enabled = True, True, False
        assert (cudnn.benchmark, cudnn.deterministic, cudnn.enabled) == (True, True, False)
    finally:
        cudnn.benchmark, cudnn.deterministic, cudnn.enabled = old
    with cudnn.flags(enabled=False, benchmark=True, deterministic=True):
        assert (cudnn.enabled, cudnn.benchmark, cudnn.deterministic) == (False, True, True)
    assert (cudnn.benchmark, cudnn.deterministic, cudnn.enabled) == old


def test_matmul_allow_tf32_follows_float32_matmul_precision_like_torch():
    def trace(lib):
        seen = []
        try:
            for p in ('high', 'medium', 'highest'):
                lib.set_float32_matmul_precision(p)
                seen.append((lib.get_float32_matmul_precision(), lib.backends.cuda.matmul.allow_tf32))
            lib.backends.cuda.matmul.allow_tf32 = True
            seen.append((lib.get_float32_matmul_precision(), lib.backends.cuda.matmul.allow_tf32))
        finally:
            lib.set_float32_matmul_precision('highest')
        return seen
    same_outcome(trace)


def test_sdp_switches():
    b = torchlet.backends.cuda
    b.enable_flash_sdp(False)
    try:
        assert b.flash_sdp_enabled() is False and b.math_sdp_enabled() is True
    finally:
        b.enable_flash_sdp(True)


# -- torch.accelerator and torch.mps -------------------------------------------------------------
ACCELERATOR_CALLS = {
    'is_available': lambda a: a.is_available(),
    'current_accelerator': lambda a: a.current_accelerator(),
    'current_accelerator(check_available)': lambda a: a.current_accelerator(check_available=True),
    'device_count': lambda a: a.device_count(),
    'current_device_index': lambda a: a.current_device_index(),
    'set_device_index': lambda a: a.set_device_index(0),
    'synchronize': lambda a: a.synchronize(),
    'current_stream': lambda a: a.current_stream(),
    'empty_cache': lambda a: a.empty_cache(),
    'memory_allocated': lambda a: a.memory_allocated(),
    'device_index(None)': lambda a: a.device_index(None).__enter__(),
    'device_index(0)': lambda a: a.device_index(0).__enter__(),
}


@pytest.mark.parametrize('name', list(ACCELERATOR_CALLS))
def test_accelerator_answers_like_torch(name):
    same_outcome(lambda lib: ACCELERATOR_CALLS[name](lib.accelerator))


MPS_CALLS = {
    'is_available': lambda m: m.is_available(),
    'device_count': lambda m: m.device_count(),
    'manual_seed': lambda m: m.manual_seed(0),
    'seed': lambda m: m.seed(),
    'synchronize': lambda m: m.synchronize(),
    'empty_cache': lambda m: m.empty_cache(),
    'current_allocated_memory': lambda m: m.current_allocated_memory(),
}


@pytest.mark.parametrize('name', list(MPS_CALLS))
def test_mps_answers_like_torch(name):
    same_outcome(lambda lib: MPS_CALLS[name](lib.mps))
