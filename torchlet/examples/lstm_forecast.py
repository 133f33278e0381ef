"""Forecast the daily high of the CSI 300 index (沪深300) with an LSTM (seed 001 §7.8).

The notes' model: the high of a day depends on the highs of the n = 30 days before it. Every day
from the 31st on gives one sample, (30 previous highs, today's high); the last 600 days
(``train_end = -600``) are the test set. Samples are normalized with the mean and standard deviation
of the whole training matrix (one scalar each, ``np.mean`` / ``np.std``), served by a
``DataLoader(batch_size=20, shuffle=False)`` and fed as ``(batch, seq_len=1, input_size=30)`` to
``nn.LSTM(30, 64, batch_first=True)`` + ``nn.Linear(64, 1)``, trained with ``MSELoss`` and
``Adam(lr=0.001)`` for 200 epochs. Afterwards every window of the whole series is predicted and
plotted against the real highs (图7-16 the series, 图7-17 the loss, 图7-18 the first 100 test days
enlarged).

Data. The notes download the index with tushare (``ts.bar('000300', asset='INDEX',
start_date='2010-01-01')``) and report 2,295 rows (图7-15), i.e. 2010-01-04 … 2019-06-14; that is
the default here (``--end 2019-06-14``; ``--end ''`` uses the whole file). tushare cannot be reached
from here, so the default data is a copy of the CSI 300 daily bars 2010–2020 shipped in
``torchlet/examples/data/hs300_2010-2020.csv`` (``/work/shared/data/hs300`` is preferred when it
exists). Any CSV with a date column (``date``, ``datetime`` or ``trade_date``; ``YYYY-MM-DD``,
``YYYY/M/D`` or ``YYYYMMDD``) and a ``high`` column works with ``--csv FILE``; rows are sorted by
date. ``--help`` shows how to export one with tushare or baostock and run on it::

    python -m torchlet.examples run lstm_forecast --csv hs300.csv --end ''
"""
import argparse
import csv
import datetime
import gzip

import numpy as np

import torchlet as torch
import torchlet.nn as nn
from torchlet.utils.data import DataLoader, Dataset

from ._common import Run, find_data_file, make_parser, parse_args

NAME = 'lstm_forecast'
DESCRIPTION = 'LSTM forecast of the CSI 300 daily high from the 30 previous days (tushare/baostock CSV)'
SEED = '001 §7.8'
SEED_REPORTED = {'rows': 2295, 'batch_size': 20,
                 'figures': '图7-16 highs, 图7-17 loss vs iterations (batch-size 20), '
                            '图7-18 predicted vs real, test days enlarged ("预测结果还是不错的")'}
CSV_NAME = 'hs300_2010-2020.csv'
DATE_COLUMNS = ('date', 'datetime', 'trade_date')
DATE_FORMATS = ('%Y-%m-%d', '%Y/%m/%d', '%Y%m%d', '%Y-%m-%d %H:%M:%S')


# ------------------------------------------------------------------------------------- data
def _parse_date(text):
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            pass
    raise ValueError(f'cannot read the date {text!r} (expected one of {", ".join(DATE_FORMATS)})')


def read_series(path, column='high', start=None, end=None):
    """(dates, values) of ``column`` from a CSV file (optionally .gz), sorted by date and limited
    to ``start`` <= date <= ``end`` (ISO strings, or None)."""
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rt', encoding='utf-8-sig', newline='') as f:
        reader = csv.DictReader(f)
        fields = {name.strip().lower(): name for name in reader.fieldnames or ()}
        date_key = next((fields[c] for c in DATE_COLUMNS if c in fields), None)
        if date_key is None or column.lower() not in fields:
            raise ValueError(f'{path}: expected a date column ({" / ".join(DATE_COLUMNS)}) and a {column!r} '
                             f'column, found {", ".join(reader.fieldnames or ())}')
        value_key = fields[column.lower()]
        rows = [(_parse_date(r[date_key]), float(r[value_key])) for r in reader if r[value_key].strip()]
    rows.sort()
    lo = _parse_date(start) if start else datetime.date.min
    hi = _parse_date(end) if end else datetime.date.max
    rows = [r for r in rows if lo <= r[0] <= hi]
    return [r[0] for r in rows], np.array([r[1] for r in rows], dtype=np.float64)


def generate_data_by_n_days(series, n):
    """The notes' sample matrix: row i holds series[i:i + n] (the n previous days) and, in its last
    column, series[i + n] (the day to predict)."""
    if len(series) <= n:
        raise ValueError(f'The Length of series is {len(series)}, while affect by (n={n}).')
    windows = np.lib.stride_tricks.sliding_window_view(series, n + 1)
    return np.ascontiguousarray(windows)


