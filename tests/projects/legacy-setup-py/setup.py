from setuptools import setup

setup(
    name="legacy-plugin",
    version="0.5.2",
    packages=["legacy_plugin"],
    install_requires=["six>=1.16"],
)
