"""The run app: train and time one (model, dataset, variant, protocol, seed)."""
