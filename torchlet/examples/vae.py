"""Variational autoencoder on MNIST (seed 001 §8.1, 吴茂贵《Python深度学习：基于PyTorch》; figures
8-4, 8-5 and 8-8).

The notes' network: a fully connected encoder 784 -> 400 (ReLU) -> two heads of 20 (``mu`` and
``log_var``), the reparameterisation ``z = mu + exp(log_var / 2) * eps`` with ``eps ~ N(0, I)``, and
a decoder 20 -> 400 (ReLU) -> 784 (sigmoid). The loss is the summed binary cross-entropy of the
reconstruction plus the KL divergence ``-0.5 * sum(1 + log_var - mu² - exp(log_var))``; images are
``ToTensor()`` pixels in [0, 1]; ``Adam(lr=1e-3)``, batches of 128, 30 epochs.

Outputs, as in the notes: after every epoch ``sampled-{epoch}.png`` (the decoder applied to 128
draws from N(0, I), 图8-5) and ``reconst-{epoch}.png`` (each image of the last batch next to its
reconstruction: odd columns originals, even columns reconstructions, 图8-4); at the end
``manifold.png`` (图8-8: a 20 x 20 grid of decoded latent points at the Gaussian quantiles 5 % … 95 %
along two latent axes), ``latent_space.png`` (the encoded test digits, coloured by label) and
``loss.png``. With ``--z-dim 2`` the two axes are the latent space itself (图8-8 is drawn that way);
with more dimensions they are the two principal directions of the encoded test set, through its
mean.

    python -m torchlet.examples run vae                 # 30 epochs
    python -m torchlet.examples run vae --z-dim 2       # a 2-D latent space, for the manifold figure
"""
import statistics

import numpy as np

import torchlet as torch
import torchlet.nn as nn
import torchlet.nn.functional as F

from ._generative import (Run, generative_parser, limited, load_mnist, n_batches, parse_args, save_checkpoint,
                          save_grid)

NAME = 'vae'
DESCRIPTION = 'variational autoencoder (fully connected) on MNIST: samples, reconstructions, latent manifold'
SEED = '001 §8.1, §8.4'
SEED_REPORTED = {'epochs': 30, 'figures': '图8-4 originals and reconstructions in alternating columns, '
                                          '图8-5 samples from N(0, I), 图8-8 the latent manifold',
                 'note': 'the notes report no loss values'}
IMAGE_SIZE = 784


class VAE(nn.Module):
    """Encoder 784 -> h_dim -> (mu, log_var) of size z_dim; decoder z_dim -> h_dim -> 784 (sigmoid)."""

    def __init__(self, image_size=784, h_dim=400, z_dim=20):
        super(VAE, self).__init__()
        self.z_dim = z_dim
        self.fc1 = nn.Linear(image_size, h_dim)
        self.fc2 = nn.Linear(h_dim, z_dim)
        self.fc3 = nn.Linear(h_dim, z_dim)
        self.fc4 = nn.Linear(z_dim, h_dim)
        self.fc5 = nn.Linear(h_dim, image_size)

    def encode(self, x):
        h = F.relu(self.fc1(x.view(x.size(0), -1)))
        return self.fc2(h), self.fc3(h)

    def reparameterize(self, mu, log_var):
        std = torch.exp(log_var / 2)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h = F.relu(self.fc4(z))
        return torch.sigmoid(self.fc5(h))

    def forward(self, x):
        mu, log_var = self.encode(x)
        z = self.reparameterize(mu, log_var)
        x_reconst = self.decode(z)
        return x_reconst, mu, log_var


def vae_loss(x_reconst, x, mu, log_var):
    """(summed BCE of the reconstruction, KL divergence from N(0, I)) of a batch."""
    reconst_loss = F.binary_cross_entropy(x_reconst, x.view_as(x_reconst), reduction='sum')
    kl_div = - 0.5 * torch.sum(1 + log_var - mu.pow(2) - log_var.exp())
    return reconst_loss, kl_div


def as_images(x):
    """A batch of flat or (1, 28, 28) images as (N, 1, 28, 28)."""
    return x.view(-1, 1, 28, 28)


