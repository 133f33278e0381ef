"""``python -m torchlet``: run unmodified PyTorch programs on torchlet (see torchlet.compat)."""
import os
import sys
import types

USAGE = """\
usage: python -m torchlet run script.py [args ...]
       python -m torchlet run -m module [args ...]
       python -m torchlet --version | --help

Run a PyTorch program unchanged on torchlet: `import torch` (and every torch.X submodule) resolves
to torchlet, `import torchvision` to torchlet.vision. The program sees sys.argv = [script, args ...]
and runs as __main__, exactly as with `python script.py args ...`.

commands:
  run script.py [args ...]   run a script
  run -m module [args ...]   run a module as a script, like `python -m module`

options:
  -h, --help                 show this help and exit
  -V, --version              show torchlet's version and exit"""


def main(argv=None):
    """Parse the command line and dispatch; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        print(USAGE, file=sys.stderr)
        return 2
    cmd, rest = argv[0], argv[1:]
    if cmd in ('-h', '--help', 'help'):
        print(USAGE)
        return 0
    if cmd in ('-V', '--version'):
        print(version_line())
        return 0
    if cmd == 'run':
        if not rest or rest[0] in ('-h', '--help'):
            print(USAGE, file=sys.stdout if rest else sys.stderr)
            return 0 if rest else 2
        if rest[0] == '-m':
            if len(rest) < 2:
                print("torchlet run: -m needs a module name", file=sys.stderr)
                return 2
            return run_module(rest[1], rest[2:])
        return run_script(rest[0], rest[1:])
    print(f"torchlet: unknown command '{cmd}'\n\n{USAGE}", file=sys.stderr)
    return 2


def version_line():
    import platform
    import numpy
    import torchlet
    return (f"torchlet {torchlet.__version__} (NumPy {numpy.__version__}, Python "
            f"{platform.python_version()})")


def run_script(path, args):
    """Run the file at ``path`` as ``__main__`` with the torch alias installed."""
    full = os.path.abspath(path)
    try:
        with open(full, 'rb') as f:
            source = f.read()
    except OSError as e:
        print(f"torchlet: can't open file {full!r}: [Errno {e.errno}] {e.strerror}", file=sys.stderr)
        return 2
    from importlib.machinery import SourceFileLoader
    _prepare([path] + list(args), os.path.dirname(full))
    main_mod = types.ModuleType('__main__')
    main_mod.__dict__.update(__file__=full, __cached__=None, __package__=None, __spec__=None,
                             __loader__=SourceFileLoader('__main__', full),
                             __builtins__=sys.modules['builtins'])
    sys.modules['__main__'] = main_mod
    return _guarded(lambda: exec(compile(source, full, 'exec', dont_inherit=True), main_mod.__dict__))


def run_module(name, args):
    """Run module ``name`` as ``__main__`` (like ``python -m name``) with the torch alias installed."""
    import runpy
    _prepare([name] + list(args), os.getcwd())
    return _guarded(lambda: runpy.run_module(name, run_name='__main__', alter_sys=True))


def _prepare(argv, path0):
    """Install the alias and set sys.argv and sys.path[0] as Python does for a script."""
    import torchlet
    from torchlet import compat
    compat.install()
    sys.argv = argv
    home = os.path.dirname(os.path.dirname(os.path.abspath(torchlet.__file__)))
    sys.path[0] = path0
    if home not in sys.path:  # keep torchlet importable (e.g. by worker processes)
        sys.path.append(home)


def _guarded(fn):
    """Run fn; on an uncaught exception print its traceback without this runner's frames."""
    try:
        fn()
    except SystemExit:
        raise
    except BaseException as e:
        e.__traceback__ = _strip_runner_frames(e.__traceback__)  # the default hook prints this one
        sys.excepthook(type(e), e, e.__traceback__)
        return 130 if isinstance(e, KeyboardInterrupt) else 1
    return 0


def _strip_runner_frames(tb):
    """The traceback without frames of this module, torchlet.compat and runpy."""
    import runpy
    from torchlet import compat
    hidden = {os.path.abspath(__file__), os.path.abspath(compat.__file__), os.path.abspath(runpy.__file__),
              '<frozen runpy>'}
    frames = []
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name not in hidden and os.path.abspath(name) not in hidden:
            frames.append(tb)
        tb = tb.tb_next
    for a, b in zip(frames, frames[1:] + [None]):
        a.tb_next = b
    return frames[0] if frames else None


if __name__ == '__main__':
    sys.exit(main())
