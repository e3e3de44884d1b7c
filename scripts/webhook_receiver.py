#!/usr/bin/env python3
"""A small webhook receiver for SayPro's outbound webhooks, standard library only.

    python scripts/webhook_receiver.py [--port 8001] [--secret whsec_...] [--path /webhooks/]

It checks each delivery the way an integrator should (README, "Receiving webhooks"): the
``X-SayPro-Signature`` is ``sha256=`` + hex HMAC-SHA256 of ``"<X-SayPro-Timestamp>.<raw body>"``
with the endpoint's secret, compared in constant time; the timestamp must be within 5 minutes of
our clock (an old, replayed request is refused); an event id seen before is acknowledged but not
processed again (retries and replays carry the same id). It prints each event and answers 204, or
401 when the signature or timestamp is wrong.

The demo data's endpoint points at http://127.0.0.1:8001/webhooks/ with the secret below, so
running this next to ``make run`` shows the deliveries as they happen. The secret can also come
from the environment (``WEBHOOK_SECRET``).
"""

import argparse
import hashlib
import hmac
import json
import os
import sys
import time
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_SECRET = "whsec_demo_receiver_secret_change_me"  # noqa: S105 (the demo endpoint's, public on purpose)
TOLERANCE_SECONDS = 5 * 60
REMEMBERED_EVENTS = 10_000


def signature_is_valid(*, secret: str, timestamp: str, body: bytes, signature: str, now: float) -> bool:
    """True when ``signature`` signs ``timestamp.body`` with ``secret`` and the timestamp is fresh."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent_at) > TOLERANCE_SECONDS:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def make_handler(secret: str, path: str) -> type[BaseHTTPRequestHandler]:
    seen: OrderedDict[str, None] = OrderedDict()

    class Handler(BaseHTTPRequestHandler):
        server_version = "SayProWebhookReceiver/1"

        def do_POST(self) -> None:
            if self.path.split("?", 1)[0] != path:
                self.answer(404)
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not signature_is_valid(
                secret=secret,
                timestamp=self.headers.get("X-SayPro-Timestamp", ""),
                body=body,
                signature=self.headers.get("X-SayPro-Signature", ""),
                now=time.time(),
            ):
                print(f"401 bad signature or stale timestamp (delivery {self.headers.get('X-SayPro-Delivery-Id')})")
                self.answer(401)
                return
            event = json.loads(body)
            duplicate = event["id"] in seen
            if not duplicate:
                seen[event["id"]] = None
                while len(seen) > REMEMBERED_EVENTS:
                    seen.popitem(last=False)
            data = event.get("data") or {}
            print(
                f"{event['created_at']}  event {event['id']}  {event['type']:<22}  resource {data.get('id')}"
                f"  delivery {self.headers.get('X-SayPro-Delivery-Id')}{'  (duplicate: ignored)' if duplicate else ''}",
                flush=True,
            )
            self.answer(204)

        def answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--path", default="/webhooks/")
    parser.add_argument("--secret", default=os.environ.get("WEBHOOK_SECRET", DEFAULT_SECRET))
    args = parser.parse_args(argv)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(args.secret, args.path))
    print(f"Receiving SayPro webhooks on http://{args.host}:{args.port}{args.path} (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