def save_epoch_images(run, model, x, epoch, prefix=''):
    """sampled-{epoch}.png (decoded N(0, I) draws) and reconst-{epoch}.png (originals and
    reconstructions side by side, ``torch.cat(..., dim=3)``) for the last batch ``x``."""
    with torch.no_grad():
        z = torch.randn(x.size(0), model.z_dim, device=x.device)
        out = model.decode(z)
        save_grid(run, as_images(out), f'{prefix}sampled-{epoch}.png')
        out, _, _ = model(x)
        x_concat = torch.cat([as_images(x), as_images(out)], dim=3)
        save_grid(run, x_concat, f'{prefix}reconst-{epoch}.png')


def train_vae(run, model, loader, optimizer, *, prefix='', on_epoch_end=save_epoch_images):
    """The notes' loop: per batch forward, BCE + KL, zero_grad, backward, step; images after every
    epoch. Returns the history: per step ``reconst_loss`` and ``kl_div`` (batch sums), per epoch
    ``loss`` (per image) and ``epoch_time_s``."""
    import time
    args = run.args
    history = {'reconst_loss': [], 'kl_div': [], 'loss': [], 'epoch_time_s': []}
    total = n_batches(loader, args.limit_batches)
    for epoch in range(1, args.epochs + 1):
        model.train()
        start, loss_sum, count, x = time.perf_counter(), 0.0, 0, None
        bar = run.progress(limited(loader, args.limit_batches), desc=f'{prefix}epoch {epoch}/{args.epochs}',
                           total=total)
        for i, (x, _) in enumerate(bar):
            x = x.to(run.device)
            x_reconst, mu, log_var = model(x)
            reconst_loss, kl_div = vae_loss(x_reconst, x, mu, log_var)
            loss = reconst_loss + kl_div
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            r, k = reconst_loss.item(), kl_div.item()
            history['reconst_loss'].append(r)
            history['kl_div'].append(k)
            loss_sum += r + k
            count += x.size(0)
            if hasattr(bar, 'set_postfix'):
                bar.set_postfix(loss=f'{(r + k) / x.size(0):.2f}', refresh=False)
            if args.log_interval and (i + 1) % args.log_interval == 0:
                run.log('Epoch[{}/{}], Step [{}/{}], Reconst Loss: {:.4f}, KL Div: {:.4f}'
                        .format(epoch, args.epochs, i + 1, total, r, k))
        history['epoch_time_s'].append(time.perf_counter() - start)
        history['loss'].append(loss_sum / max(count, 1))
        run.log_epoch(epoch, args.epochs, prefix=prefix, loss_per_image=history['loss'][-1],
                      time_s=history['epoch_time_s'][-1])
        if on_epoch_end is not None and x is not None:
            model.eval()
            on_epoch_end(run, model, x, epoch, prefix)
    return history


def encode_test_set(run, model, loader, limit=5000):
    """(mu as a NumPy array, labels, mean test loss per image) for the first ``limit`` test images
    (rounded up to whole batches)."""
    model.eval()
    mus, labels, loss_sum, count = [], [], 0.0, 0
    with torch.no_grad():
        for x, y in loader:
            x = x.to(run.device)
            x_reconst, mu, log_var = model(x)
            r, k = vae_loss(x_reconst, x, mu, log_var)
            loss_sum += (r + k).item()
            count += x.size(0)
            mus.append(mu.cpu().numpy())
            labels.append(y.numpy())
            if count >= limit:
                break
    return np.concatenate(mus), np.concatenate(labels), loss_sum / max(count, 1)


def latent_axes(mu):
    """(center, two axes scaled by their standard deviations, explained variance ratio): the latent
    axes themselves when there are 2 dimensions, else the first two principal directions of ``mu``."""
    if mu.shape[1] == 2:
        return np.zeros(2), np.eye(2), 1.0
    center = mu.mean(axis=0)
    cov = np.cov((mu - center).T)
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1][:2]
    axes = vectors[:, order].T * np.sqrt(values[order])[:, None]
    return center, axes, float(values[order].sum() / values.sum())


