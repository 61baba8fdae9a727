"""Roles, permissions and passwords: who may do what to a shared register, decided in one place.

Four roles, each adding to the one before: **viewer** (maps, dashboard), **analyst** (+ exports),
**planner** (+ edit, import, undo, save scenarios, backup) and **admin** (+ restore, users).
:func:`can` answers "may this role do that"; :func:`require` raises
:class:`~geo.errors.PermissionDenied` with a one-line bilingual message when it may not.

With no users in the store the app is single-user, as before: everything is allowed. Once a user
exists, every write names an :class:`Identity` and is checked against the store's user directory
*at the moment of writing* (:func:`authorize`, :class:`GuardedStore`), so a role changed or a
user removed takes effect at once, and hiding a button is never the only barrier.

Passwords are stored as salted argon2id hashes (argon2-cffi, OWASP's minimum parameters:
19 MiB, 2 passes), never in clear.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from geo.errors import InputError, PermissionDenied
from geo.users import User, UserDirectory

#: Roles from least to most trusted.
ROLES = ("viewer", "analyst", "planner", "admin")
#: What each role adds to the role before it.
ROLE_ADDS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"view"}),
    "analyst": frozenset({"export"}),
    "planner": frozenset({"edit", "import", "undo", "save", "backup"}),
    "admin": frozenset({"restore", "users"}),
}
ACTIONS = tuple(sorted(set().union(*ROLE_ADDS.values())))
ROLE_LABELS = {"viewer": "浏览者", "analyst": "分析员", "planner": "规划员", "admin": "管理员"}
ACTION_LABELS = {"view": "查看", "export": "导出", "edit": "编辑", "import": "导入",
                 "undo": "撤销", "save": "保存方案", "backup": "备份", "restore": "恢复",
                 "users": "管理用户"}  # fmt: skip
MIN_PASSWORD_LENGTH = 8
#: argon2id at OWASP's minimum (m = 19 MiB, t = 2, p = 1): ~50 ms, affordable at login.
HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
#: Compared against when the user name is unknown, so a wrong name costs as long as a wrong
#: password and does not reveal which names exist.
_DUMMY_HASH = HASHER.hash("venuemap-no-such-user")


def role_actions(role: str) -> frozenset[str]:
    """Return every action ``role`` may perform (its own and those of the roles below it)."""
    if role not in ROLES:
        return frozenset()
    return frozenset().union(*(ROLE_ADDS[r] for r in ROLES[: ROLES.index(role) + 1]))


def can(role: str, action: str) -> bool:
    """Return True when ``role`` may perform ``action`` (see :data:`ROLE_ADDS`)."""
    return action in role_actions(role)


def minimum_role(action: str) -> str:
    """Return the least role allowed ``action``."""
    return next(role for role in ROLES if can(role, action))


def check_role(role: str) -> str:
    """Return ``role`` when it is one of :data:`ROLES`; else raise an InputError naming them."""
    if role not in ROLES:
        raise InputError(
            f"未知角色“{role}”，可选 {'、'.join(ROLES)} / unknown role {role!r}: use one of "
            f"{', '.join(ROLES)}"
        )
    return role


def require(user: User | None, action: str) -> None:
    """Raise PermissionDenied unless ``user`` may perform ``action``; None = single-user mode."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")
    if user is None or can(user.role, action):
        return
    needed = minimum_role(action)
    role_zh = ROLE_LABELS.get(user.role, user.role)
    raise PermissionDenied(
        f"{user.name} 的角色为{role_zh}，无权{ACTION_LABELS[action]}，"
        f"需要{ROLE_LABELS[needed]}或以上 / {user.name} is a {user.role}; {action!r} needs the "
        f"role {needed} or above: ask an admin (venuemap user role {user.name} {needed})"
    )


# --------------------------------------------------------------------------- passwords
def hash_password(password: str) -> str:
    """Return a salted argon2id hash of ``password`` (refusing one that is too short)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"密码至少 {MIN_PASSWORD_LENGTH} 个字符 / the password must have at least "
            f"{MIN_PASSWORD_LENGTH} characters"
        )
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Return True when ``password`` matches ``password_hash``; False otherwise, never raising."""
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(directory: UserDirectory, name: str, password: str) -> User | None:
    """Return the user when ``name`` and ``password`` match, else None (same cost either way)."""
    user = directory.get_user(name)
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    return user if (ok and user is not None) else None


