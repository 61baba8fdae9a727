"""Sign-in for a shared store: the login form, the signed-in user, and the sign-out button.

With no users in the store nothing here shows and the dashboard is single-user, as before.
Once a user exists, ``app.py`` asks :func:`login_gate` before any page runs: until someone signs
in, the only page is the sign-in form, so no data reaches the browser. The session keeps only
the user's *name*; the role is read from the store at each check (:mod:`venuemap.auth`), so a
changed role or a removed user takes effect at the next click, and every write checks it on
the server (``ui.loaders.open_user_store`` hands pages a :class:`~venuemap.auth.GuardedStore`).
"""

from __future__ import annotations

import streamlit as st

from geo.users import open_users
from ui.i18n import md_escape, t
from ui.session import ENTRYPOINT_KEY  # app.py's marker that the chrome ran; cleared at sign-out
from venuemap.auth import ROLE_LABELS, Identity, authenticate, can

#: Session key holding the signed-in user's name (nothing else about them).
SESSION_USER = "auth_user"


def session_identity() -> Identity | None:
    """Return the signed-in user as an authenticated identity, or None."""
    name = st.session_state.get(SESSION_USER)
    return Identity(name=name, trusted=True) if name else None


def login_gate(path: str) -> bool:
    """Return True when data may be shown: the store has no users, or a user is signed in.

    A signed-in name that is no longer registered (removed meanwhile) is signed out.
    """
    directory = open_users(path)
    if not directory.users():
        st.session_state.pop(SESSION_USER, None)
        return True
    name = st.session_state.get(SESSION_USER)
    if name and directory.get_user(name) is not None:
        return True
    sign_out()
    return False


def sign_out() -> None:
    """Forget the signed-in user (and that the chrome ran, so pages cannot run alone)."""
    st.session_state.pop(SESSION_USER, None)
    st.session_state.pop(ENTRYPOINT_KEY, None)


def login_form(lang: str, path: str) -> None:
    """Draw the sign-in form; on a matching name and password, remember the user and rerun."""
    st.title(t("app.title", lang))
    st.subheader(t("auth.title", lang))
    st.caption(t("auth.intro", lang))
    with st.form("login", clear_on_submit=False):
        name = st.text_input(t("auth.name", lang), key="login_name")
        password = st.text_input(t("auth.password", lang), type="password", key="login_password")
        submitted = st.form_submit_button(t("auth.submit", lang), type="primary")
    if not submitted:
        return
    user = authenticate(open_users(path), name.strip(), password)
    if user is None:
        st.error(t("auth.wrong", lang))
        return
    st.session_state[SESSION_USER] = user.name
    st.rerun()


def role_of_session(path: str) -> str | None:
    """Return the signed-in user's current role; None in single-user mode or when signed out."""
    name = st.session_state.get(SESSION_USER)
    user = open_users(path).get_user(name) if name else None
    return user.role if user else None


def session_can(action: str, path: str) -> bool:
    """Return True when the session may ``action`` (always, in single-user mode)."""
    if not open_users(path).users():
        return True
    role = role_of_session(path)
    return role is not None and can(role, action)


def account_block(lang: str, path: str) -> None:
    """Draw who is signed in and the sign-out button in the sidebar (nothing when no users)."""
    role = role_of_session(path)
    if role is None:
        return
    name = st.session_state[SESSION_USER]
    shown_role = ROLE_LABELS[role] if lang == "zh" else role
    with st.sidebar:
        st.caption(t("auth.signed_in", lang, name=md_escape(name), role=shown_role))
        if st.button(t("auth.logout", lang), key="logout"):
            sign_out()
            st.rerun()


def run_login_page(lang: str, path: str) -> None:
    """Make the sign-in form the app's only page and run it (no other page is reachable)."""
    page = st.Page(lambda: login_form(lang, path), title=t("auth.title", lang), url_path="login")
    st.navigation([page], position="hidden").run()
