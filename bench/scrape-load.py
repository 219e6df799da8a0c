#!/usr/bin/env python3
"""Keeps CONCURRENCY scrapes of http://127.0.0.1:PORT/metrics in flight for SECONDS (or until the
server goes away, or until the file --stop-file names exists), then prints a JSON summary: scrapes, resets and other errors, latency median,
p99 and max in ms. Loopback only.

  bench/scrape-load.py PORT [--concurrency 2000] [--seconds 30] [--stop-file PATH]"""
import argparse, asyncio, json, os, time


async def scrape(port, latencies, errors):
    t0 = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        await writer.drain()
        head = await reader.readline()
        await reader.read()
        writer.close()
        if not head.startswith(b"HTTP/1.1 200"):
            errors["status"] = errors.get("status", 0) + 1
            return
        latencies.append((time.perf_counter() - t0) * 1000)
    except ConnectionResetError:
        errors["reset"] = errors.get("reset", 0) + 1
    except OSError as e:
        errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--concurrency", type=int, default=2000)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--stop-file", help="stop after the wave in flight once this file exists")
    a = ap.parse_args()
    latencies, errors = [], {}
    end = time.monotonic() + a.seconds
    while time.monotonic() < end and not (a.stop_file and os.path.exists(a.stop_file)):
        await asyncio.gather(*(scrape(a.port, latencies, errors) for _ in range(a.concurrency)))
        if errors.get("ConnectionRefusedError", 0) >= a.concurrency:
            break  # the server is gone: the run ended
    latencies.sort()
    n = len(latencies)
    print(json.dumps({"scrapes": n, "errors": errors,
                      "median_ms": round(latencies[n // 2], 1) if n else None,
                      "p99_ms": round(latencies[min(n - 1, n * 99 // 100)], 1) if n else None,
                      "max_ms": round(latencies[-1], 1) if n else None}))


asyncio.run(main())
