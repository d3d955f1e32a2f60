"""Executors: the same pure batch functions run locally on Polars or on Spark partitions."""
