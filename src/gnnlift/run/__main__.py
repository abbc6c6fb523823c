import sys

from gnnlift.run.configs import check_overrides

problem = check_overrides(sys.argv[1:])
if problem:
    print(f"gnnlift.run: error: {problem}", file=sys.stderr)
    sys.exit(2)

from gnnlift.run.app import main  # noqa: E402

main()
