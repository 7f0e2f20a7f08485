import sys

from setuptools import setup

# Cloudify's own plugins branch like this: each agent Python gets its own dependency set.
install_requires = ["pyyaml"]
install_requires += ["idna<3"] if sys.version_info < (3, 7) else ["idna>=3.4"]

setup(
    name="branching-plugin",
    version="1.2.0",
    packages=["branching_plugin"],
    install_requires=install_requires,
)