class mytrainset(Dataset):
    """(30 normalized highs, next normalized high) pairs from the sample matrix."""

    def __init__(self, data):
        self.data, self.label = data[:, :-1].float(), data[:, -1].float()

    def __getitem__(self, index):
        return self.data[index], self.label[index]

    def __len__(self):
        return len(self.data)


# ------------------------------------------------------------------------------------ model
class RNN(nn.Module):
    """nn.LSTM(input_size, 64, batch_first=True) followed by nn.Linear(64, 1) at every step."""

    def __init__(self, input_size, hidden_size=64):
        super(RNN, self).__init__()
        self.rnn = nn.LSTM(input_size=input_size, hidden_size=hidden_size, num_layers=1, batch_first=True)
        self.out = nn.Sequential(nn.Linear(hidden_size, 1))

    def forward(self, x):
        r_out, (h_n, h_c) = self.rnn(x, None)   # None: zero initial state
        return self.out(r_out)


# ------------------------------------------------------------------------------------- main
class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Option defaults shown, the epilog's code kept as written."""


EXPORT_HELP = """\
tushare cannot be reached here; the default data is the CSI 300 copy shipped with torchlet.
To use your own export (any CSV with a date column - date, datetime or trade_date - and a high column):

  # tushare pro (token from tushare.pro)
  import tushare as ts
  ts.pro_api('YOUR_TOKEN').index_daily(ts_code='000300.SH', start_date='20100101',
                                       end_date='20201231').to_csv('hs300.csv', index=False)

  # baostock (free, no token)
  import baostock as bs, csv
  bs.login()
  rs = bs.query_history_k_data_plus('sh.000300', 'date,open,high,low,close,volume',
                                    start_date='2010-01-01', end_date='2020-12-31', frequency='d')
  rows = []
  while rs.error_code == '0' and rs.next():
      rows.append(rs.get_row_data())
  bs.logout()
  with open('hs300.csv', 'w', newline='') as f:
      csv.writer(f).writerows([rs.fields] + rows)

then: python -m torchlet.examples run lstm_forecast --csv hs300.csv --end ''"""


def build_parser():
    parser = make_parser(NAME, DESCRIPTION, epochs=200, lr=0.001, seed=1, batch_size=20)
    parser.formatter_class = _HelpFormatter
    parser.epilog = EXPORT_HELP
    parser.add_argument('--csv', default=None,
                        help='CSV with a date and a high column; without it, the CSI 300 copy shipped with torchlet')
    parser.add_argument('--column', default='high', help='the price column to forecast')
    parser.add_argument('--start', default='2010-01-01', help="first date (YYYY-MM-DD; '' for the file's first)")
    parser.add_argument('--end', default='2019-06-14',
                        help="last date (the notes' 2,295 rows end on 2019-06-14; '' for the file's last)")
    parser.add_argument('--n', type=int, default=30, help='days of history per sample (input_size)')
    parser.add_argument('--hidden-size', type=int, default=64, help='LSTM hidden size')
    parser.add_argument('--test-days', type=int, default=600, help='the last N days form the test set (-train_end)')
    return parser


def load(run):
    """(dates, highs, training sample matrix, mean, std, path) for the run's options."""
    args = run.args
    path = args.csv or find_data_file(None, CSV_NAME, 'hs300')
    dates, values = read_series(path, args.column, args.start or None, args.end or None)
    if len(values) < args.test_days + 2 * args.n + 2:
        raise SystemExit(f'{path}: {len(values)} rows between {args.start!r} and {args.end!r} are too few for '
                         f'--n {args.n} and --test-days {args.test_days}')
    train = generate_data_by_n_days(values[:-args.test_days], args.n)
    mean, std = np.mean(train), np.std(train)
    run.log(f'data: {path}: {len(values)} days of {args.column!r}, {dates[0]} .. {dates[-1]}; '
            f'{len(train)} training windows, the last {args.test_days} days for testing')
    return dates, values, train, mean, std, path


def train_model(run, rnn, loader):
    """The notes' loop (Adam, MSELoss); returns (per-step losses, per-epoch mean losses)."""
    args = run.args
    optimizer = torch.optim.Adam(rnn.parameters(), lr=args.lr)
    loss_func = nn.MSELoss()
    step_losses, epoch_losses = [], []
    for epoch in run.progress(range(1, args.epochs + 1), desc='epochs'):
        total = 0.0
        for tx, ty in loader:
            tx, ty = tx.to(run.device), ty.to(run.device)
            output = rnn(torch.unsqueeze(tx, dim=1))   # [batch, seq_len=1, input_size]
            loss = loss_func(torch.squeeze(output), ty)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step_losses.append(loss.item())
            total += step_losses[-1]
        epoch_losses.append(total / len(loader))
        run.log_epoch(epoch, args.epochs, loss=epoch_losses[-1], last_batch_loss=step_losses[-1])
    return step_losses, epoch_losses


