"""The torch alias: `python -m torchlet run`, compat.install()/uninstall(), missing-API errors, versions."""
import importlib.util
import operator
import os
import subprocess
import sys
import textwrap

import pytest

import torchlet
from torchlet import compat

torch = pytest.importorskip('torch')
REPO = os.path.dirname(os.path.dirname(os.path.abspath(torchlet.__file__)))

# A PyTorch-style script: its stdout under real torch is the oracle for its stdout under torchlet.
SCRIPT = '''\
import pickle
import sys

import torch
import torch.autograd
from torch.autograd import grad


class Point:
    def __init__(self, x):
        self.x = x


def main():
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True, device=device)
    y = torch.tensor([0.5, -1.0, 2.0])
    loss = (x * y + x / 2 - y).sum()
    loss.backward()
    print('argv', sys.argv[1:], 'name', __name__)
    print('device', device, torch.cuda.is_available(), torch.cuda.device_count())
    print('loss', round(loss.item(), 5))
    print('grad', [round(v, 5) for v in x.grad.tolist()])
    z = torch.tensor([2.0], requires_grad=True)
    (g,) = grad((z * z * z).sum(), z)
    print('grad3', g.tolist())
    print('pickle', pickle.loads(pickle.dumps(Point(3))).x)


if __name__ == '__main__':
    main()
'''


def run(args, cwd, **kwargs):
    env = dict(os.environ, PYTHONPATH=REPO)
    return subprocess.run([sys.executable] + args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120, **kwargs)


def write(path, text):
    path.write_text(textwrap.dedent(text))
    return str(path)


@pytest.fixture
def alias():
    """compat.install() for one test, always undone."""
    compat.install()
    try:
        yield
    finally:
        compat.uninstall()


# -- python -m torchlet run --------------------------------------------------------------------
def test_run_matches_pytorch_output(tmp_path):
    script = write(tmp_path / 'train.py', SCRIPT)
    ours = run(['-m', 'torchlet', 'run', script, 'a', '--b=1'], tmp_path)
    theirs = run([script, 'a', '--b=1'], tmp_path)
    assert theirs.returncode == 0, theirs.stderr
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout
    assert "argv ['a', '--b=1'] name __main__" in ours.stdout


def test_run_resolves_torch_and_names_missing_modules(tmp_path):
    script = write(tmp_path / 's.py', '''\
        import sys, torch, torchlet, torch.autograd, torch.cuda, torch.backends.cudnn
        print(torch is torchlet, torch.Tensor is torchlet.Tensor, torch.autograd is torchlet.autograd,
              torch.backends.cudnn is torchlet.backends.cudnn, sys.argv[0], sys.path[0])
        import torch._surely_missing_for_test
        ''')
    r = run(['-m', 'torchlet', 'run', 's.py'], tmp_path)
    assert r.returncode == 1
    assert r.stdout.split() == ['True'] * 4 + ['s.py', str(tmp_path)]
    lines = r.stderr.strip().splitlines()
    assert lines[0] == 'Traceback (most recent call last):'
    assert lines[1] == f'  File "{script}", line 4, in <module>'
    assert lines[-1] == ('ModuleNotFoundError: torch._surely_missing_for_test is not yet implemented in '
                         'torchlet')
    assert 'torchlet' + os.sep + '__main__.py' not in r.stderr and 'compat.py' not in r.stderr


def test_run_traceback_looks_like_python(tmp_path):
    script = write(tmp_path / 'boom.py', '''\
        def inner():
            return 1 / 0


        inner()
        ''')
    ours = run(['-m', 'torchlet', 'run', script], tmp_path)
    theirs = run([script], tmp_path)
    assert ours.returncode == theirs.returncode == 1
    assert ours.stderr == theirs.stderr


def test_run_module_mode_and_exit_status(tmp_path):
    write(tmp_path / 'modmain.py', 'import sys, torch, torchlet\nprint(__name__, sys.argv[1:], '
          'torch is torchlet)\nsys.exit(3)\n')
    r = run(['-m', 'torchlet', 'run', '-m', 'modmain', 'x'], tmp_path)
    assert r.returncode == 3, r.stderr
    assert r.stdout.split() == ['__main__', "['x']", 'True']


def test_cli_version_entry_point(tmp_path):
    r = run(['-m', 'torchlet', '--version'], tmp_path)
    assert r.returncode == 0 and r.stdout.startswith(f'torchlet {torchlet.__version__} ')


def test_cli_help_and_usage_errors(capsys, monkeypatch, tmp_path):
    from torchlet.__main__ import main
    monkeypatch.chdir(tmp_path)
    assert main(['--help']) == 0
    assert 'python -m torchlet run script.py' in capsys.readouterr().out
    assert main(['run', '--help']) == 0
    assert 'usage:' in capsys.readouterr().out
    assert main([]) == 2
    assert 'usage:' in capsys.readouterr().err
    assert main(['frobnicate']) == 2
    assert "unknown command 'frobnicate'" in capsys.readouterr().err
    assert main(['run', 'missing.py']) == 2
    err = capsys.readouterr().err
    assert "can't open file" in err and 'missing.py' in err and 'No such file' in err
    assert main(['run', '-m']) == 2
    assert not compat.is_installed()


# -- in-process alias ------------------------------------------------------------------------------
def test_install_aliases_the_same_module_objects(alias):
    import torch as t
    import torch.autograd
    import torch.backends.cudnn
    import torch.cuda.amp
    from torch import autograd
    assert t is torchlet and t.Tensor is torchlet.Tensor
    assert sys.modules['torch.autograd'] is torchlet.autograd is autograd
    assert sys.modules['torch.backends.cudnn'] is torchlet.backends.cudnn
    assert sys.modules['torch.cuda.amp'] is torchlet.cuda.amp
    # the modules keep describing themselves as torchlet's
    assert torchlet.autograd.__spec__.name == 'torchlet.autograd'
    assert torchlet.__spec__.name == 'torchlet'
    assert isinstance(t.tensor([1.0]), torchlet.Tensor)


