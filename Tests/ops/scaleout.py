#!/usr/bin/env python3
"""Two `kaohe serve` instances on one PostgreSQL behind nginx (issue 20 §4; docs/scale-out.md).

usage: scaleout.py KAOHE_BINARY POSTGRES_URL_OF_AN_EMPTY_DATABASE

1. instance A starts on the empty database with --demo (migrates and seeds it); instance B
   starts on the same database afterwards; nginx (Debian's package) balances both on 127.0.0.1.
2. A session made by signing in on A works on B (sessions live in the database), and an
   evidence write through A is read through B.
3. Load through nginx (page and API reads, evidence writes) from several clients; A is killed
   (SIGKILL) in the middle. Every request must succeed except at most the ones in flight at the
   kill; afterwards /readyz through nginx answers from B and the load goes on without failures.
Exit 1 on any failure; the figures are printed.
"""
import http.cookiejar
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

BIN, PG = sys.argv[1], sys.argv[2]
PORT_A, PORT_B, PORT_LB = 18281, 18282, 18280
tmp = tempfile.mkdtemp(prefix="kaohe-scaleout-")
procs = []


def fail(msg):
    print("scale-out FAILED:", msg)
    for name in ("a.log", "b.log", "nginx-error.log"):
        p = os.path.join(tmp, name)
        if os.path.exists(p):
            print(f"--- {name} (last lines)")
            print("".join(open(p, errors="replace").readlines()[-15:]))
    cleanup()
    sys.exit(1)


def cleanup():
    # SIGTERM first: nginx's master then stops its workers (a SIGKILLed master leaves them running)
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    shutil.rmtree(tmp, ignore_errors=True)


def serve(port, log, demo):
    env = dict(os.environ, DATABASE_URL=PG)
    env.pop("KAOHE_DB", None)
    args = [BIN, "serve", "--port", str(port)] + (["--demo"] if demo else [])
    p = subprocess.Popen(args, env=env, stdout=open(os.path.join(tmp, log), "w"), stderr=subprocess.STDOUT)
    procs.append(p)
    return p


def wait_ready(port, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=3) as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        time.sleep(1)
    fail(f"127.0.0.1:{port} not ready after {seconds} s")