# --------------------------------------------------------------------------- identities
@dataclass(frozen=True)
class Identity:
    """Who asks: a name, and whether it is already authenticated.

    Attributes
    ----------
    name
        The user name to look up.
    trusted
        True when something already proved it: the dashboard's login, or the operating system
        (the CLI run by the OS account of that name). Otherwise :attr:`password` must match.
    password
        Returns the password to check a claimed (untrusted) name with, or None when none is
        available; called only when a check is needed.
    """

    name: str
    trusted: bool
    password: Callable[[], str | None] = lambda: None


def resolve(directory: UserDirectory, identity: Identity | None) -> User | None:
    """Return the registered user behind ``identity``; None when the store has no users.

    Raises
    ------
    PermissionDenied
        When users exist and the identity is missing, unknown, or its password does not match.
    """
    if not directory.users():
        return None
    if identity is None or not identity.name:
        raise PermissionDenied(
            "此存储已启用用户，请先登录 / this store has users: sign in (dashboard) or name "
            "yourself with --user NAME or $VENUEMAP_USER (command line)"
        )
    user = directory.get_user(identity.name)
    if user is None:
        raise PermissionDenied(
            f"用户“{identity.name}”未登记 / user {identity.name!r} is not registered in this "
            "store: ask an admin to add you (venuemap user add NAME --role ROLE) or pass "
            "--user NAME"
        )
    proven = identity.trusted or authenticate(directory, user.name, identity.password() or "")
    if not proven:
        raise PermissionDenied(
            f"用户“{user.name}”的密码不正确或未提供 / wrong or missing password for "
            f"{user.name!r}: set $VENUEMAP_PASSWORD, type it when asked, or run as the OS "
            "account of that name"
        )
    return user


def authorize(directory: UserDirectory, identity: Identity | None, action: str) -> User | None:
    """Check that ``identity`` may perform ``action`` now; return the user (None: single-user)."""
    user = resolve(directory, identity)
    require(user, action)
    return user


# --------------------------------------------------------------------------- guarded store
#: Store methods that change data, and the action each needs. Methods not listed here and
#: not in :data:`STORE_READS` are refused while users exist (fail closed): a backend that grows
#: a new write method must be listed before a shared deployment can use it.
STORE_WRITES: dict[str, str] = {
    "add_venues": "import",
    "replace_venues": "edit",
    "edit_venue": "edit",
    "retire_venues": "edit",
    "write_layer": "import",
    "undo": "undo",
    "backup": "backup",
    "restore": "restore",
    "put_user": "users",
    "remove_user": "users",
}
STORE_READS = frozenset(
    {"exists", "layer_names", "venues", "layer", "users", "get_user", "path", "url",
     "target", "changes", "change", "data_version"}
)


class GuardedStore:
    """A store whose write methods first :func:`authorize` the identity of the caller.

    Parameters
    ----------
    store
        Any store (``geo.store.open_store``'s object); reads pass straight through.
    directory
        The store's users (see :func:`geo.users.open_users`).
    identity
        Called at each write for who is asking (the dashboard's session user, the CLI's
        ``--user``); not called for reads, so it may read per-request state.
    """

    def __init__(
        self, store: Any, directory: UserDirectory, identity: Callable[[], Identity | None]
    ) -> None:
        self._store, self._directory, self._identity = store, directory, identity

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._store, name)
        if name in STORE_READS or not callable(value):
            return value
        action = STORE_WRITES.get(name)
        if action is None:
            if self._directory.users():
                raise PermissionDenied(
                    f"store.{name} has no permission rule (venuemap.auth.STORE_WRITES); refused "
                    "while users exist"
                )
            return value

        def checked(*args: Any, **kwargs: Any) -> Any:
            authorize(self._directory, self._identity(), action)
            return value(*args, **kwargs)

        return checked
