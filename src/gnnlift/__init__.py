"""gnnlift: lossless compression of structured convolutional models via lifting, reproduced."""

__version__ = "0.1.0"
