"""Storage stage: a DuckDB catalogue and Parquet files; see ``store`` for the layout."""
