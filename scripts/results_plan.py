"""The plan of scripts/results.py: which examples it runs, with which options, what it shows of them.

Per example (all keys optional):
  args       options of every mode ({data}: --data, {mnist_root}: a folder in torchvision's MNIST
             layout made from it)
  standard   options added in the default (standard) mode: sized so that one run takes at most about
             3 minutes on a 2-core machine (the page says when an example was shortened)
  quick      options added with --quick (seconds); DEFAULT_QUICK when absent
             ('full' adds nothing: the example's defaults are the seed's settings)
  figures    the PNGs of the example's output folder shown for both frameworks; '{epochs}' (any of
             the run's options) is filled in from the run, e.g. the last epoch's sample grid
  max_px     the figures are scaled down to at most this many pixels a side on the page
  seed       what the seed notes report (added to the example's own SEED_REPORTED)
  seed_short a shorter version for the summary table (else the example's note, or `seed` cut short)
  headline   the summary keys shown in the summary table (default: test accuracy, or the first three
             numeric results)
  curves     the history curves of the comparison plot, when they exist (default: chosen by name)
  bench      a row in the MNIST benchmark table
  group      the page section of its summary row: None (## Summary) or a key of GROUPS
  note       a paragraph under the example's heading

GROUPS: the page's sections after the MNIST benchmark, each with its summary table (title, intro;
kept: the page's hand-written block, kept as it is on regeneration, goes at the end of the section).
"""

MNIST_FULL = ['--data', '{data}']
DEFAULT_QUICK = []
GAN_HEADLINE = ['final_D(x)', 'final_D(G(z))', 'final_d_loss']
GAN_EPOCH_CURVES = ['epoch_d_loss', 'epoch_g_loss', 'epoch_real_score', 'epoch_fake_score']
GAN_STEP_CURVES = ['d_loss', 'g_loss', 'real_score', 'fake_score']
VAE_HEADLINE = ['test_loss_per_image', 'final_train_loss_per_image']

