"""A plugin whose dependency tree carries C extensions (aiohttp, yarl, markupsafe, ...)."""
