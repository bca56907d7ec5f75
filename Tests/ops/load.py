#!/usr/bin/env python3
"""The server under a busy month (issue 19 §6; docs/speed.md): the 2,040-person demo company
(`kaohe serve --demo --demo-scale 34`), a read mix of pages with wrk, and raters saving sheets.

usage: load.py KAOHE_BINARY [--database-url URL] [--scale 34] [--seconds 30] [--connections 16]
                            [--raters 100] [--port 18290]

1. The server starts on a new database (SQLite in a temporary folder, or the empty PostgreSQL
   database of --database-url) with the demo company `--scale` times over, on 2026-11-28.
2. HR opens November through the API for every team (one lead each).
3. Read mix: wrk, `--connections` connections for `--seconds`, each request the next of a list of
   pages as six signed-in people read them (HR's home, people, cycles, a report; a manager's
   home, sheet list and report; a lead's home and sheets; an agent's home, sheet list and sheet).
   Every page must answer 200.
4. Raters: `--raters` leads at once, each in a loop for `--seconds`: read one of their sheets
   (GET /api/v1/sheets/{id}) and save marks on it (PUT, with the version just read). Every
   request must answer 200; a 409 (a version raced) is counted as an error too, since no two
   raters share a sheet.
The figures (requests a second, latency percentiles, errors) are printed and, with --json F,
written to F. Exit 1 when a request failed; the speed targets are reported, not enforced.
"""
import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

try:
    import aiohttp
except ImportError:
    sys.exit("load.py needs aiohttp (python3 -m pip install aiohttp)")

ap = argparse.ArgumentParser()
ap.add_argument("binary")
ap.add_argument("--database-url")
ap.add_argument("--scale", type=int, default=34)
ap.add_argument("--seconds", type=int, default=30)
ap.add_argument("--connections", type=int, default=16)
ap.add_argument("--raters", type=int, default=100)
ap.add_argument("--port", type=int, default=18290)
ap.add_argument("--json")
args = ap.parse_args()
BASE = f"http://127.0.0.1:{args.port}"
tmp = tempfile.mkdtemp(prefix="kaohe-load-")
server = None


def fail(msg):
    print("load FAILED:", msg)
    log = os.path.join(tmp, "serve.log")
    if os.path.exists(log):
        print("--- server log (last lines)\n" + "".join(open(log, errors="replace").readlines()[-20:]))
    stop()
    sys.exit(1)


def stop():
    if server and server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    shutil.rmtree(tmp, ignore_errors=True)


class Person:
    """A signed-in browser: the session cookie and its CSRF token."""

    def __init__(self, http, name):
        self.http, self.name, self.cookie, self.csrf = http, name, None, None

    def headers(self, json_body=False):
        h = {"Accept": "application/json", "Origin": BASE, "Cookie": f"kaohe_session={self.cookie}"}
        if self.csrf:
            h["X-CSRF-Token"] = self.csrf
        if json_body:
            h["Content-Type"] = "application/json"
        return h

    async def sign_in(self, password="demo1234"):
        async with self.http.get(BASE + "/login") as r:
            page = await r.text()
            pre = r.cookies.get("kaohe_pre")
        token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        form = {"username": self.name, "password": password, "_csrf": token}
        async with self.http.post(BASE + "/login", data=form, allow_redirects=False,
                                  headers={"Origin": BASE, "Cookie": f"kaohe_pre={pre.value}" if pre else ""}) as r:
            session = r.cookies.get("kaohe_session")
            if r.status not in (302, 303) or not session:
                fail(f"sign-in of {self.name} answered {r.status}")
            self.cookie = session.value
        # the CSRF token of the session, from a page's form
        async with self.http.get(BASE + "/sheets", headers={"Cookie": f"kaohe_session={self.cookie}"}) as r:
            m = re.search(r'name="_csrf" value="([^"]+)"', await r.text())
            self.csrf = m.group(1) if m else None
        return self

    async def call(self, method, path, body=None):
        async with self.http.request(method, BASE + path, headers=self.headers(body is not None),
                                     data=json.dumps(body) if body is not None else None) as r:
            text = await r.text()
            return r.status, text


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else 0


