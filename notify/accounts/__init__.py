"""Console sign-in: passwords and their policy, the lock-out after refused log-ins, server-side
sessions, the TOTP second factor, and the use cases that combine them (sign_in)."""
