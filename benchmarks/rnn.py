"""Recurrent training-step benchmark: torch vs torchlet in one run.

    python benchmarks/rnn.py                # all workloads, torch's default thread count
    python benchmarks/rnn.py --threads 1    # both libraries single-threaded
    python benchmarks/rnn.py --only tagger  # workloads whose name contains 'tagger'
    python benchmarks/rnn.py --profile forecaster  # cProfile torchlet on one workload

Workloads (one training step = forward + backward + optimizer step):
  tagger       the part-of-speech tagger of the seed's section 7.7: Embedding(9, 6) -> LSTM(6, 6) ->
               Linear(6, 3) -> log_softmax -> NLLLoss, one 5-word sentence at a time, SGD(lr=0.1)
  forecaster   the stock forecaster of section 7.8: LSTM(in, hidden, 2 layers, batch_first) on
               sequences of 30 days, batch 64, last step -> Linear(hidden, 1), MSELoss, Adam
  names        the name classifier of lecture 13: Embedding(128, 64) -> packed bidirectional GRU(64, 64)
               over names of 3..12 letters, batch 64 -> Linear(128, 18), CrossEntropyLoss, Adam
Each entry is the median over alternating repeats of the mean time per step (benchmarks/ops.py's
timing); the target is torchlet <= 1.0x PyTorch's time. Not a test: nothing is asserted.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import torch  # noqa: E402
import torchlet  # noqa: E402
from ops import median_times, fmt  # noqa: E402  (benchmarks/ops.py)

TARGET = 1.0


def tagger(lib, rng):
    """Seed 001 section 7.7: one sentence per step."""
    nn, F = lib.nn, lib.nn.functional

    class LSTMTagger(nn.Module):
        def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
            super().__init__()
            self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
            self.lstm = nn.LSTM(embedding_dim, hidden_dim)
            self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

        def forward(self, sentence):
            embeds = self.word_embeddings(sentence)
            lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
            tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
            return F.log_softmax(tag_space, dim=1)

    lib.manual_seed(1)
    model = LSTMTagger(6, 6, 9, 3)
    loss_function = nn.NLLLoss()
    optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
    sentence = lib.tensor(rng.integers(0, 9, 5))
    targets = lib.tensor(rng.integers(0, 3, 5))

    def step():
        model.zero_grad()
        loss = loss_function(model(sentence), targets)
        loss.backward()
        optimizer.step()
    return step


def forecaster(in_dim, hidden_dim):
    """Seed 001 section 7.8: LSTM over 30 days -> linear head on the last step."""
    def build(lib, rng):
        nn = lib.nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = nn.LSTM(in_dim, hidden_dim, 2, batch_first=True)
                self.linear = nn.Linear(hidden_dim, 1)

            def forward(self, x):
                out, _ = self.lstm(x)
                return self.linear(out[:, -1, :])

        lib.manual_seed(1)
        model = Net()
        criterion = nn.MSELoss()
        optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
        x = lib.tensor(rng.standard_normal((64, 30, in_dim)).astype(np.float32))
        y = lib.tensor(rng.standard_normal((64, 1)).astype(np.float32))

        def step():
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        return step
    return build


def names(lib, rng):
    """Lecture 13's name classifier: packed, bidirectional, 2-layer GRU."""
    nn = lib.nn
    pack = lib.nn.utils.rnn.pack_padded_sequence

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(128, 64)
            self.gru = nn.GRU(64, 64, 2, bidirectional=True)
            self.fc = nn.Linear(128, 18)

        def forward(self, seqs, lengths):
            emb = self.embedding(seqs.t())
            _, hidden = self.gru(pack(emb, lengths))
            return self.fc(lib.cat([hidden[-1], hidden[-2]], dim=1))

    lib.manual_seed(1)
    model = Classifier()
    criterion = nn.CrossEntropyLoss()
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
    lengths = np.sort(rng.integers(3, 13, 64))[::-1].copy()
    seqs = rng.integers(1, 128, (64, 12))
    seqs[np.arange(12)[None, :] >= lengths[:, None]] = 0
    seqs, lens, target = lib.tensor(seqs), lib.tensor(lengths), lib.tensor(rng.integers(0, 18, 64))

    def step():
        optimizer.zero_grad()
        loss = criterion(model(seqs, lens), target)
        loss.backward()
        optimizer.step()
    return step


WORKLOADS = [('tagger (seq 5, hidden 6, batch 1)', tagger),
             ('forecaster in 1, hidden 32', forecaster(1, 32)),
             ('forecaster in 1, hidden 64', forecaster(1, 64)),
             ('forecaster in 5, hidden 64', forecaster(5, 64)),
             ('names (packed bi-GRU 2x64)', names)]


def build(fn, lib):
    try:
        step = fn(lib, np.random.default_rng(0))
        step()
        return step, None
    except Exception as e:  # noqa: BLE001  (a missing piece shows as n/a, with the reason)
        return None, f'{type(e).__name__}: {e}'


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--threads', type=int, default=torch.get_num_threads())
    p.add_argument('--repeat', type=int, default=7)
    p.add_argument('--only', default='')
    p.add_argument('--profile', metavar='WORKLOAD')
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torchlet.set_num_threads(args.threads)
    work = [(n, f) for n, f in WORKLOADS if args.only in n]
    if args.profile:
        import cProfile
        import pstats
        name, fn = next((n, f) for n, f in WORKLOADS if args.profile in n)
        step, err = build(fn, torchlet)
        if step is None:
            sys.exit(f'{name}: {err}')
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(200 if 'tagger' in name else 20):
            step()
        prof.disable()
        pstats.Stats(prof).strip_dirs().sort_stats('tottime').print_stats(25)
        return
    print(f"torch {torch.__version__} | torchlet {torchlet.__version__} | numpy {np.__version__} | "
          f"threads {torch.get_num_threads()} (torch) / {torchlet.get_num_threads()} (torchlet BLAS)")
    header = f"{'training step':36} {'torch':>11} {'torchlet':>11} {'ratio':>7}  target"
    print(header)
    print('-' * len(header))
    notes = []
    for name, fn in work:
        fn_th, err_th = build(fn, torch)
        fn_tl, err_tl = build(fn, torchlet)
        t_th, t_tl = median_times([fn_th, fn_tl], 0.2, args.repeat)
        for lib, err in (('torchlet', err_tl), ('torch', err_th)):
            if err:
                notes.append(f'{name} ({lib}): {err[:200]}')
        ratio = f'{t_tl / t_th:6.2f}x' if t_th and t_tl else '   n/a'
        flag = ' !' if t_th and t_tl and t_tl / t_th > TARGET else ''
        print(f'{name:36} {fmt(t_th):>11} {fmt(t_tl):>11} {ratio:>7}  {TARGET:.1f}x{flag}')
    if notes:
        print('\nn/a entries:')
        for n in notes:
            print('  ' + n)


if __name__ == '__main__':
    main()
