from setuptools import setup

setup(
    name="flagged-plugin",
    version="1.0.0",
    packages=["flagged_plugin"],
)
