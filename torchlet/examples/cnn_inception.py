"""Liu Er's GoogLeNet-style CNN (seed 004, lecture 10: "如果有不同的运行分支，我们可以用cat拼接它" —
parallel branches joined with ``torch.cat``). ``InceptionA`` runs four branches on its input —
1 x 1 conv (16), 1 x 1 then 5 x 5 (24), 1 x 1 then two 3 x 3 (24), 3 x 3 average pooling then
1 x 1 (24) — and concatenates them to 88 channels; the net is conv5x5(10) + maxpool + ReLU,
InceptionA, conv5x5(20) + maxpool + ReLU, InceptionA, linear 1408 -> 10, trained like the basic
CNN (SGD 0.01, momentum 0.5, batches of 64, 10 epochs).
"""
import torchlet as torch
import torchlet.nn.functional as F
from torchlet import nn

from .mnist_common import classifier_main

NAME = 'cnn_inception'
DESCRIPTION = "Liu Er's Inception CNN: two InceptionA blocks (4 branches joined by torch.cat), linear 1408 -> 10"
SEED = '004 lecture 10'
SEED_REPORTED = {'note': 'the notes name the branch-and-cat idea; no code or accuracy'}


class InceptionA(nn.Module):
    """Four parallel branches, concatenated along the channels: 16 + 24 + 24 + 24 = 88."""

    def __init__(self, in_channels):
        super(InceptionA, self).__init__()
        self.branch1x1 = nn.Conv2d(in_channels, 16, kernel_size=1)

        self.branch5x5_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch5x5_2 = nn.Conv2d(16, 24, kernel_size=5, padding=2)

        self.branch3x3_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
        self.branch3x3_2 = nn.Conv2d(16, 24, kernel_size=3, padding=1)
        self.branch3x3_3 = nn.Conv2d(24, 24, kernel_size=3, padding=1)

        self.branch_pool = nn.Conv2d(in_channels, 24, kernel_size=1)

    def forward(self, x):
        branch1x1 = self.branch1x1(x)

        branch5x5 = self.branch5x5_1(x)
        branch5x5 = self.branch5x5_2(branch5x5)

        branch3x3 = self.branch3x3_1(x)
        branch3x3 = self.branch3x3_2(branch3x3)
        branch3x3 = self.branch3x3_3(branch3x3)

        branch_pool = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1)
        branch_pool = self.branch_pool(branch_pool)

        outputs = [branch1x1, branch5x5, branch3x3, branch_pool]
        return torch.cat(outputs, dim=1)


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(88, 20, kernel_size=5)
        self.incep1 = InceptionA(in_channels=10)
        self.incep2 = InceptionA(in_channels=20)
        self.mp = nn.MaxPool2d(2)
        self.fc = nn.Linear(1408, 10)

    def forward(self, x):
        in_size = x.size(0)
        x = F.relu(self.mp(self.conv1(x)))   # (n, 10, 12, 12)
        x = self.incep1(x)                   # (n, 88, 12, 12)
        x = F.relu(self.mp(self.conv2(x)))   # (n, 20, 4, 4)
        x = self.incep2(x)                   # (n, 88, 4, 4)
        x = x.view(in_size, -1)
        x = self.fc(x)
        return x


def main(argv=None):
    return classifier_main(NAME, DESCRIPTION, Net, argv, datasets=('mnist', 'fashion-mnist'),
                           seed_reported=SEED_REPORTED)


if __name__ == '__main__':
    main()
