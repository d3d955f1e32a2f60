"""Readers that turn egress records into one Flow table, one module per format.

See :mod:`databorder.traffic.flow` for the table, :mod:`databorder.traffic.open` to open logs
and :mod:`databorder.traffic.naming` to name destinations from DNS, SNI and HTTP Host.
"""
