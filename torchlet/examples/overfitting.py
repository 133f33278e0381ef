"""The overfitting toolbox (seed 000 §7 "过拟合、欠拟合、小技巧", seed 001 §5.3–5.6) on an MLP
classifier.

- train / val / test: ``random_split`` of the training set into train and validation (the notes split
  MNIST's 60 000 into [50 000, 10 000], i.e. 1/6 for validation); the test set stays apart.
- k-fold cross-validation: k models, each validated on one fold and trained on the others.
- regularisation variants trained from the same initial weights and compared by their test-loss curves
  (the notes' figures 5-8 / 5-9): ``plain``, ``weight_decay`` (SGD's L2 ``weight_decay``), ``dropout``
  (the notes' ``net_dropped``: Linear → Dropout(0.5) → ReLU), ``batchnorm`` (Linear → BatchNorm1d → ReLU).
- SGD with momentum, ``ReduceLROnPlateau(optimizer, 'min')`` stepped with the validation loss, and
  early stopping on the validation accuracy (the best epoch's weights are restored before testing).

Data (--dataset): ``mnist`` (default; 784-200-200-10 as the notes' net): the full MNIST under --data
(``<data>/MNIST/raw``) or else the sample embedded in torchlet.vision (10 000 train / 2 000 test
images); ``diabetes``: the diabetes CSV (8 features, 2 classes; --data as in the diabetes example), with
1/6 of it held out as the test set. --train-size keeps only the first N training samples.
"""
import copy

import torchlet as torch
import torchlet.nn as nn
import torchlet.optim as optim
from torchlet.optim.lr_scheduler import ReduceLROnPlateau
from torchlet.utils.data import DataLoader, Subset, TensorDataset, random_split

from ._common import Run, evaluate, make_parser, parse_args, train_epoch

NAME = 'overfitting'
DESCRIPTION = ('train/val/test split, k-fold CV, early stopping, weight decay, dropout and batch norm '
               'vs none, ReduceLROnPlateau')
SEED = '000 §7 / 001 §5.3–5.6'

VARIANTS = ('plain', 'weight_decay', 'dropout', 'batchnorm')


def build_parser():
    parser = make_parser(NAME, DESCRIPTION, epochs=10, lr=0.01, seed=0, batch_size=200,
                         data='mnist: a root holding MNIST/raw (default: the embedded sample); '
                              'diabetes: diabetes.csv.gz or its folder')
    parser.add_argument('--dataset', choices=('mnist', 'diabetes'), default='mnist', help='the task')
    parser.add_argument('--train-size', type=int, default=None, help='use only the first N training samples')
    parser.add_argument('--hidden', type=int, default=200, help='width of the two hidden layers')
    parser.add_argument('--variants', nargs='+', choices=VARIANTS, default=list(VARIANTS),
                        help='regularisation variants to train and compare')
    parser.add_argument('--momentum', type=float, default=0.9, help='SGD momentum')
    parser.add_argument('--weight-decay', type=float, default=0.01, help="weight_decay of the 'weight_decay' variant")
    parser.add_argument('--dropout', type=float, default=0.5, help="drop probability of the 'dropout' variant")
    parser.add_argument('--patience', type=int, default=3,
                        help='early stopping: epochs without a better validation accuracy before stopping')
    parser.add_argument('--plateau-patience', type=int, default=2, help='ReduceLROnPlateau patience (epochs)')
    parser.add_argument('--plateau-factor', type=float, default=0.1, help='ReduceLROnPlateau factor')
    parser.add_argument('--folds', type=int, default=5, help='k of the k-fold cross-validation (0: skip it)')
    parser.add_argument('--cv-epochs', type=int, default=2, help='training epochs of each cross-validation model')
    return parser


# ------------------------------------------------------------------------------------- data
def load_data(run):
    """(train dataset, test dataset or None, number of features, number of classes)."""
    args = run.args
    if args.dataset == 'mnist':
        from torchlet.vision.datasets import load_mnist
        sets = []
        for train in (True, False):
            ds = load_mnist(root=args.data, train=train, verbose=False)
            images = ((ds.data.float() / 255 - 0.1307) / 0.3081).view(-1, 28 * 28)
            sets.append(TensorDataset(images, ds.targets))
        run.log(f'MNIST ({ds.source}): {len(sets[0])} training and {len(sets[1])} test images')
        train_db, test_db, features, classes = sets[0], sets[1], 28 * 28, 10
    else:
        from .diabetes import DiabetesDataset, diabetes_file
        path = diabetes_file(args.data)
        ds = DiabetesDataset(path)
        run.log(f'diabetes: {len(ds)} rows from {path}')
        train_db, test_db = TensorDataset(ds.x_data, ds.y_data.view(-1).long()), None
        features, classes = 8, 2
    if args.train_size is not None:
        train_db = Subset(train_db, range(min(args.train_size, len(train_db))))
    return train_db, test_db, features, classes


