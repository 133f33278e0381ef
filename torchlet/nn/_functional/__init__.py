"""Implementation of torch.nn.functional, one file per family (re-exported by nn/functional.py)."""
