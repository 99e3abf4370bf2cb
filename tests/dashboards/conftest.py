"""The benchmark registry's world (three member organizations, an open round, a frozen clock) for the dashboards."""

from tests.benchmarks.conftest import clock, registry  # noqa: F401  (fixtures shared with the benchmark tests)
