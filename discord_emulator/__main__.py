"""Run the emulator on its own for the local demo: `python -m discord_emulator [port]`.

Prints the base URL, bot token and the ids a client needs, then the guild's tree
whenever Enter is pressed; Ctrl-C stops it.
"""

import sys

from . import DiscordEmulator, MANAGE_CHANNELS


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    with DiscordEmulator(port=port) as emu:
        gid = emu.add_guild(name="Demo Guild")
        gm = emu.add_member(gid, "game-master", permissions=MANAGE_CHANNELS)
        print(f"base url:        {emu.base_url}")
        print(f"bot token:       {emu.bot_token}")
        print(f"application id:  {emu.application_id}")
        print(f"guild id:        {gid}")
        print(f"game master id:  {gm}")
        print("Enter shows the guild, Ctrl-C stops.")
        try:
            while True:
                input()
                print(emu.render_tree(gid))
        except (KeyboardInterrupt, EOFError):
            pass


if __name__ == "__main__":
    main()
