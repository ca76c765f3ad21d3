"""Sub-commands of ``exportscreen``. Each module here defines ``register(subparsers)`` and is found
by :func:`exportscreen.cli.build_parser`; the handler it sets with ``set_defaults(func=...)`` returns the
exit status."""