def sixth(n):
    """The size of the held-out part: 1/6, as the notes' [50000, 10000] split of 60 000."""
    return max(1, n // 6)


def split(run, train_db, test_db):
    """train / val / test datasets: ``random_split`` holds out 1/6 for validation (and, when the task
    has no test set, 1/6 of the whole for testing first). Also returns the train+val pool."""
    if test_db is None:
        n_test = sixth(len(train_db))
        train_db, test_db = random_split(train_db, [len(train_db) - n_test, n_test])
    n_val = sixth(len(train_db))
    train_part, val_part = random_split(train_db, [len(train_db) - n_val, n_val])
    run.log(f'split: train {len(train_part)}, val {len(val_part)}, test {len(test_db)}')
    return train_part, val_part, test_db, train_db


# ------------------------------------------------------------------------------------ model
def build_mlp(variant, features, hidden, classes, dropout):
    """Linear → [Dropout | BatchNorm1d] → ReLU, twice, then Linear to the class scores."""
    layers = []
    for n_in in (features, hidden):
        layers.append(nn.Linear(n_in, hidden))
        if variant == 'dropout':
            layers.append(nn.Dropout(dropout))
        elif variant == 'batchnorm':
            layers.append(nn.BatchNorm1d(hidden))
        layers.append(nn.ReLU())
    layers.append(nn.Linear(hidden, classes))
    return nn.Sequential(*layers)


def new_model(run, variant, shape):
    """A fresh model, its SGD optimizer and ReduceLROnPlateau; the same initial weights for every
    variant (the generator is reseeded, and Dropout / BatchNorm draw nothing at construction)."""
    args = run.args
    torch.manual_seed(args.seed)
    model = build_mlp(variant, *shape, dropout=args.dropout).to(run.device)
    decay = args.weight_decay if variant == 'weight_decay' else 0.0
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum, weight_decay=decay)
    scheduler = ReduceLROnPlateau(optimizer, 'min', factor=args.plateau_factor, patience=args.plateau_patience)
    return model, optimizer, scheduler


class EarlyStopping:
    """Keep the weights of the epoch with the best validation accuracy; say when to stop after
    ``patience`` epochs without improvement."""

    def __init__(self, patience):
        self.patience = patience
        self.best_accuracy, self.best_epoch, self.best_state = -1.0, 0, None

    def step(self, accuracy, model, epoch):
        """Record one epoch; returns True when training should stop."""
        if accuracy > self.best_accuracy:
            self.best_accuracy, self.best_epoch = accuracy, epoch
            self.best_state = copy.deepcopy(model.state_dict())
        return epoch - self.best_epoch >= self.patience


# --------------------------------------------------------------------------------- training
def train_variant(run, variant, loaders, shape):
    """Train one variant with early stopping; returns its per-epoch history and test results."""
    args = run.args
    model, optimizer, scheduler = new_model(run, variant, shape)
    criterion = nn.CrossEntropyLoss()
    stopper = EarlyStopping(args.patience)
    history = {key: [] for key in ('train_loss', 'val_loss', 'val_accuracy', 'test_loss', 'test_accuracy', 'lr')}
    for epoch in range(1, args.epochs + 1):
        train_loss, _ = train_epoch(run, model, loaders['train'], criterion, optimizer,
                                    desc=f'{variant} {epoch}/{args.epochs}')
        val_loss, val_accuracy = evaluate(run, model, loaders['val'], criterion)
        test_loss, test_accuracy = evaluate(run, model, loaders['test'], criterion)
        history['lr'].append(optimizer.param_groups[0]['lr'])
        scheduler.step(val_loss)
        for key, value in zip(history, (train_loss, val_loss, val_accuracy, test_loss, test_accuracy)):
            history[key].append(value)
        run.log_epoch(epoch, args.epochs, prefix=f'{variant:<12} ', train_loss=train_loss, val_loss=val_loss,
                      val_acc=val_accuracy, test_loss=test_loss, lr=history['lr'][-1])
        if stopper.step(val_accuracy, model, epoch):
            run.log(f'{variant}: early stop after epoch {epoch} (best validation accuracy '
                    f'{stopper.best_accuracy:.4f} at epoch {stopper.best_epoch})')
            break
    if stopper.best_state is not None:
        model.load_state_dict(stopper.best_state)
    test_loss, test_accuracy = evaluate(run, model, loaders['test'], criterion)
    result = {'best_epoch': stopper.best_epoch, 'best_val_accuracy': stopper.best_accuracy,
              'test_loss': test_loss, 'test_accuracy': test_accuracy, 'epochs_run': len(history['train_loss'])}
    return history, result


