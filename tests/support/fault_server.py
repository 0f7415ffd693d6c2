#!/usr/bin/env python3
"""A deliberately misbehaving OpenAI-compatible chat server for the HTTP client's failure tests.

Standard library only. Listens on 127.0.0.1 on a port chosen by the kernel and writes that port
to --port-file once it accepts connections. The first path segment picks the behaviour, so one
server serves every test: POST /<scenario>/v1/chat/completions, where <scenario> is
  ok          200 with a completion whose content describes the request it received (JSON)
  r429        429 with "Retry-After: 1" on the first request of this path, then as ok
  r429long    always 429 with "Retry-After: 3600"
  r503        503 on the first two requests of this path, then as ok
  e500        always 500
  e401        always 401 with an OpenAI-style error body
  malformed   200 whose body is not JSON
  drip        200 headers, then one body byte every 0.2 s (never finishes in time)
  hang        accepts the request, answers nothing for 60 s
A suffix after an underscore (r429_a, r429_b) gives a test its own request counter.
GET /<scenario>/count returns how many chat requests that path has received.
"""
import argparse
import base64
import hashlib
import os
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_counts = {}
_lock = threading.Lock()


def completion(content):
    return {
        "id": "chatcmpl-fault",
        "object": "chat.completion",
        "model": "fault",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep the test output clean
        pass

    def send_json(self, status, obj, headers=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        if len(parts) == 2 and parts[1] == "count":
            with _lock:
                n = _counts.get(parts[0], 0)
            self.send_json(200, {"count": n})
        else:
            self.send_json(404, {"error": {"message": "no such path"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        key = self.path.strip("/").split("/")[0]
        scenario = key.split("_")[0]
        with _lock:
            _counts[key] = _counts.get(key, 0) + 1
            n = _counts[key]
        if not self.path.endswith("/v1/chat/completions"):
            return self.send_json(404, {"error": {"message": "unknown route " + self.path}})
        if scenario == "r429" and n == 1:
            return self.send_json(429, {"error": {"message": "slow down"}}, {"Retry-After": "1"})
        if scenario == "r429long":
            return self.send_json(429, {"error": {"message": "quota exhausted"}},
                                  {"Retry-After": "3600"})
        if scenario == "r503" and n <= 2:
            return self.send_json(503, {"error": {"message": "loading model"}})
        if scenario == "e500":
            return self.send_json(500, {"error": {"message": "internal failure"}})
        if scenario == "e401":
            return self.send_json(401, {"error": {"message": "invalid api key",
                                                  "type": "authentication_error"}})
        if scenario == "malformed":
            body = b'{"choices": [ this is not json'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if scenario == "drip":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                for _ in range(100000):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:  # the client hung up: that is the point
                pass
            return
        if scenario == "hang":
            time.sleep(60)
            return
        # ok (and r429 / r503 after their failures): describe what arrived.
        req = json.loads(raw)
        user = req["messages"][-1]["content"]
        images = [p["image_url"]["url"] for p in user if p.get("type") == "image_url"]
        texts = [p["text"] for p in user if p.get("type") == "text"]
        described = {
            "model": req.get("model"),
            "roles": [m["role"] for m in req["messages"]],
            "images": len(images),
            "image_prefixes": [u[:23] for u in images],
            # sha256 of the decoded bytes: proves the client's base64 round-trips the JPEG.
            "image_sha256": [hashlib.sha256(base64.b64decode(u.split(",", 1)[1], validate=True))
                             .hexdigest() for u in images],
            "text": texts,
            "response_format": req.get("response_format"),
            "max_tokens": req.get("max_tokens"),
            "authorization": self.headers.get("Authorization"),
            "seed": req.get("seed"),
        }
        self.send_json(200, completion(json.dumps(described)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)  # atomic: the test never reads a half-written port
    server.serve_forever()


if __name__ == "__main__":
    main()
