"""The download site: state, catalogs, HTML pages, feed, bundle and preview server."""
