"""`python -m channelwright.commands register [--guild ID] [--dry-run]` (see registration.py)."""
import sys

from channelwright.commands.registration import main

if __name__ == "__main__":
    sys.exit(main())
