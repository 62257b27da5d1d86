"""Adapters for trainers (TRL, verl) and exports of runs to datasets; each imported when used."""
