"""Recurrent networks, basics (seed 004, 刘二大人《PyTorch深度学习实践》lectures 11–12): learn the
sequence-to-sequence mapping "hello" -> "ohlol" three ways.

1. ``cell``: ``torch.nn.RNNCell(4, 4)`` applied step by step to one-hot characters; the hidden
   state (4 values, one per character) is the output; the loss is the sum of the 5
   ``CrossEntropyLoss`` terms; ``Adam(lr=0.1)``, 15 epochs.
2. ``rnn``: ``torch.nn.RNN(4, 4)`` over the whole (seq_len=5, batch=1, 4) one-hot sequence at
   once; ``Adam(lr=0.05)``, 15 epochs.
3. ``embedding``: the lecture's improvement: ``nn.Embedding(4, 10)`` instead of one-hot vectors,
   a 2-layer ``nn.RNN(10, 8, batch_first=True)`` and ``nn.Linear(8, 4)`` on top; ``Adam(lr=0.05)``,
   15 epochs.

Each prints the lecture's ``Predicted string: ..., Epoch [i/15] loss=...`` lines. First it prints the
shapes of the lecture's RNNCell / RNN demonstration (batch 1, seq_len 3, input 4, hidden 2).

    python -m torchlet.examples run rnn_basics                  # all three
    python -m torchlet.examples run rnn_basics --model cell
"""
import torchlet as torch

from ._common import Run, make_parser, parse_args

NAME = 'rnn_basics'
DESCRIPTION = 'RNNCell, nn.RNN and Embedding+RNN learning "hello" -> "ohlol" (Liu Er lecture 12)'
SEED = '004 lectures 11–12'

IDX2CHAR = ['e', 'h', 'l', 'o']
X_DATA = [1, 0, 2, 2, 3]    # hello
Y_DATA = [3, 1, 2, 3, 2]    # ohlol
ONE_HOT_LOOKUP = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
DEFAULT_LR = {'cell': 0.1, 'rnn': 0.05, 'embedding': 0.05}
TITLES = {'cell': 'RNNCell, one-hot', 'rnn': 'nn.RNN, one-hot', 'embedding': 'Embedding + 2-layer RNN + Linear'}


class CellModel(torch.nn.Module):
    """One ``RNNCell`` step per call: ``forward(input, hidden) -> hidden``."""

    def __init__(self, input_size, hidden_size, batch_size):
        super(CellModel, self).__init__()
        self.batch_size = batch_size
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.rnncell = torch.nn.RNNCell(input_size=self.input_size, hidden_size=self.hidden_size)

    def forward(self, input, hidden):
        return self.rnncell(input, hidden)

    def init_hidden(self):
        return torch.zeros(self.batch_size, self.hidden_size)


class RNNModel(torch.nn.Module):
    """``nn.RNN`` over the whole sequence; output reshaped to (seq_len * batch, hidden_size)."""

    def __init__(self, input_size, hidden_size, batch_size, num_layers=1):
        super(RNNModel, self).__init__()
        self.num_layers = num_layers
        self.batch_size = batch_size
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.rnn = torch.nn.RNN(input_size=self.input_size, hidden_size=self.hidden_size, num_layers=num_layers)

    def forward(self, input):
        hidden = torch.zeros(self.num_layers, self.batch_size, self.hidden_size)
        out, _ = self.rnn(input, hidden)
        return out.view(-1, self.hidden_size)


class EmbeddingModel(torch.nn.Module):
    """Embedding -> 2-layer RNN (batch_first) -> Linear; (batch, seq_len) indices ->
    (batch * seq_len, num_class) scores."""

    def __init__(self, input_size=4, embedding_size=10, hidden_size=8, num_layers=2, num_class=4):
        super(EmbeddingModel, self).__init__()
        self.num_layers, self.hidden_size, self.num_class = num_layers, hidden_size, num_class
        self.emb = torch.nn.Embedding(input_size, embedding_size)
        self.rnn = torch.nn.RNN(input_size=embedding_size, hidden_size=hidden_size, num_layers=num_layers,
                                batch_first=True)
        self.fc = torch.nn.Linear(hidden_size, num_class)

    def forward(self, x):
        hidden = torch.zeros(self.num_layers, x.size(0), self.hidden_size)
        x = self.emb(x)             # (batch, seqLen, embeddingSize)
        x, _ = self.rnn(x, hidden)
        x = self.fc(x)
        return x.view(-1, self.num_class)


