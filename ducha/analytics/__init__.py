"""The analytics engines: plain library code over columnar data (DuckDB SQL on Arrow
tables), no Django. The apps hand them tables and write their answers back through
actions (ledger/sampling.py for the samples)."""
