"""A generative adversarial network on MNIST (seed 001 §8.2–8.3, 吴茂贵《Python深度学习：基于PyTorch》;
figure 8-7).

The notes' networks, fully connected: the discriminator 784 -> 256 -> 256 -> 1 with
``LeakyReLU(0.2)`` and a sigmoid output (real or fake); the generator 64 -> 256 -> 256 -> 784 with
ReLU and a ``tanh`` output, so that its images lie in [-1, 1] like the real ones
(``Normalize(mean=[0.5], std=[0.5])``). Losses: ``BCELoss``; the discriminator's is
``BCE(D(images), real_labels) + BCE(D(G(z)), fake_labels)``, the generator's
``BCE(D(G(z)), real_labels)``. Two ``Adam(lr=0.0002)``, batches of 100, 200 epochs: the
discriminator wins early (D(x) ~ 0.93, D(G(z)) ~ 0.07 after 20 epochs, with noisy, half-formed
digits) and the generator catches up slowly, so the notes' figure needs the long run.

Outputs: ``real_images.png`` (a batch of real digits), ``fake_images-{epoch}.png`` after every
epoch (the last batch of fakes, 图8-7), ``loss.png`` and ``scores.png`` (the losses and the mean
D(x), D(G(z)) per step), the checkpoints ``G.ckpt`` / ``D.ckpt`` (state dicts) and metrics.json.

    python -m torchlet.examples run gan --epochs 20
"""
import torchlet as torch
import torchlet.nn as nn

from ._generative import Run, denorm, finish_gan, generative_parser, load_mnist, parse_args, save_grid, train_gan

NAME = 'gan'
DESCRIPTION = 'GAN on MNIST: fully connected LeakyReLU discriminator, tanh generator, BCE losses'
SEED = '001 §8.2–8.3'
SEED_REPORTED = {'figure': "图8-7: generated digits, clearer than the VAE's 图8-5", 'note': 'no loss values reported'}


def discriminator(image_size=784, hidden_size=256):
    """D: image (N, 784) -> probability of being real (N, 1)."""
    return nn.Sequential(
        nn.Linear(image_size, hidden_size),
        nn.LeakyReLU(0.2),
        nn.Linear(hidden_size, hidden_size),
        nn.LeakyReLU(0.2),
        nn.Linear(hidden_size, 1),
        nn.Sigmoid())


def generator(latent_size=64, hidden_size=256, image_size=784):
    """G: latent vector (N, 64) -> image (N, 784) in [-1, 1]."""
    return nn.Sequential(
        nn.Linear(latent_size, hidden_size),
        nn.ReLU(),
        nn.Linear(hidden_size, hidden_size),
        nn.ReLU(),
        nn.Linear(hidden_size, image_size),
        nn.Tanh())


def build_parser():
    parser = generative_parser(NAME, DESCRIPTION, epochs=200, lr=0.0002, seed=0, batch_size=100)
    parser.add_argument('--latent-size', type=int, default=64, help='size of the latent vector z')
    parser.add_argument('--hidden-size', type=int, default=256, help='hidden layer size of D and G')
    return parser


def build(args, device):
    """(D, G, d_optimizer, g_optimizer, latent) of the notes, for the run's options."""
    D = discriminator(784, args.hidden_size).to(device)
    G = generator(args.latent_size, args.hidden_size, 784).to(device)
    d_optimizer = torch.optim.Adam(D.parameters(), lr=args.lr)
    g_optimizer = torch.optim.Adam(G.parameters(), lr=args.lr)
    return D, G, d_optimizer, g_optimizer, lambda b: torch.randn(b, args.latent_size, device=device)


def train(run, save_images=True):
    """Data, models and the §8.3 loop (with the notes' images after every epoch unless
    ``save_images`` is false); returns (D, G, history, data info)."""
    args = run.args
    train_loader, _, info = load_mnist(run, mean=0.5, std=0.5)     # pixels in [-1, 1]
    D, G, d_optimizer, g_optimizer, latent = build(args, run.device)

    def on_epoch_end(epoch, images, fake_images):
        if epoch == 1:
            save_grid(run, denorm(images.reshape(images.size(0), 1, 28, 28)), 'real_images.png')
        save_grid(run, denorm(fake_images.reshape(fake_images.size(0), 1, 28, 28)), f'fake_images-{epoch}.png')

    history = train_gan(run, D, G, train_loader, latent=latent, d_optimizer=d_optimizer, g_optimizer=g_optimizer,
                        flatten=True, on_epoch_end=on_epoch_end if save_images else None)
    return D, G, history, info


def main(argv=None):
    args = parse_args(build_parser(), argv)
    run = Run(NAME, args)
    D, G, history, info = train(run)
    return finish_gan(run, D, G, history, info, 'GAN', SEED_REPORTED)


if __name__ == '__main__':
    main()
