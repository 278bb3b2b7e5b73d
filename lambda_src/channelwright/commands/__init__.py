"""The slash commands: their definitions and registration, option parsing, and the request-path halves."""
