"""The training programs of the study notes (/work/shared/seeds), run with torchlet and with torch.

Each program is written once against the PyTorch API and called with ``lib`` = torch or torchlet.
Both runs get the same model (torchlet loads torch's initial state_dict) and the same data (real
MNIST / the diabetes CSV), so the loss trajectories, accuracies, learning rates and final
parameters must agree up to float32 rounding: losses and accuracies to rtol 1e-4, parameters to
rtol 1e-4 + atol 1e-4 (a ReLU input within rounding of zero, like -4e-8 in torch and 1e-8 in
torchlet, flips that unit for one sample and moves a few parameters by ~1e-5; the models avoid
parameters whose exact gradient is zero, e.g. a bias before BatchNorm under Adam, whose values
would be pure rounding noise).

Seed 001 ("Python深度学习基于PyTorch"): §3.2 MNIST MLP with BatchNorm and a learning rate changed
  through optimizer.param_groups; §3.8 / §5.6 optimizer comparison; §5.3 dropout, batch norm,
  weight initialisation.
Seed 002 (《PyTorch深度学习实践》): §7 diabetes classifier, §8 Dataset/DataLoader, §9 softmax
  classifier on MNIST.
Seed 000: §2 MNIST MLP with MSE on one-hot labels; §7 train/val split, weight decay, momentum,
  ReduceLROnPlateau, dropout; §9 nn.Module (containers, parameters, modules, to(device), save and
  load, train/eval, own layers).
"""
from collections import defaultdict

import numpy as np
import pytest

import torchlet
from conftest import torch
from test_train_equivalence import (ATOL, DATA, RTOL, _data_file, assert_optimizer_states_close,
                                    assert_records_close, assert_states_close, load_arrays, mnist_float,
                                    run_twin, state_arrays, tensor_loader, twin)
from test_train_equivalence import one_thread  # noqa: F401  (autouse fixture: single-threaded)


def diabetes_path():
    return _data_file(DATA / 'diabetes' / 'diabetes.csv.gz')


# -- seed 001 §3.2: MNIST MLP with BatchNorm, lr changed through optimizer.param_groups ---------------

def seed001_net(lib):
    nn, F = lib.nn, lib.nn.functional

    class Net(nn.Module):
        def __init__(self, in_dim, n_hidden_1, n_hidden_2, out_dim):
            super(Net, self).__init__()
            self.layer1 = nn.Sequential(nn.Linear(in_dim, n_hidden_1), nn.BatchNorm1d(n_hidden_1))
            self.layer2 = nn.Sequential(nn.Linear(n_hidden_1, n_hidden_2), nn.BatchNorm1d(n_hidden_2))
            self.layer3 = nn.Sequential(nn.Linear(n_hidden_2, out_dim))

        def forward(self, x):
            x = F.relu(self.layer1(x))
            x = F.relu(self.layer2(x))
            x = self.layer3(x)
            return x
    return Net(28 * 28, 300, 100, 10)


def seed001_train(lib, model, num_epoches=6, lr=0.01, momentum=0.5):
    nn, optim = lib.nn, lib.optim
    x, y = mnist_float(512, mean=0.5, std=0.5)        # Normalize([0.5], [0.5])
    xt, yt = mnist_float(256, train=False, mean=0.5, std=0.5)
    train_loader = tensor_loader(lib, x, y, batch_size=64, shuffle=True)
    test_loader = tensor_loader(lib, xt, yt, batch_size=128)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    rec = defaultdict(list)
    for epoch in range(num_epoches):
        if epoch % 5 == 0:
            optimizer.param_groups[0]['lr'] *= 0.1
        rec['lr'].append(optimizer.param_groups[0]['lr'])
        model.train()
        for img, label in train_loader:
            img = img.view(img.size(0), -1)
            out = model(img)
            loss = criterion(out, label)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            _, pred = out.max(1)
            rec['labels'].append(label.tolist())
            rec['train_loss'].append(loss.item())
            rec['train_correct'].append((pred == label).sum().item())
        model.eval()
        eval_loss, eval_correct = 0.0, 0
        for img, label in test_loader:
            img = img.view(img.size(0), -1)
            out = model(img)
            eval_loss += criterion(out, label).item() * img.size(0)
            _, pred = out.max(1)
            eval_correct += (pred == label).sum().item()
        rec['test_loss'].append(eval_loss / len(test_loader.dataset))
        rec['test_correct'].append(eval_correct)
    return rec


