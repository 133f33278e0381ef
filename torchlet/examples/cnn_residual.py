"""Liu Er's residual CNN (seed 004, lecture 10 "卷积神经网络高阶CNN": deep plain nets suffer from
vanishing gradients, a skip connection ``relu(x + F(x))`` lets the gradient through). A
``ResidualBlock`` keeps the shape (two 3 x 3 convolutions with padding 1); the net is
conv5x5(16) + maxpool, block(16), conv5x5(32) + maxpool, block(32), linear 512 -> 10, trained like
the basic CNN (SGD 0.01, momentum 0.5, batches of 64, 10 epochs).
"""
import torchlet.nn.functional as F
from torchlet import nn

from .mnist_common import classifier_main

NAME = 'cnn_residual'
DESCRIPTION = "Liu Er's residual CNN: conv + maxpool + ResidualBlock twice, linear 512 -> 10"
SEED = '004 lecture 10'
SEED_REPORTED = {'note': 'the notes motivate skip connections (vanishing gradients); no code or accuracy'}


class ResidualBlock(nn.Module):
    """y = relu(x + conv2(relu(conv1(x)))), channels and size unchanged."""

    def __init__(self, channels):
        super(ResidualBlock, self).__init__()
        self.channels = channels
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x):
        y = F.relu(self.conv1(x))
        y = self.conv2(y)
        return F.relu(x + y)


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5)
        self.mp = nn.MaxPool2d(2)
        self.rblock1 = ResidualBlock(16)
        self.rblock2 = ResidualBlock(32)
        self.fc = nn.Linear(512, 10)

    def forward(self, x):
        in_size = x.size(0)
        x = self.mp(F.relu(self.conv1(x)))   # (n, 16, 12, 12)
        x = self.rblock1(x)
        x = self.mp(F.relu(self.conv2(x)))   # (n, 32, 4, 4)
        x = self.rblock2(x)
        x = x.view(in_size, -1)
        x = self.fc(x)
        return x


def main(argv=None):
    return classifier_main(NAME, DESCRIPTION, Net, argv, datasets=('mnist', 'fashion-mnist'),
                           seed_reported=SEED_REPORTED)


if __name__ == '__main__':
    main()