def test_install_uninstall_restores_real_torch():
    real = sys.modules['torch']
    compat.install()
    compat.install()  # idempotent
    try:
        assert compat.is_installed()
        import torch as t
        assert t is torchlet
    finally:
        compat.uninstall()
    compat.uninstall()  # idempotent
    assert not compat.is_installed()
    import torch as t
    assert t is real and sys.modules['torch.nn'] is real.nn
    assert compat._finder not in sys.meta_path


def test_missing_submodule_is_import_error_naming_it(alias):
    with pytest.raises(ModuleNotFoundError, match=r'^torch\._surely_missing is not yet implemented in '
                       r'torchlet$'):
        import torch._surely_missing  # noqa: F401
    with pytest.raises(ImportError):
        from torch import _surely_missing  # noqa: F401


def test_functional_import_or_error_naming_it(alias):
    if importlib.util.find_spec('torchlet.nn') is None or \
            importlib.util.find_spec('torchlet.nn.functional') is None:
        with pytest.raises(ImportError, match='torch.nn'):
            import torch.nn.functional  # noqa: F401
    else:
        import torch.nn.functional as F
        assert F is torchlet.nn.functional


def test_torchvision_alias(alias):
    if importlib.util.find_spec('torchlet.vision') is None:
        with pytest.raises(ModuleNotFoundError, match='^torchvision is not yet implemented in torchlet$'):
            import torchvision  # noqa: F401
    else:
        import torchvision
        assert torchvision is torchlet.vision


def test_error_inside_torchlet_module_is_not_masked(alias, monkeypatch, tmp_path):
    """A torchlet module that fails to import for its own reasons keeps its real error."""
    pkg = tmp_path / 'broken_mod.py'
    pkg.write_text('import module_that_does_not_exist_anywhere\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(compat, '_ALIASES', (('torch', 'torchlet'), ('tbroken', 'broken_mod')))
    with pytest.raises(ModuleNotFoundError, match="No module named 'module_that_does_not_exist_anywhere'"):
        import tbroken  # noqa: F401
    sys.modules.pop('broken_mod', None)


# -- missing attributes ----------------------------------------------------------------------------
def test_missing_attribute_message_and_hasattr():
    with pytest.raises(AttributeError) as e:
        torchlet.fft_something
    assert str(e.value) == ("module 'torch' has no attribute 'fft_something' (torch.fft_something is not "
                            "yet implemented in torchlet)")
    assert not hasattr(torchlet, 'fft_something')
    assert getattr(torchlet, 'fft_something', 7) == 7
    with pytest.raises(AttributeError, match=r"^module 'torch' has no attribute '__wrapped__'$"):
        torchlet.__wrapped__
    with pytest.raises(AttributeError, match=r'torch\.cuda\.nope is not yet implemented in torchlet'):
        torchlet.cuda.nope
    with pytest.raises(AttributeError, match=r'torch\.backends\.xnnpack is not yet implemented'):
        torchlet.backends.xnnpack


def test_getattr_imports_existing_submodules_lazily():
    saved = sys.modules.pop('torchlet.mps', None), torchlet.__dict__.pop('mps', None)
    try:
        assert torchlet.mps.is_available() is False
        assert sys.modules['torchlet.mps'] is torchlet.mps
    finally:
        if saved[0] is not None:
            sys.modules['torchlet.mps'] = saved[0]
            torchlet.mps = saved[0]


# -- versions --------------------------------------------------------------------------------------
def test_version_module():
    import torchlet.version as v
    assert v.__version__ is torchlet.__version__ and isinstance(torchlet.__version__, str)
    assert v.cuda is None and torch.version.cuda is None
    assert v.hip is None and v.debug is False


VERSION_PAIRS = [('2.1.0', '2.0'), ('0.10.1', '0.9'), ('1.13.1', '1.13.1'), ('2.0.0', (2, 0)),
                 ('2.0.0', (2, 0, 1)), ('0.1.0', '2.0'), ('1.12', [1, 12, 0]), ('2.0', '2.0.0'),
                 ('2.0.0+cpu', '2.0.0'), ('2.0.0a0', '2.0.0'), ('2.0.0rc1', '2.0.0b2'),
                 ('2.0.0.dev20230101', '2.0.0a0'), ('2.0.0.post1', '2.0.0+cu118'), ('2.1.0+cpu', (2, 1)),
                 ('parrot', 'parrot'), ('parrot', '1.0')]


@pytest.mark.parametrize('a,b', VERSION_PAIRS)
def test_version_compares_like_torch(a, b):
    from torch._vendor.packaging.version import Version  # the Version class torch compares with
    from torch.torch_version import TorchVersion as Theirs
    from torchlet.version import TorchVersion as Ours
    def outcome(op, x, y):
        try:
            return op(x, y)
        except TypeError:
            return TypeError

    others = [b] + ([Version(b)] if isinstance(b, str) and b != 'parrot' else [])
    for other in others:
        for op in (operator.lt, operator.le, operator.gt, operator.ge, operator.eq):
            assert outcome(op, Ours(a), other) == outcome(op, Theirs(a), other), (a, op, other)
            assert outcome(op, other, Ours(a)) == outcome(op, other, Theirs(a)), (other, op, a)
        assert (Ours(a) != other) == (not Theirs(a) == other)  # torch's != is str's; ours is not ==