def test_seed001_mnist_mlp_batchnorm_dynamic_lr():
    rec_tl, rec_th, tl, th = run_twin(seed001_net, seed001_train)
    assert rec_th['lr'] == pytest.approx([0.001] * 5 + [0.0001])
    assert tl.layer1[1].num_batches_tracked.item() == 48
    assert rec_th['test_correct'][-1] > 64           # it learned (chance: ~26 of 256)
    assert repr(tl) == repr(th)


# -- seed 000 §2: MNIST MLP, MSE loss on one-hot labels -------------------------------------------

def one_hot(lib, label, depth=10):
    out = lib.zeros(label.size(0), depth)
    idx = lib.LongTensor(label).view(-1, 1)
    out.scatter_(dim=1, index=idx, value=1)
    return out


def seed000_net(lib):
    nn, F = lib.nn, lib.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.fc1 = nn.Linear(28 * 28, 256)
            self.fc2 = nn.Linear(256, 64)
            self.fc3 = nn.Linear(64, 10)

        def forward(self, x):
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = self.fc3(x)
            return x
    return Net()


def seed000_train(lib, net, epochs=3, batch_size=128):
    F = lib.nn.functional
    x, y = mnist_float(1024)
    train_loader = tensor_loader(lib, x, y, batch_size, shuffle=True)
    test_loader = tensor_loader(lib, *mnist_float(512, train=False), batch_size)
    optimizer = lib.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    rec = defaultdict(list)
    for epoch in range(epochs):
        for batch_idx, (x, y) in enumerate(train_loader):
            x = x.view(x.size(0), 28 * 28)
            out = net(x)
            y_onehot = one_hot(lib, y)
            loss = F.mse_loss(out, y_onehot)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            rec['train_loss'].append(loss.item())
    total_correct = 0
    for x, y in test_loader:
        x = x.view(x.size(0), 28 * 28)
        out = net(x)
        pred = out.argmax(dim=1)
        correct = pred.eq(y).sum().float().item()
        total_correct += correct
    rec['test_acc'].append(total_correct / len(test_loader.dataset))
    return rec


def test_seed000_mnist_mlp_mse_one_hot():
    rec_tl, rec_th, _, _ = run_twin(seed000_net, seed000_train)
    assert rec_th['train_loss'][-1] < rec_th['train_loss'][0]
    assert isinstance(rec_tl['test_acc'][0], float)


def test_seed000_mnist_through_torchvision_api(tmp_path):
    """The notes load MNIST with torchvision.datasets.MNIST('mnist_data', download=True,
    transform=Compose([ToTensor(), Normalize((0.1307,), (0.3081,))])). torchlet.vision reads the
    same files into the same tensors, so training on it follows torch on the same data."""
    tv = torchlet.vision
    transform = tv.transforms.Compose([tv.transforms.ToTensor(),
                                       tv.transforms.Normalize((0.1307,), (0.3081,))])
    names = [f'{p}-{kind}-idx{d}-ubyte.gz' for p in ('train', 't10k') for kind, d in (('images', 3),
                                                                                    ('labels', 1))]
    if all((DATA / 'mnist' / name).exists() for name in names):
        raw = tmp_path / 'MNIST' / 'raw'        # torchvision's layout; download=True finds the files
        raw.mkdir(parents=True)
        for name in names:
            (raw / name).symlink_to(DATA / 'mnist' / name)
        dataset = tv.datasets.MNIST(str(tmp_path), train=True, download=True, transform=transform)
    else:                                       # the sample in the package (the first 10 000 images)
        dataset = tv.datasets.MNIST(root=None, train=True, transform=transform)
    subset = torchlet.utils.data.Subset(dataset, range(512))
    x, y = mnist_float(512)
    image, label = subset[3]
    assert tuple(image.shape) == (1, 28, 28) and str(image.dtype) == 'torch.float32' and label == y[3]
    np.testing.assert_allclose(image.numpy(), x[3], rtol=1e-6, atol=1e-6)

    th, tl = twin(seed000_net)
    loaders = {torch: tensor_loader(torch, x, y, 64, shuffle=True),
               torchlet: torchlet.utils.data.DataLoader(subset, batch_size=64, shuffle=True,
                                                        generator=torchlet.Generator().manual_seed(0))}
    losses = {}
    for lib, net in ((torch, th), (torchlet, tl)):
        optimizer = lib.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        losses[lib] = []
        for batch_idx, (x_b, y_b) in enumerate(loaders[lib]):
            loss = lib.nn.functional.mse_loss(net(x_b.view(x_b.size(0), 28 * 28)), one_hot(lib, y_b))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses[lib].append(loss.item())
    np.testing.assert_allclose(losses[torchlet], losses[torch], rtol=RTOL, atol=ATOL)
    assert_states_close(tl, th)


