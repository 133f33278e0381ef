"""A deep convolutional GAN (DCGAN) on MNIST (seed 001 ch. 8, "DCGAN简介").

The notes list DCGAN among the chapter's models without its code. This follows the DCGAN recipe
(Radford et al. 2015, as in PyTorch's DCGAN tutorial) sized for 28 x 28 digits: the generator maps
z (100 x 1 x 1) through ``ConvTranspose2d(100, 128, 7)`` (128 x 7 x 7) -> ``ConvTranspose2d(128, 64,
4, 2, 1)`` (64 x 14 x 14) -> ``ConvTranspose2d(64, 1, 4, 2, 1)`` (1 x 28 x 28), with ``BatchNorm2d`` +
ReLU between and ``tanh`` at the end; the discriminator mirrors it with ``Conv2d`` (1 -> 64 -> 128,
4 x 4, stride 2), ``BatchNorm2d`` on the second, ``LeakyReLU(0.2)`` and a final ``Conv2d(128, 1, 7)``
+ sigmoid. Weights ~ N(0, 0.02) (BatchNorm scales ~ N(1, 0.02)); ``BCELoss``; two
``Adam(lr=0.0002, betas=(0.5, 0.999))``; batches of 128; 5 epochs; the generator step reuses the
discriminator step's fakes, as in the tutorial (otherwise the §8.3 loop of the ``gan`` example).

Outputs: ``fake_images-{epoch}.png`` (64 fakes from the same noise after every epoch),
``real_images.png``, ``loss.png``, ``scores.png``, ``G.ckpt`` / ``D.ckpt`` and metrics.json.

    python -m torchlet.examples run dcgan
"""
import torchlet as torch
import torchlet.nn as nn

from ._generative import Run, denorm, finish_gan, generative_parser, load_mnist, parse_args, save_grid, train_gan

NAME = 'dcgan'
DESCRIPTION = 'DCGAN on MNIST: ConvTranspose2d + BatchNorm2d generator, strided Conv2d discriminator'
SEED = '001 ch. 8 (DCGAN)'
SEED_REPORTED = {'note': 'named in the notes (DCGAN简介), no code or result given'}


class Generator(nn.Module):
    """z (N, nz, 1, 1) -> image (N, 1, 28, 28) in [-1, 1]."""

    def __init__(self, nz=100, ngf=64):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 2, 7, 1, 0, bias=False),        # -> (ngf*2) x 7 x 7
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),       # -> ngf x 14 x 14
            nn.BatchNorm2d(ngf),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf, 1, 4, 2, 1, bias=False),             # -> 1 x 28 x 28
            nn.Tanh())

    def forward(self, input):
        return self.main(input)


class Discriminator(nn.Module):
    """image (N, 1, 28, 28) -> probability of being real, (N, 1)."""

    def __init__(self, ndf=64):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(1, ndf, 4, 2, 1, bias=False),                      # -> ndf x 14 x 14
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),                # -> (ndf*2) x 7 x 7
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, 1, 7, 1, 0, bias=False),                  # -> 1 x 1 x 1
            nn.Sigmoid())

    def forward(self, input):
        return self.main(input).view(-1, 1)


def weights_init(m):
    """DCGAN initialisation: conv weights ~ N(0, 0.02), BatchNorm weight ~ N(1, 0.02), bias 0."""
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif classname.find('BatchNorm') != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


def build_parser():
    parser = generative_parser(NAME, DESCRIPTION, epochs=5, lr=0.0002, seed=999, batch_size=128)
    parser.add_argument('--nz', type=int, default=100, help='size of the latent vector z')
    parser.add_argument('--ngf', type=int, default=64, help='generator feature maps')
    parser.add_argument('--ndf', type=int, default=64, help='discriminator feature maps')
    parser.add_argument('--beta1', type=float, default=0.5, help="Adam's beta1")
    return parser


def build(args, device):
    """(D, G, d_optimizer, g_optimizer) with the DCGAN initialisation."""
    G = Generator(args.nz, args.ngf).to(device)
    G.apply(weights_init)
    D = Discriminator(args.ndf).to(device)
    D.apply(weights_init)
    d_optimizer = torch.optim.Adam(D.parameters(), lr=args.lr, betas=(args.beta1, 0.999))
    g_optimizer = torch.optim.Adam(G.parameters(), lr=args.lr, betas=(args.beta1, 0.999))
    return D, G, d_optimizer, g_optimizer


def main(argv=None):
    args = parse_args(build_parser(), argv)
    run = Run(NAME, args)
    device = run.device
    train_loader, _, info = load_mnist(run, mean=0.5, std=0.5)
    D, G, d_optimizer, g_optimizer = build(args, device)
    fixed_noise = torch.randn(64, args.nz, 1, 1, device=device)

    def on_epoch_end(epoch, images, fake_images):
        if epoch == 1:
            save_grid(run, denorm(images[:64]), 'real_images.png')
        save_grid(run, denorm(G(fixed_noise)), f'fake_images-{epoch}.png')

    history = train_gan(run, D, G, train_loader, latent=lambda b: torch.randn(b, args.nz, 1, 1, device=device),
                        d_optimizer=d_optimizer, g_optimizer=g_optimizer, fresh_noise_for_g=False,
                        on_epoch_end=on_epoch_end)
    return finish_gan(run, D, G, history, info, 'DCGAN', SEED_REPORTED)


if __name__ == '__main__':
    main()
