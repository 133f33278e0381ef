"""Shared parts of the MNIST and CNN examples (not an example itself): the command-line options,
the MNIST / Fashion-MNIST loaders, the train / test loop the seeds write out by hand, and the plots
(loss and accuracy curves, sample images, predictions).

Data. ``--data`` (or, without it, ``$TORCHLET_DATA`` then the shared copy ``/work/shared/data``)
may hold torchvision's layout ``<root>/MNIST/raw/*.gz`` or the four ``.gz`` files themselves (flat,
or in ``<root>/mnist``); flat files are linked into a staging folder in torchvision's layout (the
MD5s are checked before use). Without any of these, or when ``--download`` fails, MNIST falls
back to the sample embedded in torchlet (10 000 training and 2 000 test images). Every run prints
which data it trained on and records it in metrics.json.

Pipelines. ``--pipeline torchvision`` is the seeds' code: ``datasets.MNIST`` with
``transforms.Compose([ToTensor(), Normalize(mean, std)])``, one PIL image per sample.
``--pipeline tensor`` (the default) decodes the files once and applies the same arithmetic
(``x / 255``, then ``(x - mean) / std``, in float32) to the whole array, then serves batches from
a ``TensorDataset``: the batches are the same, only faster to make.

This module is written against the PyTorch API (``torch`` is torchlet here), so that
scripts/results.py can run the very same code on PyTorch.
"""
import hashlib
import os
import tempfile
import time

import torchlet as torch
import torchlet.vision as file_readers  # reads the IDX files into NumPy arrays on any framework
from torchlet.utils.data import DataLoader, TensorDataset

from ._common import _SHARED_DATA_DIRS, make_parser

__all__ = ['DATASETS', 'mnist_parser', 'load_data', 'evaluate', 'fit', 'report', 'plot_images', 'classifier_main']

DATASETS = {
    # name: (torchvision class, folder of the flat copy, mean, std of the training pixels in [0, 1])
    'mnist': ('MNIST', 'mnist', 0.1307, 0.3081),
    'fashion-mnist': ('FashionMNIST', 'fashion-mnist', 0.2860, 0.3530),
}
RAW_FILES = ('train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz',
             't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz')


# ---------------------------------------------------------------------------------- options
def mnist_parser(name, description, *, epochs, lr, seed, batch_size, test_batch_size, datasets=('mnist',)):
    """The parser of an MNIST example: the common options (_common.make_parser) plus the data
    options; the per-epoch log line is on for every epoch."""
    parser = make_parser(name, description, epochs=epochs, lr=lr, seed=seed, batch_size=batch_size,
                         data='MNIST root: a folder with MNIST/raw/*.gz (torchvision layout) or the '
                              'four .gz files (default: $TORCHLET_DATA, then /work/shared/data; '
                              'else the sample embedded in torchlet)')
    parser.set_defaults(log_every=1)
    parser.add_argument('--test-batch-size', type=int, default=test_batch_size, help='test mini-batch size')
    if len(datasets) > 1:
        parser.add_argument('--dataset', choices=datasets, default=datasets[0],
                            help='fashion-mnist needs its four image/label files under --data')
    parser.add_argument('--pipeline', choices=('tensor', 'torchvision'), default='tensor',
                        help="'torchvision': datasets.MNIST + ToTensor/Normalize per image (the seed's code); "
                             "'tensor': the same arithmetic on the whole array once (same batches, faster)")
    parser.add_argument('--download', action='store_true',
                        help='download the dataset into --data (default ./data) when it is not there')
    parser.add_argument('--limit-batches', type=int, default=None,
                        help='at most this many training and test batches per epoch (smoke tests)')
    return parser


# ------------------------------------------------------------------------------------- data
def _staged_root(flat_dir, class_name):
    """A folder in torchvision's layout (``<root>/<class_name>/raw``) whose files link to the
    ``.gz`` files of ``flat_dir``; made once per source folder, in the temp directory."""
    key = hashlib.md5(os.path.abspath(flat_dir).encode()).hexdigest()[:10]
    root = os.path.join(tempfile.gettempdir(), f'torchlet-{class_name}-{key}')
    raw = os.path.join(root, class_name, 'raw')
    os.makedirs(raw, exist_ok=True)
    for name in RAW_FILES:
        link = os.path.join(raw, name)
        if not os.path.lexists(link):
            os.symlink(os.path.abspath(os.path.join(flat_dir, name)), link)
    return root


