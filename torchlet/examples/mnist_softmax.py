"""The softmax classifier of seed 002 §9 (Liu Er's《PyTorch深度学习实践》lecture 9, 多分类问题): a
fully connected net 784 -> 512 -> 256 -> 128 -> 64 -> 10 with ReLU, whose 10 logits go to
``CrossEntropyLoss`` (= LogSoftmax + NLLLoss); ``SGD(lr=0.01, momentum=0.5)``, batches of 64,
``Normalize((0.1307,), (0.3081,))``, 10 epochs, the running loss printed every 300 batches
(``[epoch, batch] loss``) and ``Accuracy on test set`` after every epoch.

The notes show the four steps (data, model, loss + optimizer, train + test) but no result.
"""
import torchlet as torch
import torchlet.nn.functional as F

from .mnist_common import classifier_main

NAME = 'mnist_softmax'
DESCRIPTION = "Liu Er's MNIST softmax classifier: 5 linear layers + CrossEntropyLoss, SGD momentum 0.5"
SEED = '002 §9'
SEED_REPORTED = {'epochs': 10, 'note': 'the notes give the code but no accuracy'}


class Net(torch.nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.l1 = torch.nn.Linear(784, 512)
        self.l2 = torch.nn.Linear(512, 256)
        self.l3 = torch.nn.Linear(256, 128)
        self.l4 = torch.nn.Linear(128, 64)
        self.l5 = torch.nn.Linear(64, 10)

    def forward(self, x):
        x = x.view(-1, 784)
        x = F.relu(self.l1(x))
        x = F.relu(self.l2(x))
        x = F.relu(self.l3(x))
        x = F.relu(self.l4(x))
        return self.l5(x)  # no activation: CrossEntropyLoss applies the softmax


def main(argv=None):
    return classifier_main(NAME, DESCRIPTION, Net, argv, seed_reported=SEED_REPORTED)


if __name__ == '__main__':
    main()
