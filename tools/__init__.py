"""Build and test tooling of the site (not part of the published ``snippets`` package)."""
