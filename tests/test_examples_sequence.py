"""Smoke tests of the sequence examples (torchlet/examples/lstm_tagger.py, lstm_forecast.py,
rnn_basics.py, gru_classifier.py): each runs with small settings (the tagger and the "hello" RNNs
fully), must write its outputs and lower its loss; the tagger must tag "They ate the fish" as the
notes do, and the same example sources run on PyTorch must print the same numbers."""
import gzip
import importlib.util
import json
import os

import numpy as np
import pytest

import torchlet
from torchlet.examples import _common, describe, load

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HAVE_MPL = _common._pyplot() is not None
SEQUENCE = ['lstm_tagger', 'lstm_forecast', 'rnn_basics', 'gru_classifier']


def run_example(name, tmp_path, *argv, module=None):
    """Run an example in-process with output to tmp_path/name; returns (metrics, output folder)."""
    out = tmp_path / name
    metrics = (module or load(name)).main([*argv, '--out', str(out), '--no-progress'])
    return metrics, out


def check_outputs(metrics, out, plots):
    """metrics.json equals the returned metrics; the PNG plots exist when matplotlib does."""
    with open(out / 'metrics.json', encoding='utf-8') as f:
        assert json.load(f) == metrics
    for png in plots:
        assert (out / png).is_file() == HAVE_MPL, png
    assert set(metrics['files']) == {*(plots if HAVE_MPL else []), 'metrics.json'}


@pytest.fixture
def one_torch_thread():
    """torch on one thread while the test runs (tiny ops on a busy machine crawl with more)."""
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def on_torch(name):
    """The example's module running on real torch (scripts/results.py's loader)."""
    spec = importlib.util.spec_from_file_location('results_script', os.path.join(ROOT, 'scripts', 'results.py'))
    results = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(results)
    return results.load_example('torch', name)


def test_examples_are_listed():
    table = describe()
    for name in SEQUENCE:
        assert name in table and not table[name]['description'].startswith('(cannot import'), name


# ------------------------------------------------------------------------------- LSTM tagger
def test_tagger_learns_the_notes_tags(tmp_path, capsys):
    metrics, out = run_example('lstm_tagger', tmp_path)            # the notes' 400 epochs
    check_outputs(metrics, out, ['loss.png'])
    printed = capsys.readouterr().out
    # the notes' printed tables
    assert "{'The': 0, 'cat': 1, 'ate': 2, 'the': 3, 'fish': 4, 'They': 5, 'read': 6, 'that': 7, 'book': 8}" in printed
    assert "['They', 'ate', 'the', 'fish']\ntensor([5, 2, 3, 4])" in printed
    summary = metrics['summary']
    assert summary['test_tags'] == 'NN V DET NN'
    assert summary['tags_after_training'] == [0, 1, 2, 0, 1] and summary['train_accuracy'] == 1.0
    assert summary['final_loss'] < summary['first_loss'] / 10
    assert np.exp(np.array(metrics['scores']['test'])).sum(1) == pytest.approx(np.ones(4), abs=1e-5)


def test_tagger_on_pytorch_prints_the_same_scores(tmp_path, one_torch_thread):
    argv = ['--epochs', '60', '--no-plots']
    theirs, _ = run_example('lstm_tagger', tmp_path / 'torch', *argv, module=on_torch('lstm_tagger'))
    ours, _ = run_example('lstm_tagger', tmp_path / 'torchlet', *argv)
    for key in ('before', 'after', 'test'):
        np.testing.assert_allclose(ours['scores'][key], theirs['scores'][key], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ours['history']['loss'], theirs['history']['loss'], rtol=1e-4)