def find_root(data, dataset='mnist'):
    """The torchvision-style root for ``dataset`` found from the --data option (see the module
    docstring), or None when there is none."""
    class_name, flat, _, _ = DATASETS[dataset]
    if data is not None:
        candidates = [data]
    else:
        candidates = [d for d in (os.environ.get('TORCHLET_DATA'), *_SHARED_DATA_DIRS) if d]
    for root in candidates:
        if os.path.isdir(os.path.join(root, class_name, 'raw')):
            return root
        for folder in (root, os.path.join(root, flat)):
            if all(os.path.isfile(os.path.join(folder, f)) for f in RAW_FILES):
                return _staged_root(folder, class_name)
    return None


def _missing_message(data, dataset):
    """Why ``dataset`` was not found under --data, naming the files and where to put them."""
    class_name, flat, _, _ = DATASETS[dataset]
    roots = [data] if data is not None else [d for d in (os.environ.get('TORCHLET_DATA'), *_SHARED_DATA_DIRS) if d]
    found = []
    for root in roots:
        for folder in (root, os.path.join(root, flat)):
            present = [f for f in RAW_FILES if os.path.isfile(os.path.join(folder, f))]
            if present:
                found.append(f"{folder} has only {', '.join(present)}")
    return (f"{class_name} not found (looked in {', '.join(roots) or 'no folder: pass --data'}"
            f"{'; ' + '; '.join(found) if found else ''}). Put {', '.join(RAW_FILES)} in <root>/{class_name}/raw "
            f"or in one folder, and pass --data <root>; or add --download to fetch them.")


def _torchvision():
    """The torchvision of the framework this module runs on (torchlet.vision under torchlet)."""
    if torch.__name__ == 'torchlet':
        import torchlet.vision as torchvision
    else:
        import torchvision  # real PyTorch: the real torchvision, if it is installed
    return torchvision


def _open_split(run, train, transform, torchvision):
    """One split as a torchvision dataset; MNIST falls back to torchlet's embedded sample."""
    args = run.args
    dataset = getattr(args, 'dataset', 'mnist')
    class_name = DATASETS[dataset][0]
    root = find_root(args.data, dataset)
    if root is None and args.download:
        root = args.data or './data'
    if dataset == 'mnist' and torchvision is file_readers:
        return torchvision.datasets.load_mnist(root, train=train, download=args.download, transform=transform,
                                               verbose=train)
    if root is None:
        raise SystemExit(f"[{run.name}] {_missing_message(args.data, dataset)}")
    return getattr(torchvision.datasets, class_name)(root, train=train, transform=transform,
                                                     download=args.download)


def _raw_split(run, train):
    """(uint8 images N x 28 x 28, int64 labels N) as NumPy arrays, and the dataset they came from."""
    ds = _open_split(run, train, None, file_readers)
    return ds.data.numpy(), ds.targets.numpy(), ds


def load_data(run, mean=None, std=None):
    """(train_loader, test_loader, info) for the example's dataset and --pipeline; ``mean`` and
    ``std`` default to the dataset's own statistics. Prints which data it uses."""
    args = run.args
    dataset = getattr(args, 'dataset', 'mnist')
    mean = DATASETS[dataset][2] if mean is None else mean
    std = DATASETS[dataset][3] if std is None else std
    if args.pipeline == 'torchvision':
        torchvision = _torchvision()
        transforms = torchvision.transforms
        transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((mean,), (std,))])
        train_set = _open_split(run, True, transform, torchvision)
        test_set = _open_split(run, False, transform, torchvision)
        source = getattr(train_set, 'source', 'full')
    else:
        splits = []
        for train in (True, False):
            images, labels, ds = _raw_split(run, train)
            x = torch.from_numpy(images).float().div(255).unsqueeze(1)   # ToTensor, all images at once
            x = x.sub(mean).div(std)                                     # Normalize((mean,), (std,))
            splits.append(TensorDataset(x, torch.from_numpy(labels)))
            source = getattr(ds, 'source', 'full') if train else source
        train_set, test_set = splits
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=args.test_batch_size, shuffle=False)
    name = DATASETS[dataset][0]
    what = 'the embedded MNIST sample' if source == 'sample' else f'the full {name}'
    info = {'dataset': name, 'source': source, 'train_size': len(train_set), 'test_size': len(test_set),
            'pipeline': args.pipeline, 'mean': mean, 'std': std}
    run.log(f'data: {what} ({len(train_set)} training / {len(test_set)} test images, '
            f'--pipeline {args.pipeline})')
    return train_loader, test_loader, info


# ----------------------------------------------------------------------------- train / test
def _limited(loader, limit):
    """The first ``limit`` batches of ``loader`` (all when limit is None)."""
    for i, batch in enumerate(loader):
        if limit is not None and i >= limit:
            return
        yield batch


