"""Wires in the parts of the public surface that live outside torchlet/ops."""
__all__ = []
