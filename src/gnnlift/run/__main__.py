import sys

from gnnlift.run.app import entry

sys.exit(entry(sys.argv[1:]))
