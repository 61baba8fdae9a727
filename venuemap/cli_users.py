"""``venuemap user add|list|remove|passwd|role``: the users of a shared store, and CLI identity.

Passwords are read from stdin (without echo, and twice, when stdin is a terminal) and stored
as salted argon2id hashes (:mod:`venuemap.auth`). The first user must be an admin, and the last
admin cannot be removed or demoted, so a store can never lock everyone out of managing users.

Who runs a command (:func:`cli_identity`): ``--user NAME``, else ``$VENUEMAP_USER``, else the
OS account. The OS account is trusted as authenticated (whoever runs the CLI on the server can
open the store file anyway: file permissions, not roles, guard the file). A *different* name
must prove itself with ``$VENUEMAP_PASSWORD`` or a password typed at the prompt. Roles are
checked only once the store has users; with none, the CLI is single-user as before.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import pwd
import re
import sys
from typing import Any

from geo.errors import InputError
from geo.users import UserDirectory, open_users
from venuemap.auth import (
    ROLES,
    GuardedStore,
    Identity,
    authorize,
    check_role,
    hash_password,
    resolve,
)

USER_ENV = "VENUEMAP_USER"
PASSWORD_ENV = "VENUEMAP_PASSWORD"  # noqa: S105 - the variable's name, not a password
#: A user name: letters (Chinese too), digits, ``. _ @ -``; at most 64 characters.
NAME_PATTERN = re.compile(r"[\w.@-]{1,64}")
USER_HELP = (
    f"who runs the command (default ${USER_ENV}, else the OS account); a name other than the OS "
    f"account needs ${PASSWORD_ENV} or a typed password once the store has users"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``user`` command and its subcommands."""
    parser = subparsers.add_parser(
        "user",
        help="users and roles of a shared store (viewer, analyst, planner, admin)",
        description="Manage who may use the store. Roles: viewer (maps, dashboard), analyst "
        "(+ exports), planner (+ edit, import, save scenarios), admin (+ users).",
    )
    commands = parser.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = commands.add_parser("add", help="add a user; the password is read from stdin")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=ROLES)
    add.set_defaults(func=run_add)
    listing = commands.add_parser("list", help="list users and roles (never passwords)")
    listing.add_argument("--json", action="store_true", help="print one JSON list")
    listing.set_defaults(func=run_list)
    remove = commands.add_parser("remove", help="remove a user")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(func=run_remove)
    passwd = commands.add_parser("passwd", help="set a new password (read from stdin)")
    passwd.add_argument("name", metavar="NAME")
    passwd.set_defaults(func=run_passwd)
    role = commands.add_parser("role", help="change a user's role")
    role.add_argument("name", metavar="NAME")
    role.add_argument("role", choices=ROLES)
    role.set_defaults(func=run_role)
    for sub in (add, listing, remove, passwd, role):
        add_identity_options(sub)


def add_identity_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--user`` (and ``--store`` when absent) to a subcommand that checks roles."""
    if not any("--store" in action.option_strings for action in parser._actions):
        parser.add_argument(
            "--store",
            metavar="PATH",
            help="the store (.gpkg); default $VENUEMAP_STORE or the user path",
        )
    parser.add_argument("--user", metavar="NAME", help=USER_HELP)


# --------------------------------------------------------------------------- identity
def os_account() -> str:
    """Return the name of the OS account running this process (not ``$USER``, which lies)."""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return ""


def cli_identity(user_option: str | None) -> Identity:
    """Return who runs the command: ``--user``, ``$VENUEMAP_USER`` or the OS account."""
    account = os_account()
    name = user_option or os.environ.get(USER_ENV) or account
    return Identity(name=name, trusted=bool(account) and name == account, password=_password)


def _password() -> str | None:
    """Return ``$VENUEMAP_PASSWORD``, else ask on the terminal; None when neither is possible."""
    if PASSWORD_ENV in os.environ:
        return os.environ[PASSWORD_ENV]
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass("venuemap password: ")
    return None


def guard_cli_store(store: Any, args: argparse.Namespace) -> GuardedStore:
    """Return ``store`` with its writes checked against the role of the command's user."""
    identity = cli_identity(getattr(args, "user", None))
    return GuardedStore(store, open_users(getattr(args, "store", None)), lambda: identity)


def authorize_cli(args: argparse.Namespace, action: str) -> None:
    """Refuse (PermissionDenied, exit 4) unless the command's user may perform ``action``."""
    authorize(open_users(args.store), cli_identity(getattr(args, "user", None)), action)


