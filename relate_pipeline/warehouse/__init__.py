"""The DuckDB warehouse: views over the lake and the conversation views analysts query."""