def _set_mode(model, train):
    """model.train() / model.eval(); a plain function (raw-weights model) has no mode."""
    if hasattr(model, 'train'):
        model.train(train)


def evaluate(run, model, loader, criterion, flatten=False, target_fn=None):
    """(mean loss, accuracy) on ``loader`` in eval mode without autograd."""
    _set_mode(model, False)
    total_loss, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for img, label in _limited(loader, run.args.limit_batches):
            img, label = img.to(run.device), label.to(run.device)
            if flatten:
                img = img.view(img.size(0), -1)
            out = model(img)
            loss = criterion(out, target_fn(label) if target_fn else label)
            total_loss += loss.item() * label.size(0)
            _, pred = out.max(1)
            correct += (pred == label).sum().item()
            count += label.size(0)
    return total_loss / max(count, 1), correct / max(count, 1)


def fit(run, model, train_loader, test_loader, criterion, optimizer, *, flatten=False, target_fn=None,
        before_epoch=None, log_interval=0):
    """The seeds' loop: for each epoch, ``before_epoch(epoch)`` (0-based, e.g. a learning-rate
    change), one pass over the training batches (forward, loss, zero_grad, backward, step; batch
    loss and accuracy recorded), then the test set. ``flatten`` views each image batch as
    (N, 784); ``target_fn(label)`` turns labels into the loss target (e.g. one-hot);
    ``log_interval`` > 0 prints Liu Er's ``[epoch, batch] loss`` line (mean of the last
    ``log_interval`` batches) that often. ``model`` is a Module or a plain function.
    Returns the history: per step ``step_loss``; per epoch ``train_loss``, ``train_acc``,
    ``test_loss``, ``test_acc``, ``lr``, ``epoch_time_s`` (training pass) and ``test_time_s``."""
    args = run.args
    keys = ('train_loss', 'train_acc', 'test_loss', 'test_acc', 'lr', 'epoch_time_s', 'test_time_s')
    history = {'step_loss': [], **{k: [] for k in keys}}
    n_batches = len(train_loader) if args.limit_batches is None else min(len(train_loader), args.limit_batches)
    for epoch in range(args.epochs):
        if before_epoch is not None:
            before_epoch(epoch)
        _set_mode(model, True)
        start = time.perf_counter()
        loss_sum, correct, count, running = 0.0, 0, 0, 0.0
        bar = run.progress(_limited(train_loader, args.limit_batches), desc=f'epoch {epoch + 1}/{args.epochs}',
                           total=n_batches)
        for batch_idx, (img, label) in enumerate(bar):
            img, label = img.to(run.device), label.to(run.device)
            if flatten:
                img = img.view(img.size(0), -1)
            out = model(img)
            loss = criterion(out, target_fn(label) if target_fn else label)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            value = loss.item()
            history['step_loss'].append(value)
            loss_sum += value
            _, pred = out.max(1)
            correct += (pred == label).sum().item()
            count += label.size(0)
            if hasattr(bar, 'set_postfix'):
                bar.set_postfix(loss=f'{value:.4f}', refresh=False)
            running += value
            if log_interval and batch_idx % log_interval == log_interval - 1:
                run.log('[%d, %5d] loss: %.3f' % (epoch + 1, batch_idx + 1, running / log_interval))
                running = 0.0
        history['epoch_time_s'].append(time.perf_counter() - start)
        history['train_loss'].append(loss_sum / max(n_batches, 1))
        history['train_acc'].append(correct / max(count, 1))
        history['lr'].append(optimizer.param_groups[0]['lr'])
        start = time.perf_counter()
        test_loss, test_acc = evaluate(run, model, test_loader, criterion, flatten, target_fn)
        history['test_time_s'].append(time.perf_counter() - start)
        history['test_loss'].append(test_loss)
        history['test_acc'].append(test_acc)
        run.log_epoch(epoch + 1, args.epochs, train_loss=history['train_loss'][-1],
                      train_acc=history['train_acc'][-1], test_loss=test_loss, test_acc=test_acc,
                      lr=history['lr'][-1], time_s=history['epoch_time_s'][-1])
    return history


# ------------------------------------------------------------------------------------ plots
def plot_images(run, filename, images, labels, title, mean, std, rows=2, cols=3, truth=None):
    """The seeds' ``plot_image``: a rows x cols grid of (normalized) images, each titled
    ``'{title}: {label}'``, shown in the original gray levels; with ``truth``, a wrong label is
    drawn in red with the true one after it."""
    images = images.detach().cpu().numpy().reshape(-1, 28, 28) * std + mean
    labels = [int(v) for v in labels]

    def draw(fig):
        for i in range(min(rows * cols, len(labels))):
            ax = fig.add_subplot(rows, cols, i + 1)
            ax.imshow(images[i], cmap='gray', interpolation='none', vmin=0, vmax=1)
            wrong = truth is not None and int(truth[i]) != labels[i]
            ax.set_title(f'{title}: {labels[i]}' + (f' (true {int(truth[i])})' if wrong else ''),
                         fontsize=9, color='red' if wrong else 'black')
            ax.set_xticks([])
            ax.set_yticks([])
        fig.tight_layout()
    return run.save_plot(filename, draw, figsize=(1.9 * cols, 2.0 * rows))


