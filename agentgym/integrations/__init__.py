"""Adapters that plug agentgym envs into RL trainers (TRL, verl, SkyRL).

Each adapter is duck-typed to its trainer's interface, so importing it needs no trainer
installed; see docs/integrations.md.
"""