def manifold_figure(run, model, mu, labels, n=20, prefix=''):
    """图8-8: decode an n x n grid of latent points at the Gaussian quantiles 5 % … 95 % along the
    two latent axes; and the scatter of the encoded test digits. Returns the explained variance."""
    center, axes, explained = latent_axes(mu)
    quantiles = np.array([statistics.NormalDist().inv_cdf(p) for p in np.linspace(0.05, 0.95, n)])
    grid_a, grid_b = np.meshgrid(quantiles, quantiles[::-1])          # rows: second axis, top = high
    points = center + grid_a.reshape(-1, 1) * axes[0] + grid_b.reshape(-1, 1) * axes[1]
    with torch.no_grad():
        z = torch.tensor(points.astype(np.float32)).to(run.device)
        digits = as_images(model.decode(z)).cpu().numpy()[:, 0]
    figure = digits.reshape(n, n, 28, 28).transpose(0, 2, 1, 3).reshape(n * 28, n * 28)
    two_d = mu.shape[1] == 2
    axis_names = ('z[0]', 'z[1]') if two_d else ('first principal direction', 'second principal direction')

    def draw_manifold(fig):
        ax = fig.add_subplot()
        ax.imshow(figure, cmap='Greys_r', extent=(quantiles[0], quantiles[-1], quantiles[0], quantiles[-1]))
        ax.set(xlabel=f'{axis_names[0]} (std units)', ylabel=f'{axis_names[1]} (std units)',
               title='VAE latent manifold' + ('' if two_d else f' ({explained:.0%} of the latent variance)'))

    def draw_scatter(fig):
        ax = fig.add_subplot()
        xy = (mu - center) @ np.linalg.pinv(axes)
        points = ax.scatter(xy[:, 0], xy[:, 1], c=labels, cmap='tab10', s=3)
        fig.colorbar(points, ax=ax, ticks=range(10), label='digit')
        ax.set(xlabel=f'{axis_names[0]} (std units)', ylabel=f'{axis_names[1]} (std units)',
               title='encoded test digits (mu)')

    run.save_plot(f'{prefix}manifold.png', draw_manifold, figsize=(10, 10))
    run.save_plot(f'{prefix}latent_space.png', draw_scatter, figsize=(7, 6))
    return explained


def build_parser(name=NAME, description=DESCRIPTION, epochs=30):
    parser = generative_parser(name, description, epochs=epochs, lr=1e-3, seed=0, batch_size=128)
    parser.add_argument('--h-dim', type=int, default=400, help='hidden layer size')
    parser.add_argument('--z-dim', type=int, default=20, help='latent dimensions')
    parser.add_argument('--test-images', type=int, default=5000,
                        help='test images encoded for the test loss and the latent figures')
    return parser


def vae_main(argv, *, name, make_model, parser, seed_reported):
    """The whole program for a VAE model (this one or vae_conv's): data, training with the images
    of every epoch, the latent figures, the loss plot and metrics.json."""
    args = parse_args(parser, argv)
    run = Run(name, args)
    train_loader, test_loader, info = load_mnist(run)            # ToTensor(): pixels in [0, 1]
    model = make_model(args).to(run.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    history = train_vae(run, model, train_loader, optimizer)
    mu, labels, test_loss = encode_test_set(run, model, test_loader, args.test_images)
    explained = manifold_figure(run, model, mu, labels) if not args.no_plots else None
    steps = range(1, len(history['kl_div']) + 1)
    per_image = [(r + k) / args.batch_size for r, k in zip(history['reconst_loss'], history['kl_div'])]
    run.plot_curves('loss.png', {'loss per image (BCE + KL)': (steps, per_image),
                                 'KL per image': (steps, [k / args.batch_size for k in history['kl_div']])},
                    title=f'{name}: training loss per step', xlabel='step', ylabel='nats per image')
    summary = {
        'final_train_loss_per_image': history['loss'][-1] if history['loss'] else None,
        'first_epoch_loss_per_image': history['loss'][0] if history['loss'] else None,
        'test_loss_per_image': test_loss,
        'epochs': len(history['loss']),
        'data': f"{info['dataset']} ({'embedded sample' if info['source'] == 'sample' else 'full'}, "
                f"{info['train_size']} train / {info['test_size']} test)",
        'train_time_s': round(sum(history['epoch_time_s']), 3),
    }
    if explained is not None:
        summary['manifold_axes_variance'] = explained
    run.log(f'test loss {test_loss:.2f} nats per image (BCE + KL) after {summary["epochs"]} epochs')
    save_checkpoint(run, model, f'{name}.ckpt')
    return run.finish(summary, history=history, data=info, seed_reported=seed_reported, framework=torch.__name__)


def main(argv=None):
    return vae_main(argv, name=NAME, parser=build_parser(), seed_reported=SEED_REPORTED,
                    make_model=lambda args: VAE(IMAGE_SIZE, args.h_dim, args.z_dim))


if __name__ == '__main__':
    main()
