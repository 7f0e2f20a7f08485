"""The plugin that `benchmarks/bench_build.py` builds with plugin-packager and with wagon."""
