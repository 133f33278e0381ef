"""LeNet-5 on MNIST (seed 000 §8 "经典卷积神经网络: LeNet-5: 手写数字识别"). The notes only name it;
the model is the one of the course they summarize (龙良曲's "LeNet5 实战"): a convolution unit
conv5x5(6) + 2 x 2 average pooling + conv5x5(16) + 2 x 2 average pooling, then a fully connected
unit 16*5*5 -> 120 -> 84 -> 10 with ReLU, ``CrossEntropyLoss`` and ``Adam(lr=1e-3)``. The course
feeds 32 x 32 CIFAR images; for 28 x 28 MNIST the first convolution pads by 2, as LeNet-5 itself
did, so the shapes stay those of the paper. Batches of 128, 10 epochs (our choice: the course
trains CIFAR-10 with batches of 128 and no fixed epoch count).
"""
from torchlet import nn

from .mnist_common import classifier_main

NAME = 'cnn_lenet5'
DESCRIPTION = 'LeNet-5 (conv-avgpool-conv-avgpool, fc 120-84-10) with Adam, on MNIST'
SEED = '000 §8'
SEED_REPORTED = {'note': 'named only ("LeNet-5: 手写数字识别"), no code or result in the notes'}


class Lenet5(nn.Module):
    """for the MNIST dataset: [b, 1, 28, 28] -> [b, 10] logits."""

    def __init__(self):
        super(Lenet5, self).__init__()
        self.conv_unit = nn.Sequential(
            # x: [b, 1, 28, 28] => [b, 6, 28, 28] => [b, 6, 14, 14]
            nn.Conv2d(1, 6, kernel_size=5, stride=1, padding=2),
            nn.AvgPool2d(kernel_size=2, stride=2, padding=0),
            # => [b, 16, 10, 10] => [b, 16, 5, 5]
            nn.Conv2d(6, 16, kernel_size=5, stride=1, padding=0),
            nn.AvgPool2d(kernel_size=2, stride=2, padding=0),
        )
        # flatten, then the fc unit
        self.fc_unit = nn.Sequential(
            nn.Linear(16 * 5 * 5, 120),
            nn.ReLU(),
            nn.Linear(120, 84),
            nn.ReLU(),
            nn.Linear(84, 10),
        )

    def forward(self, x):
        batchsz = x.size(0)
        x = self.conv_unit(x)
        x = x.view(batchsz, 16 * 5 * 5)
        logits = self.fc_unit(x)
        return logits


def main(argv=None):
    return classifier_main(NAME, DESCRIPTION, Lenet5, argv, lr=1e-3, optimizer='adam', batch_size=128,
                           test_batch_size=128, log_interval=0, datasets=('mnist', 'fashion-mnist'),
                           seed_reported=SEED_REPORTED)


if __name__ == '__main__':
    main()
