"""LTI 1.3 protocol code on top of pylti1p3: registrations lookup, stricter launch checks,
state storage, and the Advantage services (AGS, NRPS, deep linking messages).

Protocol only: nothing here imports services, selectors or views; what it needs from the
app (the tool's signer) is passed in.
"""
