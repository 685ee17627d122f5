"""Entry point of the packaged app (PyInstaller runs this file as __main__)."""

from kcterm.app import main

raise SystemExit(main())
