"""databorder: which personal data leaves for which recipient, and is that allowed."""

__version__ = "0.1.0"
