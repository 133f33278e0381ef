"""Liu Er's basic CNN on MNIST (seed 004, lecture 9 "卷积神经网络CNN"): two 5 x 5 convolutions
(1 -> 10 -> 20 channels), each followed by 2 x 2 max pooling and ReLU, then one linear layer
320 -> 10 (the notes' diagram). Trained like the same course's softmax classifier (seed 002 §9):
``CrossEntropyLoss``, ``SGD(lr=0.01, momentum=0.5)``, batches of 64, 10 epochs.
``--device`` moves model and batches like the lecture's "迁移GPU" step. ``--dataset fashion-mnist``
trains the same net on Fashion-MNIST when its files are under --data.
"""
import torchlet as torch
import torchlet.nn.functional as F

from .mnist_common import classifier_main

NAME = 'cnn_basic'
DESCRIPTION = "Liu Er's CNN: conv5x5(10) + maxpool + conv5x5(20) + maxpool + linear, SGD momentum 0.5"
SEED = '004 lecture 9'
SEED_REPORTED = {'figure': 'the network diagram https://i.loli.net/2021/02/04/BKWY7XnsOAU1QDN.png',
                 'note': 'the notes give the layers but no accuracy'}


class Net(torch.nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = torch.nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = torch.nn.Conv2d(10, 20, kernel_size=5)
        self.pooling = torch.nn.MaxPool2d(2)
        self.fc = torch.nn.Linear(320, 10)

    def forward(self, x):
        # (n, 1, 28, 28) -> (n, 10, 12, 12) -> (n, 20, 4, 4) -> (n, 320) -> (n, 10)
        batch_size = x.size(0)
        x = F.relu(self.pooling(self.conv1(x)))
        x = F.relu(self.pooling(self.conv2(x)))
        x = x.view(batch_size, -1)  # flatten
        x = self.fc(x)
        return x


def main(argv=None):
    return classifier_main(NAME, DESCRIPTION, Net, argv, datasets=('mnist', 'fashion-mnist'),
                           seed_reported=SEED_REPORTED)


if __name__ == '__main__':
    main()
