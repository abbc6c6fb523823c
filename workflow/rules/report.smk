# Aggregation into tidy tables, figures, and the report.


report: landing_page()


rule aggregate_runs:
    input:
        experiment_metrics,
    output:
        csv="results/tables/{experiment}.csv",
        html=report(
            "results/tables/{experiment}.html",
            caption="../report/table.rst",
            category="Tables",
            labels={"table": "{experiment}"},
        ),
    log:
        "logs/aggregate/{experiment}.log",
    benchmark:
        "benchmarks/aggregate/{experiment}.tsv"
    conda:
        "../../envs/gnnlift.yaml"
    shell:
        "python -m gnnlift aggregate --kind runs --out {output.csv} --html {output.html} {input} > {log} 2>&1"


rule aggregate_compression:
    input:
        compress_outputs(),
    output:
        csv="results/tables/compression.csv",
        html=report(
            "results/tables/compression.html",
            caption="../report/table.rst",
            category="Tables",
            labels={"table": "compression"},
        ),
    log:
        "logs/aggregate/compression.log",
    benchmark:
        "benchmarks/aggregate/compression.tsv"
    conda:
        "../../envs/gnnlift.yaml"
    shell:
        "python -m gnnlift aggregate --kind compress --out {output.csv} --html {output.html} {input} > {log} 2>&1"


rule aggregate_clashes:
    input:
        clash_outputs(),
    output:
        csv="results/tables/clashes.csv",
        html=report(
            "results/tables/clashes.html",
            caption="../report/table.rst",
            category="Tables",
            labels={"table": "clashes"},
        ),
    log:
        "logs/aggregate/clashes.log",
    benchmark:
        "benchmarks/aggregate/clashes.tsv"
    conda:
        "../../envs/gnnlift.yaml"
    shell:
        "python -m gnnlift aggregate --kind compress --out {output.csv} --html {output.html} {input} > {log} 2>&1"


rule figure:
    input:
        figure_tables,
    output:
        png=report(
            "results/report/figures/{figure}.png",
            caption="../report/figure.rst",
            category="Figures",
            labels={"figure": "{figure}"},
        ),
        svg="results/report/figures/{figure}.svg",
    log:
        "logs/figure/{figure}.log",
    benchmark:
        "benchmarks/figure/{figure}.tsv"
    conda:
        "../../envs/gnnlift.yaml"
    shell:
        "python -m gnnlift figure --experiment {wildcards.figure} --table {input} --out {output.png} > {log} 2>&1"


rule report:
    input:
        **report_inputs(),
    output:
        md=report(
            "results/report/report.md",
            caption="../report/report.rst",
            category="Report",
            labels={"document": "report.md"},
        ),
        summary=SUMMARY,
        provenance=report(
            "results/report/provenance.json",
            caption="../report/provenance.rst",
            category="Report",
            labels={"document": "provenance.json"},
        ),
    log:
        "logs/report.log",
    params:
        left_out=left_out_option,
        timing_limit=timing_limit_option,
    conda:
        "../../envs/gnnlift.yaml"
    shell:
        "python -m gnnlift report --tables results/tables --figures results/report/figures "
        "--datasets {input.datasets} --paper {input.paper} {params.left_out} {params.timing_limit} --benchmarks benchmarks "
        "--out {output.md} --summary {output.summary} --provenance {output.provenance} > {log} 2>&1"
