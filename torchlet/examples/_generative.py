"""Shared parts of the generative MNIST examples (VAE, GAN, CGAN, DCGAN; not an example itself):
the command line, the data, image grids written with ``save_image``, the GAN training loop of seed
001 §8.3 and the loss plots.

Written against the PyTorch API (``torch`` is torchlet here), like mnist_common, so that
scripts/results.py can run the same code on PyTorch.
"""
import importlib
import os
import time

import torchlet as torch

from . import mnist_common
from ._common import Run, parse_args  # noqa: F401 (re-exported for the examples)

__all__ = ['generative_parser', 'load_mnist', 'limited', 'n_batches', 'save_grid', 'grid_array', 'denorm', 'train_gan',
           'gan_summary', 'plot_gan_history', 'save_checkpoint', 'finish_gan', 'Run', 'parse_args']


def generative_parser(name, description, *, epochs, lr, seed, batch_size):
    """The MNIST options (mnist_common.mnist_parser: --data, --pipeline, --download,
    --limit-batches ...) plus --log-interval; one log line per epoch."""
    parser = mnist_common.mnist_parser(name, description, epochs=epochs, lr=lr, seed=seed, batch_size=batch_size,
                                       test_batch_size=batch_size)
    parser.add_argument('--log-interval', type=int, default=0,
                        help="also print the notes' 'Epoch [..], Step [..]' line every N steps (0: never)")
    return parser


def load_mnist(run, mean=0.0, std=1.0):
    """(train_loader, test_loader, info): MNIST as ``ToTensor()`` (mean 0, std 1: pixels in [0, 1],
    the VAE's input) or ``Normalize((0.5,), (0.5,))`` (pixels in [-1, 1], the GANs' input)."""
    return mnist_common.load_data(run, mean=mean, std=std)


def limited(loader, limit):
    """The first ``limit`` batches of ``loader`` (all of them when limit is None)."""
    for i, batch in enumerate(loader):
        if limit is not None and i >= limit:
            return
        yield batch


def n_batches(loader, limit):
    """How many batches :func:`limited` yields."""
    return len(loader) if limit is None else min(len(loader), limit)


def denorm(x):
    """[-1, 1] (tanh output / Normalize(0.5, 0.5)) back to [0, 1]."""
    out = (x + 1) / 2
    return out.clamp(0, 1)


def _vision_utils():
    """torchlet.vision.utils (it stays torchlet.vision under scripts/results.py's rewrite)."""
    return importlib.import_module('torchlet.vision.utils')


def _for_vision(tensor):
    """A detached CPU copy of an image batch that torchlet.vision accepts (a PyTorch tensor becomes
    a torchlet one)."""
    vision_utils = _vision_utils()
    tensor = tensor.detach().cpu()
    if not isinstance(tensor, vision_utils.Tensor):
        tensor = importlib.import_module('torchlet').from_numpy(tensor.numpy().copy())
    return tensor


def grid_array(tensor, nrow=8, padding=2, pad_value=1.0):
    """``make_grid`` of a (N, 1, H, W) batch in [0, 1] as a 2-D NumPy array (for matplotlib)."""
    return _vision_utils().make_grid(_for_vision(tensor), nrow=nrow, padding=padding,
                                     pad_value=pad_value).numpy()[0]


def save_grid(run, tensor, filename, **grid_options):
    """``torchvision.utils.save_image(tensor, out/filename, **grid_options)`` (a grid of the
    batch); skipped with --no-plots. Returns the path, or None."""
    if run.args.no_plots:
        return None
    path = os.path.join(run.out, filename)
    try:
        _vision_utils().save_image(_for_vision(tensor), path, **grid_options)
    except ModuleNotFoundError as error:             # no Pillow
        if not any(n.startswith('Pillow') for n in run.notes):
            run.note(f'Pillow is not installed: image grids skipped ({error})')
        return None
    run.files.append(filename)
    return path


# ------------------------------------------------------------------------------- GAN training
def _call(model, x, cond):
    return model(x) if cond is None else model(x, cond)


