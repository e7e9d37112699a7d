"""An independent LTI 1.3 Advantage platform (a Moodle- or Canvas-shaped LMS) for tests.

It never imports the tool's code: it plays the LMS over real HTTP, as the tool meets
one in production. See STATUS.md for what it offers and how strict it is.
"""

from __future__ import annotations

from tests.lti_platform.claims import Person
from tests.lti_platform.driver import PlatformRefused, browser_request
from tests.lti_platform.lms import LmsPlatform, start_platform

__all__ = ["LmsPlatform", "Person", "PlatformRefused", "browser_request", "start_platform"]
