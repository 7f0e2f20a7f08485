"""A setup.py plugin whose dependencies depend on the Python evaluating setup.py."""
