"""Learnscape's command line and configuration: the front door for data engineers."""
