"""Misbehaving SMTP servers on loopback, built on raw sockets: one that never answers, one that
hangs up in the middle of DATA. Each counts the connections it took."""

from __future__ import annotations

import socket
import threading


class BrokenSmtp:
    """mode "silent": accept, never say a word. mode "drop_in_data": speak SMTP up to DATA, read part
    of the message, then close the connection without answering."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.dropped_after_bytes: list[int] = []
        self._open: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> BrokenSmtp:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self.sock.close()
        for conn in self._open:
            conn.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            if self.mode == "silent":
                self._open.append(conn)  # held open, unanswered, until the test ends
            else:
                self._drop_in_data(conn)

    def _drop_in_data(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        reader = conn.makefile("rb")
        try:
            conn.sendall(b"220 broken.test ESMTP\r\n")
            while line := reader.readline():
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    conn.sendall(b"250 broken.test\r\n")
                elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                    conn.sendall(b"250 OK\r\n")
                elif verb == b"DATA":
                    conn.sendall(b"354 go ahead\r\n")
                    received = len(reader.readline()) + len(reader.readline())  # a little of the message
                    self.dropped_after_bytes.append(received)
                    return  # hang up mid-message: no 250, no 4xx
                else:
                    conn.sendall(b"221 bye\r\n")
                    return
        except OSError:
            return
        finally:
            reader.close()
            conn.close()
