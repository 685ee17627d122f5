from kcterm.bench.cli import main

raise SystemExit(main())
