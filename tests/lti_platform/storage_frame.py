"""Platform storage for the LTI Client Side postMessages spec (no cookies needed).

`/storage-frame` answers `lti.capabilities`, `lti.put_data` and `lti.get_data` messages
from the tool's origin (others are ignored), keeping values in the frame's memory keyed
by origin and key. `/course-page?launch=<tool login URL>` is a course page that loads
that frame under the name given by the login URL's `lti_storage_target`, then the tool
in an iframe; the course page itself answers the tool's `lti.capabilities` with that frame's
name, as Canvas's does. With `&storage_on=browser` the storage frame is served from the
course page's own origin instead of the auth URL's: an older platform that only receives
messages sent with target origin "*". Open the course page at `lms.browser_url`
(localhost), so the tool (127.0.0.1) is cross-site to it and a browser blocking third-party
cookies blocks the tool's. Python's `launch()` cannot run this flow: browser tests drive it, e.g.
`page.goto(lms.course_page_url("s1"))` in Chromium with third-party cookies blocked.
The frame logs each message it answered in `window.ltiStorageLog`.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from tests.lti_platform.server import Request, Response, html_response

if TYPE_CHECKING:
    from tests.lti_platform.lms import LmsPlatform

_HANDLER_JS = """
(function () {
  const allowed = new Set(%(origins)s);
  const store = new Map();
  const subjects = ["lti.capabilities", "lti.put_data", "lti.get_data"];
  window.ltiStorageLog = [];
  window.addEventListener("message", function (event) {
    const m = event.data;
    if (!m || typeof m !== "object" || typeof m.subject !== "string") return;
    if (m.subject.endsWith(".response")) return;
    if (!allowed.has(event.origin)) {
      window.ltiStorageLog.push({ignored: event.origin, subject: m.subject});
      return;
    }
    const reply = function (body) {
      window.ltiStorageLog.push({origin: event.origin, request: m, response: body});
      event.source.postMessage(Object.assign({message_id: m.message_id}, body), event.origin);
    };
    const key = event.origin + "\\n" + m.key;
    const bad = function (subject, message) {
      reply({subject: subject, key: m.key, error: {code: "bad_request", message: message}});
    };
    if (m.subject === "lti.capabilities") {
      reply({subject: "lti.capabilities.response",
             supported_messages: subjects.map(function (s) { return {subject: s}; })});
    } else if (m.subject === "lti.put_data") {
      if (typeof m.key !== "string" || !m.key) return bad("lti.put_data.response", "no key");
      if (typeof m.value !== "string") return bad("lti.put_data.response", "value not a string");
      store.set(key, m.value);
      reply({subject: "lti.put_data.response", key: m.key, value: m.value});
    } else if (m.subject === "lti.get_data") {
      if (!store.has(key)) return bad("lti.get_data.response", "no value for that key");
      reply({subject: "lti.get_data.response", key: m.key, value: store.get(key)});
    } else {
      reply({subject: m.subject + ".response",
             error: {code: "unsupported_subject", message: "not supported: " + m.subject}});
    }
  });
})();
"""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def tool_origins(lms: LmsPlatform) -> list[str]:
    origins = {lms.origin_of_tool()} if lms.tool_url else set()
    origins |= {
        _origin(client.initiate_login_uri)
        for client in lms.clients.values()
        if client.initiate_login_uri
    }
    return sorted(origins)


def handler_script(lms: LmsPlatform) -> str:
    return _HANDLER_JS % {"origins": json.dumps(tool_origins(lms))}


def handle_storage_frame(lms: LmsPlatform, request: Request) -> Response:
    return html_response(
        200,
        f"<!doctype html><title>LTI platform storage</title><script>{handler_script(lms)}</script>",
    )


_CAPABILITIES_JS = """
(function () {
  const allowed = new Set(%(origins)s);
  window.ltiCapabilitiesLog = [];
  window.addEventListener("message", function (event) {
    const m = event.data;
    if (!m || m.subject !== "lti.capabilities" || !allowed.has(event.origin)) return;
    window.ltiCapabilitiesLog.push({origin: event.origin});
    const frame = %(frame)s;
    event.source.postMessage({
      subject: "lti.capabilities.response", message_id: m.message_id,
      supported_messages: [
        {subject: "lti.capabilities"},
        {subject: "lti.put_data", frame: frame},
        {subject: "lti.get_data", frame: frame},
      ],
    }, event.origin);
  });
})();
"""


def capabilities_script(lms: LmsPlatform, frame: str) -> str:
    return _CAPABILITIES_JS % {
        "origins": json.dumps(tool_origins(lms)),
        "frame": json.dumps(frame),
    }


def handle_course_page(lms: LmsPlatform, request: Request) -> Response:
    launch = request.query.get("launch", "")
    if _origin(launch) not in tool_origins(lms):
        return lms.reject(request, 400, "launch must be a URL of the tool (its login URL)")
    target = dict(parse_qsl(urlsplit(launch).query)).get("lti_storage_target", "")
    storage_url = lms.browser_url if request.query.get("storage_on") == "browser" else lms.url
    storage = ""
    script = ""
    if target == "_parent":
        script = handler_script(lms)
    elif target:
        storage = (
            f'<iframe name="{html.escape(target)}" title="platform storage" '
            f'data-src="{storage_url}/storage-frame" style="display:none"></iframe>'
        )
        script = capabilities_script(lms, target)
    page = f"""<!doctype html>
<html><head><title>{html.escape(lms.course["title"])}</title></head>
<body>
<h1>{html.escape(lms.course["title"])}</h1>
{storage}
<iframe id="tool" name="tool" title="video assignment" width="100%" height="800"
        allow="camera; microphone; display-capture; fullscreen"></iframe>
<script>{script}</script>
<script>
  const launch = {json.dumps(launch)};
  const storage = document.querySelector('iframe[title="platform storage"]');
  const start = function () {{ document.getElementById("tool").src = launch; }};
  if (storage) {{
    // Listen before loading the storage frame: the tool may only start once it answers.
    storage.addEventListener("load", start, {{once: true}});
    storage.src = storage.dataset.src;
  }} else {{
    start();
  }}
</script>
</body></html>"""
    return html_response(200, page)
