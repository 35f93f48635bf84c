#!/usr/bin/python3
"""httpsink -- a stand-in SMS provider or webhook receiver for tests.

usage: httpsink.py PORT_FILE LOG_FILE [--secret S] [--token T] [--status CODE] [--hang]

Binds 127.0.0.1 on a free port and writes the port to PORT_FILE (whole,
once it listens). For every POST it appends one JSON line to LOG_FILE:

    {"path": "/sms", "idempotency_key": "k1", "signature_ok": true,
     "token_ok": null, "body": {...}}

signature_ok checks X-Dunghan-Signature against HMAC-SHA256 with S over
"<X-Dunghan-Timestamp>.<body>" (null without --secret); token_ok checks
"Authorization: Bearer T" (null without --token); body is the parsed JSON,
or the text itself when it is not JSON. Answers CODE (200) with a small
JSON body; with --hang it reads the request, logs it and never answers.
Standard library only; run with Debian's /usr/bin/python3.
"""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import threading
import time


def main():
    parser = argparse.ArgumentParser(description="a stand-in HTTP receiver for tests")
    parser.add_argument("port_file")
    parser.add_argument("log_file")
    parser.add_argument("--secret")
    parser.add_argument("--token")
    parser.add_argument("--status", type=int, default=200)
    parser.add_argument("--hang", action="store_true")
    args = parser.parse_args()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            signature_ok = None
            if args.secret is not None:
                timestamp = self.headers.get("X-Dunghan-Timestamp", "")
                expected = "sha256=" + hmac.new(args.secret.encode(), timestamp.encode() + b"." + raw,
                                                hashlib.sha256).hexdigest()
                signature_ok = hmac.compare_digest(expected, self.headers.get("X-Dunghan-Signature", ""))
            token_ok = None
            if args.token is not None:
                token_ok = self.headers.get("Authorization", "") == "Bearer " + args.token
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                body = raw.decode("utf-8", "replace")
            record = {"path": self.path, "idempotency_key": self.headers.get("Idempotency-Key"),
                      "signature_ok": signature_ok, "token_ok": token_ok, "body": body}
            with lock, open(args.log_file, "a", encoding="utf-8") as log:
                log.write(json.dumps(record, ensure_ascii=False) + "\n")
            if args.hang:
                while True:
                    time.sleep(3600)
            answer = json.dumps({"status": args.status}).encode()
            self.send_response(args.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format, *log_args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(args.port_file + ".tmp", "w") as port_file:
        port_file.write("%d\n" % server.server_address[1])
    os.replace(args.port_file + ".tmp", args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
