"""Whether this run is CI's: there a missing service or tool fails the run instead of skipping."""

from __future__ import annotations

import os

IN_CI = os.environ.get("CI", "").lower() == "true"