def cross_validate(run, pool, shape):
    """k-fold cross-validation of the plain model on the train+val pool: mean and spread of the
    validation accuracy over the folds."""
    args = run.args
    k = args.folds
    order = torch.randperm(len(pool)).tolist()
    folds = [order[i::k] for i in range(k)]
    criterion = nn.CrossEntropyLoss()
    accuracies = []
    for i, val_indices in enumerate(folds):
        train_indices = [j for f, fold in enumerate(folds) if f != i for j in fold]
        train_loader = DataLoader(Subset(pool, train_indices), batch_size=args.batch_size, shuffle=True)
        val_loader = DataLoader(Subset(pool, val_indices), batch_size=args.batch_size)
        model, optimizer, _ = new_model(run, 'plain', shape)
        for epoch in range(1, args.cv_epochs + 1):
            train_epoch(run, model, train_loader, criterion, optimizer,
                        desc=f'fold {i + 1}/{k} {epoch}/{args.cv_epochs}')
        accuracies.append(evaluate(run, model, val_loader, criterion)[1])
        run.log(f'fold {i + 1}/{k}: validation accuracy {accuracies[-1]:.4f} '
                f'(train {len(train_indices)}, val {len(val_indices)})')
    mean = sum(accuracies) / k
    std = (sum((a - mean) ** 2 for a in accuracies) / k) ** 0.5
    run.log(f'{k}-fold cross-validation: accuracy {mean:.4f} ± {std:.4f}')
    return {'fold_accuracies': accuracies, 'mean_accuracy': mean, 'std_accuracy': std}


# ------------------------------------------------------------------------------------ plots
def draw_losses(histories):
    """One panel per variant: train, validation and test loss per epoch (the overfitting gap)."""
    def draw(fig):
        axes = fig.subplots(1, len(histories), sharey=True, squeeze=False)[0]
        for ax, (variant, h) in zip(axes, histories.items()):
            epochs = range(1, len(h['train_loss']) + 1)
            for key in ('train_loss', 'val_loss', 'test_loss'):
                ax.plot(epochs, h[key], marker='.', label=key.replace('_', ' '))
            ax.set(title=variant, xlabel='epoch')
            ax.grid(alpha=0.3)
        axes[0].set_ylabel('cross-entropy')
        axes[0].legend(loc='best')
    return draw


def draw_folds(cv):
    """Bar chart of the validation accuracy of each fold, with the mean."""
    def draw(fig):
        ax = fig.add_subplot()
        accuracies = cv['fold_accuracies']
        ax.bar([f'fold {i + 1}' for i in range(len(accuracies))], accuracies, color='tab:blue')
        ax.axhline(cv['mean_accuracy'], color='r', label=f"mean {cv['mean_accuracy']:.4f} ± {cv['std_accuracy']:.4f}")
        ax.set(ylabel='validation accuracy', title=f'{len(accuracies)}-fold cross-validation',
               ylim=(max(0.0, min(accuracies) - 0.1), min(1.0, max(accuracies) + 0.05)))
        ax.legend(loc='lower right')
    return draw


def main(argv=None):
    """Run the toolbox; returns the metrics (history and test result of each variant, k-fold CV)."""
    run = Run(NAME, parse_args(build_parser(), argv))
    args = run.args
    train_db, test_db, features, classes = load_data(run)
    train_part, val_part, test_db, pool = split(run, train_db, test_db)
    loaders = {'train': DataLoader(train_part, batch_size=args.batch_size, shuffle=True),
               'val': DataLoader(val_part, batch_size=args.batch_size),
               'test': DataLoader(test_db, batch_size=args.batch_size)}
    shape = (features, args.hidden, classes)

    histories, results = {}, {}
    for variant in args.variants:
        histories[variant], results[variant] = train_variant(run, variant, loaders, shape)
    cv = cross_validate(run, pool, shape) if args.folds >= 2 else None

    run.plot_curves('test_loss.png', {v: h['test_loss'] for v, h in histories.items()},
                    title='Test loss per variant', xlabel='epoch', ylabel='cross-entropy')
    run.plot_curves('val_accuracy.png', {v: h['val_accuracy'] for v, h in histories.items()},
                    title='Validation accuracy (early stopping picks the best epoch)', xlabel='epoch',
                    ylabel='accuracy')
    run.plot_curves('lr.png', {v: h['lr'] for v, h in histories.items()}, title='Learning rate (ReduceLROnPlateau)',
                    xlabel='epoch', ylabel='lr', logy=True)
    run.save_plot('losses.png', draw_losses(histories), figsize=(4 * len(histories) + 1, 4))
    if cv is not None:
        run.save_plot('kfold.png', draw_folds(cv))

    summary = {f'{variant}_test_accuracy': r['test_accuracy'] for variant, r in results.items()}
    summary.update({f'{variant}_best_epoch': r['best_epoch'] for variant, r in results.items()})
    if cv is not None:
        summary['kfold_accuracy'] = f"{cv['mean_accuracy']:.4f} ± {cv['std_accuracy']:.4f}"
    return run.finish(summary=summary, history=histories, results=results, cross_validation=cv,
                      split={'train': len(train_part), 'val': len(val_part), 'test': len(test_db)})
