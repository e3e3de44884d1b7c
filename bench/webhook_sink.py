"""``python -m bench.webhook_sink N``: N webhook receivers on loopback in one asyncio process, for
``bench_webhooks``. Prints their ports as one JSON line, answers every POST 204 at once and notes
when each request's body had fully arrived (event id, receiver index, time.time()). When its stdin
closes it prints what it received as one JSON line and exits. Standard library only, no Django: the
receivers must cost the machine as little as possible."""

import asyncio
import json
import sys
import time

ANSWER = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    received: list[tuple[int, int, float]] = []

    def handler(index: int):  # type: ignore[no-untyped-def]
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                event_id = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"x-saypro-event-id":
                        event_id = int(value)
                await reader.readexactly(length)
                received.append((event_id, index, time.time()))
                writer.write(ANSWER)
                await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError, ValueError):
                pass
            finally:
                writer.close()

        return handle

    async def run() -> None:
        servers = [await asyncio.start_server(handler(index), "127.0.0.1", 0, backlog=512) for index in range(count)]
        ports = [server.sockets[0].getsockname()[1] for server in servers]
        print(json.dumps(ports), flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)  # until the benchmark closes our stdin
        for server in servers:
            server.close()
        print(json.dumps(received), flush=True)

    asyncio.run(run())


if __name__ == "__main__":
    main()
