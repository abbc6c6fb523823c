# Data: download (or copy from the mirror) and verify -> parse and cache -> summary table.


rule download:
    output:
        f"{RESOURCES}/raw/{{dataset}}/{{filename}}",
    log:
        f"{RESOURCES}/logs/download/{{dataset}}/{{filename}}.log",
    benchmark:
        f"{RESOURCES}/benchmarks/download/{{dataset}}/{{filename}}.tsv"
    params:
        mirror=mirror_option,
    conda:
        "../../envs/gnnlift.yaml"
    shell:
        "python -m gnnlift fetch {wildcards.dataset} --file {wildcards.filename} "
        "--dest {output} {params.mirror} > {log} 2>&1"


rule prepare:
    input:
        raw_files,
    output:
        cache=f"{RESOURCES}/prepared/{{dataset}}.npz",
        stats=f"{RESOURCES}/prepared/{{dataset}}.stats.json",
    log:
        f"{RESOURCES}/logs/prepare/{{dataset}}.log",
    benchmark:
        f"{RESOURCES}/benchmarks/prepare/{{dataset}}.tsv"
    conda:
        "../../envs/gnnlift.yaml"
    shell:
        "python -m gnnlift prepare {wildcards.dataset} --files {input} --out {output.cache} > {log} 2>&1"


rule dataset_summary:
    input:
        prepared_stats(PLAN.datasets),
    output:
        csv=f"{RESULTS}/datasets/summary.csv",
        markdown=f"{RESULTS}/datasets/summary.md",
    log:
        f"{RESULTS}/logs/dataset_summary.log",
    benchmark:
        f"{RESULTS}/benchmarks/dataset_summary.tsv"
    conda:
        "../../envs/gnnlift.yaml"
    shell:
        "python -m gnnlift summarize {input} --csv {output.csv} --markdown {output.markdown} > {log} 2>&1"
