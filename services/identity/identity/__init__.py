"""Identity owns who is who: the division tree (regions), service carriers (stations),
persons with their elder and volunteer profiles (personal data encrypted at rest, masked in
answers), volunteers' eligibility facts and qualifications, elders' hardship categories,
direct-relative links and proxies, staff grants delegated downward, municipal API clients,
logins with sessions, lockout and token revocation, and the audit log of staff writes and
unmasked reads."""
