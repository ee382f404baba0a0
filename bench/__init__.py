"""`make bench`: throughput, latency, memory and recall of the archive against three baselines."""
