"""A conditional GAN on MNIST: the generator is told which digit to draw (seed 001 ch. 8, "CGAN简介").

The notes list CGAN among the chapter's models without its code. This is the conditional version of
the ``gan`` example as the book's companion program builds it: the digit label goes through
``nn.Embedding(10, 10)`` and is concatenated to the generator's noise (100 + 10 -> 256 -> 512 ->
1024 -> 784, ``LeakyReLU(0.2)``, ``tanh``) and to the discriminator's flattened image (784 + 10 ->
1024 -> 512 -> 256 -> 1, ``LeakyReLU(0.2)`` and ``Dropout(0.3)``, sigmoid). The training loop is the
§8.3 one (``BCELoss``, real images with their labels -> 1, fakes of random digits -> 0, then the
generator step), with two ``Adam(lr=1e-4)``, batches of 64, 30 epochs, images normalized to [-1, 1].

Outputs: ``digits-{epoch}.png`` after every epoch: a 10 x 10 grid whose row r shows digit r
(the same noise every epoch), ``real_images.png``, ``loss.png``, ``scores.png``, ``G.ckpt`` /
``D.ckpt`` and metrics.json.

    python -m torchlet.examples run cgan --epochs 10
"""
import torchlet as torch
import torchlet.nn as nn

from ._generative import Run, denorm, finish_gan, generative_parser, load_mnist, parse_args, save_grid, train_gan

NAME = 'cgan'
DESCRIPTION = 'conditional GAN on MNIST: label embeddings fed to both networks, one row per digit'
SEED = '001 ch. 8 (CGAN)'
SEED_REPORTED = {'note': 'named in the notes (CGAN简介), no code or result given'}


class Discriminator(nn.Module):
    """(image, label) -> probability that the image is a real one of that digit, (N, 1)."""

    def __init__(self, n_classes=10, dropout=0.3):
        super().__init__()
        self.label_emb = nn.Embedding(n_classes, n_classes)
        self.model = nn.Sequential(
            nn.Linear(784 + n_classes, 1024), nn.LeakyReLU(0.2, inplace=True), nn.Dropout(dropout),
            nn.Linear(1024, 512), nn.LeakyReLU(0.2, inplace=True), nn.Dropout(dropout),
            nn.Linear(512, 256), nn.LeakyReLU(0.2, inplace=True), nn.Dropout(dropout),
            nn.Linear(256, 1), nn.Sigmoid())

    def forward(self, x, labels):
        x = x.view(x.size(0), 784)
        c = self.label_emb(labels)
        return self.model(torch.cat([x, c], 1))


class Generator(nn.Module):
    """(noise (N, latent), label) -> image of that digit, (N, 1, 28, 28) in [-1, 1]."""

    def __init__(self, latent_size=100, n_classes=10):
        super().__init__()
        self.latent_size = latent_size
        self.label_emb = nn.Embedding(n_classes, n_classes)
        self.model = nn.Sequential(
            nn.Linear(latent_size + n_classes, 256), nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(256, 512), nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(512, 1024), nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(1024, 784), nn.Tanh())

    def forward(self, z, labels):
        z = z.view(z.size(0), self.latent_size)
        c = self.label_emb(labels)
        out = self.model(torch.cat([z, c], 1))
        return out.view(z.size(0), 1, 28, 28)


def build_parser():
    parser = generative_parser(NAME, DESCRIPTION, epochs=30, lr=1e-4, seed=0, batch_size=64)
    parser.add_argument('--latent-size', type=int, default=100, help='size of the noise vector z')
    return parser


def main(argv=None):
    args = parse_args(build_parser(), argv)
    run = Run(NAME, args)
    device = run.device
    train_loader, _, info = load_mnist(run, mean=0.5, std=0.5)
    D, G = Discriminator().to(device), Generator(args.latent_size).to(device)
    d_optimizer = torch.optim.Adam(D.parameters(), lr=args.lr)
    g_optimizer = torch.optim.Adam(G.parameters(), lr=args.lr)
    fixed_z = torch.randn(100, args.latent_size, device=device)
    fixed_digits = torch.LongTensor([d for d in range(10) for _ in range(10)]).to(device)   # row r: digit r

    def on_epoch_end(epoch, images, fake_images):
        if epoch == 1:
            save_grid(run, denorm(images), 'real_images.png')
        save_grid(run, denorm(G(fixed_z, fixed_digits)), f'digits-{epoch}.png', nrow=10)

    history = train_gan(run, D, G, train_loader, latent=lambda b: torch.randn(b, args.latent_size, device=device),
                        d_optimizer=d_optimizer, g_optimizer=g_optimizer, conditional=True,
                        on_epoch_end=on_epoch_end)
    return finish_gan(run, D, G, history, info, 'CGAN', SEED_REPORTED)


if __name__ == '__main__':
    main()
