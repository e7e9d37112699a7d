"""LTI 1.3 on top of pylti1p3: our registrations, stricter launch checks, state storage."""
