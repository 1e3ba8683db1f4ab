"""Who is using this browser session, and the gates the pages put in front of every write.

- `current_user()`: the logged-in `ntm.auth.User` of this session, or None (never logged in,
  logged out, or idle longer than the session timeout: `NTM_SESSION_TIMEOUT_MINUTES`, default
  `ntm.auth.SESSION_TIMEOUT`). Each call counts as activity.
- `login_form()`: Tên đăng nhập / Mật khẩu / Đăng nhập, drawn where it is called. A wrong name
  and a wrong password get the same answer; throttled accounts are told to wait
  (`ntm.auth.authenticate`). The check runs in the submit button's callback, which empties the
  password field whatever the outcome: the password is never kept in the session.
- `logout_button()`, `sidebar_account()` (the sidebar's login form or "logged in as" + logout).
- `require_action(action)`: True when the current user may; otherwise a Vietnamese refusal
  (st.warning) and False. Before a write the account is looked up again: a deleted account is
  logged out and a changed role applies at once. The service layer checks again
  (`ntm.auth.require`), so a page that forgot its gate still cannot write.
- `gate_reading()`: with `NTM_REQUIRE_LOGIN`, the login form alone until someone logs in.
- OpenID Connect (optional, `ntm.config`): a button calls `st.login`; the identity's e-mail
  is looked up in the users table for its role (viewer when unknown).

Session-state keys live here (`USER`, `SEEN`, `EXPIRED`, `FAILED`); tests seed a login with
`session_for(user)` (the account must exist in the database for writes).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import streamlit as st

from ntm import config
from ntm import formatting as fmt
from ntm.auth import WINDOW, Action, LoginRefused, Role, User, allowed, authenticate
from ntm.i18n import t
from ntm.ui import services, state

USER = "auth_user"  # ntm.auth.User of the logged-in account
SEEN = "auth_seen"  # time.time() of the session's last activity
EXPIRED = "auth_expired"  # the login just expired: say so once above the form
FAILED = "auth_failed"  # why the last login attempt failed: "empty" | LoginRefused.reason
FORM = "login_form"
NAME = "login_name"
PASSWORD = "login_password"
SUBMIT = "login_submit"
LOGOUT = "logout"
OIDC_BUTTON = "login_oidc"

clock: Callable[[], float] = time.time  # tests may replace it


def session_for(user: User, seen: float | None = None) -> dict[str, Any]:
    """Session state of a session where `user` has just logged in (for seeding AppTest).

    The account must exist in the database (`Store.save_user(name, role, None)` will do):
    before every write the session's account is looked up again."""
    return {USER: user, SEEN: clock() if seen is None else seen}


def _lang(lang: str | None) -> str:
    return lang or state.lang()


def role_label(role: Role, lang: str | None = None) -> str:
    return t(f"auth.role.{role.value}", _lang(lang))


def timeout() -> float:
    return config.settings().session_timeout


# --- the session's user ----------------------------------------------------------------------


def _forget(expired: bool = False) -> None:
    for key in (USER, SEEN):
        st.session_state.pop(key, None)
    if expired:
        st.session_state[EXPIRED] = True


def current_user() -> User | None:
    """The logged-in user, or None (not logged in, or idle past the session timeout)."""
    user = st.session_state.get(USER)
    if isinstance(user, User):
        now = clock()
        seen = st.session_state.get(SEEN)
        if not isinstance(seen, int | float) or now - float(seen) > timeout():
            _forget(expired=True)
            return None
        st.session_state[SEEN] = now
        return user
    if user is not None:  # anything else under the key is not a login
        _forget()
    return _oidc_user()


def log_in(name: str, password: str) -> User:
    """Check the credentials and start the session's login; LoginRefused otherwise."""
    user = authenticate(services.store(), name, password)
    st.session_state[USER] = user
    st.session_state[SEEN] = clock()
    st.session_state.pop(EXPIRED, None)
    return user


def log_out() -> None:
    _forget()
    if _oidc_logged_in():
        st.logout()


# --- OpenID Connect (optional) ---------------------------------------------------------------


def _oidc_provider() -> str | None:
    return config.settings().oidc_provider


def _oidc_logged_in() -> bool:
    if not _oidc_provider():
        return False
    try:
        return bool(st.user.is_logged_in)
    except Exception:  # no [auth] secrets or no Authlib: not logged in that way
        return False


def _oidc_user() -> User | None:
    if not _oidc_logged_in():
        return None
    name = str(st.user.get("email") or st.user.get("sub") or "").strip()
    if not name:
        return None
    record = services.store().user(name)
    role = Role(str(record["role"])) if record else Role.VIEWER
    return User(name=name, role=role)


