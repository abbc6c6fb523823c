"""Models written natively in DGL."""
