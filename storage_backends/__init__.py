"""The storage library: one interface (base.py), shared pieces, one module per backend."""
