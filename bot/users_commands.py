"""`bot users …`: staff and admin accounts."""
from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Optional

from bot.kb_commands import open_engine as _engine
from config.settings import Settings
from knowledge import accounts


def register(sub: argparse._SubParsersAction) -> None:
    users = sub.add_parser("users", help="staff and admin accounts").add_subparsers(dest="users_command",
                                                                                    required=True)
    p = users.add_parser("add", help="register an account")
    p.add_argument("name")
    p.add_argument("--role", choices=accounts.ROLES, required=True)
    p.add_argument("--telegram-id")
    p.add_argument("--zalo-id")
    p.add_argument("--locality", help="locality key of a staff member's commune")
    p.add_argument("--password-stdin", action="store_true", help="read the admin-web password from standard input")
    p.add_argument("--no-password", action="store_true", help="no admin-web login (staff who only use a channel)")
    p.set_defaults(func=cmd_add)
    p = users.add_parser("password", help="set an account's admin-web password")
    p.add_argument("name")
    p.add_argument("--password-stdin", action="store_true")
    p.set_defaults(func=cmd_password)
    p = users.add_parser("logout", help="end every admin-web session of an account")
    p.add_argument("name")
    p.set_defaults(func=cmd_logout)
    p = users.add_parser("disable", help="remove an account's admin-web password and end its sessions")
    p.add_argument("name")
    p.set_defaults(func=cmd_disable)
    p = users.add_parser("list", help="list accounts")
    p.set_defaults(func=cmd_list)
    p = users.add_parser("remove", help="remove an account")
    p.add_argument("name")
    p.set_defaults(func=cmd_remove)


def _password(from_stdin: bool) -> str:
    """The new password: one line of standard input, or typed twice at the terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise SystemExit("no terminal to type a password: use --password-stdin or --no-password")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise SystemExit("the two passwords differ")
    return first


def cmd_add(args, settings: Settings) -> int:
    from admin.passwords import hash_password

    password_hash: Optional[str] = None if args.no_password else hash_password(_password(args.password_stdin))
    accounts.add_account(_engine(settings), args.name, args.role, telegram_id=args.telegram_id,
                         zalo_id=args.zalo_id, locality_key=args.locality, password_hash=password_hash)
    print(f"added {args.role} '{args.name}'" + ("" if password_hash else " (no admin-web login)"))
    return 0


def cmd_password(args, settings: Settings) -> int:
    from admin.passwords import hash_password

    ended = accounts.set_password_hash(_engine(settings), args.name, hash_password(_password(args.password_stdin)))
    print(f"password set for '{args.name}'; {ended} session(s) ended")
    return 0


def cmd_logout(args, settings: Settings) -> int:
    ended = accounts.end_sessions(_engine(settings), args.name)
    print(f"{ended} session(s) of '{args.name}' ended")
    return 0


def cmd_disable(args, settings: Settings) -> int:
    ended = accounts.set_password_hash(_engine(settings), args.name, None)
    print(f"'{args.name}' can no longer log in to the admin web; {ended} session(s) ended")
    return 0


def cmd_list(args, settings: Settings) -> int:
    print(json.dumps(accounts.list_accounts(_engine(settings)), ensure_ascii=False, indent=2))
    return 0


def cmd_remove(args, settings: Settings) -> int:
    accounts.remove_account(_engine(settings), args.name)
    print(f"removed '{args.name}'")
    return 0