# -- seed 002 §7: diabetes, full batch; §8: Dataset / DataLoader ------------------------------------

def diabetes_model(lib):
    class Model(lib.nn.Module):
        def __init__(self):
            super(Model, self).__init__()
            self.linear1 = lib.nn.Linear(8, 6)
            self.linear2 = lib.nn.Linear(6, 4)
            self.linear3 = lib.nn.Linear(4, 1)
            self.sigmoid = lib.nn.Sigmoid()

        def forward(self, x):
            x = self.sigmoid(self.linear1(x))
            x = self.sigmoid(self.linear2(x))
            x = self.sigmoid(self.linear3(x))
            return x
    return Model()


def bce_size_average(lib):
    """torch.nn.BCELoss(size_average=True), as the notes write it: a deprecation UserWarning."""
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        return lib.nn.BCELoss(size_average=True)


def diabetes_full_batch(lib, model, epochs=100):
    xy = np.loadtxt(diabetes_path(), delimiter=',', dtype=np.float32)
    x_data = lib.from_numpy(xy[:, :-1])
    y_data = lib.from_numpy(xy[:, [-1]])
    criterion = bce_size_average(lib)
    optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
    rec = defaultdict(list)
    for epoch in range(epochs):
        y_pred = model(x_data)
        loss = criterion(y_pred, y_data)
        rec['loss'].append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return rec


def test_seed002_diabetes_full_batch():
    rec_tl, rec_th, _, _ = run_twin(diabetes_model, diabetes_full_batch)
    assert len(rec_th['loss']) == 100 and rec_th['loss'][-1] < rec_th['loss'][0]


def diabetes_dataloader(lib, model, epochs=3, num_workers=2):
    Dataset, DataLoader = lib.utils.data.Dataset, lib.utils.data.DataLoader

    class DiabetesDataset(Dataset):
        def __init__(self, filepath):
            xy = np.loadtxt(filepath, delimiter=',', dtype=np.float32)
            self.len = xy.shape[0]
            self.x_data = lib.from_numpy(xy[:, :-1])
            self.y_data = lib.from_numpy(xy[:, [-1]])

        def __getitem__(self, index):
            return self.x_data[index], self.y_data[index]

        def __len__(self):
            return self.len

    dataset = DiabetesDataset(diabetes_path())
    train_loader = DataLoader(dataset=dataset, batch_size=32, shuffle=True, num_workers=num_workers)
    criterion = bce_size_average(lib)
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01)
    lib.manual_seed(1)                      # the shuffle draws from the global generator
    rec = defaultdict(list)
    for epoch in range(epochs):
        for i, data in enumerate(train_loader, 0):
            inputs, labels = data
            y_pred = model(inputs)
            loss = criterion(y_pred, labels)
            rec['loss'].append(loss.item())
            rec['batch_size'].append(inputs.shape[0])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return rec


def test_seed002_diabetes_dataset_dataloader_workers():
    rec_tl, rec_th, _, _ = run_twin(diabetes_model, diabetes_dataloader)
    assert rec_th['batch_size'] == ([32] * 23 + [23]) * 3      # 759 rows


