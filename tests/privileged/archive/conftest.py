"""Share the unit tests' tar builders and tree snapshots with the privileged archive tests."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[2] / "unit" / "archive"))
