"""Lever data becomes Cezanne HR records: mapping, names, dates and the New Starter rules."""
