"""Tensor ops grouped by kind; each module attaches its methods to Tensor on import."""
