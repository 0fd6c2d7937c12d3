"""Columnar tables the analyses run on: prefixes, AS topology, paths, organizations."""
