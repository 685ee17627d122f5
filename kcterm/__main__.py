from kcterm.app import main

raise SystemExit(main())
