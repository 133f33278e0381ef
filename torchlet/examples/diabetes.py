"""The 8-6-4-1 sigmoid classifier of Liu Er's lectures 6–7 on the Pima diabetes data (seed 002 §7–8,
seed 004 第6–7讲).

§8 (the default): a ``DiabetesDataset`` read with ``np.loadtxt('diabetes.csv.gz', ...)``, a
``DataLoader(batch_size=32, shuffle=True)``, the model Linear(8, 6) → Sigmoid → Linear(6, 4) → Sigmoid
→ Linear(4, 1) → Sigmoid, ``BCELoss`` (mean), ``SGD(lr=0.01)``, 100 epochs.
§7 (``--full-batch``): the whole data set as one batch per step, lr 0.1 unless --lr is given.

The data is ``diabetes.csv.gz`` of hunkim/PyTorchZeroToAll (759 rows, 8 features scaled to [-1, 1],
label in the last column): --data (the file or its folder), else the shared copy, else the copy
shipped in torchlet/examples/data. The notes use ``num_workers=2``; --workers sets it (default 0).
"""
import numpy as np

import torchlet as torch
import torchlet.nn as nn
import torchlet.optim as optim
from torchlet.utils.data import DataLoader, Dataset

from ._common import Run, evaluate, find_data_file, make_parser, parse_args, train_epoch

NAME = 'diabetes'
DESCRIPTION = '8-6-4-1 sigmoid classifier on the diabetes CSV with Dataset/DataLoader'
SEED = '002 §7–8 / 004 第6–7讲'


def diabetes_file(data=None):
    """The path of diabetes.csv.gz (see the module docstring for the search order)."""
    return find_data_file(data, 'diabetes.csv.gz', 'diabetes')


class DiabetesDataset(Dataset):
    """The diabetes CSV as (features (8,), label (1,)) float32 pairs, all in memory."""

    def __init__(self, filepath):
        xy = np.loadtxt(filepath, delimiter=',', dtype=np.float32)
        self.len = xy.shape[0]
        self.x_data = torch.from_numpy(xy[:, :-1])
        self.y_data = torch.from_numpy(xy[:, [-1]])

    def __getitem__(self, index):
        return self.x_data[index], self.y_data[index]

    def __len__(self):
        return self.len


class Model(nn.Module):
    """Linear(8, 6) → Sigmoid → Linear(6, 4) → Sigmoid → Linear(4, 1) → Sigmoid."""

    def __init__(self):
        super().__init__()
        self.linear1 = nn.Linear(8, 6)
        self.linear2 = nn.Linear(6, 4)
        self.linear3 = nn.Linear(4, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        x = self.sigmoid(self.linear1(x))
        x = self.sigmoid(self.linear2(x))
        x = self.sigmoid(self.linear3(x))
        return x


def threshold_labels(output):
    """Predicted 0/1 label from a probability (as a float, like the targets)."""
    return (output > 0.5).float()


def build_parser():
    parser = make_parser(NAME, DESCRIPTION, epochs=100, lr=None, seed=0, batch_size=32,
                         data='diabetes.csv.gz or its folder (default: the shared copy, else the packaged one)',
                         lr_help='learning rate (default: 0.01, or 0.1 with --full-batch)')
    parser.add_argument('--full-batch', action='store_true',
                        help='§7: the whole data set per step (default lr 0.1 instead of 0.01)')
    parser.add_argument('--workers', type=int, default=0, help='DataLoader num_workers (the notes use 2)')
    return parser


def main(argv=None):
    """Train the classifier; returns the metrics (loss and accuracy per epoch)."""
    args = parse_args(build_parser(), argv)
    if args.lr is None:
        args.lr = 0.1 if args.full_batch else 0.01
    run = Run(NAME, args)
    path = diabetes_file(args.data)
    dataset = DiabetesDataset(path)
    run.log(f'{len(dataset)} samples from {path}')
    batch_size = len(dataset) if args.full_batch else args.batch_size
    train_loader = DataLoader(dataset=dataset, batch_size=batch_size, shuffle=not args.full_batch,
                              num_workers=args.workers)
    eval_loader = DataLoader(dataset=dataset, batch_size=len(dataset))

    model = Model().to(run.device)
    criterion = nn.BCELoss()
    optimizer = optim.SGD(model.parameters(), lr=args.lr)
    history = {'loss': [], 'accuracy': [], 'step_loss': []}
    for epoch in range(1, args.epochs + 1):
        loss, step_losses = train_epoch(run, model, train_loader, criterion, optimizer,
                                        desc=f'epoch {epoch}/{args.epochs}')
        _, accuracy = evaluate(run, model, eval_loader, criterion, predict=threshold_labels)
        history['loss'].append(loss)
        history['accuracy'].append(accuracy)
        history['step_loss'].extend(step_losses)
        run.log_epoch(epoch, args.epochs, loss=loss, accuracy=accuracy)

    final_loss, final_accuracy = evaluate(run, model, eval_loader, criterion, predict=threshold_labels)
    run.plot_curves('loss.png', {'train loss (epoch mean)': history['loss']}, title='BCE loss',
                    xlabel='epoch', ylabel='loss')
    run.plot_curves('accuracy.png', {'accuracy': history['accuracy']}, title='Accuracy on the data set',
                    xlabel='epoch', ylabel='accuracy')
    majority = float(max(dataset.y_data.mean().item(), 1 - dataset.y_data.mean().item()))
    summary = {'final_loss': final_loss, 'final_accuracy': final_accuracy, 'majority_class_rate': majority,
               'samples': len(dataset), 'steps': len(history['step_loss']), 'data': path}
    return run.finish(summary=summary, history=history)
