"""Smoke tests of the generative examples (torchlet/examples/vae.py, vae_conv.py, gan.py, cgan.py,
dcgan.py, gan_vs_vae.py): each trains a few batches of the MNIST sample embedded in torchlet
(``--data`` points at an empty folder), must write its images, plots, checkpoints and metrics.json,
and lower its loss. The same example source run on PyTorch (scripts/results.py's loader) must give
the same losses, and the losses and checkpoints are checked against torch."""
import importlib.util
import json
import os

import numpy as np
import pytest
import torch

import torchlet
from torchlet.examples import _common, describe, load

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HAVE_MPL = _common._pyplot() is not None
HAVE_PIL = importlib.util.find_spec('PIL') is not None
GENERATIVE = ['vae', 'vae_conv', 'gan', 'cgan', 'dcgan', 'gan_vs_vae']


def run_example(name, tmp_path, *argv, module=None):
    """Run an example in-process on the embedded MNIST sample; returns (metrics, output folder)."""
    out = tmp_path / name
    empty = tmp_path / 'no-mnist-here'
    empty.mkdir(parents=True, exist_ok=True)
    module = module or load(name)
    metrics = module.main([*argv, '--data', str(empty), '--out', str(out), '--no-progress'])
    return metrics, out


def check_outputs(metrics, out, grids=(), plots=(), other=()):
    """metrics.json equals the returned metrics; image grids (Pillow), plots (matplotlib) and the
    other files exist and are listed."""
    with open(out / 'metrics.json', encoding='utf-8') as f:
        assert json.load(f) == metrics
    expected = [*(grids if HAVE_PIL else ()), *(plots if HAVE_MPL else ()), *other]
    for name in expected:
        assert (out / name).is_file(), name
        if name.endswith('.png'):
            assert (out / name).read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert set(metrics['files']) == {*expected, 'metrics.json'}
    assert metrics['data']['source'] == 'sample'


def png_size(path):
    from PIL import Image
    with Image.open(path) as im:
        return im.size


