"""A campaign's life in Discord: its record and plan, building it exactly once, its access rules,
who may manage it, and taking it apart."""
