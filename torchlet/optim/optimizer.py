"""TODO"""


class Optimizer:
    """TODO"""
