# How jobs are placed when Snakemake submits them to a cluster (profiles/slurm) instead of
# running them on this machine (profiles/default).


def timed_run_threads(wildcards):
    """The threads a timed run's job asks for.

    On this machine (the local executor), every core Snakemake was given (`--cores`): with the
    `timing` resource, no other job shares the machine with a timed run. On a cluster (an
    executor that submits jobs, e.g. slurm), where `--cores` need not be given: the threads the
    run uses (`threads` of the config, torch's threads), which become its `--cpus-per-task`; the
    profile gives each timed run a node of its own (`slurm_extra: --exclusive`).
    """
    plugin = workflow.executor_plugin
    if plugin is not None and not plugin.common_settings.local_exec:
        return int(config.get("threads", 1))
    return workflow.cores


# Cheap bookkeeping runs in the Snakemake process itself, not as cluster jobs: fetching from the
# mirror or the web (compute nodes often have no network), the dataset summary, the tables, the
# figures and the report. Preparing datasets, lifting statistics and the timed runs are submitted.
localrules:
    download,
    dataset_summary,
    aggregate_runs,
    aggregate_lifting,
    figure,
    report,