@pytest.fixture
def one_torch_thread():
    """torch on one thread while the test runs (small ops on a busy machine crawl with more)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _results_module():
    spec = importlib.util.spec_from_file_location('results_script', os.path.join(ROOT, 'scripts', 'results.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_examples_are_listed():
    table = describe()
    for name in GENERATIVE:
        assert name in table and not table[name]['description'].startswith('(cannot import'), name
        assert table[name]['seed'].startswith('001')


# ------------------------------------------------------------------------------------------ VAE
def test_vae_trains_and_writes_the_notes_figures(tmp_path):
    metrics, out = run_example('vae', tmp_path, '--epochs', '2', '--limit-batches', '4', '--batch-size', '32',
                               '--test-images', '500')
    grids = [f'{kind}-{e}.png' for e in (1, 2) for kind in ('sampled', 'reconst')]
    check_outputs(metrics, out, grids=grids, plots=['manifold.png', 'latent_space.png', 'loss.png'],
                  other=['vae.ckpt'])
    history = metrics['history']
    assert len(history['reconst_loss']) == 8
    assert history['loss'][1] < history['loss'][0]
    assert history['reconst_loss'][-1] < history['reconst_loss'][0]
    assert 0 < metrics['summary']['manifold_axes_variance'] <= 1
    if HAVE_PIL:   # reconst: 8 pairs (28 x 56: original | reconstruction) per row, 4 rows of the last 32
        assert png_size(out / 'reconst-1.png') == (8 * (56 + 2) + 2, 4 * (28 + 2) + 2)
        assert png_size(out / 'sampled-1.png') == (8 * (28 + 2) + 2, 4 * (28 + 2) + 2)
    state = torch.load(out / 'vae.ckpt')           # PyTorch reads the checkpoint
    assert {k: tuple(v.shape) for k, v in state.items()} == {
        'fc1.weight': (400, 784), 'fc1.bias': (400,), 'fc2.weight': (20, 400), 'fc2.bias': (20,),
        'fc3.weight': (20, 400), 'fc3.bias': (20,), 'fc4.weight': (400, 20), 'fc4.bias': (400,),
        'fc5.weight': (784, 400), 'fc5.bias': (784,)}


def test_vae_loss_matches_torch():
    from torchlet.examples.vae import vae_loss
    rng = np.random.default_rng(0)
    x = rng.random((6, 784)).astype(np.float32)
    probs = rng.uniform(0.05, 0.95, (6, 784)).astype(np.float32)
    mu, log_var = rng.standard_normal((2, 6, 20)).astype(np.float32)
    r, k = vae_loss(*(torchlet.tensor(a) for a in (probs, x, mu, log_var)))
    tp, tx, tm, tv = (torch.tensor(a) for a in (probs, x, mu, log_var))
    expected_r = torch.nn.functional.binary_cross_entropy(tp, tx, reduction='sum')
    expected_k = -0.5 * torch.sum(1 + tv - tm.pow(2) - tv.exp())
    np.testing.assert_allclose(r.item(), expected_r.item(), rtol=1e-5)
    np.testing.assert_allclose(k.item(), expected_k.item(), rtol=1e-5)


def test_latent_axes_are_the_principal_directions():
    from torchlet.examples.vae import latent_axes
    center, axes, explained = latent_axes(np.random.default_rng(0).standard_normal((50, 2)))
    assert np.array_equal(center, [0, 0]) and np.array_equal(axes, np.eye(2)) and explained == 1.0
    rng = np.random.default_rng(1)
    mu = rng.standard_normal((400, 5)) * [5.0, 3.0, 0.5, 0.2, 0.1] + 2.0
    center, axes, explained = latent_axes(mu)
    _, s, vt = np.linalg.svd(mu - mu.mean(0), full_matrices=False)
    np.testing.assert_allclose(center, mu.mean(0))
    for axis, direction, sv in zip(axes, vt[:2], s[:2]):   # same direction (up to sign), length = std
        np.testing.assert_allclose(abs(axis @ direction), sv / np.sqrt(len(mu) - 1), rtol=1e-8)
    np.testing.assert_allclose(explained, (s[:2] ** 2).sum() / (s ** 2).sum())


def test_vae_conv_trains_and_matches_torch_shapes(tmp_path):
    metrics, out = run_example('vae_conv', tmp_path, '--epochs', '1', '--limit-batches', '4', '--batch-size', '16',
                               '--test-images', '64', '--no-plots')
    check_outputs(metrics, out, other=['vae_conv.ckpt'])
    assert metrics['history']['reconst_loss'][-1] < metrics['history']['reconst_loss'][0]
    from torchlet.examples.vae_conv import ConvVAE
    model = ConvVAE()
    recon, mu, log_var = model(torchlet.rand(3, 1, 28, 28))
    assert recon.shape == (3, 1, 28, 28) and mu.shape == log_var.shape == (3, 20)
    assert 0 <= recon.min().item() and recon.max().item() <= 1
    on_torch = _results_module().load_example('torch', 'vae_conv').ConvVAE()
    assert [(k, tuple(v.shape)) for k, v in model.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in on_torch.state_dict().items()]


# ------------------------------------------------------------------------------------------ GANs
def test_gan_trains_and_writes_the_notes_figures(tmp_path, capsys):
    metrics, out = run_example('gan', tmp_path, '--epochs', '2', '--limit-batches', '5', '--log-interval', '5')
    check_outputs(metrics, out, grids=['real_images.png', 'fake_images-1.png', 'fake_images-2.png'],
                  plots=['loss.png', 'scores.png'], other=['G.ckpt', 'D.ckpt'])
    assert 'Epoch [2/2], Step [5/5], d_loss:' in capsys.readouterr().out    # the notes' log line
    history = metrics['history']
    assert len(history['d_loss']) == 10
    assert history['d_loss'][-1] < history['d_loss'][0]           # the discriminator learns
    assert all(0 < s < 1 for s in history['real_score'] + history['fake_score'])
    assert history['epoch_real_score'][-1] > history['epoch_fake_score'][-1]
    g_state = torch.load(out / 'G.ckpt')
    assert [tuple(v.shape) for v in g_state.values()] == [(256, 64), (256,), (256, 256), (256,), (784, 256), (784,)]


def test_gan_on_pytorch_gives_the_same_losses(tmp_path, one_torch_thread):
    """The gan example's own source on real torch: same seed, weights, noise and batches."""
    argv = ['--epochs', '1', '--limit-batches', '3', '--no-plots']
    on_torch, _ = run_example('gan', tmp_path / 'torch', *argv, module=_results_module().load_example('torch', 'gan'))
    on_torchlet, _ = run_example('gan', tmp_path / 'torchlet', *argv)
    assert on_torch['framework'] == 'torch' and on_torchlet['framework'] == 'torchlet'
    for key in ('d_loss', 'g_loss', 'real_score', 'fake_score'):
        np.testing.assert_allclose(on_torchlet['history'][key], on_torch['history'][key], rtol=1e-4)


