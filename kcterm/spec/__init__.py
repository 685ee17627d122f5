"""KuCoin's published Futures API, kept inside the project as data: the official OpenAPI JSON
(rest/, ws/, index/), a working reference written from it (REFERENCE.md) and where each file
came from (SOURCE.md: upstream repository, commit and checksums).

Code comments cite sections as ``spec/REFERENCE.md §N``. Generators and contract tests read
the files from here (``SPEC_DIR``); nothing at run time needs them. Both sides of the wire
(the client and the practice exchange in kcterm/sim) may read this package: it is the ground
truth each is checked against, and it imports nothing.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

SPEC_DIR = Path(str(files(__name__)))
