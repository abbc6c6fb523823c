# Aggregation into tidy tables, figures, and the report.


report: landing_page()


rule aggregate_runs:
    input:
        experiment_metrics,
    output:
        csv=f"{RESULTS}/tables/{{experiment}}.csv",
        html=report(
            f"{RESULTS}/tables/{{experiment}}.html",
            caption="../report/table.rst",
            category="Tables",
            labels=lambda wildcards: table_label(wildcards.experiment),
        ),
    log:
        f"{RESULTS}/logs/aggregate/{{experiment}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/aggregate/{{experiment}}.tsv"
    conda:
        "../../envs/gnnlift.yaml"
    shell:
        "python -m gnnlift aggregate --kind runs --out {output.csv} --html {output.html} {input} > {log} 2>&1"


# The tables of lifting statistics (`gnnlift compress` outputs): compression and clashes.
rule aggregate_lifting:
    input:
        lifting_table_inputs,
    output:
        csv=f"{RESULTS}/tables/{{table}}.csv",
        html=report(
            f"{RESULTS}/tables/{{table}}.html",
            caption="../report/table.rst",
            category="Tables",
            labels=lambda wildcards: table_label(wildcards.table),
        ),
    log:
        f"{RESULTS}/logs/aggregate/{{table}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/aggregate/{{table}}.tsv"
    wildcard_constraints:
        table="|".join(LIFTING_TABLES),
    conda:
        "../../envs/gnnlift.yaml"
    shell:
        "python -m gnnlift aggregate --kind compress --out {output.csv} --html {output.html} {input} > {log} 2>&1"


ruleorder: aggregate_lifting > aggregate_runs


rule figure:
    input:
        figure_tables,
    output:
        png=report(
            f"{RESULTS}/report/figures/{{figure}}.png",
            caption="../report/figure.rst",
            category="Figures",
            labels=figure_label,
        ),
        svg=f"{RESULTS}/report/figures/{{figure}}.svg",
    params:
        caption=lambda wildcards: experiments.get(wildcards.figure).caption,
    log:
        f"{RESULTS}/logs/figure/{{figure}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/figure/{{figure}}.tsv"
    conda:
        "../../envs/gnnlift.yaml"
    shell:
        "python -m gnnlift figure --experiment {wildcards.figure} --table {input} --out {output.png} > {log} 2>&1"


rule report:
    input:
        **report_inputs(),
    output:
        md=report(
            f"{RESULTS}/report/report.md",
            caption="../report/report.rst",
            category="Report",
            labels={"document": "report.md"},
        ),
        summary=SUMMARY,
        provenance=report(
            f"{RESULTS}/report/provenance.json",
            caption="../report/provenance.rst",
            category="Report",
            labels={"document": "provenance.json"},
        ),
    log:
        f"{RESULTS}/logs/report.log",
    params:
        tables=lambda wildcards, input: os.path.dirname(input.tables[0]),
        figures=lambda wildcards, input: os.path.dirname(input.figures[0]),
        left_out=left_out_option,
        timing_limit=timing_limit_option,
        benchmarks=benchmark_option,
    conda:
        "../../envs/gnnlift.yaml"
    shell:
        "python -m gnnlift report --tables {params.tables} --figures {params.figures} "
        "--datasets {input.datasets} --paper {input.paper} {params.left_out} {params.timing_limit} {params.benchmarks} "
        "--out {output.md} --summary {output.summary} --provenance {output.provenance} > {log} 2>&1"
