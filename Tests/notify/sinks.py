#!/usr/bin/env python3
"""Local receivers for Kaohe's notices (issue 17 §7), for the browser test and by hand:

- an SMTP sink (plain sockets, no aiosmtpd): EHLO with AUTH PLAIN/LOGIN, MAIL, RCPT, DATA, QUIT;
  every message accepted and appended as one JSON line {"from", "to", "auth", "data"} to
  OUTDIR/smtp.jsonl (data: the message as received, dot-stuffing undone);
- an HTTP sink: every POST answered 200 with {"errcode":0,"errmsg":"ok","code":0,"msg":"success"}
  (success for 企业微信, 钉钉 and 飞书 alike) and appended as {"path", "body"} to OUTDIR/http.jsonl.

Both listen on 127.0.0.1 only.

usage: sinks.py OUTDIR [SMTP_PORT [HTTP_PORT]]   (0 or nothing: a free port; the ports are printed)
"""
import base64
import http.server
import json
import os
import socket
import socketserver
import sys
import threading

_lock = threading.Lock()


def _append(path, record):
    with _lock:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


class _SMTPHandler(socketserver.StreamRequestHandler):
    timeout = 30

    def say(self, line):
        self.wfile.write((line + "\r\n").encode("ascii"))
        self.wfile.flush()

    def handle(self):
        out = self.server.outfile
        self.say("220 sink.local ESMTP Kaohe test sink")
        sender, recipients, auth = "", [], None
        while True:
            raw = self.rfile.readline(65536)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            upper = line.upper()
            if upper.startswith("EHLO") or upper.startswith("HELO"):
                self.say("250-sink.local")
                self.say("250-AUTH PLAIN LOGIN")
                self.say("250 8BITMIME")
            elif upper.startswith("AUTH PLAIN"):
                token = line[10:].strip()
                if not token:
                    self.say("334 ")
                    token = self.rfile.readline().decode("ascii", "replace").strip()
                parts = base64.b64decode(token).decode("utf-8", "replace").split("\0")
                auth = f"{parts[1]}:{parts[2]}" if len(parts) == 3 else "?"
                self.say("235 2.7.0 accepted")
            elif upper == "AUTH LOGIN":
                self.say("334 VXNlcm5hbWU6")
                user = base64.b64decode(self.rfile.readline().strip()).decode("utf-8", "replace")
                self.say("334 UGFzc3dvcmQ6")
                password = base64.b64decode(self.rfile.readline().strip()).decode("utf-8", "replace")
                auth = f"{user}:{password}"
                self.say("235 2.7.0 accepted")
            elif upper.startswith("MAIL FROM:"):
                sender = line[10:].strip().strip("<>")
                recipients = []
                self.say("250 2.1.0 ok")
            elif upper.startswith("RCPT TO:"):
                recipients.append(line[8:].strip().strip("<>"))
                self.say("250 2.1.5 ok")
            elif upper == "DATA":
                self.say("354 end with <CRLF>.<CRLF>")
                data = []
                while True:
                    l = self.rfile.readline(1 << 20)
                    if not l or l in (b".\r\n", b".\n"):
                        break
                    data.append(l[1:] if l.startswith(b"..") else l)
                _append(out, {"from": sender, "to": recipients, "auth": auth, "data": b"".join(data).decode("utf-8", "replace")})
                self.say("250 2.0.0 queued")
            elif upper in ("RSET", "NOOP"):
                self.say("250 ok")
            elif upper == "QUIT":
                self.say("221 2.0.0 bye")
                return
            else:
                self.say("502 5.5.2 not recognized")


class _SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class _HTTPHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        _append(self.server.outfile, {"path": self.path, "body": body, "content_type": self.headers.get("Content-Type")})
        reply = b'{"errcode":0,"errmsg":"ok","code":0,"msg":"success"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True


def start(outdir, smtp_port=0, http_port=0):
    """Starts both sinks in background threads; returns (smtp_port, http_port, stop)."""
    os.makedirs(outdir, exist_ok=True)
    smtp = _SMTPServer(("127.0.0.1", smtp_port), _SMTPHandler)
    smtp.outfile = os.path.join(outdir, "smtp.jsonl")
    web = _HTTPServer(("127.0.0.1", http_port), _HTTPHandler)
    web.outfile = os.path.join(outdir, "http.jsonl")
    for s in (smtp, web):
        threading.Thread(target=s.serve_forever, daemon=True).start()

    def stop():
        for s in (smtp, web):
            s.shutdown()
            s.server_close()

    return smtp.server_address[1], web.server_address[1], stop


def records(outdir, name):
    """The JSON lines a sink wrote so far (name: smtp or http)."""
    path = os.path.join(outdir, f"{name}.jsonl")
    if not os.path.exists(path):
        return []
    with _lock, open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def closed_port():
    """A port on 127.0.0.1 where nothing listens."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    sp, hp, _ = start(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0, int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    print(f"SMTP sink on 127.0.0.1:{sp}, HTTP sink on 127.0.0.1:{hp}, writing to {sys.argv[1]}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
