"""The pipeline tests' shared pieces: the shipped definitions, built once (they are immutable)."""

from __future__ import annotations

import pytest

from monitor.analysis import Definitions
from monitor.config.model import load_config
from tests.helpers import definitions_for


@pytest.fixture(scope="session")
def shipped_definitions() -> Definitions:
    """The definitions of a config without definition files or overrides (what write_config writes)."""
    return definitions_for(load_config(None))