# -- seed 002 §9: softmax classifier on MNIST ------------------------------------------------------

def softmax_net(lib):
    F = lib.nn.functional

    class Net(lib.nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.l1 = lib.nn.Linear(784, 512)
            self.l2 = lib.nn.Linear(512, 256)
            self.l3 = lib.nn.Linear(256, 128)
            self.l4 = lib.nn.Linear(128, 64)
            self.l5 = lib.nn.Linear(64, 10)

        def forward(self, x):
            x = x.view(-1, 784)
            x = F.relu(self.l1(x))
            x = F.relu(self.l2(x))
            x = F.relu(self.l3(x))
            x = F.relu(self.l4(x))
            return self.l5(x)
    return Net()


def softmax_classifier(lib, model, epochs=2, batch_size=64):
    train_loader = tensor_loader(lib, *mnist_float(512), batch_size, shuffle=True)
    test_loader = tensor_loader(lib, *mnist_float(256, train=False), batch_size)
    criterion = lib.nn.CrossEntropyLoss()
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    rec = defaultdict(list)

    def train(epoch):
        running_loss = 0.0
        for batch_idx, data in enumerate(train_loader, 0):
            inputs, target = data
            optimizer.zero_grad()
            outputs = model(inputs)
            loss = criterion(outputs, target)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            if batch_idx % 4 == 3:
                rec['running_loss'].append(running_loss / 4)
                running_loss = 0.0

    def test():
        correct = 0
        total = 0
        with lib.no_grad():
            for data in test_loader:
                images, labels = data
                outputs = model(images)
                assert not outputs.requires_grad
                _, predicted = lib.max(outputs.data, dim=1)
                total += labels.size(0)
                correct += (predicted == labels).sum().item()
        rec['accuracy'].append(100 * correct / total)

    for epoch in range(epochs):
        train(epoch)
        test()
    return rec


def test_seed002_softmax_classifier():
    rec_tl, rec_th, _, _ = run_twin(softmax_net, softmax_classifier)
    assert len(rec_th['running_loss']) == 4 and len(rec_th['accuracy']) == 2


# -- seed 000 §7: train/val split, momentum + weight decay, ReduceLROnPlateau, dropout ---------------

def dropout_net(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Linear(784, 200),
        nn.Dropout(0.5),  # drop 50% of the neuron
        nn.ReLU(),
        nn.Linear(200, 200),
        nn.Dropout(0.5),
        nn.ReLU(),
        nn.Linear(200, 10),
    )


def overfitting_toolbox(lib, model, epochs=6, batch_size=64):
    data = lib.utils.data
    x, y = mnist_float(512)
    train_db = data.TensorDataset(lib.from_numpy(x.reshape(-1, 784).copy()), lib.from_numpy(y.copy()))
    lib.manual_seed(1)        # random_split, the loaders' shuffles and the dropout masks
    train_db, val_db = data.random_split(train_db, [448, 64])
    train_loader = data.DataLoader(train_db, batch_size=batch_size, shuffle=True)
    val_loader = data.DataLoader(val_db, batch_size=batch_size, shuffle=True)
    criterion = lib.nn.CrossEntropyLoss()
    optimizer = lib.optim.SGD(model.parameters(), 0.1, momentum=0.9, weight_decay=1e-3)
    scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(optimizer, 'min', factor=0.5, patience=0,
                                                        threshold=0.05)
    rec = defaultdict(list)
    rec['val_indices'] = list(val_db.indices)
    for epoch in range(epochs):
        model.train()
        for x, y in train_loader:
            loss = criterion(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            rec['train_loss'].append(loss.item())
        model.eval()
        with lib.no_grad():
            loss_val = sum(criterion(model(x), y).item() * len(y) for x, y in val_loader) / len(val_db)
        scheduler.step(loss_val)
        rec['val_loss'].append(loss_val)
        rec['lr'].append(optimizer.param_groups[0]['lr'])
    return rec


def test_seed000_split_weight_decay_plateau_dropout():
    rec_tl, rec_th, tl, th = run_twin(dropout_net, overfitting_toolbox)
    assert rec_th['lr'][-1] < 0.1, "the plateau scheduler should have cut the lr at least once"
    assert not tl.training and not tl[1].training
    x = torchlet.from_numpy(mnist_float(8)[0].reshape(8, 784))
    assert torchlet.equal(tl(x), tl(x))             # eval: dropout is the identity
    tl.train()
    torchlet.manual_seed(3)
    torch.manual_seed(3)
    out_tl, out_th = tl(x), th.train()(torch.from_numpy(x.numpy()))
    np.testing.assert_allclose(out_tl.detach().numpy(), out_th.detach().numpy(), rtol=RTOL, atol=ATOL)
    assert not torchlet.equal(tl(x), out_tl)        # train: a fresh mask per call


# -- seed 001 §3.8 / §5.6: optimizer comparison on a 1-D regression ----------------------------------

def regression_net(lib):
    F = lib.nn.functional

    class Net(lib.nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.hidden = lib.nn.Linear(1, 20)
            self.predict = lib.nn.Linear(20, 1)

        def forward(self, x):
            x = F.relu(self.hidden(x))
            x = self.predict(x)
            return x
    return Net()


OPTIMIZERS = {
    'SGD': lambda optim, p, lr: optim.SGD(p, lr=lr),
    'Momentum': lambda optim, p, lr: optim.SGD(p, lr=lr, momentum=0.9),
    'NAG': lambda optim, p, lr: optim.SGD(p, lr=lr, momentum=0.9, nesterov=True),
    'AdaGrad': lambda optim, p, lr: optim.Adagrad(p, lr=lr),
    'RMSprop': lambda optim, p, lr: optim.RMSprop(p, lr=lr, alpha=0.9),
    'Adam': lambda optim, p, lr: optim.Adam(p, lr=lr, betas=(0.9, 0.99)),
}


def compare_optimizers(lib, nets, LR=0.01, BATCH_SIZE=32, EPOCH=2):
    lib.manual_seed(1)
    x = lib.unsqueeze(lib.linspace(-1, 1, 1000), dim=1)
    y = x.pow(2) + 0.1 * lib.normal(lib.zeros(*x.size()))
    loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(x, y), batch_size=BATCH_SIZE,
                                       shuffle=True)
    optimizers = [make(lib.optim, net.parameters(), LR) for make, net in zip(OPTIMIZERS.values(), nets)]
    loss_func = lib.nn.MSELoss()
    rec = defaultdict(list)
    rec['data'] = y[::50, 0].tolist()
    for epoch in range(EPOCH):
        for step, (b_x, b_y) in enumerate(loader):
            for name, net, opt in zip(OPTIMIZERS, nets, optimizers):
                output = net(b_x)
                loss = loss_func(output, b_y)
                opt.zero_grad()
                loss.backward()
                opt.step()
                rec[name].append(loss.item())
    return rec


def test_seed001_optimizer_comparison():
    pairs = [twin(regression_net, seed) for seed in range(len(OPTIMIZERS))]
    rec_th = compare_optimizers(torch, [th for th, _ in pairs])
    rec_tl = compare_optimizers(torchlet, [tl for _, tl in pairs])
    assert_records_close(rec_tl, rec_th)
    for th, tl in pairs:
        assert_states_close(tl, th)
    assert len(rec_th['Adam']) == 64


# -- seed 001 §5.3: dropout and batch-norm regression nets ------------------------------------------

def house_nets(lib):
    nn = lib.nn
    return {
        'net1_overfitting': nn.Sequential(nn.Linear(13, 16), nn.ReLU(), nn.Linear(16, 32), nn.ReLU(),
                                          nn.Linear(32, 1)),
        'net2_dropped': nn.Sequential(nn.Linear(13, 16), nn.Dropout(0.5), nn.ReLU(), nn.Linear(16, 32),
                                      nn.Dropout(0.5), nn.ReLU(), nn.Linear(32, 1)),
        'net1_nb': nn.Sequential(nn.Linear(13, 8), nn.ReLU(), nn.Linear(8, 4), nn.ReLU(), nn.Linear(4, 1)),
        'net2_nb': nn.Sequential(nn.Linear(13, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 4),
                                 nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1)),
    }


def house_data(n=320):
    """A Boston-housing-shaped regression set (13 standardised features), made up with NumPy."""
    r = np.random.default_rng(5)
    x = r.standard_normal((n, 13)).astype(np.float32)
    w = r.standard_normal((13, 1)).astype(np.float32)
    y = (np.tanh(x @ w) * 5 + 22 + r.standard_normal((n, 1))).astype(np.float32)
    return x[:256], y[:256], x[256:], y[256:]


def house_training(lib, net, EPOCH=5):
    x, y, test_x, test_y = house_data()
    train_loader = tensor_loader(lib, x, y, batch_size=32, shuffle=True)
    test_x, test_y = lib.from_numpy(test_x), lib.from_numpy(test_y)
    optimizer = lib.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    loss_func = lib.nn.MSELoss()
    lib.manual_seed(2)
    rec = defaultdict(list)
    for epoch in range(EPOCH):
        for step, (b_x, b_y) in enumerate(train_loader):
            pred = net(b_x)
            loss = loss_func(pred, b_y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            rec['train_loss'].append(loss.item())
        net.eval()
        rec['test_loss'].append(loss_func(net(test_x), test_y).item())
        net.train()
    return rec


@pytest.mark.parametrize('name', ['net1_overfitting', 'net2_dropped', 'net1_nb', 'net2_nb'])
def test_seed001_dropout_and_batchnorm_nets(name):
    rec_tl, rec_th, tl, th = run_twin(lambda lib: house_nets(lib)[name], house_training)
    assert repr(tl) == repr(th)


# -- seed 001 §5.3.4: weight initialisation ---------------------------------------------------------

def init_cnn(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 6, 5), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(8 * 6 * 6, 32), nn.ReLU(), nn.Linear(32, 10))


def initialise(lib, model):
    """Re-initialise every layer the way §5.3.4 describes (nn.init: xavier, kaiming, normal, constant)."""
    init = lib.nn.init
    for m in model.modules():
        if isinstance(m, lib.nn.Conv2d):
            init.xavier_normal_(m.weight)
            init.constant_(m.bias, 0)
        elif isinstance(m, lib.nn.BatchNorm2d):
            init.normal_(m.weight, 1.0, 0.02)
            init.zeros_(m.bias)
        elif isinstance(m, lib.nn.Linear):
            init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
            init.uniform_(m.bias, -0.1, 0.1)


def cnn_training(lib, model, steps=8, lr=0.05):
    loader = tensor_loader(lib, *mnist_float(256), batch_size=32)
    optimizer = lib.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    criterion = lib.nn.CrossEntropyLoss()
    rec = defaultdict(list)
    for step, (x, y) in zip(range(steps), loader):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        rec['loss'].append(loss.item())
    return rec


def test_seed001_weight_initialisation_then_training():
    def build(lib):
        model = init_cnn(lib)
        lib.manual_seed(7)
        initialise(lib, model)
        return model
    torch.manual_seed(0)
    th = build(torch)
    torchlet.manual_seed(0)
    tl = build(torchlet)
    assert_states_close(tl, th, rtol=1e-6, atol=1e-7)    # the same draws from the same seed
    rec_th, rec_tl = cnn_training(torch, th), cnn_training(torchlet, tl)
    assert_records_close(rec_tl, rec_th)
    assert_states_close(tl, th)


# -- the seeded default initialisation of every model above is torch's --------------------------------

@pytest.mark.parametrize('build', [seed001_net, seed000_net, diabetes_model, softmax_net, dropout_net,
                                   regression_net, init_cnn], ids=lambda f: f.__name__)
def test_seeded_default_initialisation_matches_torch(build):
    torch.manual_seed(0)
    th = build(torch)
    torchlet.manual_seed(0)
    tl = build(torchlet)
    assert_states_close(tl, th, rtol=1e-6, atol=1e-7)


# -- seed 000 §9: nn.Module features ----------------------------------------------------------------

def own_layers(lib):
    """The Flatten and MyLinear layers of §9 ("implement own layer"), for one library."""
    nn = lib.nn

    class Flatten(nn.Module):
        def __init__(self):
            super(Flatten, self).__init__()

        def forward(self, input):
            return input.view(input.size(0), -1)

    class MyLinear(nn.Module):
        def __init__(self, inp, outp):
            super(MyLinear, self).__init__()
            # requires_grad = True
            self.w = nn.Parameter(lib.randn(outp, inp))
            self.b = nn.Parameter(lib.randn(outp))

        def forward(self, x):
            x = x @ self.w.t() + self.b
            return x
    return Flatten, MyLinear


def module_net(lib):
    nn = lib.nn
    Flatten, MyLinear = own_layers(lib)

    class BasicNet(nn.Module):
        def __init__(self):
            super(BasicNet, self).__init__()
            self.net = nn.Linear(4, 3)

        def forward(self, x):
            return self.net(x)

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.features = nn.Sequential(nn.Conv2d(1, 4, kernel_size=3, stride=1, padding=1, bias=False),
                                          nn.BatchNorm2d(4), nn.ReLU(inplace=True),
                                          nn.MaxPool2d(2, stride=2))
            self.heads = nn.ModuleList([Flatten(), MyLinear(4 * 14 * 14, 32)])
            self.extra = nn.ModuleDict({'act': nn.ReLU(), 'drop': nn.Dropout(0.25)})
            self.classifier = nn.Sequential()
            self.classifier.add_module('fc', nn.Linear(32, 10))
            self.basic = BasicNet()
            self.register_buffer('steps', lib.zeros((), dtype=lib.long))

        def forward(self, x):
            x = self.features(x)
            for layer in self.heads:
                x = layer(x)
            x = self.extra['drop'](self.extra['act'](x))
            return self.classifier(x)
    return Net()


def test_seed000_module_containers_parameters_modules():
    th, tl = twin(module_net)
    assert repr(tl) == repr(th)
    assert [(n, tuple(p.shape)) for n, p in tl.named_parameters()] == \
           [(n, tuple(p.shape)) for n, p in th.named_parameters()]
    assert len(list(tl.parameters())) == len(list(th.parameters())) == 9
    assert all(isinstance(p, torchlet.nn.Parameter) and p.requires_grad for p in tl.parameters())
    assert [(n, type(m).__name__) for n, m in tl.named_modules()] == \
           [(n, type(m).__name__) for n, m in th.named_modules()]
    assert [n for n, _ in tl.named_children()] == [n for n, _ in th.named_children()]
    assert [n for n, _ in tl.named_buffers()] == [n for n, _ in th.named_buffers()]
    assert list(tl.state_dict()) == list(th.state_dict())
    device = torchlet.device('cpu')
    assert tl.to(device) is tl and tl.heads[1].w.device == device


def test_seed000_module_train_eval_switch():
    th, tl = twin(module_net)
    x = mnist_float(16)[0]
    for lib, model in ((torch, th), (torchlet, tl)):
        assert all(m.training for m in model.modules())
        assert model.eval() is model
        assert not any(m.training for m in model.modules())
        model.train()
        assert all(m.training for m in model.modules())
        model.train(False)
        assert not model.extra['drop'].training
    with torch.no_grad():
        out_th = th(torch.from_numpy(x))                 # eval: running stats, no dropout
    with torchlet.no_grad():
        out_tl = tl(torchlet.from_numpy(x))
    np.testing.assert_allclose(out_tl.numpy(), out_th.numpy(), rtol=RTOL, atol=ATOL)
    assert tl.features[1].num_batches_tracked.item() == 0


def module_training(lib, model, optimizer, batches, first_step=0):
    """Train on (x, y) numpy batches; step k's dropout mask comes from seed 100 + k in either library."""
    model.train()
    criterion = lib.nn.CrossEntropyLoss()
    losses = []
    for step, (x, y) in enumerate(batches, first_step):
        lib.manual_seed(100 + step)
        loss = criterion(model(lib.from_numpy(x.copy())), lib.from_numpy(y.copy()))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        model.steps += 1
        losses.append(loss.item())
    return losses


def module_adam(lib, model):
    return lib.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)


