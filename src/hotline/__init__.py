"""Hotline: an open-source contact-center platform."""
