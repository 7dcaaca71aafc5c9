"""Data files shipped with the identity service (see README.md here)."""
