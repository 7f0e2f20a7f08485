"""A plugin whose Cloudify hook adds a module on Python 3.11 only."""
