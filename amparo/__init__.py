"""Amparo: one record of each person across registration, protection, referrals and assistance."""

__version__ = "0.1.0"