async def setup():
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        hr = await Person(http, "hr").sign_in()
        status, body = await hr.call("GET", "/api/v1/employees")
        if status != 200:
            fail(f"GET /api/v1/employees → {status}")
        departments = sorted({e["department_id"] for e in json.loads(body)})
        # November for every team: each department with each of the demo's schemes (a team
        # already in a cycle of the month, or of another scheme, is refused and left out)
        opened, answers = 0, []
        for dept in departments:
            for scheme in ("ecommerce-monthly", "after-sales", "callcentre-agent", "star-agent"):
                status, body = await hr.call("POST", "/api/v1/cycles", {"scheme": scheme, "period": "2026-11", "department_id": dept})
                answers.append(f"{scheme} {status}")
                if status == 201:
                    opened += len(json.loads(body)["team_ids"])
        if not opened:
            fail(f"no cycle opened: {answers}")
        status, body = await hr.call("GET", "/api/v1/users")
        users = json.loads(body)
        leads = sorted(u["username"] for u in users if u["role"] == "lead")
        readers = {n: await Person(http, n).sign_in() for n in ("hr", "manager1", "manager2", "lead11", "agent1", "qa1")}
        raters = []
        for name in leads:
            if len(raters) == args.raters:
                break
            p = await Person(http, name).sign_in()
            status, body = await p.call("GET", "/api/v1/sheets")
            mine = [s["id"] for s in json.loads(body) if s["period"] == "2026-11" and s["role"] == "rater"]
            if mine:
                raters.append((p, mine))
        if len(raters) < args.raters:
            fail(f"only {len(raters)} leads have November sheets to rate, not {args.raters}")
        # the read mix: pages as six people read them
        reports = re.findall(r'href="(/reports/[^"?#]+)"', (await readers["hr"].call("GET", "/reports"))[1])
        status, body = await readers["agent1"].call("GET", "/api/v1/sheets")
        agent_sheet = json.loads(body)[0]["id"] if json.loads(body) else None
        mix = [("hr", "/"), ("hr", "/people"), ("hr", "/cycles"), ("manager1", "/"), ("manager1", "/sheets"),
               ("manager2", "/"), ("lead11", "/"), ("lead11", "/sheets"), ("agent1", "/"), ("agent1", "/sheets"), ("qa1", "/qa")]
        if reports:
            mix += [("hr", reports[0]), ("manager1", reports[0])]
        if agent_sheet:
            mix.append(("agent1", f"/sheets/{agent_sheet}"))
        for who, path in mix:
            status, _ = await readers[who].call("GET", path)
            if status != 200:
                fail(f"{who} {path} → {status}")
        lines = [f"{readers[w].cookie}\t{p}" for w, p in mix]
        print(f"set-up: {answers}; {opened} teams' November opened, {len(raters)} raters with {sum(len(m) for _, m in raters)} sheets, a read mix of {len(mix)} pages")
        return lines, raters


WRK_LUA = r"""
local lines, i = {}, 0
for line in io.lines(os.getenv("KAOHE_MIX")) do lines[#lines + 1] = line end
request = function()
  i = i % #lines + 1
  local cookie, path = lines[i]:match("([^\t]+)\t(.+)")
  return wrk.format("GET", path, {Cookie = "kaohe_session=" .. cookie})
end
"""


def read_mix(lines):
    mix, lua = os.path.join(tmp, "mix.tsv"), os.path.join(tmp, "mix.lua")
    open(mix, "w").write("\n".join(lines) + "\n")
    open(lua, "w").write(WRK_LUA)
    out = subprocess.run(["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency", "-s", lua, BASE],
                         env=dict(os.environ, KAOHE_MIX=mix), capture_output=True, text=True).stdout
    print(out)

    def ms(label):
        m = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return None
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return {"rps": rps, "p50_ms": ms("50%"), "p99_ms": ms("99%"), "non2xx": non2xx, "socket_errors": errors}


