"""Identity's side of PostgreSQL and of its secrets: the tables, one repository module per
aggregate (personal data sealed on write and opened on read), password hashing, the token
signing key and the shipped division tree."""
