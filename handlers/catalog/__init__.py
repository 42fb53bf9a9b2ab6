"""The Vietnamese message catalog: every user-facing text lives in this package."""
