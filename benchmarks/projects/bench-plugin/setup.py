from setuptools import setup

# A setup.py project, because `wagon create` accepts only a directory with one; plugin-packager
# builds it through PEP 517. The two dependencies pull a tree of about 40 wheels (some compiled).
setup(
    name="bench-plugin",
    version="1.0.0",
    packages=["bench_plugin"],
    python_requires=">=3.9",
    install_requires=["cloudify-common==7.0.5", "fabric2"],
)
