"""The tool's client for one platform's services (AGS, NRPS), signing as the tool.

Protocol code (`lti_tool.lti`) signs nothing itself; this is where it gets the signer.
"""

from __future__ import annotations

from lti_tool.lti.advantage import PlatformServices
from lti_tool.models import PlatformRegistration
from lti_tool.tenants.tool_keys import sign_as_tool


def platform_services(platform: PlatformRegistration) -> PlatformServices:
    return PlatformServices(platform, sign=sign_as_tool)
