"""A small but real LTI 1.3 platform for trying the tool locally (DEBUG or DEV_LMS=1 only).

It has its own RSA key and JWKS, does the OIDC third-party-initiated login round trip and
signs its own id_tokens. It also offers LTI Advantage: deep linking (a teacher adds video
assignments), an OAuth 2 token endpoint, Assignment and Grade Services with a gradebook
page, Names and Role Provisioning Services, submission review launches and, when switched
on, platform storage (LTI Client Side postMessages).

It shares no LTI code with the tool: it plays the LMS, so a bug in the tool's launch
validation or service calls shows up here instead of being hidden by shared code. Its
state lives in files and the cache, never in database tables (see `store`).
"""
