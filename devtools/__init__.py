"""Development tooling, never imported at run time: a throwaway PostgreSQL cluster,
Chromium's start-up flags, the build of the committed boundary files."""