def report(run, model, loaders, info, history, *, flatten=False, seed_reported=None, step_curve=False,
           sample_title='Ground Truth', pred_title='pred'):
    """The end of every MNIST example: sample-image and prediction plots, loss and accuracy
    curves, the summary (test accuracy, which data) and metrics.json. Returns the metrics."""
    train_loader, test_loader = loaders
    mean, std = info['mean'], info['std']
    img, label = next(iter(train_loader))
    plot_images(run, 'samples.png', img, label, sample_title, mean, std)
    img, label = next(iter(test_loader))
    _set_mode(model, False)
    with torch.no_grad():
        x = img.to(run.device)
        pred = model(x.view(x.size(0), -1) if flatten else x).argmax(dim=1)
    plot_images(run, 'predictions.png', img, pred.cpu().tolist(), pred_title, mean, std, rows=2, cols=5,
                truth=label.tolist())
    epochs = list(range(1, len(history['test_acc']) + 1))
    if step_curve:
        run.plot_curves('step_loss.png', {'train': history['step_loss']}, title='training loss per step',
                        xlabel='step', ylabel='loss')
    run.plot_curves('loss.png', {'train': (epochs, history['train_loss']), 'test': (epochs, history['test_loss'])},
                    title='loss', xlabel='epoch', ylabel='loss')
    run.plot_curves('accuracy.png', {'train': (epochs, history['train_acc']), 'test': (epochs, history['test_acc'])},
                    title='accuracy', xlabel='epoch', ylabel='accuracy')
    test_acc = history['test_acc'][-1] if history['test_acc'] else None
    summary = {
        'test_accuracy': test_acc,
        'best_test_accuracy': max(history['test_acc']) if history['test_acc'] else None,
        'final_train_loss': history['train_loss'][-1] if history['train_loss'] else None,
        'epochs': len(history['test_acc']),
        'data': f"{info['dataset']} ({'embedded sample' if info['source'] == 'sample' else 'full'}, "
                f"{info['train_size']} train / {info['test_size']} test)",
        'train_time_s': round(sum(history['epoch_time_s']), 3),
    }
    if test_acc is not None:
        run.log(f"test accuracy {100 * test_acc:.2f} % after {summary['epochs']} epochs on {summary['data']}")
    return run.finish(summary, history=history, data=info, seed_reported=seed_reported or {},
                      framework=torch.__name__)


# --------------------------------------------------------------------- Liu Er's lecture programs
def classifier_main(name, description, make_model, argv=None, *, epochs=10, lr=0.01, momentum=0.5,
                    batch_size=64, test_batch_size=64, optimizer='sgd', log_interval=300, seed=0,
                    datasets=('mnist',), seed_reported=None):
    """The program of Liu Er's lectures 9–11 (seed 002 §9, seed 004), where only the model
    changes: ``Normalize((0.1307,), (0.3081,))``, batches of 64, ``CrossEntropyLoss``,
    ``SGD(lr=0.01, momentum=0.5)`` (or ``Adam``), ``train(epoch)`` printing the running loss every
    300 batches and ``test()`` after every epoch. ``make_model()`` builds the model."""
    from ._common import Run, parse_args
    parser = mnist_parser(name, description, epochs=epochs, lr=lr, seed=seed, batch_size=batch_size,
                          test_batch_size=test_batch_size, datasets=datasets)
    parser.add_argument('--optimizer', choices=('sgd', 'adam'), default=optimizer, help='torch.optim.SGD or Adam')
    parser.add_argument('--momentum', type=float, default=momentum, help='SGD momentum')
    parser.add_argument('--log-interval', type=int, default=log_interval,
                        help="print '[epoch, batch] loss' every N batches (0: never)")
    args = parse_args(parser, argv)
    run = Run(name, args)
    train_loader, test_loader, info = load_data(run)
    model = make_model().to(run.device)
    criterion = torch.nn.CrossEntropyLoss()
    if args.optimizer == 'sgd':
        opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    history = fit(run, model, train_loader, test_loader, criterion, opt, log_interval=args.log_interval)
    return report(run, model, (train_loader, test_loader), info, history, seed_reported=seed_reported)