PLAN = {
    'regression': dict(figures=['fit.png', 'loss.png'], seed=(
        '§2.6 prints `[[2.95859544]] [[2.10178594]]` (w, b with NumPy; 图2-11 fit); §2.7 prints '
        '`tensor([[2.9645]]) tensor([[2.1146]])` (autograd; 图2-13). Figures not included in the notes.')),
    'himmelblau': dict(figures=['surface.png', 'paths.png'], seed=(
        '3-D surface of Himmelblau\'s function (`plot_surface`, view_init(60, -30)), and Adam from [0, 0] '
        'printing x and f(x) every 2000 steps; figure not included. Known minima: (3, 2), (-2.805, 3.131), '
        '(-3.779, -3.283), (3.584, -1.848), all f = 0.'),
        quick=['--epochs', '2000']),
    'logistic': dict(figures=['probability.png', 'loss.png'], seed=(
        'Lecture 5: P(pass) against hours studied, a sigmoid crossing 0.5 near 2.5 h (image not included).')),
    'diabetes': dict(figures=['loss.png', 'accuracy.png'], args=['--data', '{data}'], seed=(
        'Prints `epoch, i, loss` for 100 epochs of mini-batches of 32; no figure or final number.'),
        quick=['--epochs', '10']),
    'optimizers': dict(figures=['loss.png'], seed='图3-6 多种优化器性能比较: loss per step of SGD, Momentum, RMSprop, Adam '
                                                 '(image not included).'),
    'overfitting': dict(figures=['test_loss.png', 'val_accuracy.png'], args=['--data', '{mnist_root}'], seed=(
        '图5-8 dropout对测试损失值的影响 and 图5-9 BN层对测试数据的影响: test loss with and without dropout / '
        'batch norm (images not included); dropout helps most, batch norm somewhat.'),
        quick=['--epochs', '2', '--train-size', '3000', '--folds', '2', '--cv-epochs', '1']),
    'mnist_mlp': dict(figures=['loss.png', 'accuracy.png'], args=MNIST_FULL, bench=True, note=(
        "The notes' printed numbers (98.4 %) do not come from their code as printed: the first "
        "`lr *= 0.1` happens before the first epoch, so the net trains at 0.001, then 0.0001, … and stops "
        "near 95.4 % on PyTorch exactly as on torchlet (above). Measured here with torchlet (20 epochs, full "
        "MNIST): `--lr 0.1` (epochs at 0.01, 0.001, …) reaches 98.27 %, `--lr 1.0` 98.43 % with train acc "
        "0.998 — a larger learning rate must have produced the printout."),
        quick=['--epochs', '2', '--limit-batches', '100']),
    'mnist_onehot_mse': dict(figures=['step_loss.png', 'predictions.png'], args=MNIST_FULL, bench=True,
                             quick=['--epochs', '1', '--limit-batches', '40']),
    'mnist_softmax': dict(figures=['loss.png', 'accuracy.png'], args=MNIST_FULL, bench=True,
                          quick=['--epochs', '1', '--limit-batches', '100']),
    'mnist_multiclass': dict(figures=['loss.png', 'accuracy.png'], args=MNIST_FULL, bench=True,
                             quick=['--epochs', '1', '--limit-batches', '60']),
    'cnn_basic': dict(figures=['accuracy.png', 'predictions.png'], args=MNIST_FULL, bench=True,
                      standard=['--epochs', '3'], quick=['--epochs', '1', '--limit-batches', '40']),
    'cnn_lenet5': dict(figures=['accuracy.png', 'predictions.png'], args=MNIST_FULL, bench=True,
                       standard=['--epochs', '3'], quick=['--epochs', '1', '--limit-batches', '40']),
    'cnn_residual': dict(figures=['accuracy.png', 'predictions.png'], args=MNIST_FULL, bench=True,
                         standard=['--epochs', '1'], quick=['--epochs', '1', '--limit-batches', '20']),
    'cnn_inception': dict(figures=['accuracy.png', 'predictions.png'], args=MNIST_FULL, bench=True,
                          standard=['--epochs', '1', '--limit-batches', '200'],
                          quick=['--epochs', '1', '--limit-batches', '10']),

    # ------------------------------------------------ sequence and generative examples (issue 5)
    'lstm_tagger': dict(group='generative', figures=['loss.png'], headline=['train_accuracy', 'test_tags'], seed=(
        '§7.7 prints the word and tag dictionaries, the scores of "The cat ate the fish" before training '
        '(tags [2, 2, 1, 1, 1]) and after the 400 epochs ([0, 1, 2, 0, 1]: 100 % on the training sentences), '
        'and "They ate the fish" → `tensor([5, 2, 3, 4])` → [1, 2, 0, 1], i.e. NN V DET NN.'),
        seed_short='100 % on the training sentences; "They ate the fish" → NN V DET NN',
        quick=['--epochs', '50']),
    'lstm_forecast': dict(group='generative', figures=['prediction.png', 'prediction_test_zoom.png'],
                          args=['--csv', '{data}/hs300/hs300_2010-2020.csv'],
                          headline=['test_rmse', 'test_mae', 'test_mape_percent'],
                          curves=['epoch_loss', 'step_loss'], seed=(
        '§7.8 downloads the CSI 300 index with tushare (2 295 rows from 2010, 图7-15), trains 200 epochs on '
        'windows of 30 daily highs and plots the highs (图7-16), the loss (图7-17) and predicted against real '
        'highs, the test days enlarged (图7-18: "预测结果还是不错的"); no error figure is printed and the images '
        'are not included. Here the same 2 295 days (2010-01-04 … 2019-06-14) from the offline copy of the index.'),
        seed_short='a plot of predicted vs actual CSI 300 high (图7-18), no error figure',
        note=('Its Adam training on unshuffled windows is unsteady (the epoch loss jumps every 30–40 epochs, see '
              'the curves), which turns rounding differences into different final models: the step losses of the '
              'two runs agree to about 1e-7 for the first 1 000 steps and 1e-5 at 2 000, and part in the last '
              'epochs of the 16 800 steps, so the test errors differ by a few points while both stay near 1.3 % '
              'of the price.'),
        quick=['--epochs', '3']),
    'rnn_basics': dict(group='generative', figures=['loss.png'],
                       headline=['cell_predicted', 'rnn_predicted', 'embedding_predicted'], seed=(
        'Lectures 11–12 (the notes have the lecture titles and one figure; the course\'s programs): RNNCell, '
        'nn.RNN and Embedding + RNN learning "hello" → "ohlol" in 15 epochs, printing the predicted string '
        'and the loss of each epoch.'),
        seed_short='"hello" → "ohlol"',
        note=('With seed 0 and the lecture\'s 15 epochs the one-hot RNNCell and nn.RNN programs end at "ohlll", one '
              'character short, on both frameworks; the Embedding + RNN program reaches "ohlol".'),
        quick=[]),
    'gru_classifier': dict(group='generative', figures=['accuracy.png', 'loss.png'], seed=(
        'Lecture 13 (a title in the notes; the course\'s program): surname → country with a bidirectional '
        'GRU on the names data set (18 countries), about 84 % test accuracy in the lecture\'s plot. That data '
        'is not available here: both runs train on the example\'s synthetic surnames of 8 countries, which '
        'are easier.'),
        seed_short='name → country, ~84 % (18 countries; the names data is not available here)',
        quick=['--epochs', '3']),
    'vae': dict(group='generative', figures=['reconst-{epochs}.png', 'sampled-{epochs}.png', 'manifold.png'],
                max_px=600, args=MNIST_FULL, headline=VAE_HEADLINE, standard=['--epochs', '20'], seed=(
        '§8.1 trains 30 epochs and shows, after each, originals and reconstructions in alternating columns '
        '(图8-4, "重构图像效果还不错") and images decoded from N(0, I) (图8-5); §8.4 shows the latent manifold '
        '(图8-8). No loss values; the images are not included.'),
        seed_short='reconstructions, samples, the 2-D manifold (图8-4, 8-5, 8-8); no loss values',
        quick=['--epochs', '1', '--limit-batches', '20', '--test-images', '500']),
    'vae_conv': dict(group='generative', figures=['reconst-{epochs}.png', 'sampled-{epochs}.png'],
                     args=MNIST_FULL, headline=VAE_HEADLINE, standard=['--epochs', '2'], seed=(
        '§8.1 suggests a convolutional encoder (nn.Conv2d) with a transposed-convolution decoder '
        '(nn.ConvTranspose2d); no code, figure or result.'),
        seed_short='(suggested variant, no code or figure)',
        quick=['--epochs', '1', '--limit-batches', '10', '--test-images', '500']),
    'gan': dict(group='generative', figures=['fake_images-{epochs}.png', 'scores.png'], args=MNIST_FULL,
                headline=GAN_HEADLINE, curves=GAN_EPOCH_CURVES, standard=['--epochs', '20'], seed=(
        '§8.3 trains 200 epochs and shows the generated digits (图8-7, "明显好于图8-5", the VAE\'s samples); '
        'no loss values; the images are not included.'),
        seed_short='sample grids per epoch (图8-7); no loss values',
        note=('After 20 of the notes\' 200 epochs the discriminator still wins on both frameworks (D(x) about 0.93, '
              'D(G(z)) about 0.08) and the digits are noisy: 图8-7 needs the long run.'),
        quick=['--epochs', '1', '--limit-batches', '20']),
    'cgan': dict(group='generative', figures=['digits-{epochs}.png', 'loss.png'], args=MNIST_FULL,
                 headline=GAN_HEADLINE, curves=GAN_STEP_CURVES, standard=['--epochs', '3'], seed=(
        'Chapter 8 names the conditional GAN (CGAN简介) without code, figure or result; the example draws one '
        'row per digit.'),
        seed_short='named only (CGAN简介); here one row per digit',
        quick=['--epochs', '1', '--limit-batches', '10']),
    'dcgan': dict(group='generative', figures=['fake_images-{epochs}.png', 'loss.png'], args=MNIST_FULL,
                  headline=GAN_HEADLINE, curves=GAN_STEP_CURVES, standard=['--epochs', '1', '--limit-batches', '300'],
                  seed='Chapter 8 names DCGAN (DCGAN简介) without code, figure or result.',
                  seed_short='named only (DCGAN简介), no figure',
                  quick=['--epochs', '1', '--limit-batches', '3']),
    'gan_vs_vae': dict(group='generative', figures=['comparison.png'], max_px=600, args=MNIST_FULL,
                       headline=['sharpness_vae_samples', 'sharpness_gan_samples'],
                       curves=['vae/loss', 'gan/epoch_d_loss', 'gan/epoch_real_score', 'gan/epoch_fake_score'], seed=(
        '§8.4 VAE与GAN的异同: the GAN\'s images are sharper than the VAE\'s (图8-7 against 图8-5), the VAE\'s '
        'latent space is continuous and structured (图8-8); no numbers. Here both are trained for `--epochs` '
        'each and their samples put on one page, with a sharpness measure (mean |2p − 1|, 1 for pure black '
        'and white).'),
        seed_short='GAN samples sharper than the VAE\'s (图8-7 vs 8-5); no numbers',
        note=('With the default 10 epochs each, the GAN\'s samples are still noisy blobs (the notes\' 图8-7 comes '
              'after 200 epochs), so the sharpness measure, which rewards the VAE\'s clean black background, ranks '
              'the VAE\'s samples above the GAN\'s on both frameworks: the notes\' claim needs the longer GAN run '
              '(`--gan-ckpt` loads the G.ckpt of a longer `gan` run).'),
        quick=['--epochs', '1', '--limit-batches', '10']),
}

