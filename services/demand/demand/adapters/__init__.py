"""What the use cases reach outside the domain: the tables and one repository per aggregate
(SQL in a unit of work's session), the identity client, the service's metrics and the
catalogue's seed data."""
