"""gradcheck / gradgradcheck: compare analytical gradients with finite differences."""
__all__ = ['gradcheck', 'gradgradcheck']


def gradcheck(*args, **kwargs):
    raise NotImplementedError("torch.autograd.gradcheck is not yet implemented in torchlet")


def gradgradcheck(*args, **kwargs):
    raise NotImplementedError("torch.autograd.gradgradcheck is not yet implemented in torchlet")
