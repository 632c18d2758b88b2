"""The seed-trial configuration files (TOML), installed as package data."""
