"""FakeData: random images that are the same for the same index (seeded per item, like torchvision)."""
from ... import random as _random
from .vision import VisionDataset, _apply_transforms

__all__ = ['FakeData']


class FakeData(VisionDataset):
    """A fake dataset of random PIL images: item ``i`` draws ``randn(*image_size)`` and a target in
    ``[0, num_classes)`` after ``manual_seed(i + random_offset)`` (the global RNG state is restored),
    so with torch's random streams the images equal torchvision's.

    Args:
        size (int, optional): number of items (default 1000).
        image_size (tuple, optional): (C, H, W) of the images (default (3, 224, 224)).
        num_classes (int, optional): number of classes (default 10).
        transform (callable, optional): applied to the PIL image.
        target_transform (callable, optional): applied to the target.
        random_offset (int, optional): added to the index to seed each item (default 0).
    """

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None,
                 target_transform=None, random_offset=0):
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index):
        """(PIL image, int target) of item index."""
        from ..transforms import functional as F
        if index >= len(self):
            raise IndexError(f"{self.__class__.__name__} index out of range")
        rng_state = _random.get_rng_state()
        _random.manual_seed(index + self.random_offset)
        img = _random.randn(*self.image_size)
        target = _random.randint(0, self.num_classes, size=(1,))[0]
        _random.set_rng_state(rng_state)
        img = F.to_pil_image(img)
        img, target = _apply_transforms(self.transform, self.target_transform, img, target)
        return img, target.item()

    def __len__(self):
        return self.size
