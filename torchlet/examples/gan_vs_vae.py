"""VAE and GAN side by side (seed 001 §8.4 "VAE与GAN的异同").

The notes compare the two generators: the VAE learns a well-structured, continuous latent space
(图8-8) but its images are blurry, because its loss compares pixels; the GAN's latent space has no
such structure, but its images are sharper (图8-7 against 图8-5). This example puts them on one
page, ``comparison.png``: real digits, VAE samples ``decode(z)`` and GAN samples ``G(z)`` for
``z ~ N(0, I)``, and VAE reconstructions. It also measures the sharpness the notes talk about: the
mean of ``|2p - 1|`` over the pixels p in [0, 1] (1 for pure black and white, 0 for uniform gray).

By default it trains the ``vae`` example's model (Adam 1e-3, batches of 128) and the ``gan``
example's pair (Adam 2e-4, batches of 100) for ``--epochs`` each; ``--vae-ckpt`` / ``--gan-ckpt``
load the checkpoints those examples save (``out/vae/vae.ckpt``, ``out/gan/G.ckpt``) instead.

    python -m torchlet.examples run gan_vs_vae --epochs 10
    python -m torchlet.examples run gan_vs_vae --vae-ckpt out/vae/vae.ckpt --gan-ckpt out/gan/G.ckpt
"""
import torchlet as torch

from . import gan, vae
from ._generative import Run, denorm, generative_parser, grid_array, load_mnist, parse_args

NAME = 'gan_vs_vae'
DESCRIPTION = 'one page comparing VAE and GAN samples on MNIST, with a sharpness measure'
SEED = '001 §8.4'
SEED_REPORTED = {'claim': 'GAN images are clearer than the VAE\'s (图8-7 vs 图8-5); the VAE latent space is '
                          'continuous and structured (图8-8)'}
VAE_OPTIONS = {'batch_size': 128, 'lr': 1e-3, 'h_dim': 400, 'z_dim': 20}
GAN_OPTIONS = {'batch_size': 100, 'lr': 0.0002, 'latent_size': 64, 'hidden_size': 256}


def sharpness(images):
    """Mean |2p - 1| over the pixels of images in [0, 1]."""
    return (images * 2 - 1).abs().mean().item()


def _set(args, options):
    for key, value in options.items():
        setattr(args, key, value)


def get_vae(run):
    """The trained (or loaded) VAE and its training history (None when loaded)."""
    args = run.args
    _set(args, VAE_OPTIONS)
    model = vae.VAE(784, args.h_dim, args.z_dim).to(run.device)
    if args.vae_ckpt:
        model.load_state_dict(torch.load(args.vae_ckpt))
        run.log(f'VAE loaded from {args.vae_ckpt}')
        return model, None
    train_loader, _, _ = load_mnist(run)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    return model, vae.train_vae(run, model, train_loader, optimizer, prefix='vae ', on_epoch_end=None)


def get_gan_generator(run):
    """The trained (or loaded) GAN generator and its training history (None when loaded)."""
    args = run.args
    _set(args, GAN_OPTIONS)
    if args.gan_ckpt:
        G = gan.generator(args.latent_size, args.hidden_size, 784).to(run.device)
        G.load_state_dict(torch.load(args.gan_ckpt))
        run.log(f'GAN generator loaded from {args.gan_ckpt}')
        return G, None
    _, G, history, _ = gan.train(run, save_images=False)
    return G, history


def build_parser():
    parser = generative_parser(NAME, DESCRIPTION, epochs=10, lr=None, seed=0, batch_size=None)
    parser.add_argument('--vae-ckpt', default=None, help="a state dict saved by the vae example (skip its training)")
    parser.add_argument('--gan-ckpt', default=None, help="a G.ckpt saved by the gan example (skip its training)")
    parser.add_argument('--samples', type=int, default=64, help='images per panel')
    return parser


def main(argv=None):
    args = parse_args(build_parser(), argv)
    run = Run(NAME, args)
    vae_model, vae_history = get_vae(run)
    G, gan_history = get_gan_generator(run)
    n = args.samples
    args.batch_size = args.test_batch_size = n
    _, test_loader, info = load_mnist(run)                       # real digits in [0, 1]
    real = next(iter(test_loader))[0].to(run.device)
    vae_model.eval()
    G.eval()
    with torch.no_grad():
        vae_samples = vae_model.decode(torch.randn(n, VAE_OPTIONS['z_dim'], device=run.device)).view(-1, 1, 28, 28)
        vae_reconst = vae_model(real)[0].view(-1, 1, 28, 28)
        gan_samples = denorm(G(torch.randn(n, GAN_OPTIONS['latent_size'], device=run.device))).view(-1, 1, 28, 28)
    panels = [('real MNIST digits', real), ('VAE: decode(z), z ~ N(0, I)', vae_samples),
              ('GAN: G(z), z ~ N(0, I)', gan_samples), ('VAE reconstructions of the real digits', vae_reconst)]
    scores = {title: sharpness(images) for title, images in panels}

    def draw(fig):
        for i, (title, images) in enumerate(panels):
            ax = fig.add_subplot(2, 2, i + 1)
            ax.imshow(grid_array(images), cmap='gray', vmin=0, vmax=1)
            ax.set_title(f'{title}\nsharpness {scores[title]:.3f}', fontsize=10)
            ax.axis('off')
        fig.tight_layout()
    run.save_plot('comparison.png', draw, figsize=(10, 10.5))
    for title, value in scores.items():
        run.log(f'sharpness of {title}: {value:.3f}')
    summary = {'sharpness_real': scores[panels[0][0]], 'sharpness_vae_samples': scores[panels[1][0]],
               'sharpness_gan_samples': scores[panels[2][0]], 'sharpness_vae_reconstructions': scores[panels[3][0]],
               'images_per_panel': real.size(0),
               'vae': args.vae_ckpt or f'trained {len(vae_history["loss"])} epochs',
               'gan': args.gan_ckpt or f'trained {len(gan_history["epoch_d_loss"])} epochs'}
    if vae_history:
        summary['vae_final_loss_per_image'] = vae_history['loss'][-1] if vae_history['loss'] else None
    if gan_history:
        summary['gan_final_d_loss'] = gan_history['epoch_d_loss'][-1] if gan_history['epoch_d_loss'] else None
    return run.finish(summary, history={'vae': vae_history or {}, 'gan': gan_history or {}}, data=info,
                      seed_reported=SEED_REPORTED, framework=torch.__name__)


if __name__ == '__main__':
    main()