def test_seed000_module_save_load_round_trip(tmp_path):
    """Train in torchlet, checkpoint with torchlet.save, resume in torch (torch.load), checkpoint
    with torch.save, resume in torchlet (torchlet.load): the losses and the final state of one
    uninterrupted torch run."""
    x, y = mnist_float(96)
    batches = [(x[i:i + 16], y[i:i + 16]) for i in range(0, 96, 16)]
    torch.manual_seed(0)
    reference = module_net(torch)
    initial = state_arrays(reference)
    reference_opt = module_adam(torch, reference)
    expected = module_training(torch, reference, reference_opt, batches)

    tl = module_net(torchlet)
    load_arrays(tl, torchlet, initial)
    tl_opt = module_adam(torchlet, tl)
    losses = module_training(torchlet, tl, tl_opt, batches[:2])
    torchlet.save({'epoch': 1, 'model_state_dict': tl.state_dict(),
                   'optimizer_state_dict': tl_opt.state_dict(), 'loss': losses[-1]}, tmp_path / 'a.pt')

    ckpt = torch.load(tmp_path / 'a.pt')
    assert ckpt['epoch'] == 1 and ckpt['loss'] == losses[-1]
    th = module_net(torch)
    th.load_state_dict(ckpt['model_state_dict'])
    th_opt = module_adam(torch, th)
    th_opt.load_state_dict(ckpt['optimizer_state_dict'])
    assert th.steps.item() == 2
    losses += module_training(torch, th, th_opt, batches[2:4], first_step=2)
    torch.save({'model_state_dict': th.state_dict(), 'optimizer_state_dict': th_opt.state_dict()},
               tmp_path / 'b.pt')

    ckpt = torchlet.load(tmp_path / 'b.pt')
    tl = module_net(torchlet)
    tl.load_state_dict(ckpt['model_state_dict'])
    tl_opt = module_adam(torchlet, tl)
    tl_opt.load_state_dict(ckpt['optimizer_state_dict'])
    losses += module_training(torchlet, tl, tl_opt, batches[4:], first_step=4)

    np.testing.assert_allclose(losses, expected, rtol=RTOL, atol=ATOL)
    assert_states_close(tl, reference)
    assert tl.steps.item() == 6
    assert_optimizer_states_close(tl_opt, reference_opt)


