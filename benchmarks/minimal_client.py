"""The floor of a Python client of the daemon: connect, send one CBOR frame, print the answer.

    python benchmarks/minimal_client.py SOCKET OP [NAME=VALUE ...]   (limit=10 id=bd-1)

What any `bd` call through the daemon must at least do (start Python, import a socket and the
CBOR codec, one round trip, print JSON): `nox -s bench` times `bd ready --json` and `bd show ID
--json` against it, paired run by run. It uses no bd_trio code on purpose.
"""

import json
import socket
import struct
import sys

import cbor2


def main() -> None:
    path, op = sys.argv[1], sys.argv[2]
    args: dict[str, object] = {}
    for pair in sys.argv[3:]:
        name, _, value = pair.partition("=")
        args[name] = int(value) if value.isdigit() else value
    body = cbor2.dumps({"v": 1, "id": 1, "op": op, "args": args, "actor": "bench"})
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(path)
        sock.sendall(struct.pack(">I", len(body)) + body)
        buffer = b""
        while len(buffer) < 4 or len(buffer) < 4 + struct.unpack(">I", buffer[:4])[0]:
            chunk = sock.recv(65536)
            if not chunk:
                raise SystemExit("connection closed")
            buffer += chunk
    response = cbor2.loads(buffer[4:])
    if not response.get("ok"):
        sys.stderr.write(f"Error: {response['error']['message']}\n")
        raise SystemExit(1)
    sys.stdout.write(json.dumps(response["data"], indent=2) + "\n")


if __name__ == "__main__":
    main()