async def rating(raters):
    latencies, statuses, stop_at = [], {}, time.time() + args.seconds
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar(), connector=aiohttp.TCPConnector(limit=0)) as http:
        async def rater(person, sheets):
            person.http = http
            k = 0
            while time.time() < stop_at:
                sid = sheets[k % len(sheets)]
                k += 1
                t0 = time.perf_counter()
                status, body = await person.call("GET", f"/api/v1/sheets/{sid}")
                latencies.append(time.perf_counter() - t0)
                statuses[status] = statuses.get(status, 0) + 1
                if status != 200:
                    continue
                s = json.loads(body)
                values = {}
                for f in s["fields"]:
                    if f["column"].endswith(".override"):
                        continue
                    if f.get("grades"):
                        values[f["column"]] = f["grades"][k % len(f["grades"])]
                    else:
                        lo = float(f["min"]) if f.get("min") is not None else 0.0
                        hi = float(f["max"]) if f.get("max") is not None else 5.0
                        values[f["column"]] = f"{lo + (hi - lo) * ((k % 5) / 4):g}"
                t0 = time.perf_counter()
                status, body = await person.call("PUT", f"/api/v1/sheets/{sid}", {"version": s["version"], "values": values})
                latencies.append(time.perf_counter() - t0)
                statuses[status] = statuses.get(status, 0) + 1
                if status != 200 and len(statuses) < 6:
                    print(f"  {person.name} PUT {sid} → {status}: {body[:200]}")
        t0 = time.time()
        await asyncio.gather(*(rater(p, m) for p, m in raters))
        wall = time.time() - t0
    n = len(latencies)
    return {"rps": n / wall, "requests": n, "p50_ms": percentile(latencies, 0.5) * 1000, "p99_ms": percentile(latencies, 0.99) * 1000,
            "max_ms": max(latencies) * 1000 if latencies else 0, "statuses": statuses, "errors": n - statuses.get(200, 0)}


def main():
    global server
    env = dict(os.environ, KAOHE_PORT=str(args.port), KAOHE_TODAY="2026-11-28")
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
        env.pop("KAOHE_DB", None)
    else:
        env["KAOHE_DB"] = os.path.join(tmp, "kaohe.sqlite")
        env.pop("DATABASE_URL", None)
    t0 = time.time()
    server = subprocess.Popen([args.binary, "serve", "--demo", "--demo-scale", str(args.scale)], env=env,
                              stdout=open(os.path.join(tmp, "serve.log"), "w"), stderr=subprocess.STDOUT)
    import urllib.request
    while True:
        if server.poll() is not None:
            fail("the server stopped")
        try:
            with urllib.request.urlopen(BASE + "/readyz", timeout=3) as r:
                if r.status == 200:
                    break
        except Exception:
            pass
        if time.time() - t0 > 1800:
            fail("not ready after 30 minutes")
        time.sleep(2)
    print(f"demo ×{args.scale} ready in {time.time() - t0:.0f} s ({'PostgreSQL' if args.database_url else 'SQLite'})")
    lines, raters = asyncio.run(setup())
    print(f"== read mix: wrk -t2 -c{args.connections} -d{args.seconds}s")
    reads = read_mix(lines)
    print(f"== {len(raters)} raters saving sheets for {args.seconds} s")
    writes = asyncio.run(rating(raters))
    print(json.dumps({"reads": reads, "writes": writes}, indent=1))
    if args.json:
        open(args.json, "w").write(json.dumps({"reads": reads, "writes": writes}))
    failed = reads["non2xx"] + reads["socket_errors"] + writes["errors"]
    stop()
    if failed:
        print(f"load FAILED: {failed} requests did not succeed")
        sys.exit(1)
    print(f"load passed: reads {reads['rps']:.0f} req/s (p99 {reads['p99_ms']:.0f} ms; target ≥ 400, < 250), "
          f"raters {writes['rps']:.0f} req/s (p99 {writes['p99_ms']:.0f} ms; target < 500), 0 errors")


try:
    main()
except SystemExit:
    raise
except BaseException as e:
    fail(repr(e))
