# Main entrypoint of the gnnlift workflow.
#
# Reproduces "Lossless Compression of Structured Convolutional Models via Lifting"
# (Sourek, Zelezny, Kuzelka, ICLR 2021): download -> prepare -> compress -> run -> aggregate
# -> figures -> report (results/report/report.md).
#
#   snakemake --cores 8                                       # the default experiment matrix
#   snakemake --cores 2 --configfile config/quick.yaml --config mirror=../shared/datasets
#   snakemake --report results/report/report.html             # the HTML report, afterwards


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/scheduler.smk"
include: "workflow/rules/cluster.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/experiments.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        all_outputs(),
    default_target: True
