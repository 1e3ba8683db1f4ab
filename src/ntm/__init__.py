"""NTM criteria dashboard core."""
