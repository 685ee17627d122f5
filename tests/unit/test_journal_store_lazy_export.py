"""Start-up (issue 14): opening a profile's journal (and the Desk) loads no CSV export; the
export is still `kcterm.journal_store.export_csv`, loaded when first asked for."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def test_the_journal_and_the_desk_load_no_export_until_it_is_asked_for() -> None:
    code = (
        "import json, sys; import kcterm.desk, kcterm.journal_store as j; "
        "before = 'kcterm.journal_store.export' in sys.modules; "
        "from kcterm.journal_store import export_csv; "
        "from kcterm.journal_store.export import export_csv as real; "
        "print(json.dumps([before, export_csv is real, 'export_csv' in j.__all__]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert json.loads(out) == [False, True, True]


def test_a_name_the_journal_store_has_not_is_still_an_attribute_error() -> None:
    import kcterm.journal_store as journal_store

    with pytest.raises(AttributeError, match="no_such_name"):
        _ = journal_store.no_such_name  # type: ignore[attr-defined]
