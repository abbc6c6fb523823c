"""Models written natively in PyTorch Geometric."""