def test_cgan_draws_the_requested_digits(tmp_path):
    metrics, out = run_example('cgan', tmp_path, '--epochs', '1', '--limit-batches', '5', '--batch-size', '32')
    check_outputs(metrics, out, grids=['real_images.png', 'digits-1.png'], plots=['loss.png', 'scores.png'],
                  other=['G.ckpt', 'D.ckpt'])
    assert metrics['history']['d_loss'][-1] < metrics['history']['d_loss'][0]
    if HAVE_PIL:   # 10 x 10 grid: row r is digit r
        assert png_size(out / 'digits-1.png') == (10 * 30 + 2, 10 * 30 + 2)
    from torchlet.examples.cgan import Discriminator, Generator
    G, D = Generator(), Discriminator()
    images = G(torchlet.randn(4, 100), torchlet.tensor([0, 3, 3, 9]))
    assert images.shape == (4, 1, 28, 28) and images.abs().max().item() <= 1
    assert D(images, torchlet.tensor([0, 3, 3, 9])).shape == (4, 1)


def test_dcgan_trains(tmp_path):
    metrics, out = run_example('dcgan', tmp_path, '--epochs', '1', '--limit-batches', '6', '--batch-size', '16',
                               '--ngf', '8', '--ndf', '8')
    check_outputs(metrics, out, grids=['real_images.png', 'fake_images-1.png'], plots=['loss.png', 'scores.png'],
                  other=['G.ckpt', 'D.ckpt'])
    assert metrics['history']['d_loss'][-1] < metrics['history']['d_loss'][0]
    from torchlet.examples import dcgan
    G, D = dcgan.Generator(100, 64), dcgan.Discriminator(64)
    G.apply(dcgan.weights_init)
    fake = G(torchlet.randn(5, 100, 1, 1))
    assert fake.shape == (5, 1, 28, 28) and D(fake).shape == (5, 1)
    w = G.main[0].weight.detach().numpy()
    assert abs(w.std() - 0.02) < 0.002 and abs(w.mean()) < 0.002          # N(0, 0.02) initialisation
    on_torch = _results_module().load_example('torch', 'dcgan')
    for ours, theirs in ((G, on_torch.Generator(100, 64)), (D, on_torch.Discriminator(64))):
        assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
            [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]


def test_gan_vs_vae_trains_both_and_compares(tmp_path):
    metrics, out = run_example('gan_vs_vae', tmp_path, '--epochs', '1', '--limit-batches', '3')
    check_outputs(metrics, out, plots=['comparison.png'])
    summary = metrics['summary']
    assert summary['vae'] == 'trained 1 epochs' and summary['gan'] == 'trained 1 epochs'
    assert summary['images_per_panel'] == 64
    assert summary['sharpness_real'] > 0.8                 # MNIST digits are nearly black and white
    for key in ('vae_samples', 'gan_samples', 'vae_reconstructions'):
        assert 0 <= summary['sharpness_' + key] <= 1


def test_gan_vs_vae_loads_checkpoints(tmp_path):
    from torchlet.examples import gan, vae
    torchlet.save(vae.VAE().state_dict(), tmp_path / 'vae.ckpt')
    torchlet.save(gan.generator().state_dict(), tmp_path / 'G.ckpt')
    metrics, out = run_example('gan_vs_vae', tmp_path, '--vae-ckpt', str(tmp_path / 'vae.ckpt'),
                               '--gan-ckpt', str(tmp_path / 'G.ckpt'), '--samples', '16', '--no-plots')
    assert metrics['summary']['vae'].endswith('vae.ckpt') and metrics['history'] == {'vae': {}, 'gan': {}}
    assert metrics['summary']['images_per_panel'] == 16


def test_sharpness():
    from torchlet.examples.gan_vs_vae import sharpness
    assert sharpness(torchlet.tensor([[0.0, 1.0], [1.0, 0.0]])) == 1.0
    assert sharpness(torchlet.full((2, 3), 0.5)) == 0.0
    np.testing.assert_allclose(sharpness(torchlet.tensor([0.25, 1.0])), 0.75)
