#!/usr/bin/env python3
"""Performance figures of rolebar-tray under Xvfb (run by bench.sh, which starts the services).

- start-up: spawn → StatusNotifierItemRegistered seen by our watcher (its events file carries
  CLOCK_MONOTONIC times and the registering PID), median of N launches;
- memory: VmRSS summed over the app and every process below it (WebKit web/network processes,
  bwrap), with the main window open, after that window is closed, and idle in the tray with no
  window ever opened;
- CPU: utime+stime of that process tree over an idle period (60 s by default), tray only;
- the agent: `rolebar credential-process` answered by the tray (median of 50), beside the CLI
  alone and the AWS CLI's `configure export-credentials`, and the tray's RSS around it.

Not a test: it prints figures (and writes them as JSON next to the other artifacts).
"""

from __future__ import annotations

import argparse
import json
import re
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import MFA_TITLE, World, artifacts_dir, binary, descendants, is_profile_entry, pid_alive  # noqa: E402
from tray import Tray, wait_until  # noqa: E402
import xwindow  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


# When "idle in the tray" is measured: 10 s after the icon registered.
IDLE_AFTER_START_S = 10.0


def tree(pid: int) -> list[int]:
    return [pid, *descendants(pid)] if pid_alive(pid) else []


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kib(pid: int) -> int:
    """Proportional set size: shared pages split among their users (a fairer sum than RSS)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_pss(pid: int) -> int:
    return sum(pss_kib(p) for p in tree(pid))


def comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(pid: int) -> tuple[int, dict[str, int]]:
    parts: dict[str, int] = {}
    for p in tree(pid):
        name = comm(p)
        parts[name] = parts.get(name, 0) + rss_kib(p)
    return sum(parts.values()), parts


def settled_rss(pid: int, settle: float = 3.0, timeout: float = 30.0) -> tuple[int, dict[str, int]]:
    """The tree's RSS once it stops moving: within 1 % over `settle` seconds (or at `timeout`)."""
    start = time.monotonic()
    window: list[tuple[float, int]] = []
    while True:
        total, parts = tree_rss(pid)
        now = time.monotonic()
        window = [(t, v) for t, v in window if now - t <= settle] + [(now, total)]
        values = [v for _, v in window]
        if now - start >= settle and now - window[0][0] >= settle * 0.9 and max(values) - min(values) <= 0.01 * max(values):
            return total, parts
        if now - start >= timeout:
            return total, parts
        time.sleep(0.25)


def registered_at(events: Path, pid: int, timeout: float = 60.0) -> float:
    def probe():
        for line in events.read_text().splitlines():
            e = json.loads(line)
            if e.get("event") == "registered" and e.get("pid") == pid:
                return e["t"]
        return None

    return wait_until(f"pid {pid} to register its tray item", probe, timeout)


