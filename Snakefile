# Main entrypoint of the gnnlift workflow.
#
# Reproduces "Lossless Compression of Structured Convolutional Models via Lifting"
# (Sourek, Zelezny, Kuzelka, ICLR 2021): datasets are downloaded (or read from an offline
# mirror), verified, parsed and cached; later rules build on the prepared data.
#
#   snakemake --cores 8                                       # the default experiment matrix
#   snakemake --cores 2 --configfile config/quick.yaml --config mirror=../shared/datasets


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"


rule all:
    input:
        all_outputs(),
    default_target: True
