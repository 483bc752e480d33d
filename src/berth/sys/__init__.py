"""The kernel seam: every syscall berth makes that the stdlib lacks goes through here."""
