"""`bot users …`: staff and admin accounts."""
from __future__ import annotations

import argparse
import json

from bot.kb_commands import open_engine as _engine
from bot.settings import Settings
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
    p.set_defaults(func=cmd_add)
    p = users.add_parser("list", help="list accounts")
    p.set_defaults(func=cmd_list)
    p = users.add_parser("remove", help="remove an account")
    p.add_argument("name")
    p.set_defaults(func=cmd_remove)


def cmd_add(args, settings: Settings) -> int:
    accounts.add_account(_engine(settings), args.name, args.role, telegram_id=args.telegram_id,
                         zalo_id=args.zalo_id, locality_key=args.locality)
    print(f"added {args.role} '{args.name}'")
    return 0


def cmd_list(args, settings: Settings) -> int:
    print(json.dumps(accounts.list_accounts(_engine(settings)), ensure_ascii=False, indent=2))
    return 0


def cmd_remove(args, settings: Settings) -> int:
    accounts.remove_account(_engine(settings), args.name)
    print(f"removed '{args.name}'")
    return 0