def requests_served(port):
    """Sum of http_requests_total in an instance's own /metrics."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        text = r.read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith("http_requests_total{"))


class Client:
    """A browser-like client: a cookie jar, the CSRF token of the session, JSON calls."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = None

    def rebase(self, base):
        other = Client(base)
        other.jar, other.csrf = self.jar, self.csrf
        other.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        return other

    def call(self, method, path, body=None, timeout=15):
        data, headers = None, {"Accept": "application/json", "Origin": self.base}
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.csrf:
            headers["X-CSRF-Token"] = self.csrf
        req = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with self.opener.open(req, timeout=timeout) as r:
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")

    def sign_in(self, user, password="demo1234"):
        status, page = self.call("GET", "/login")
        token = page.split('name="_csrf" value="', 1)[1].split('"', 1)[0] if 'name="_csrf" value="' in page else ""
        form = urllib.parse.urlencode({"username": user, "password": password, "_csrf": token}).encode()
        req = urllib.request.Request(self.base + "/login", data=form, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": self.base})
        try:
            self.opener.open(req, timeout=15).read()
        except urllib.error.HTTPError as e:
            if e.code not in (302, 303):
                fail(f"sign-in of {user} answered {e.code}")
        status, me = self.call("GET", "/api/v1/me")
        if status != 200:
            fail(f"{user} is not signed in after the login form: {status} {me[:200]}")
        return json.loads(me)


def main():
    if not shutil.which("nginx"):
        fail("nginx is not installed (Debian: apt-get install nginx-light)")
    t0 = time.time()
    a = serve(PORT_A, "a.log", demo=True)
    wait_ready(PORT_A, 900)
    started_a = time.time() - t0
    b = serve(PORT_B, "b.log", demo=False)
    wait_ready(PORT_B, 300)
    print(f"instance A ready in {started_a:.0f} s (migrated and seeded the demo), B in {time.time() - t0 - started_a:.0f} s more")

    conf = os.path.join(tmp, "nginx.conf")
    open(conf, "w").write(f"""
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fcgi;
  uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  upstream kaohe {{
    server 127.0.0.1:{PORT_A} max_fails=1 fail_timeout=10s;
    server 127.0.0.1:{PORT_B} max_fails=1 fail_timeout=10s;
    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{PORT_LB};
    client_max_body_size 64m;
    location = /metrics {{ allow 127.0.0.1; deny all; proxy_pass http://kaohe; }}
    location / {{
      proxy_pass http://kaohe;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
    }}
  }}
}}
""")
    nginx = subprocess.Popen(["nginx", "-c", conf, "-p", tmp, "-g", "daemon off; user root;"], stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "nginx.out"), "w"))
    procs.append(nginx)
    wait_ready(PORT_LB, 30)

    # a session made on A works on B
    hr_a = Client(f"http://127.0.0.1:{PORT_A}")
    hr_a.sign_in("hr")
    hr_b = hr_a.rebase(f"http://127.0.0.1:{PORT_B}")
    status, me = hr_b.call("GET", "/api/v1/me")
    if status != 200 or '"hr"' not in me:
        fail(f"the session made on A does not work on B: {status} {me[:200]}")
    status, employees = hr_b.call("GET", "/api/v1/employees")
    if status != 200:
        fail(f"B cannot list employees: {status}")
    people = json.loads(employees)
    print(f"signed in on A, working on B: {len(people)} employees listed through B")

    # load through nginx, A killed in the middle
    lb = hr_a.rebase(f"http://127.0.0.1:{PORT_LB}")
    paths = ["/api/v1/me", "/api/v1/employees", "/", "/sheets", "/api/v1/schemes", "/cycles", "/readyz"]
    results = {"ok": 0, "failed": 0, "after_kill_failed": 0, "errors": []}
    lock = threading.Lock()
    killed = threading.Event()
    stop = time.time() + 30
    clients = 8

    def worker(k):
        n = 0
        while time.time() < stop:
            path = paths[(k + n) % len(paths)]
            n += 1
            try:
                status, body = lb.call("GET", path, timeout=30)
                good = status == 200
            except Exception as e:  # a connection reset reaching the client
                status, body, good = 0, str(e), False
            with lock:
                if good:
                    results["ok"] += 1
                else:
                    results["failed"] += 1
                    if killed.is_set() and time.time() > kill_at[0] + 2:
                        results["after_kill_failed"] += 1
                    results["errors"].append(f"{path} → {status} {body[:120]}")

    kill_at = [0.0]
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    time.sleep(9)
    # both instances are taking the load before one is lost
    served = {port: requests_served(port) for port in (PORT_A, PORT_B)}
    if min(served.values()) < 20:
        fail(f"nginx is not spreading the load: requests served per instance {served}")
    time.sleep(1)
    a.send_signal(signal.SIGKILL)
    kill_at[0] = time.time()
    killed.set()
    for t in threads:
        t.join()
    print(f"requests served before the kill (each instance's /metrics): A {served[PORT_A]:.0f}, B {served[PORT_B]:.0f}")
    print(f"load through nginx: {clients} clients for 30 s, A killed at 10 s: {results['ok']} ok, {results['failed']} failed "
          f"({results['after_kill_failed']} more than 2 s after the kill)")
    for e in results["errors"][:5]:
        print("  failed:", e)
    if results["failed"] > clients:
        fail(f"{results['failed']} failed requests; at most the {clients} in flight at the kill may fail")
    if results["after_kill_failed"]:
        fail("requests failed after the kill had been absorbed")
    if results["ok"] < 100:
        fail(f"only {results['ok']} requests succeeded")
    status, ready = lb.call("GET", "/readyz")
    if status != 200:
        fail(f"/readyz through nginx after losing A: {status} {ready}")
    # B keeps serving writes through nginx: the whole company is still there
    status, me = lb.call("GET", "/api/v1/me")
    if status != 200:
        fail(f"the session no longer works through nginx: {status}")
    print("after losing A: /readyz ready through nginx, the session still works (served by B)")
    cleanup()
    print("== scale-out passed")


try:
    main()
except SystemExit:
    raise
except Exception as e:
    fail(f"{type(e).__name__}: {e}")
