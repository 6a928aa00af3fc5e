"""Accounts of a served workspace (``assises users``) and the session and throttle rules."""

from __future__ import annotations

import io
import json
import stat

import pytest

from assises_tui.cli import main
from assises_tui.web.accounts import Accounts, AccountsError
from assises_tui.web.sessions import LoginThrottle, SessionStore
from assises_tui.workspace import Workspace


@pytest.fixture
def root(tmp_path):
    Workspace.init(tmp_path / "ws").close()
    return tmp_path / "ws"


def run(root, *args, stdin: str = "", monkeypatch=None, capsys=None) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["--workspace", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_users_commands(root, monkeypatch, capsys):
    def cli(*args, stdin=""):
        return run(root, *args, stdin=stdin, monkeypatch=monkeypatch, capsys=capsys)

    assert cli("users", "add", "claire", "--role", "coordinator", "--password-stdin",
               stdin="un mot de passe solide\n")[0] == 0  # fmt: skip
    assert cli("users", "add", "paul", "--password-stdin", stdin="un autre mot de passe\n")[0] == 0
    path = root / "accounts.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = path.read_text()
    assert "solide" not in stored and "$argon2id$" in stored
    code, out, _ = cli("users", "list", "--json")
    assert code == 0
    assert [(a["name"], a["role"]) for a in json.loads(out)] == [
        ("claire", "coordinator"),
        ("paul", "reviewer"),
    ]
    accounts = Accounts(root)
    assert accounts.verify("paul", "un autre mot de passe").role == "reviewer"
    assert cli("users", "passwd", "paul", "--password-stdin", stdin="tout nouveau mot\n")[0] == 0
    assert accounts.verify("paul", "un autre mot de passe") is None
    assert accounts.verify("paul", "tout nouveau mot") is not None
    assert cli("users", "role", "paul", "coordinator")[0] == 0
    assert accounts.get("paul").coordinator
    assert cli("users", "remove", "paul")[0] == 0
    assert accounts.get("paul") is None
    code, out, _ = cli("users", "list")
    assert "claire" in out and "coordinateur" in out and "paul" not in out


@pytest.mark.parametrize(
    "args, stdin, expected",
    [
        (["add", "x y", "--password-stdin"], "assez long mot\n", "Nom de compte invalide"),
        (["add", "ana", "--password-stdin"], "court\n", "trop court"),
        (["add", "claire", "--password-stdin"], "un mot de passe solide\n", "existe déjà"),
        (["remove", "personne"], "", "Aucun compte"),
        (["passwd", "personne", "--password-stdin"], "assez long mot\n", "Aucun compte"),
    ],
)
def test_users_errors_are_one_french_sentence(root, monkeypatch, capsys, args, stdin, expected):
    Accounts(root).add("claire", "un mot de passe solide", "coordinator")
    code, _, err = run(root, "users", *args, stdin=stdin, monkeypatch=monkeypatch, capsys=capsys)
    assert code == 2 and expected in err and "Traceback" not in err


def test_serve_refuses_an_unsafe_start(root, monkeypatch, capsys):
    code, _, err = run(root, "serve", monkeypatch=monkeypatch, capsys=capsys)
    assert code == 2 and "Aucun compte" in err
    Accounts(root).add("claire", "un mot de passe solide", "coordinator")
    code, _, err = run(root, "serve", "--host", "0.0.0.0", monkeypatch=monkeypatch, capsys=capsys)
    assert code == 2 and "--cert" in err and "nginx" in err
    code, _, err = run(root, "serve", "--cert", "c.pem", monkeypatch=monkeypatch, capsys=capsys)
    assert code == 2 and "--key" in err


def test_a_damaged_accounts_file_refuses_logins_and_says_so(root):
    (root / "accounts.json").write_text("{pas du json")
    accounts = Accounts(root)
    assert accounts.verify("claire", "un mot de passe solide") is None
    with pytest.raises(AccountsError, match="illisible"):
        accounts.list()


def test_sessions_expire_when_idle_and_at_their_lifetime():
    now = [0.0]
    store = SessionStore(idle=10, lifetime=25, clock=lambda: now[0])
    from assises_tui.web.accounts import Account

    token = store.create(Account("claire", "coordinator", ""), "127.0.0.1")
    now[0] = 9
    assert store.get(token) is not None
    now[0] = 18
    assert store.get(token) is not None  # touched at 9
    now[0] = 26
    assert store.get(token) is None  # lifetime over, although active
    token = store.create(Account("paul", "reviewer", ""), "127.0.0.1")
    now[0] = 37
    assert [s.account.name for s in store.expired()] == ["paul"]
    assert store.get("x" * 500) is None


def test_the_throttle_doubles_the_wait_after_the_free_attempts():
    now = [0.0]
    throttle = LoginThrottle(free_attempts=3, window=100, clock=lambda: now[0])
    for _ in range(3):
        assert throttle.wait_for("a") == 0
        throttle.failed("a")
    assert throttle.wait_for("a") == 1
    now[0] = 1
    throttle.failed("a")
    assert throttle.wait_for("a") == 2
    assert throttle.wait_for("b") == 0
    now[0] = 200
    assert throttle.wait_for("a") == 0
