"""``python -m torchlet.examples list | run NAME [options]``: the example gallery's command line."""
import sys

from . import describe, load

USAGE = """\
usage: python -m torchlet.examples list              the examples, with the notes each comes from
       python -m torchlet.examples run NAME [options] run one (outputs in ./out/NAME by default)
       python -m torchlet.examples run NAME --help    the options of one example"""


def list_examples(file=None):
    """Print one line per example: name, description, seed notes."""
    table = describe()
    width = max(map(len, table), default=0)
    for name, info in table.items():
        print(f"{name:<{width}}  {info['description']}  [seed {info['seed']}]", file=file or sys.stdout)


def main(argv=None):
    """Dispatch the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ('-h', '--help', 'help'):
        print(USAGE, file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == 'list':
        list_examples()
        return 0
    if command == 'run':
        if not rest or rest[0].startswith('-'):
            print(f"torchlet.examples run: which example? one of: {', '.join(describe())}\n\n{USAGE}", file=sys.stderr)
            return 2
        try:
            module = load(rest[0])
        except KeyError as error:
            print(f"torchlet.examples run: {error.args[0]}", file=sys.stderr)
            return 2
        try:
            module.main(rest[1:])
        except FileNotFoundError as error:  # a data file: say which, without a traceback
            print(f"torchlet.examples run {rest[0]}: error: {error}", file=sys.stderr)
            return 1
        return 0
    print(f"torchlet.examples: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main())
