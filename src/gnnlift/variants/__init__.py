"""Every variant of a model behind one interface: the engine (plain, lifted), PyG, DGL and NeuraLogic.

:mod:`~gnnlift.variants.base` is the interface, :mod:`~gnnlift.variants.registry` builds any
(model, variant) pair. Importing this package imports none of them.
"""