def shapes_demo():
    """The lecture's shape walk-through of RNNCell and RNN (printed, and returned as a dict)."""
    batch_size, seq_len, input_size, hidden_size, num_layers = 1, 3, 4, 2, 1
    shapes = {}
    cell = torch.nn.RNNCell(input_size=input_size, hidden_size=hidden_size)
    dataset = torch.randn(seq_len, batch_size, input_size)
    hidden = torch.zeros(batch_size, hidden_size)
    for idx, input in enumerate(dataset):
        print('=' * 20, idx, '=' * 20)
        print('Input size: ', input.shape)
        hidden = cell(input, hidden)
        print('outputs size: ', hidden.shape)
        print(hidden)
    shapes['cell_hidden'] = list(hidden.shape)
    rnn = torch.nn.RNN(input_size=input_size, hidden_size=hidden_size, num_layers=num_layers)
    inputs = torch.randn(seq_len, batch_size, input_size)
    out, hidden = rnn(inputs, torch.zeros(num_layers, batch_size, hidden_size))
    print('Output size:', out.shape)
    print('Output:', out)
    print('Hidden size: ', hidden.shape)
    print('Hidden: ', hidden)
    shapes.update(rnn_output=list(out.shape), rnn_hidden=list(hidden.shape))
    return shapes


def _predicted(idx):
    return ''.join(IDX2CHAR[int(i)] for i in idx)


def train_cell(run, lr, epochs):
    """Program 1: RNNCell, the loss summed over the time steps."""
    input_size, hidden_size, batch_size = 4, 4, 1
    x_one_hot = [ONE_HOT_LOOKUP[x] for x in X_DATA]
    inputs = torch.Tensor(x_one_hot).view(-1, batch_size, input_size)
    labels = torch.LongTensor(Y_DATA).view(-1, 1)
    net = CellModel(input_size, hidden_size, batch_size)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    losses, strings = [], []
    for epoch in range(epochs):
        loss = 0
        optimizer.zero_grad()
        hidden = net.init_hidden()
        chars = []
        for input, label in zip(inputs, labels):
            hidden = net(input, hidden)
            loss += criterion(hidden, label)
            _, idx = hidden.max(dim=1)
            chars.append(IDX2CHAR[idx.item()])
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        strings.append(''.join(chars))
        print('Predicted string: %s, Epoch [%d/%d] loss=%.4f' % (strings[-1], epoch + 1, epochs, losses[-1]))
    return losses, strings


def _train_whole_sequence(net, inputs, labels, lr, epochs):
    """Programs 2 and 3: one forward over the whole sequence per epoch."""
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    losses, strings = [], []
    for epoch in range(epochs):
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        _, idx = outputs.max(dim=1)
        losses.append(loss.item())
        strings.append(_predicted(idx.tolist()))
        print('Predicted: %s, Epoch [%d/%d] loss = %.3f' % (strings[-1], epoch + 1, epochs, losses[-1]))
    return losses, strings


def train_rnn(run, lr, epochs):
    """Program 2: nn.RNN on one-hot inputs (seq_len, batch, input_size)."""
    input_size, hidden_size, batch_size, seq_len = 4, 4, 1, 5
    inputs = torch.Tensor([ONE_HOT_LOOKUP[x] for x in X_DATA]).view(seq_len, batch_size, input_size)
    labels = torch.LongTensor(Y_DATA)
    net = RNNModel(input_size, hidden_size, batch_size, num_layers=1)
    return _train_whole_sequence(net, inputs, labels, lr, epochs)


def train_embedding(run, lr, epochs):
    """Program 3: Embedding + RNN + Linear on index inputs (batch, seq_len)."""
    inputs = torch.LongTensor([X_DATA])
    labels = torch.LongTensor(Y_DATA)
    net = EmbeddingModel()
    return _train_whole_sequence(net, inputs, labels, lr, epochs)


PROGRAMS = {'cell': train_cell, 'rnn': train_rnn, 'embedding': train_embedding}


def build_parser():
    parser = make_parser(NAME, DESCRIPTION, epochs=15, lr=None, seed=0,
                         lr_help='Adam learning rate (default: the lecture\'s, 0.1 for cell, 0.05 otherwise)')
    parser.add_argument('--model', choices=('all', *PROGRAMS), default='all', help='which program to run')
    parser.add_argument('--no-shapes', action='store_true', help='skip the shape walk-through')
    return parser


def main(argv=None):
    args = parse_args(build_parser(), argv)
    run = Run(NAME, args)
    shapes = None if args.no_shapes else shapes_demo()
    names = list(PROGRAMS) if args.model == 'all' else [args.model]
    history, summary = {}, {}
    for name in names:
        lr = args.lr or DEFAULT_LR[name]
        run.log(f'{TITLES[name]} (Adam lr={lr}, {args.epochs} epochs):')
        torch.manual_seed(args.seed)    # each program starts from the same seed, as when run alone
        losses, strings = PROGRAMS[name](run, lr, args.epochs)
        history[name] = {'loss': losses, 'predicted': strings}
        summary[f'{name}_predicted'] = strings[-1] if strings else None
        summary[f'{name}_final_loss'] = losses[-1] if losses else None
        summary[f'{name}_first_loss'] = losses[0] if losses else None
    run.plot_curves('loss.png', {TITLES[n]: history[n]['loss'] for n in names}, title='"hello" -> "ohlol": loss',
                    xlabel='epoch', ylabel='cross-entropy loss')
    summary['target'] = _predicted(Y_DATA)
    return run.finish(summary, history=history, shapes=shapes)


if __name__ == '__main__':
    main()
