"""Speed and memory of the pipeline at trust, region and national scale, measured against a floor of plain
parsing and bulk loading on the same machine: `python -m benchmarks.run` (see docs/performance.md)."""
