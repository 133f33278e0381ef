"""TODO"""
__all__ = []
