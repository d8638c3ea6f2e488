from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from indicators import IndicatorSet, Matcher, load_indicators
from tests.helpers import BASIC


@pytest.fixture(scope="session")
def basic_set() -> IndicatorSet:
    return load_indicators([BASIC], include_shipped=False)


@pytest.fixture(scope="session")
def matcher(basic_set: IndicatorSet) -> Matcher:
    return Matcher(basic_set)


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    """Write a definition file into the test's directory and return its path."""

    def write(text: str, name: str = "defs.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
