"""Classify surnames by country with a bidirectional GRU (seed 004, 刘二大人《PyTorch深度学习实践》
lecture 13 "循环神经网络高阶").

The lecture's program: each name becomes the ASCII codes of its letters (``N_CHARS = 128``), the
batch is zero-padded and sorted by length, ``nn.Embedding(128, 100)`` -> ``pack_padded_sequence``
-> 2-layer bidirectional ``nn.GRU(100, 100)``; the last layer's final hidden states of both
directions are concatenated and a ``nn.Linear(200, n_countries)`` scores the countries.
``CrossEntropyLoss``, ``Adam(lr=0.001)``, batches of 256, 100 epochs, the test accuracy after each
epoch (the lecture reaches about 84 % on 18 countries).

Data. The lecture's ``names_train.csv.gz`` / ``names_test.csv.gz`` (lines ``name,country``) are
not available here, so by default the example trains on a small synthetic data set of surnames
of 8 countries, built from typical stems and endings (see ``torchlet/examples/_names.py``): it is
easier than the real one. Pass ``--data DIR`` holding the two lecture files to use them instead.

    python -m torchlet.examples run gru_classifier
    python -m torchlet.examples run gru_classifier --predict "Nakamura,O'Brien,Petrov"
"""
import csv
import gzip
import math
import os
import time

import torchlet as torch
from torchlet.nn.utils.rnn import pack_padded_sequence
from torchlet.utils.data import DataLoader, Dataset

from ._common import Run, make_parser, parse_args
from ._names import synthetic_names

NAME = 'gru_classifier'
DESCRIPTION = 'bidirectional GRU over characters: surname -> country (Liu Er lecture 13; synthetic names)'
SEED = '004 lecture 13'
SEED_REPORTED = {'test_accuracy': 0.84, 'note': 'the lecture plots about 84 % on the real 18-country data set'}
N_CHARS = 128


class NameDataset(Dataset):
    """(name, country index) pairs; ``country_list`` is the sorted list of countries."""

    def __init__(self, pairs, country_list):
        self.names = [name for name, _ in pairs]
        self.countries = [country for _, country in pairs]
        self.len = len(self.names)
        self.country_list = country_list
        self.country_dict = {c: i for i, c in enumerate(country_list)}

    def __getitem__(self, index):
        return self.names[index], self.country_dict[self.countries[index]]

    def __len__(self):
        return self.len

    def idx2country(self, index):
        return self.country_list[index]

    def getCountriesNum(self):
        return len(self.country_list)


def read_pairs(path):
    """(name, country) rows of one of the lecture's ``.csv.gz`` files."""
    with gzip.open(path, 'rt', encoding='utf-8') as f:
        return [(row[0], row[1]) for row in csv.reader(f) if len(row) >= 2]


class RNNClassifier(torch.nn.Module):
    """Embedding -> packed (bi)GRU -> Linear on the last layer's final hidden state(s)."""

    def __init__(self, input_size, hidden_size, output_size, n_layers=1, bidirectional=True):
        super(RNNClassifier, self).__init__()
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.n_directions = 2 if bidirectional else 1
        self.embedding = torch.nn.Embedding(input_size, hidden_size)
        self.gru = torch.nn.GRU(hidden_size, hidden_size, n_layers, bidirectional=bidirectional)
        self.fc = torch.nn.Linear(hidden_size * self.n_directions, output_size)

    def _init_hidden(self, batch_size):
        return torch.zeros(self.n_layers * self.n_directions, batch_size, self.hidden_size)

    def forward(self, input, seq_lengths):
        input = input.t()                       # (batch, seq) -> (seq, batch)
        batch_size = input.size(1)
        hidden = self._init_hidden(batch_size).to(input.device)
        embedding = self.embedding(input)       # (seq, batch, hidden)
        gru_input = pack_padded_sequence(embedding, seq_lengths)
        output, hidden = self.gru(gru_input, hidden)
        if self.n_directions == 2:
            hidden_cat = torch.cat([hidden[-1], hidden[-2]], dim=1)
        else:
            hidden_cat = hidden[-1]
        return self.fc(hidden_cat)


def name2list(name):
    arr = [ord(c) for c in name]
    return arr, len(arr)


def make_tensors(names, countries):
    """Padded (batch, max_len) ASCII codes, lengths and targets, sorted by decreasing length."""
    sequences_and_lengths = [name2list(name) for name in names]
    name_sequences = [sl[0] for sl in sequences_and_lengths]
    seq_lengths = torch.LongTensor([sl[1] for sl in sequences_and_lengths])
    countries = countries.long()
    seq_tensor = torch.zeros(len(name_sequences), seq_lengths.max()).long()
    for idx, (seq, seq_len) in enumerate(zip(name_sequences, seq_lengths), 0):
        seq_tensor[idx, :seq_len] = torch.LongTensor(seq)
    seq_lengths, perm_idx = seq_lengths.sort(dim=0, descending=True)
    seq_tensor = seq_tensor[perm_idx]
    countries = countries[perm_idx]
    return seq_tensor, seq_lengths, countries


def check_names(names):
    """Reject names the ASCII embedding cannot read."""
    for name in names:
        bad = [c for c in name if ord(c) >= N_CHARS]
        if bad or not name:
            raise SystemExit(f'cannot classify {name!r}: names must be non-empty ASCII '
                             f'(characters with code < {N_CHARS}){", got " + repr(bad[0]) if bad else ""}')


