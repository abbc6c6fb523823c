# At most one pending wake-up of Snakemake's scheduling loop, so that it does not spin beside a
# timed run (see gnnlift.scheduler_wakeups).

from gnnlift import scheduler_wakeups

scheduler_wakeups.install()