GROUPS = {
    'generative': dict(title='Sequence and generative examples (issue 5)', kept=True, intro=(
        'The recurrent examples (seed 001 §7.7–7.8, seed 004 lectures 11–13) and the generative ones (seed 001 '
        '§8.1–8.4), run as above: on torchlet and as the same source on PyTorch, with the same options and seed. '
        'The MNIST ones read the full set; lstm_forecast reads the offline copy of the CSI 300 index; '
        'gru_classifier trains on synthetic surnames. Options were shortened (fewer epochs; `--limit-batches N`: '
        'only the first N batches of each epoch) where the seed\'s settings take more than about 3 minutes per run '
        'on this machine; `--full` runs the seeds\' settings. Both runs start from the same weights and their first '
        'steps give the same losses, but these trainings amplify float rounding: the two runs of the VAEs, the GANs '
        'and lstm_forecast drift apart over thousands of Adam steps (DCGAN\'s discriminator loss differs by 3e-6 '
        'after 3 steps and 1.5e-3 after 10, exactly as much as PyTorch on 1 thread differs from PyTorch on 2 '
        'threads), so their final numbers agree to 1–3 digits and their sample grids differ in detail while '
        'showing the same progress. The recurrent classifiers (lstm_tagger, rnn_basics, gru_classifier) agree in '
        'every result.')),
}