class Launch:
    def __init__(self, world: World, open_main: bool, log_level: str = "warn") -> None:
        env = world.full_env({"ROLEBAR_LOG": log_level})
        env.pop("NO_AT_BRIDGE", None)  # measure the app as a desktop runs it
        if open_main:
            env["ROLEBAR_OPEN_MAIN"] = "1"
        else:
            env.pop("ROLEBAR_OPEN_MAIN", None)
        self.log_path = world.artifacts / "app-stderr.log"
        self.log = open(self.log_path, "ab")
        self.t0 = time.monotonic()
        # The tray starts the window process beside it when a window is wanted.
        env["ROLEBAR_WINDOW_BIN"] = str(binary("ROLEBAR_E2E_WINDOW", "rolebar-window"))
        self.proc = subprocess.Popen([str(binary("ROLEBAR_E2E_APP", "rolebar-tray"))], env=env,
                                     stdout=subprocess.DEVNULL, stderr=self.log)

    def stop(self) -> None:
        kids = descendants(self.proc.pid)
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for k in kids:
            try:
                os.kill(k, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()


def median_ms(cmd: list[str], env: dict, runs: int) -> tuple[float, float, float]:
    """(median, min, max) wall time of `cmd` in ms over `runs` runs; each must succeed."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append((time.perf_counter() - t0) * 1000)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed: {proc.stderr}")
    return statistics.median(times), min(times), max(times)


def agent_figures(world: World, runs: int) -> dict:
    cli = str(binary("ROLEBAR_E2E_CLI", "rolebar"))
    # `default` holds the keys: its session needs no code, so no dialog takes part.
    env = world.full_env({"ROLEBAR_LOG": "warn"})
    world.rolebar("write", "default", "--to", "bench-target")
    aws_env = {k: v for k, v in env.items() if not k.startswith("AWS_ENDPOINT_URL")}
    out: dict = {}
    # The floor: starting any process from here (fork, exec, wait) costs this much already.
    floor = median_ms(["/bin/true"], env, runs)
    alone = median_ms([cli, "credential-process", "default"], {**env, "ROLEBAR_NO_AGENT": "1"}, runs)
    aws = median_ms([world.aws_cli, "configure", "export-credentials", "--profile", "bench-target",
                     "--format", "process"], aws_env, max(5, runs // 5))
    launch = Launch(world, open_main=False)
    try:
        registered_at(Path(os.environ["ROLEBAR_E2E_WATCHER_EVENTS"]), launch.proc.pid)
        before, _ = settled_rss(launch.proc.pid)
        served = median_ms([cli, "credential-process", "default"], env, runs)
        after, _ = settled_rss(launch.proc.pid)
    finally:
        launch.stop()
    out["credential_process_agent_ms"] = [round(v, 2) for v in served]
    out["credential_process_alone_ms"] = [round(v, 2) for v in alone]
    out["aws_export_credentials_ms"] = [round(v, 1) for v in aws]
    out["spawn_floor_ms"] = [round(v, 2) for v in floor]
    out["rss_before_agent_mib"] = round(before / 1024, 1)
    out["rss_after_agent_mib"] = round(after / 1024, 1)
    print(f"rolebar credential-process default, answered by the tray's agent: median {served[0]:.2f} ms "
          f"(min {served[1]:.2f}, max {served[2]:.2f}, {runs} runs)")
    print(f"  (starting /bin/true the same way: median {floor[0]:.2f} ms — the floor of any process)")
    print(f"rolebar credential-process default, alone (ROLEBAR_NO_AGENT=1, keyring): median {alone[0]:.2f} ms")
    print(f"aws configure export-credentials (AWS CLI v2): median {aws[0]:.0f} ms "
          f"→ the agent is {aws[0] / served[0]:.0f}× faster")
    print(f"tray RSS before the agent served: {before / 1024:.1f} MiB; after {runs} requests: {after / 1024:.1f} MiB")
    return out


def logged_ms(log: Path, since: int, message: str, timeout: float = 30.0) -> tuple[float, float]:
    """Waits for the first line after byte `since` of `log` with `message`: (when it was seen, on
    this process's monotonic clock; its `elapsed_ms` field)."""
    pattern = re.compile(r"elapsed_ms=([0-9.]+)")

    def probe():
        with open(log, "rb") as f:
            f.seek(since)
            for line in f.read().decode(errors="replace").splitlines():
                if message in line and (m := pattern.search(line)):
                    return time.monotonic(), float(m.group(1))
        return None

    return wait_until(f"the tray to log {message!r}", probe, timeout, interval=0.002)


def window_process_running(launch: "Launch") -> bool:
    return any(comm(p) == "rolebar-window" for p in tree(launch.proc.pid))


def dialog_figures(world: World, events: Path, tray: Tray, runs: int) -> dict:
    """Click on a profile that needs a code → the MFA dialog on screen with its question (the page
    shows it and focuses the field in the same frame, then its window is shown): the first time after start, later with no window
    process running (it starts cold each time), and with the main window open (the window process
    running). Then the global key → the quick switcher drawn and focused, cold and warm."""
    settings = world.home / ".config" / "rolebar" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"switcher_hotkey": "Ctrl+Alt+P"}) + "\n")
    launch = Launch(world, open_main=False, log_level="info")
    results: dict = {}
    try:
        registered_at(events, launch.proc.pid)
        item = tray.wait_item(launch.proc.pid, timeout=10)

        def ask_once() -> float:
            since = launch.log_path.stat().st_size
            entry = item.wait_where("the profile's entry", lambda n: is_profile_entry(n.label) and n.enabled, 15)
            clicked = time.monotonic()
            item.click(entry)
            seen, _ = logged_ms(launch.log_path, since, "MFA dialog has its question")
            # The window is shown once its page has drawn the question: on screen is the later.
            ids = wait_until("the MFA dialog on the display", lambda: xwindow.windows_titled(MFA_TITLE), 15,
                             interval=0.002)
            on_screen = time.monotonic()
            xwindow.request_close(ids[0])  # a cancel, as the window's close button
            wait_until("the MFA dialog to close", lambda: not xwindow.windows_titled(MFA_TITLE), 15)
            return (max(seen, on_screen) - clicked) * 1000

        def cold(ask) -> float:
            wait_until("no window process", lambda: not window_process_running(launch), 15)
            return ask()

        first = cold(ask_once)
        later = [cold(ask_once) for _ in range(runs)]
        print(f"click → MFA dialog with its question, first after start (cold window process): {first:.0f} ms")
        print(f"  later, cold window process each time: median {statistics.median(later):.0f} ms "
              f"(min {min(later):.0f}, max {max(later):.0f}) of {runs}")
        results["click_to_mfa_dialog_first_ms"] = round(first)
        results["click_to_mfa_dialog_cold_ms"] = [round(t) for t in later]
        results["click_to_mfa_dialog_cold_median_ms"] = round(statistics.median(later))

        def switch_once() -> float:
            since = launch.log_path.stat().st_size
            pressed = time.monotonic()
            subprocess.run(["xdotool", "key", "ctrl+alt+p"], check=True, timeout=10)
            seen, _ = logged_ms(launch.log_path, since, "quick switcher open and focused")
            subprocess.run(["xdotool", "key", "Escape"], check=True, timeout=10)
            wait_until("the switcher to close", lambda: not xwindow.windows_titled("Rolebar — Find a profile"), 15)
            return (seen - pressed) * 1000

        switch_cold = [cold(switch_once) for _ in range(runs)]
        print(f"global key → quick switcher focused, cold window process: median "
              f"{statistics.median(switch_cold):.0f} ms (min {min(switch_cold):.0f}, max {max(switch_cold):.0f})")
        results["hotkey_to_switcher_cold_median_ms"] = round(statistics.median(switch_cold))

        # With the main window open, its process serves the dialogs at once.
        item.click("Open Rolebar")
        wait_until("the main window", lambda: xwindow.windows_titled("Rolebar"), 30)
        warm = [ask_once() for _ in range(runs)]
        switch_warm = [switch_once() for _ in range(runs)]
        print(f"click → MFA dialog with its question, window process running: median "
              f"{statistics.median(warm):.0f} ms (min {min(warm):.0f}, max {max(warm):.0f})")
        print(f"global key → quick switcher focused, window process running: median "
              f"{statistics.median(switch_warm):.0f} ms (min {min(switch_warm):.0f}, max {max(switch_warm):.0f})")
        results["click_to_mfa_dialog_warm_median_ms"] = round(statistics.median(warm))
        results["hotkey_to_switcher_warm_median_ms"] = round(statistics.median(switch_warm))
    finally:
        launch.stop()
        settings.unlink(missing_ok=True)
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--cpu-seconds", type=float, default=60.0)
    ap.add_argument("--agent-runs", type=int, default=50)
    ap.add_argument("--dialog-runs", type=int, default=5)
    args = ap.parse_args()
    events = Path(os.environ["ROLEBAR_E2E_WATCHER_EVENTS"])
    app_bin = binary("ROLEBAR_E2E_APP", "rolebar-tray")
    window_bin = binary("ROLEBAR_E2E_WINDOW", "rolebar-window")
    print(f"binaries: {app_bin} ({app_bin.stat().st_size / 2**20:.1f} MiB), "
          f"{window_bin} ({window_bin.stat().st_size / 2**20:.1f} MiB)")
    linked = subprocess.run(["ldd", str(app_bin)], capture_output=True, text=True).stdout
    engine = [line.split()[0] for line in linked.splitlines() if any(w in line for w in ("webkit", "javascriptcore", "soup"))]
    print(f"web engine libraries linked by the tray: {engine or 'none'}")

    world = World("bench")
    world.add_keys()
    tray = Tray()
    results: dict = {"binary": str(app_bin), "tray_binary_mib": round(app_bin.stat().st_size / 2**20, 1),
                     "window_binary_mib": round(window_bin.stat().st_size / 2**20, 1),
                     "tray_links_web_engine": engine}
    try:
        # 1. cold start to tray registered
        starts = []
        for i in range(args.starts):
            launch = Launch(world, open_main=False)
            t = registered_at(events, launch.proc.pid)
            starts.append(t - launch.t0)
            item = tray.wait_item(launch.proc.pid, timeout=10)
            launch.stop()
            wait_until("the item to leave the watcher", lambda: item.item not in tray.items(), 10)
            print(f"  start {i + 1}: {starts[-1] * 1000:.0f} ms")
        results["start_to_tray_ms"] = [round(s * 1000) for s in starts]
        results["start_to_tray_median_ms"] = round(statistics.median(starts) * 1000)
        print(f"start (warm page cache) → tray registered: median {results['start_to_tray_median_ms']} ms of {args.starts}")

        # 2. RSS with the main window open
        launch = Launch(world, open_main=True)
        registered_at(events, launch.proc.pid)
        wait_until("a WebKit web process (the main window)",
                   lambda: any(comm(p).startswith("WebKitWebProces") for p in tree(launch.proc.pid)), 30)
        total, parts = settled_rss(launch.proc.pid)
        pss = tree_pss(launch.proc.pid)
        results["rss_window_open_mib"] = round(total / 1024, 1)
        results["rss_window_open_parts_mib"] = {k: round(v / 1024, 1) for k, v in parts.items()}
        results["pss_window_open_mib"] = round(pss / 1024, 1)
        print(f"RSS, main window open: {total / 1024:.0f} MiB  {results['rss_window_open_parts_mib']}"
              f"  (PSS {pss / 1024:.0f} MiB)")

        # 2b. once that window is closed (as a close button does): the window process goes (and
        # WebKit with it), the tray stays
        ids = wait_until("the main window on the X display", lambda: xwindow.windows_titled("Rolebar"), 30)
        closed_at = time.monotonic()
        xwindow.request_close(ids[0])
        wait_until("the window process to exit",
                   lambda: not any(comm(p) == "rolebar-window" for p in tree(launch.proc.pid)), 30)
        results["window_process_exit_after_close_ms"] = round((time.monotonic() - closed_at) * 1000)
        print(f"last window closed → window process gone: {results['window_process_exit_after_close_ms']} ms")
        wait_until("every WebKit process to end",
                   lambda: not any(comm(p).startswith("WebKit") for p in tree(launch.proc.pid)), 30)
        total, parts = settled_rss(launch.proc.pid)
        results["webkit_processes_after_close"] = [comm(p) for p in tree(launch.proc.pid) if comm(p).startswith("WebKit")]
        launch.stop()
        results["rss_after_window_closed_mib"] = round(total / 1024, 1)
        results["rss_after_window_closed_parts_mib"] = {k: round(v / 1024, 1) for k, v in parts.items()}
        print(f"RSS, main window opened then closed: {total / 1024:.1f} MiB  "
              f"{results['rss_after_window_closed_parts_mib']}")

        # 3. RSS idle in the tray (no window ever opened), then CPU over the idle period
        launch = Launch(world, open_main=False)
        registered_at(events, launch.proc.pid)
        # Idle means after the start has settled: the tray gives back its start-up memory 5 s
        # after its icon is up (crates/tray/src/lean.rs), so the figure is taken 10 s after.
        time.sleep(IDLE_AFTER_START_S)  # part of the figure's definition, not a synchronisation
        total, parts = settled_rss(launch.proc.pid)
        pss = tree_pss(launch.proc.pid)
        results["rss_tray_idle_mib"] = round(total / 1024, 1)
        results["rss_tray_idle_parts_mib"] = {k: round(v / 1024, 1) for k, v in parts.items()}
        results["pss_tray_idle_mib"] = round(pss / 1024, 1)
        print(f"RSS, idle in the tray (10 s after start): {total / 1024:.1f} MiB  {results['rss_tray_idle_parts_mib']}"
              f"  (PSS {pss / 1024:.0f} MiB)")

        pids = tree(launch.proc.pid)
        before = {p: cpu_ticks(p) for p in pids}
        t0 = time.monotonic()
        time.sleep(args.cpu_seconds)  # the measurement period itself, not a synchronisation
        elapsed = time.monotonic() - t0
        after = {p: cpu_ticks(p) for p in tree(launch.proc.pid)}
        ticks = sum(after.get(p, 0) - before.get(p, 0) for p in after if p in before) + \
            sum(after[p] for p in after if p not in before)
        cpu_s = ticks / CLK_TCK
        later, _ = settled_rss(launch.proc.pid)
        results["rss_tray_after_idle_period_mib"] = round(later / 1024, 1)
        print(f"RSS, idle in the tray after the CPU period too: {later / 1024:.1f} MiB")
        launch.stop()
        results["idle_cpu_seconds"] = round(cpu_s, 3)
        results["idle_cpu_period_s"] = round(elapsed, 1)
        results["idle_cpu_percent"] = round(100 * cpu_s / elapsed, 3)
        print(f"CPU idle in the tray: {cpu_s:.2f} s over {elapsed:.0f} s ({results['idle_cpu_percent']:.2f} % of one core)")

        # 4. the agent: `rolebar credential-process` answered by the tray from its memory, beside
        # the CLI alone (keyring) and the AWS CLI reading a credentials file; the tray's RSS
        # before and after serving.
        results.update(agent_figures(world, args.agent_runs))

        # 5. the dialogs: click → MFA dialog, global key → switcher (cold and warm window process)
        results.update(dialog_figures(world, events, tray, args.dialog_runs))
    finally:
        tray.close()
        world.cleanup()
    out = artifacts_dir() / "bench.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"figures written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
