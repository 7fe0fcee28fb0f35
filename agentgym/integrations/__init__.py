"""Adapters that plug agentgym envs into RL trainers and env servers.

TRL (``trl``), SkyRL-Gym (``skyrl``), verl (``verl``), OpenEnv (``openenv``) and Ray (``ray``);
see docs/integrations.md. Each builds on its library's own classes when the library is
installed; all but ``openenv`` import without it.
"""
