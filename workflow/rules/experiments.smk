# Experiments: lifting statistics (compress, clashes) and timed training runs.


rule compress:
    input:
        f"{RESOURCES}/prepared/{{dataset}}.npz",
    output:
        f"{RESULTS}/compress/{{dataset}}.json",
    log:
        f"{RESULTS}/logs/compress/{{dataset}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/compress/{{dataset}}.tsv"
    params:
        models=compress_models,
        scopes=",".join(PLAN.compression.get("scopes", ["sample"])),
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
        f"{RESULTS}/clashes/{{model}}/{{dataset}}.json",
    log:
        f"{RESULTS}/logs/clashes/{{model}}/{{dataset}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/clashes/{{model}}/{{dataset}}.tsv"
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


# One job per (experiment, model, dataset): its runs (every variant, protocol, fold and seed) are
# trained one after another in one process, which starts, loads the data and builds NeuraLogic's
# network once for all of them. Each run still has its own folder and metrics.json. One rule per
# (experiment, model), since the variants a model has (NeuraLogic's) shape the job's outputs.
for _experiment, _model in PLAN.timed_rules:

    rule:
        name:
            f"run_{_experiment}_{_model}"
        input:
            f"{RESOURCES}/prepared/{{dataset}}.npz",
        output:
            job_outputs(_experiment, _model),
        log:
            f"{RESULTS}/logs/runs/{job_path(_experiment, _model)}.log",
        benchmark:
            f"{RESULTS}/benchmarks/runs/{job_path(_experiment, _model)}.tsv"
        params:
            runs=job_arguments(_experiment, _model),
        threads: timed_run_threads  # locally all cores: the machine to itself; on a cluster see cluster.smk
        resources:
            timing=1,
            # on a Slurm cluster a timed job has a node to itself; the report says so (every run
            # records its Slurm job and whether its allocation was exclusive)
            slurm_extra="'--exclusive'",
            runtime=120,
        conda:
            "../../envs/gnnlift.yaml"
        shell:
            "python -m gnnlift.run.group {params.runs} > {log} 2>&1"
