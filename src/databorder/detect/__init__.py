"""Detectors of sensitive data: one module per family, found automatically by ``registry``."""
