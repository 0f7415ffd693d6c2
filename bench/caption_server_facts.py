#!/usr/bin/env python3
"""Measures what an OpenAI-compatible VLM server does with the requests OpenAIClient sends.

Usage: python3 bench/caption_server_facts.py BASE_URL [N_SEQUENTIAL] [CONCURRENCY]
  BASE_URL   e.g. http://127.0.0.1:8080 (from: bash scripts/llama_server.sh start)
Prints, as plain lines: the chat template's presence, one image + json_schema reply and whether it
parses and has the schema's required keys, the usage fields, the prompt-token cost of 0/1/2
images, sequential latency (median, p90), CONCURRENCY parallel clients (all ok? wall time), and
the HTTP status of a few bad requests (bad image, oversized prompt). Standard library + ffmpeg.
"""
import base64
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

SCHEMA = {
    "type": "object",
    "properties": {
        "caption": {"type": "string", "maxLength": 40},
        "shot": {"type": "string", "enum": ["wide", "medium", "close"]},
    },
    "required": ["caption", "shot"],
    "additionalProperties": False,
}


def jpeg(size=224, pattern="testsrc"):
    with tempfile.TemporaryDirectory() as d:
        out = d + "/f.jpg"
        subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i",
                        f"{pattern}=size={size}x{size}", "-frames:v", "1", out], check=True)
        with open(out, "rb") as f:
            return f.read()


def body(images, schema=True, max_tokens=256, text="Describe this frame."):
    parts = [{"type": "image_url",
              "image_url": {"url": "data:image/jpeg;base64," + base64.b64encode(j).decode()}}
             for j in images]
    parts.append({"type": "text", "text": text})
    b = {"model": "tiny", "max_tokens": max_tokens, "temperature": 0.2, "stream": False,
         "messages": [{"role": "system", "content": "You describe video frames as JSON."},
                      {"role": "user", "content": parts}]}
    if schema:
        b["response_format"] = {"type": "json_schema",
                                "json_schema": {"name": "caption", "schema": SCHEMA,
                                                "strict": True}}
    return b


def post(base, b, timeout=60):
    req = urllib.request.Request(base + "/v1/chat/completions", data=json.dumps(b).encode(),
                                 headers={"Content-Type": "application/json"})
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read()), time.monotonic() - t0
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")[:300], time.monotonic() - t0


def main():
    base = sys.argv[1].rstrip("/")
    n_seq = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    conc = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    img = jpeg()
    print(f"jpeg: 224x224 testsrc, {len(img)} bytes")
    with urllib.request.urlopen(base + "/props", timeout=10) as r:
        props = json.loads(r.read())
    print("props: chat_template present:", bool(props.get("chat_template")),
          "| modalities:", props.get("modalities"),
          "| total_slots:", props.get("total_slots"),
          "| n_ctx per slot:", props.get("default_generation_settings", {}).get("n_ctx"))

    status, reply, dt = post(base, body([img]))
    print(f"image+schema: HTTP {status} in {dt:.3f} s")
    if status == 200:
        msg = reply["choices"][0]
        content = msg["message"]["content"]
        print("  finish_reason:", msg.get("finish_reason"))
        print("  content:", json.dumps(content)[:200])
        try:
            parsed = json.loads(content)
            ok = isinstance(parsed, dict) and all(k in parsed for k in SCHEMA["required"])
            print("  parses as JSON:", True, "| required keys present:", ok,
                  "| shot in enum:", parsed.get("shot") in SCHEMA["properties"]["shot"]["enum"])
        except ValueError as e:
            print("  parses as JSON: False", e)
        print("  usage:", json.dumps(reply.get("usage")))
        print("  timings:", json.dumps(reply.get("timings")))
    else:
        print("  body:", reply)

    costs = []
    for n in range(3):
        status, reply, _ = post(base, body([img] * n, schema=False, max_tokens=1))
        costs.append(reply["usage"]["prompt_tokens"] if status == 200 else None)
    print("prompt tokens with 0/1/2 images:", costs,
          "| per image:", [b - a for a, b in zip(costs, costs[1:])] if None not in costs else "?")

    lat = []
    toks = []
    for i in range(n_seq):
        status, reply, dt = post(base, body([img]))
        if status == 200:
            lat.append(dt)
            toks.append(reply["usage"]["completion_tokens"])
        else:
            print(f"  sequential request {i}: HTTP {status}: {str(reply)[:160]}")
    lat.sort()
    if lat:
        print(f"sequential {len(lat)}/{n_seq} ok: median {statistics.median(lat):.3f} s, "
              f"p90 {lat[int(0.9 * (len(lat) - 1))]:.3f} s, "
              f"mean completion tokens {statistics.mean(toks):.1f}")

    results = []
    lock = threading.Lock()

    def worker(k):
        for i in range(5):
            s, r, dt = post(base, body([img]))
            try:
                ok = s == 200 and isinstance(json.loads(r["choices"][0]["message"]["content"]), dict)
            except ValueError:
                ok = False
            if not ok:
                print(f"  concurrent request: HTTP {s}: {str(r)[:160]}")
            with lock:
                results.append((ok, dt))

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(conc)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    print(f"concurrency {conc} x 5: {sum(ok for ok, _ in results)}/{len(results)} ok, "
          f"wall {wall:.2f} s, {len(results) / wall:.1f} req/s, "
          f"median latency {statistics.median(dt for _, dt in results):.3f} s")

    b = body([img])
    b["messages"][1]["content"][0]["image_url"]["url"] = "data:image/jpeg;base64,AAAAnotajpeg"
    s, r, _ = post(base, b)
    print("bad image bytes: HTTP", s, "|", str(r)[:160])
    s, r, _ = post(base, body([], schema=False, text="word " * 5000))
    print("prompt longer than the slot context: HTTP", s, "|", str(r)[:160])
    b = body([img])
    b["response_format"]["json_schema"]["schema"] = {"type": "nonsense-type"}
    s, r, _ = post(base, b)
    print("invalid schema: HTTP", s, "|", str(r)[:160])


if __name__ == "__main__":
    main()
