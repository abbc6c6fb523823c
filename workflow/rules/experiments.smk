# Experiments: lifting statistics (compress, clashes) and timed training runs.


rule compress:
    input:
        f"{RESOURCES}/prepared/{{dataset}}.npz",
    output:
        "results/compress/{dataset}.json",
    log:
        "logs/compress/{dataset}.log",
    params:
        models=compress_models,
        scopes=",".join(COMPRESSION.get("scopes", ["sample"])),
        resources=resources_dir,
    conda:
        "../../envs/gnnlift.yaml"
    shell:
        "python -m gnnlift compress --model {params.models} --data {wildcards.dataset} --scope {params.scopes} "
        "--resources {params.resources} --out {output} > {log} 2>&1"


rule clashes:
    input:
        f"{RESOURCES}/prepared/{{dataset}}.npz",
    output:
        "results/clashes/{model}/{dataset}.json",
    log:
        "logs/clashes/{model}/{dataset}.log",
    params:
        digits=clash_digits,
        inits=clash_inits,
        resources=resources_dir,
    conda:
        "../../envs/gnnlift.yaml"
    shell:
        "python -m gnnlift compress --model {wildcards.model} --data {wildcards.dataset} --detect value "
        "--isocheck --digits {params.digits} --inits {params.inits} --scope sample "
        "--resources {params.resources} --out {output} > {log} 2>&1"


rule run:
    input:
        f"{RESOURCES}/prepared/{{dataset}}.npz",
    output:
        "results/runs/{experiment}/{model}/{dataset}/{variant}/{protocol}/fold{fold}/seed{seed}/metrics.json",
    log:
        "logs/runs/{experiment}/{model}/{dataset}/{variant}/{protocol}/fold{fold}/seed{seed}.log",
    params:
        overrides=run_overrides,
        dir=run_dir,
    threads: timed_run_threads  # locally all cores: the machine to itself; on a cluster see cluster.smk
    resources:
        timing=1,
    conda:
        "../../envs/gnnlift.yaml"
    shell:
        "python -m gnnlift.run {params.overrides} hydra.run.dir={params.dir} > {log} 2>&1"
