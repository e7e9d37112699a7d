"""A small but real LTI 1.3 platform for trying the tool locally (DEBUG or DEV_LMS=1 only).

It has its own RSA key and JWKS, does the OIDC third-party-initiated login round trip and
signs its own id_tokens. It shares no LTI code with the tool: it plays the LMS, so a bug in
the tool's launch validation shows up here instead of being hidden by shared code.
"""
