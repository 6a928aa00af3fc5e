"""``assises serve``: sessions served at once — time to first screen, memory per session.

    python -m benchmarks.bench_serve [--n 10000] [--sessions 1 4 8 12] [--keep DIR]

Builds a workspace of ``n`` generated contributions with one account per session, starts
``assises serve`` as a user would, then for each count ``k`` opens ``k`` sessions at the
same instant the way the browser page does (POST /login, then the app's websocket with a
120x40 terminal and its resize message) and measures, per session, the time from the
websocket request to the first screen (the inbox status line « À traiter » received) and the
CPU time each app process used until then (independent of the machine's load), and,
once all are drawn, the resident memory of each app process and of the server. The
sessions are then closed and their processes waited for before the next count. The first
session of each round is the writer (TinyDB), the others open read-only.

No browser here: Chromium on the same 2 cores would measure itself. The browser test
(``tests/web/test_browser.py``) covers the page.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ANSI = re.compile(rb"\x1b\[[0-9;?:]*[ -/]*[@-~]")
PASSWORD = "mot-de-passe-de-mesure"


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (Linux /proc), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def build(root: Path, n: int, accounts: int) -> None:
    from assises_tui.web.accounts import Accounts
    from assises_tui.workspace import Workspace
    from benchmarks.generate import fill_store

    with Workspace.init(root) as ws:
        fill_store(ws.store, n)
    users = Accounts(root)
    for i in range(accounts):
        users.add(f"relecteur{i + 1}", PASSWORD, "coordinator" if i == 0 else "reviewer")


async def round_of(base: str, k: int, server_pid: int) -> dict:
    started = asyncio.Event()
    jars = [aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) for _ in range(k)]
    try:
        sessions = []

        async def run(i: int) -> None:
            http = jars[i]
            origin = {"Origin": base}
            async with http.post(
                base + "/login",
                data={"user": f"relecteur{i + 1}", "password": PASSWORD},
                headers=origin,
                allow_redirects=False,
            ) as response:
                assert response.status == 303, response.status
            await started.wait()
            t0 = time.perf_counter()
            ws = await http.ws_connect(
                base.replace("http", "ws") + "/ws?width=120&height=40", headers=origin
            )
            await ws.send_str(json.dumps(["resize", {"width": 120, "height": 40}]))
            seen = b""
            while True:
                message = await ws.receive(timeout=180)
                if message.type != aiohttp.WSMsgType.BINARY:
                    if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                        raise RuntimeError("session closed before its first screen")
                    continue
                seen = (seen + message.data)[-200_000:]
                if "À traiter".encode() in ANSI.sub(b"", seen):
                    break
            sessions.append((time.perf_counter() - t0, ws))

        tasks = [asyncio.create_task(run(i)) for i in range(k)]
        await asyncio.sleep(0.5)  # every login done (argon2), then all websockets at once
        load = os.getloadavg()[0]
        started.set()
        await asyncio.gather(*tasks)
        cpu = [_cpu_seconds(pid) for pid in _children(server_pid)]
        await asyncio.sleep(3)  # settled: search index warm-up and first polls done
        apps = _children(server_pid)
        app_rss = [_rss(pid) for pid in apps]
        times = sorted(t for t, _ in sessions)
        result = {
            "sessions": k,
            "load_avg_1min": round(load, 2),
            "first_screen_median_s": round(statistics.median(times), 2),
            "first_screen_max_s": round(times[-1], 2),
            # CPU an app process used up to its first screen: independent of the load.
            "cpu_to_first_screen_s_median": round(statistics.median(cpu), 2) if cpu else None,
            "app_processes": len(apps),
            "rss_per_session_mb_median": round(statistics.median(app_rss) / 2**20, 1)
            if app_rss
            else None,
            "rss_sessions_total_mb": round(sum(app_rss) / 2**20, 1),
            "rss_server_mb": round(_rss(server_pid) / 2**20, 1),
        }
        for _, ws in sessions:
            await ws.close()
        for _ in range(600):  # wait until every app process has quit
            if not _children(server_pid):
                break
            await asyncio.sleep(0.1)
        return result
    finally:
        for http in jars:
            await http.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 4, 8, 12])
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-serve-"))
    root = folder / "ws"
    if not (root / "consultation.toml").exists():
        build(root, args.n, max(args.sessions))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "assises_tui", "--workspace", str(root), "serve", "--port",
         str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        results = [asyncio.run(round_of(base, k, server.pid)) for k in args.sessions]
        print(json.dumps({"contributions": args.n, "rounds": results}, indent=2))
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
