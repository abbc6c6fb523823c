from gnnlift.cli import main

raise SystemExit(main())
