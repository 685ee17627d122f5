"""Entry point of the packaged app (PyInstaller runs this file as __main__)."""

import sys

if sys.argv[1:2] == ["--embedded-exchange-child"]:  # kcterm.embedded.CHILD_FLAG
    # The frozen app has no `python -m`: the practice exchange's process is this binary again.
    from kcterm.embedded import child_main

    raise SystemExit(child_main())

from kcterm.app import main

raise SystemExit(main())
