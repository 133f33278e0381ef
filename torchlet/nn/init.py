"""nn.init: in-place parameter initialisation schemes."""
__all__ = []