def load_datasets(run):
    """(trainset, testset, description) from --data (the lecture's files) or the synthetic names."""
    args = run.args
    if args.data:
        files = [os.path.join(args.data, f'names_{split}.csv.gz') for split in ('train', 'test')]
        missing = [f for f in files if not os.path.isfile(f)]
        if missing:
            raise SystemExit(f'--data {args.data}: missing {", ".join(missing)}')
        train, test = (read_pairs(f) for f in files)
        source = f'the lecture\'s names files in {args.data}'
    else:
        train, test = synthetic_names(args.train_per_country, args.test_per_country)
        source = 'synthetic surnames (the lecture\'s names files are not available)'
    check_names([name for name, _ in train + test])
    countries = sorted({c for _, c in train})
    trainset, testset = NameDataset(train, countries), NameDataset(test, countries)
    run.log(f'data: {source}: {len(trainset)} training / {len(testset)} test names, {len(countries)} countries')
    return trainset, testset, source


def time_since(since):
    s = time.time() - since
    return '%dm %ds' % (math.floor(s / 60), s - math.floor(s / 60) * 60)


def train_model(run, classifier, loader, criterion, optimizer, epoch, start):
    """One epoch; prints the lecture's progress line (loss summed over the batches / names seen)
    every 10 batches with --verbose; returns the mean batch loss."""
    total_loss, seen, i = 0.0, 0, 0
    for i, (names, countries) in enumerate(run.progress(loader, desc=f'epoch {epoch}'), 1):
        inputs, seq_lengths, target = make_tensors(names, countries)
        output = classifier(inputs.to(run.device), seq_lengths)
        loss = criterion(output, target.to(run.device))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item()
        seen += len(inputs)
        if i % 10 == 0 and run.args.verbose:
            print(f'[{time_since(start)}] Epoch {epoch} [{seen}/{len(loader.dataset)}] loss={total_loss / seen}')
    return total_loss / max(i, 1)


def test_model(classifier, loader, device):
    """Test-set accuracy."""
    correct, total = 0, len(loader.dataset)
    with torch.no_grad():
        for names, countries in loader:
            inputs, seq_lengths, target = make_tensors(names, countries)
            output = classifier(inputs.to(device), seq_lengths)
            pred = output.max(dim=1, keepdim=True)[1]
            correct += pred.eq(target.to(device).view_as(pred)).sum().item()
    return correct / max(total, 1)


def predict(classifier, names, country_list, device):
    """{name: predicted country} for a list of names."""
    with torch.no_grad():
        inputs, seq_lengths, order = make_tensors(names, torch.arange(len(names)))
        pred = classifier(inputs.to(device), seq_lengths).argmax(dim=1).tolist()
    return {names[int(i)]: country_list[p] for i, p in zip(order.tolist(), pred)}


def build_parser():
    parser = make_parser(NAME, DESCRIPTION, epochs=100, lr=0.001, seed=0, batch_size=256,
                         data="folder with the lecture's names_train.csv.gz and names_test.csv.gz "
                              "(default: synthetic names)")
    parser.add_argument('--hidden-size', type=int, default=100, help='HIDDEN_SIZE (embedding and GRU)')
    parser.add_argument('--layers', type=int, default=2, help='N_LAYER')
    parser.add_argument('--unidirectional', action='store_true', help='a one-directional GRU')
    parser.add_argument('--train-per-country', type=int, default=300, help='synthetic training names per country')
    parser.add_argument('--test-per-country', type=int, default=100, help='synthetic test names per country')
    parser.add_argument('--predict', default="Nakamura,O'Brien,Petrov,Rossetti,Zhang,Schneider,Haddad,Thompson",
                        help='comma-separated names to classify after training')
    parser.add_argument('--verbose', action='store_true', help="print the lecture's line every 10 batches")
    return parser


def main(argv=None):
    args = parse_args(build_parser(), argv)
    names = [n.strip() for n in args.predict.split(',') if n.strip()]
    check_names(names)
    run = Run(NAME, args)
    trainset, testset, source = load_datasets(run)
    trainloader = DataLoader(trainset, batch_size=args.batch_size, shuffle=True)
    testloader = DataLoader(testset, batch_size=args.batch_size, shuffle=False)
    n_country = trainset.getCountriesNum()

    classifier = RNNClassifier(N_CHARS, args.hidden_size, n_country, args.layers,
                               bidirectional=not args.unidirectional).to(run.device)
    criterion = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(classifier.parameters(), lr=args.lr)

    start = time.time()
    losses, acc_list = [], []
    for epoch in range(1, args.epochs + 1):
        classifier.train()
        losses.append(train_model(run, classifier, trainloader, criterion, optimizer, epoch, start))
        classifier.eval()
        acc_list.append(test_model(classifier, testloader, run.device))
        run.log_epoch(epoch, args.epochs, loss=losses[-1], test_acc=acc_list[-1], time=time_since(start))

    predictions = predict(classifier, names, trainset.country_list, run.device) if names else {}
    for name in names:
        run.log(f'{name} -> {predictions[name]}')
    run.plot_curves('accuracy.png', {'test': acc_list}, title='test accuracy', xlabel='epoch', ylabel='accuracy')
    run.plot_curves('loss.png', {'train': losses}, title='training loss (mean over the batches)', xlabel='epoch',
                    ylabel='loss')
    summary = {
        'test_accuracy': acc_list[-1] if acc_list else None,
        'best_test_accuracy': max(acc_list) if acc_list else None,
        'first_loss': losses[0] if losses else None,
        'final_loss': losses[-1] if losses else None,
        'countries': len(trainset.country_list),
        'data': source,
    }
    return run.finish(summary, history={'loss': losses, 'test_acc': acc_list}, predictions=predictions,
                      countries=trainset.country_list, seed_reported=SEED_REPORTED)


if __name__ == '__main__':
    main()
