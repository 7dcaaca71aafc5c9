"""identity: regions, service carriers, persons with elder/volunteer profiles, logins and roles."""
