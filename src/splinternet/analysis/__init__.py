"""Analyses over the tables; nothing here prints or reads files."""