def predict_all(run, rnn, values, mean, std):
    """The prediction for every day from the n-th on (each from its n previous days), in prices."""
    n = run.args.n
    windows = np.lib.stride_tricks.sliding_window_view((values - mean) / std, n)[:-1]
    with torch.no_grad():
        x = torch.tensor(windows, dtype=torch.float32).unsqueeze(1).to(run.device)   # [days, 1, n]
        y = rnn(x).squeeze().cpu().numpy().astype(np.float64)
    return y * std + mean


def plot_results(run, dates, values, pred, step_losses):
    """图7-16 (the series), 图7-17 (loss per step), the whole prediction and 图7-18 (zoom)."""
    args = run.args
    n, split = args.n, len(values) - args.test_days

    def series(fig):
        ax = fig.add_subplot()
        ax.plot(dates, values, label='real-data')
        ax.set(title=f'CSI 300 daily {args.column}', xlabel='date', ylabel=args.column)
        ax.legend(loc='upper right')
        fig.autofmt_xdate()

    def whole(fig):
        ax = fig.add_subplot()
        ax.plot(dates, values, label='real-data', lw=0.8)
        ax.plot(dates[n:split], pred[:split - n], label='generate_train', lw=0.8)
        ax.plot(dates[split:], pred[split - n:], label='generate_test', lw=0.8)
        ax.axvline(dates[split], color='gray', ls=':')
        ax.set(title='LSTM forecast of the daily high', xlabel='date', ylabel=args.column)
        ax.legend()
        fig.autofmt_xdate()

    def zoom(fig):
        days = min(100, args.test_days)
        ax = fig.add_subplot()
        ax.plot(dates[split:split + days], values[split:split + days], label='real-data', marker='.')
        ax.plot(dates[split:split + days], pred[split - n:split - n + days], label='generate_test', marker='.')
        ax.set(title=f'first {days} test days: predicted vs real', xlabel='date', ylabel=args.column)
        ax.legend()
        fig.autofmt_xdate()

    run.save_plot('real_data.png', series)
    run.plot_curves('loss.png', {'train': step_losses}, title=f'MSE loss per step (batch-size={args.batch_size})',
                    xlabel='iteration', ylabel='loss')
    run.save_plot('prediction.png', whole, figsize=(10, 5))
    run.save_plot('prediction_test_zoom.png', zoom, figsize=(10, 5))


def main(argv=None):
    args = parse_args(build_parser(), argv)
    run = Run(NAME, args)
    dates, values, train, mean, std, path = load(run)
    trainset = mytrainset(torch.Tensor((train - mean) / std))
    trainloader = DataLoader(trainset, batch_size=args.batch_size, shuffle=False)

    rnn = RNN(args.n, args.hidden_size).to(run.device)
    step_losses, epoch_losses = train_model(run, rnn, trainloader)
    pred = predict_all(run, rnn, values, mean, std)

    split = len(values) - args.test_days
    err_train = pred[:split - args.n] - values[args.n:split]
    err_test = pred[split - args.n:] - values[split:]
    plot_results(run, dates, values, pred, step_losses)
    summary = {
        'test_rmse': float(np.sqrt(np.mean(err_test ** 2))),
        'test_mae': float(np.mean(np.abs(err_test))),
        'test_mape_percent': float(100 * np.mean(np.abs(err_test) / values[split:])),
        'train_rmse': float(np.sqrt(np.mean(err_train ** 2))),
        'first_epoch_loss': epoch_losses[0] if epoch_losses else None,
        'final_epoch_loss': epoch_losses[-1] if epoch_losses else None,
        'data': f'{len(values)} days, {dates[0]} .. {dates[-1]} (test from {dates[split]})',
    }
    run.log(f'test RMSE {summary["test_rmse"]:.2f} points, MAE {summary["test_mae"]:.2f} '
            f'({summary["test_mape_percent"]:.2f} % of the price) over the last {args.test_days} days')
    return run.finish(summary, history={'step_loss': step_losses, 'epoch_loss': epoch_losses},
                      seed_reported=SEED_REPORTED, data={'csv': path, 'rows': len(values), 'mean': mean, 'std': std},
                      prediction={'dates': [str(d) for d in dates[args.n:]], 'predicted': pred,
                                  'actual': values[args.n:]})


if __name__ == '__main__':
    main()