def test_seed000_state_dict_save_load_ckpt(tmp_path):
    """torch.save(net.state_dict(), 'ckpt.mdl') / net.load_state_dict(torch.load('ckpt.mdl')) across
    the two libraries, in both directions."""
    th, tl = twin(module_net)
    for lib, model in ((torch, th), (torchlet, tl)):
        model.eval()
    x = mnist_float(4)[0]
    torch.save(th.state_dict(), tmp_path / 'ckpt.mdl')
    fresh_tl = module_net(torchlet).eval()
    fresh_tl.load_state_dict(torchlet.load(tmp_path / 'ckpt.mdl'))
    torchlet.save(tl.state_dict(), tmp_path / 'ckpt_tl.mdl')
    fresh_th = module_net(torch).eval()
    fresh_th.load_state_dict(torch.load(tmp_path / 'ckpt_tl.mdl'))
    with torch.no_grad():
        expected = th(torch.from_numpy(x)).numpy()
        np.testing.assert_allclose(fresh_th(torch.from_numpy(x)).numpy(), expected, rtol=1e-6)
    with torchlet.no_grad():
        np.testing.assert_allclose(fresh_tl(torchlet.from_numpy(x)).numpy(), expected, rtol=RTOL, atol=ATOL)


def test_seed000_own_layers_cnn_training():
    """The §9 own layers (Flatten, MyLinear with nn.Parameter(randn)) inside a CNN, trained."""
    th, tl = twin(module_net)
    x, y = mnist_float(64)
    batches = [(x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)]
    losses_th = module_training(torch, th, torch.optim.SGD(th.parameters(), lr=0.05), batches)
    losses_tl = module_training(torchlet, tl, torchlet.optim.SGD(tl.parameters(), lr=0.05), batches)
    np.testing.assert_allclose(losses_tl, losses_th, rtol=RTOL, atol=ATOL)
    assert_states_close(tl, th)
