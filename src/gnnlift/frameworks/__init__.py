"""The same models written natively in PyG and DGL, behind one interface with the engine."""
