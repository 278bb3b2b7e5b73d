"""Campaign templates: the built-in layouts (builtin/*.json), a server's own, and the schema both follow."""
