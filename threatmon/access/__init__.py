"""Who may do what: roles, accounts and passwords, sessions, the access log, their database.
API: roles.Principal/Role/Permission/SessionLimits, accounts.Accounts/resolve_accounts_path."""