def train_gan(run, D, G, loader, *, latent, d_optimizer, g_optimizer, criterion=None, conditional=False,
              flatten=False, fresh_noise_for_g=True, on_epoch_end=None, n_classes=10):
    """The GAN training loop of seed 001 §8.3, for the GAN, CGAN and DCGAN examples.

    Per batch: the discriminator step (BCE of D(real images) against ones plus BCE of D(G(z))
    against zeros, one Adam step on D), then the generator step (BCE of D(G(z)) against ones, one
    Adam step on G). ``latent(b)`` draws the noise of a batch of b; ``conditional`` passes the
    digit labels to D and G (random digits for the fakes); ``flatten`` views real images as
    (b, 784); ``fresh_noise_for_g`` draws new noise for the generator step (the notes) instead of
    reusing the discriminator step's fakes (PyTorch's DCGAN tutorial). The fakes go into D's step
    detached (the notes call reset_grad() before G's step, which throws those gradients away).
    ``on_epoch_end(epoch, last_real, last_fake)`` saves the sample grids.

    Returns the history: per step ``d_loss``, ``g_loss``, ``real_score`` (mean D(x)) and
    ``fake_score`` (mean D(G(z))); per epoch their means (``epoch_*``) and ``epoch_time_s``.
    """
    args = run.args
    criterion = criterion or torch.nn.BCELoss()
    keys = ('d_loss', 'g_loss', 'real_score', 'fake_score')
    history = {**{k: [] for k in keys}, **{'epoch_' + k: [] for k in keys}, 'epoch_time_s': []}
    total = n_batches(loader, args.limit_batches)
    device = run.device
    for epoch in range(1, args.epochs + 1):
        D.train()
        G.train()
        start, first = time.perf_counter(), len(history['d_loss'])
        bar = run.progress(limited(loader, args.limit_batches), desc=f'epoch {epoch}/{args.epochs}', total=total)
        images = fake_images = None
        for i, (images, labels) in enumerate(bar):
            b = images.size(0)
            images = images.to(device)
            if flatten:
                images = images.reshape(b, -1)
            real_cond = labels.to(device) if conditional else None
            real_labels = torch.ones(b, 1, device=device)
            fake_labels = torch.zeros(b, 1, device=device)

            # train the discriminator: real images -> 1, fakes -> 0
            outputs = _call(D, images, real_cond)
            d_loss_real = criterion(outputs, real_labels)
            real_score = outputs
            fake_cond = torch.randint(0, n_classes, (b,), device=device) if conditional else None
            fake_images = _call(G, latent(b), fake_cond)
            outputs = _call(D, fake_images.detach(), fake_cond)
            d_loss_fake = criterion(outputs, fake_labels)
            fake_score = outputs
            d_loss = d_loss_real + d_loss_fake
            d_optimizer.zero_grad()
            g_optimizer.zero_grad()
            d_loss.backward()
            d_optimizer.step()

            # train the generator: make D say 1 for its fakes
            if fresh_noise_for_g:
                fake_cond = torch.randint(0, n_classes, (b,), device=device) if conditional else None
                fake_images = _call(G, latent(b), fake_cond)
            outputs = _call(D, fake_images, fake_cond)
            g_loss = criterion(outputs, real_labels)
            d_optimizer.zero_grad()
            g_optimizer.zero_grad()
            g_loss.backward()
            g_optimizer.step()

            values = (d_loss.item(), g_loss.item(), real_score.mean().item(), fake_score.mean().item())
            for key, value in zip(keys, values):
                history[key].append(value)
            if hasattr(bar, 'set_postfix'):
                bar.set_postfix(d_loss=f'{values[0]:.3f}', g_loss=f'{values[1]:.3f}', refresh=False)
            if args.log_interval and (i + 1) % args.log_interval == 0:
                run.log('Epoch [{}/{}], Step [{}/{}], d_loss: {:.4f}, g_loss: {:.4f}, D(x): {:.2f}, D(G(z)): {:.2f}'
                        .format(epoch, args.epochs, i + 1, total, *values))
        history['epoch_time_s'].append(time.perf_counter() - start)
        for key in keys:
            steps = history[key][first:]
            history['epoch_' + key].append(sum(steps) / max(len(steps), 1))
        run.log_epoch(epoch, args.epochs, **{k: history['epoch_' + k][-1] for k in keys},
                      time_s=history['epoch_time_s'][-1])
        if on_epoch_end is not None and images is not None:
            G.eval()
            with torch.no_grad():
                on_epoch_end(epoch, images, fake_images.detach())
    return history


def gan_summary(history):
    """The last epoch's mean losses and scores, and the first and last step's d_loss."""
    last = {k: history['epoch_' + k][-1] if history['epoch_' + k] else None
            for k in ('d_loss', 'g_loss', 'real_score', 'fake_score')}
    return {'final_d_loss': last['d_loss'], 'final_g_loss': last['g_loss'],
            'final_D(x)': last['real_score'], 'final_D(G(z))': last['fake_score'],
            'first_step_d_loss': history['d_loss'][0] if history['d_loss'] else None,
            'train_time_s': round(sum(history['epoch_time_s']), 3)}


def save_checkpoint(run, model, filename):
    """``torch.save(model.state_dict(), out/filename)`` (PyTorch's format: torch.load reads it)."""
    torch.save(model.state_dict(), os.path.join(run.out, filename))
    run.files.append(filename)


def finish_gan(run, D, G, history, info, title, seed_reported):
    """The end of a GAN example: loss and score plots, G.ckpt / D.ckpt, summary and metrics.json."""
    plot_gan_history(run, history, title)
    save_checkpoint(run, G, 'G.ckpt')
    save_checkpoint(run, D, 'D.ckpt')
    return run.finish(gan_summary(history), history=history, data=info, seed_reported=seed_reported,
                      framework=torch.__name__)


def plot_gan_history(run, history, title):
    """loss.png (d_loss and g_loss per step) and scores.png (D(x), D(G(z)) per step)."""
    run.plot_curves('loss.png', {'d_loss': history['d_loss'], 'g_loss': history['g_loss']},
                    title=f'{title}: losses per step', xlabel='step', ylabel='BCE loss')
    run.plot_curves('scores.png', {'D(x)': history['real_score'], 'D(G(z))': history['fake_score']},
                    title=f'{title}: mean discriminator output per step', xlabel='step', ylabel='D output',
                    ylim=(0, 1))