# --- drawing ---------------------------------------------------------------------------------


def _submit() -> None:
    """The form's callback (runs before the page): log in, empty the password field."""
    name = str(st.session_state.get(NAME) or "").strip()
    password = str(st.session_state.get(PASSWORD) or "")
    st.session_state[PASSWORD] = ""  # never kept, whatever the outcome
    if not name or not password:
        st.session_state[FAILED] = "empty"
        return
    try:
        log_in(name, password)
    except LoginRefused as refused:
        st.session_state[FAILED] = refused.reason
    else:
        st.session_state[NAME] = ""


def login_form(lang: str | None = None) -> User | None:
    """The login form in the current container; returns the user once logged in."""
    lang = _lang(lang)
    if st.session_state.pop(EXPIRED, False):
        st.info(
            t("auth.login.expired", lang, minutes=f"{timeout() / 60:g}"), icon=":material/timer:"
        )
    with st.form(FORM):
        st.text_input(t("auth.login.name", lang), key=NAME, max_chars=80, autocomplete="username")
        st.text_input(
            t("auth.login.password", lang),
            key=PASSWORD,
            type="password",
            max_chars=256,
            autocomplete="current-password",
        )
        st.form_submit_button(
            t("auth.login.submit", lang),
            type="primary",
            key=SUBMIT,
            icon=":material/login:",
            on_click=_submit,
        )
    failed = st.session_state.pop(FAILED, None)
    if failed:
        # The same words for an unknown name and a wrong password (names cannot be probed).
        st.error(t(f"auth.login.{failed}", lang, minutes=f"{WINDOW / 60:g}"))
    provider = _oidc_provider()
    if provider:
        st.button(
            t("auth.login.oidc", lang),
            key=OIDC_BUTTON,
            icon=":material/account_circle:",
            on_click=st.login,
            args=(None if provider == "default" else provider,),
        )
    return current_user()


def logout_button(lang: str | None = None) -> None:
    st.button(t("auth.logout", _lang(lang)), key=LOGOUT, icon=":material/logout:", on_click=log_out)


def sidebar_account(lang: str | None = None) -> None:
    """In the sidebar: who is logged in and a logout button, or the login form (folded)."""
    lang = _lang(lang)
    user = current_user()
    if user is not None:
        st.markdown(
            t(
                "auth.login.signed_in",
                lang,
                name=fmt.escape_markdown(user.name),
                role=role_label(user.role, lang),
            )
        )
        logout_button(lang)
        return
    with st.expander(t("auth.login.title", lang), icon=":material/login:"):
        st.caption(t("auth.login.staff_hint", lang))
        login_form(lang)


def refusal(user: User | None, action: Action, lang: str | None = None) -> str:
    """The Vietnamese (or English) sentence refusing `action` to `user`."""
    lang = _lang(lang)
    what = t(f"auth.action.{action.value}", lang)
    if user is None:
        return t("auth.refused.anonymous", lang, action=what)
    return t(
        "auth.refused.role",
        lang,
        name=fmt.escape_markdown(user.name),
        role=role_label(user.role, lang),
        action=what,
    )


def _revalidated(user: User) -> User | None:
    """The session's account as the database has it now: a deleted account is logged out, a
    changed role takes effect (checked before every write, not on every read)."""
    record = services.store().user(user.name)
    if record is None:
        _forget()
        return None
    role = Role(str(record["role"]))
    if role is not user.role:
        user = User(name=user.name, role=role)
        st.session_state[USER] = user
    return user


def may(action: Action) -> bool:
    """Whether the current user may take `action` (nothing drawn)."""
    user = current_user()
    if action is Action.READ:
        return user is not None or not config.settings().require_login
    local = st.session_state.get(USER)
    if isinstance(local, User) and local is user:  # a password login (OIDC is looked up anew)
        user = _revalidated(local)
    return allowed(user, action)


def require_action(action: Action, lang: str | None = None) -> bool:
    """True when the current user may take `action`; else a clear refusal and False."""
    if may(action):
        return True
    st.warning(refusal(current_user(), action, lang), icon=":material/lock:")
    return False


def gate_reading(lang: str | None = None) -> bool:
    """With NTM_REQUIRE_LOGIN: draw the login form alone and return False until logged in."""
    if may(Action.READ):
        return True
    lang = _lang(lang)
    st.title(t("auth.login.title", lang))
    st.info(t("auth.login.required", lang), icon=":material/lock:")
    login_form(lang)
    return False
