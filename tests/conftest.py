"""Shared test setup: Qt runs offscreen; nothing here mocks our own code."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
