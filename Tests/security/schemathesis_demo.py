#!/usr/bin/env python3
"""Schemathesis against the OpenAPI document of a live `kaohe serve --demo` (issue 13).

Starts the demo on a throw-away SQLite file on 127.0.0.1, signs in as the demo HR account, makes
an API token through the session (with the page's CSRF token), runs schemathesis over every
documented /api/v1 operation with that token, and then checks the server is still answering.
Every check runs (`KAOHE_ST_CHECKS`, default `all`): no 5xx, every status and body as documented,
schema-valid requests accepted and invalid ones refused, 405 for undeclared methods; the
exceptions the schema cannot express are in schemathesis.toml, each with its reason.

usage: schemathesis_demo.py KAOHE_BINARY [MAX_EXAMPLES]
"""
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

binary = sys.argv[1]
examples = sys.argv[2] if len(sys.argv) > 2 else "25"
port = 18091
base = f"http://127.0.0.1:{port}"
tmp = tempfile.mkdtemp(prefix="kaohe-st-")
env = dict(os.environ, KAOHE_DB=os.path.join(tmp, "kaohe.sqlite"))
log = open(os.path.join(tmp, "serve.log"), "w")
server = subprocess.Popen([binary, "serve", "--port", str(port), "--demo"], stdout=log, stderr=subprocess.STDOUT, env=env)


def alive():
    try:
        return urllib.request.urlopen(base + "/healthz", timeout=5).read() == b"ok"
    except Exception:
        return False


try:
    for _ in range(180):
        if alive():
            break
        if server.poll() is not None:
            sys.exit("the demo server ended before answering")
        time.sleep(1)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login", timeout=10).read().decode()
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"_csrf": csrf, "username": "hr", "password": "demo1234"}).encode()
    opener.open(base + "/login", data=form, timeout=30)
    page = opener.open(base + "/account/password", timeout=10).read().decode()
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    def token(name):
        req = urllib.request.Request(base + "/api/v1/tokens", data=json.dumps({"name": name, "expires_days": 1}).encode(),
                                     headers={"Content-Type": "application/json", "X-CSRF-Token": csrf}, method="POST")
        return json.loads(opener.open(req, timeout=10).read())["token"]

    config = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemathesis.toml")
    checks = os.environ.get("KAOHE_ST_CHECKS", "all")
    # Two passes: revoking a token (which schemathesis finds from the token list) would end the
    # first pass's own token, so that operation runs alone, with a token of its own.
    passes = [("--exclude-name", "DELETE /api/v1/tokens/{id}"), ("--include-name", "DELETE /api/v1/tokens/{id}")]
    codes = []
    # One worker: with two, hypothesis describes its lambdas (ast.parse) in two threads at once, and
    # CPython 3.11 before 3.11.9 then fails with "AST constructor recursion depth mismatch" — a
    # SystemError of the interpreter, which schemathesis reports as an error of the operation under test.
    for k, (flag, name) in enumerate(passes):
        cmd = ["st", "--config-file", config, "run", base + "/api/v1/openapi.json", "-H", f"Authorization: Bearer {token(f'schemathesis-{k}')}",
               flag, name, "--checks", checks, "--max-examples", examples, "--workers", "1",
               "--request-timeout", "10", "--generation-deterministic", "--continue-on-failure"]
        print("$", " ".join(c if "Bearer" not in c else "Authorization: Bearer …" for c in cmd), flush=True)
        started = time.time()
        run = subprocess.run(cmd, timeout=900, cwd=tmp)  # its cache stays out of the repository
        print(f"schemathesis pass {k + 1} finished in {time.time() - started:.0f} s with exit code {run.returncode}")
        codes.append(run.returncode)
    if not alive():
        sys.exit("the server no longer answers after schemathesis")
    if server.poll() is not None:
        sys.exit("the server ended during schemathesis")
    sys.exit(max(codes))
finally:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()
