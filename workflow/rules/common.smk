# Helpers shared by the rules: config validation, the dataset registry, paths.

import os

from snakemake.utils import validate

from gnnlift.data.registry import require


validate(config, schema="../schemas/config.schema.yaml")

RESOURCES = config["resources"]
MIRROR = config.get("mirror") or os.environ.get("GNNLIFT_MIRROR", "")
DATASETS = [name.lower() for name in config["datasets"]]
for _name in DATASETS:
    require(_name)


wildcard_constraints:
    dataset=r"[a-z0-9_]+",
    filename=r"[^/]+",


def mirror_option(wildcards):
    """The --mirror argument of gnnlift, or nothing when files come from their URLs."""
    return f"--mirror {MIRROR}" if MIRROR else ""


def raw_files(wildcards):
    """The downloaded files of one dataset, as the registry lists them."""
    entry = require(wildcards.dataset)
    return [f"{RESOURCES}/raw/{entry.name}/{f.filename}" for f in entry.files]


def prepared_stats(datasets):
    return [f"{RESOURCES}/prepared/{name}.stats.json" for name in datasets]


def all_outputs():
    """What `rule all` asks for under the current config."""
    return [
        *[f"{RESOURCES}/prepared/{name}.npz" for name in DATASETS],
        "results/datasets/summary.csv",
    ]