# --------------------------------------------------------------------------- commands
def read_new_password(stream: Any = None) -> str:
    """Read a new password: twice without echo on a terminal, else the first line of stdin."""
    stream = stream or sys.stdin
    if stream.isatty():
        first = getpass.getpass("new password: ")
        if getpass.getpass("repeat it: ") != first:
            raise InputError("两次输入的密码不一致 / the two passwords differ; nothing changed")
        return first
    line = stream.readline()
    if not line:
        raise InputError(
            "未读到密码 / no password on stdin: pipe it in, e.g. "
            "`printf '%s\\n' \"$PW\" | venuemap user add NAME --role planner`"
        )
    return line.rstrip("\r\n")


def _check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise InputError(
            f"用户名“{name[:64]}”无效 / user name {name[:64]!r} is not valid: use 1-64 letters, "
            "digits or . _ @ - (Chinese letters too)"
        )
    return name


def _admins(directory: UserDirectory) -> list[str]:
    return [user.name for user in directory.users() if user.role == "admin"]


def run_add(args: argparse.Namespace) -> int:
    """Add a user; the first one must be an admin."""
    directory = open_users(args.store)
    name, role = _check_name(args.name), check_role(args.role)
    if directory.users():
        authorize(directory, cli_identity(args.user), "users")
    elif role != "admin":
        raise InputError(
            f"第一个用户必须是管理员 / the first user must be an admin (so that someone can "
            f"manage users): venuemap user add {name} --role admin"
        )
    if directory.get_user(name) is not None:
        raise InputError(
            f"用户“{name}”已存在 / user {name!r} exists: use `venuemap user passwd {name}` or "
            f"`venuemap user role {name} ROLE`"
        )
    directory.put_user(name, role, hash_password(read_new_password()))
    print(f"已添加用户 {name}（{role}）/ user {name} added as {role}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    """List users and roles (admins only, once users exist)."""
    directory = open_users(args.store)
    if directory.users():
        authorize(directory, cli_identity(args.user), "users")
    users = directory.users()
    if args.json:
        rows = [{"name": u.name, "role": u.role, "created_at": u.created_at} for u in users]
        print(json.dumps(rows, ensure_ascii=False))
    elif not users:
        print("没有用户：单用户模式 / no users: single-user mode (everything allowed)")
    else:
        for user in users:
            print(f"{user.name}\t{user.role}\t{user.created_at}")
    return 0


def _existing(directory: UserDirectory, name: str) -> None:
    if directory.get_user(name) is None:
        known = ", ".join(u.name for u in directory.users()) or "none"
        raise InputError(f"没有用户“{name}” / no user {name!r} (users: {known})")


def run_remove(args: argparse.Namespace) -> int:
    """Remove a user (not the last admin)."""
    directory = open_users(args.store)
    authorize(directory, cli_identity(args.user), "users")
    _existing(directory, args.name)
    if _admins(directory) == [args.name]:
        raise InputError(
            f"不能删除最后一个管理员 / {args.name} is the last admin: add another admin first"
        )
    directory.remove_user(args.name)
    print(f"已删除用户 {args.name} / user {args.name} removed")
    return 0


def run_passwd(args: argparse.Namespace) -> int:
    """Set a user's password: one's own, or anyone's for an admin."""
    directory = open_users(args.store)
    identity = cli_identity(args.user)
    acting = resolve(directory, identity)
    if acting is None or acting.name != args.name:
        authorize(directory, identity, "users")
    _existing(directory, args.name)
    user = directory.get_user(args.name)
    directory.put_user(user.name, user.role, hash_password(read_new_password()))
    print(f"已更新 {args.name} 的密码 / password of {args.name} changed")
    return 0


def run_role(args: argparse.Namespace) -> int:
    """Change a user's role (not demoting the last admin)."""
    directory = open_users(args.store)
    authorize(directory, cli_identity(args.user), "users")
    _existing(directory, args.name)
    if args.role != "admin" and _admins(directory) == [args.name]:
        raise InputError(
            f"不能降级最后一个管理员 / {args.name} is the last admin: add another admin first"
        )
    user = directory.get_user(args.name)
    directory.put_user(user.name, args.role, user.password_hash)
    print(f"{args.name} 的角色改为 {args.role} / {args.name} is now {args.role}")
    return 0