# --------------------------------------------------------------------------- LSTM forecaster
def test_forecast_trains_on_the_shipped_csv(tmp_path):
    metrics, out = run_example('lstm_forecast', tmp_path, '--epochs', '3')
    check_outputs(metrics, out, ['real_data.png', 'loss.png', 'prediction.png', 'prediction_test_zoom.png'])
    assert metrics['data']['rows'] == 2295                        # the notes' row count (图7-15)
    losses = metrics['history']['epoch_loss']
    assert losses[-1] < losses[0]
    assert len(metrics['history']['step_loss']) == 3 * -(-(2295 - 600 - 30) // 20)   # batches of 20
    pred = metrics['prediction']
    assert len(pred['predicted']) == len(pred['actual']) == 2295 - 30
    assert pred['dates'][0] == '2010-02-22'   # the 31st trading day
    assert pred['dates'][-1] == '2019-06-14'
    assert metrics['summary']['test_mape_percent'] < 20


def test_shipped_csv_is_the_shared_copy():
    from torchlet.examples._common import PACKAGE_DATA
    shipped = os.path.join(PACKAGE_DATA, 'hs300_2010-2020.csv')
    shared = '/work/shared/data/hs300/hs300_2010-2020.csv'
    assert os.path.getsize(shipped) == 155824
    if os.path.isfile(shared):
        with open(shipped, 'rb') as a, open(shared, 'rb') as b:
            assert a.read() == b.read()


def test_forecast_reads_a_tushare_csv(tmp_path):
    """A tushare-pro style export: trade_date as YYYYMMDD, newest first, extra columns."""
    days = np.arange(120)
    high = 3000 + 50 * np.sin(days / 7.0) + days
    path = tmp_path / 'hs300.csv'
    lines = ['ts_code,trade_date,close,open,high,low']
    dates = np.datetime64('2020-01-01') + days
    for d, h in zip(dates[::-1], high[::-1]):
        lines.append(f"000300.SH,{str(d).replace('-', '')},{h - 5:.2f},{h - 9:.2f},{h:.3f},{h - 20:.2f}")
    path.write_text('\n'.join(lines) + '\n')
    metrics, _ = run_example('lstm_forecast', tmp_path, '--csv', str(path), '--start', '', '--end', '',
                             '--n', '10', '--test-days', '30', '--epochs', '4', '--no-plots')
    assert metrics['data']['rows'] == 120
    np.testing.assert_allclose(metrics['prediction']['actual'], high[10:], atol=1e-3)   # sorted by date
    assert metrics['prediction']['dates'][0] == '2020-01-11'
    losses = metrics['history']['epoch_loss']
    assert losses[-1] < losses[0]


def test_forecast_help_says_how_to_export_a_csv():
    from torchlet.examples.lstm_forecast import build_parser
    text = build_parser().format_help()
    assert "index_daily(ts_code='000300.SH'" in text and "query_history_k_data_plus('sh.000300'" in text
    assert '--csv hs300.csv' in text


def test_forecast_rejects_a_csv_without_the_column(tmp_path):
    from torchlet.examples.lstm_forecast import read_series
    path = tmp_path / 'bad.csv'
    path.write_text('date,open,close\n2020-01-01,1,2\n')
    with pytest.raises(ValueError, match=r"expected a date column .* and a 'high' column, found date, open, close"):
        read_series(str(path))


def test_windows_are_the_notes_matrix():
    """generate_data_by_n_days gives the DataFrame the notes build column by column."""
    from torchlet.examples.lstm_forecast import generate_data_by_n_days
    series = np.arange(10.0) ** 2
    n = 3
    columns = [series.tolist()[i:-(n - i)] for i in range(n)] + [series.tolist()[n:]]
    np.testing.assert_array_equal(generate_data_by_n_days(series, n), np.array(columns).T)
    with pytest.raises(ValueError, match=r'The Length of series is 3, while affect by \(n=3\)'):
        generate_data_by_n_days(series[:3], 3)


# -------------------------------------------------------------------------------- RNN basics
def test_rnn_basics_learns_hello_to_ohlol(tmp_path, capsys):
    metrics, out = run_example('rnn_basics', tmp_path)
    check_outputs(metrics, out, ['loss.png'])
    printed = capsys.readouterr().out
    assert 'Predicted string: ' in printed and 'Epoch [15/15] loss=' in printed
    assert metrics['shapes'] == {'cell_hidden': [1, 2], 'rnn_output': [3, 1, 2], 'rnn_hidden': [1, 1, 2]}
    summary = metrics['summary']
    assert summary['embedding_predicted'] == 'ohlol' == summary['target']
    for name in ('cell', 'rnn', 'embedding'):
        assert summary[f'{name}_final_loss'] < summary[f'{name}_first_loss']


def test_rnn_basics_on_pytorch_gives_the_same_losses(tmp_path, one_torch_thread):
    argv = ['--no-plots']
    theirs, _ = run_example('rnn_basics', tmp_path / 'torch', *argv, module=on_torch('rnn_basics'))
    ours, _ = run_example('rnn_basics', tmp_path / 'torchlet', *argv)
    for name in ('cell', 'rnn', 'embedding'):
        np.testing.assert_allclose(ours['history'][name]['loss'], theirs['history'][name]['loss'], rtol=1e-4)
        assert ours['history'][name]['predicted'] == theirs['history'][name]['predicted']


# --------------------------------------------------------------------------- GRU classifier
SMALL_GRU = ['--epochs', '3', '--hidden-size', '16', '--train-per-country', '40', '--test-per-country', '10',
             '--batch-size', '64', '--lr', '0.01']


def test_gru_classifier_trains_on_synthetic_names(tmp_path):
    metrics, out = run_example('gru_classifier', tmp_path, *SMALL_GRU)
    check_outputs(metrics, out, ['accuracy.png', 'loss.png'])
    losses = metrics['history']['loss']
    assert losses[-1] < losses[0]
    assert metrics['summary']['countries'] == 8 and 'synthetic' in metrics['summary']['data']
    assert set(metrics['predictions']) == {"Nakamura", "O'Brien", "Petrov", "Rossetti", "Zhang", "Schneider",
                                           "Haddad", "Thompson"}
    assert set(metrics['predictions'].values()) <= set(metrics['countries'])


def test_gru_classifier_reads_the_lecture_files(tmp_path):
    rows = {'train': ['Adsit,Czech', 'Ajdrna,Czech', 'Abe,Japanese', 'Abukara,Japanese', 'Smith,English'],
            'test': ['Bacon,English', 'Aoki,Japanese']}
    folder = tmp_path / 'names'
    folder.mkdir()
    for split, lines in rows.items():
        with gzip.open(folder / f'names_{split}.csv.gz', 'wt') as f:
            f.write('\n'.join(lines) + '\n')
    metrics, _ = run_example('gru_classifier', tmp_path, '--data', str(folder), '--epochs', '1', '--hidden-size', '8',
                             '--predict', 'Abe', '--no-plots')
    assert metrics['countries'] == ['Czech', 'English', 'Japanese']
    assert 'names files' in metrics['summary']['data'] and list(metrics['predictions']) == ['Abe']


def test_gru_classifier_rejects_non_ascii_names(tmp_path):
    with pytest.raises(SystemExit, match="cannot classify 'Müller'"):
        run_example('gru_classifier', tmp_path, *SMALL_GRU[:2], '--predict', 'Müller', '--no-plots')


def test_make_tensors_pads_and_sorts_by_length():
    from torchlet.examples.gru_classifier import make_tensors
    seqs, lengths, targets = make_tensors(['Li', 'Smith', 'Abe'], torchlet.tensor([0, 1, 2]))
    assert lengths.tolist() == [5, 3, 2] and targets.tolist() == [1, 2, 0]
    assert seqs.tolist() == [[ord(c) for c in 'Smith'], [ord(c) for c in 'Abe'] + [0, 0],
                             [ord(c) for c in 'Li'] + [0, 0, 0]]


def test_synthetic_names_are_fixed_disjoint_ascii():
    from torchlet.examples._names import COUNTRIES, synthetic_names
    train, test = synthetic_names()
    assert (train, test) == synthetic_names()
    assert not {n for n, _ in train} & {n for n, _ in test}
    assert {c for _, c in train} == {c for _, c in test} == set(COUNTRIES)
    assert all(name.isascii() and name for name, _ in train + test)
