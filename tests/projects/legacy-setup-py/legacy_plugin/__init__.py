"""A plugin still on setup.py."""
