"""A convolutional variational autoencoder on MNIST: the variant seed 001 §8.1 suggests ("如果编码层
使用卷积层(如nn.Conv2d), 解码器需要使用反卷积层(nn.ConvTranspose2d)").

The notes give no code for it; this is the fully connected VAE of the ``vae`` example with its
encoder and decoder made convolutional. Encoder: ``Conv2d(1, 32, 4, stride 2, padding 1)`` + ReLU
(32 x 14 x 14) -> ``Conv2d(32, 64, 4, 2, 1)`` + ReLU (64 x 7 x 7) -> ``Linear(3136, 400)`` + ReLU ->
``mu``, ``log_var`` (20 each). Decoder: ``Linear(20, 400)`` + ReLU -> ``Linear(400, 3136)`` + ReLU ->
``ConvTranspose2d(64, 32, 4, 2, 1)`` + ReLU -> ``ConvTranspose2d(32, 1, 4, 2, 1)`` + sigmoid. Same
loss (summed BCE + KL), optimizer (``Adam(lr=1e-3)``), batches (128), images and figures as ``vae``;
10 epochs by default (a convolution costs more on a CPU).

    python -m torchlet.examples run vae_conv
"""
import torchlet as torch
import torchlet.nn as nn
import torchlet.nn.functional as F

from .vae import build_parser, vae_main

NAME = 'vae_conv'
DESCRIPTION = 'convolutional VAE on MNIST (Conv2d encoder, ConvTranspose2d decoder), same figures as vae'
SEED = '001 §8.1 (suggested variant)'
SEED_REPORTED = {'note': 'suggested in the notes, no code or result given'}


class ConvVAE(nn.Module):
    """Conv2d encoder -> (mu, log_var); decoder Linear -> ConvTranspose2d -> (N, 1, 28, 28) in [0, 1]."""

    def __init__(self, h_dim=400, z_dim=20, channels=(32, 64)):
        super(ConvVAE, self).__init__()
        c1, c2 = channels
        self.z_dim = z_dim
        self.channels = c2
        self.encoder = nn.Sequential(
            nn.Conv2d(1, c1, 4, stride=2, padding=1), nn.ReLU(),        # 28 -> 14
            nn.Conv2d(c1, c2, 4, stride=2, padding=1), nn.ReLU(),       # 14 -> 7
        )
        self.fc1 = nn.Linear(c2 * 7 * 7, h_dim)
        self.fc_mu = nn.Linear(h_dim, z_dim)
        self.fc_log_var = nn.Linear(h_dim, z_dim)
        self.fc3 = nn.Linear(z_dim, h_dim)
        self.fc4 = nn.Linear(h_dim, c2 * 7 * 7)
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(c2, c1, 4, stride=2, padding=1), nn.ReLU(),   # 7 -> 14
            nn.ConvTranspose2d(c1, 1, 4, stride=2, padding=1),               # 14 -> 28
        )

    def encode(self, x):
        h = self.encoder(x.view(-1, 1, 28, 28))
        h = F.relu(self.fc1(h.view(h.size(0), -1)))
        return self.fc_mu(h), self.fc_log_var(h)

    def reparameterize(self, mu, log_var):
        std = torch.exp(log_var / 2)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h = F.relu(self.fc4(F.relu(self.fc3(z))))
        return torch.sigmoid(self.decoder(h.view(-1, self.channels, 7, 7)))

    def forward(self, x):
        mu, log_var = self.encode(x)
        z = self.reparameterize(mu, log_var)
        return self.decode(z), mu, log_var


def main(argv=None):
    return vae_main(argv, name=NAME, parser=build_parser(NAME, DESCRIPTION, epochs=10),
                    seed_reported=SEED_REPORTED, make_model=lambda args: ConvVAE(args.h_dim, args.z_dim))


if __name__ == '__main__':
    main()
