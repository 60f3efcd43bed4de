"""Who may do what: roles and permissions, local accounts, sessions and the access log."""
