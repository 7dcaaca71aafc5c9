"""Command-line tools of identity, each run as ``python -m identity.commands.<tool>``:
``demo`` (the demo data and logins), ``import_divisions`` (townships and communities from the
official division-code list), ``import_registry`` (the national volunteer registry's
verification results), ``import_volunteers`` (the national system's export of registered
volunteers; both run as import jobs, ``app/imports.py``), ``rotate_pii_keys`` (re-encrypt personal data under the newest key)."""
