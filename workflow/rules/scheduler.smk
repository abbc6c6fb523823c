# At most one pending wake-up of Snakemake's scheduling loop, so that it does not spin beside a
# timed run (see gnnlift.scheduler_wakeups). Where this Snakemake lacks the timer it replaces, say so.

import sys

from gnnlift import scheduler_wakeups

if not scheduler_wakeups.install():
    print(scheduler_wakeups.NOT_INSTALLED, file=sys.stderr)
