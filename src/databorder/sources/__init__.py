"""Readers that turn data at rest into Arrow record batches, one module per format."""
