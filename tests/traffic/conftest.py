"""Fixtures for the traffic reader tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from traffic_helpers import SAMPLES


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip("shared traffic samples are not beside the repository")
    return SAMPLES
