"""A model zoo on the loopback address for the tests: serves files under
their download paths (``/mmpose/top_down/...``), counts the requests, and
answers the special paths as broken servers do."""
import http.server
import socket
import threading
import time
from collections import Counter

HTML = b'<!DOCTYPE html><html><body>Sign in to download</body></html>'


class Zoo:
    """Files served at ``http://127.0.0.1:<port><path>``.

    Special paths: ``/page.pth`` (an HTML page with status 200),
    ``/cut.pth`` (announces 4096 bytes, sends 100, closes),
    ``/trickle.pth`` (announces 4096 bytes, sends one every 0.2 s).
    Anything not added answers 404.

    Attributes:
        files (dict[str, bytes]): Path -> content.
        requests (Counter): GET requests per path.
    """

    def __init__(self):
        self.files, self.requests = {}, Counter()
        zoo = self

        class Handler(http.server.BaseHTTPRequestHandler):

            def log_message(self, *args):
                pass

            def do_GET(self):
                zoo.requests[self.path] += 1
                if self.path == '/page.pth':
                    self.answer(200, HTML, 'text/html')
                elif self.path == '/cut.pth':
                    self.send_response(200)
                    self.send_header('Content-Length', '4096')
                    self.end_headers()
                    self.wfile.write(b'PK\x03\x04' + bytes(96))
                    self.wfile.flush()
                    self.close_connection = True
                elif self.path == '/trickle.pth':
                    self.send_response(200)
                    self.send_header('Content-Length', '4096')
                    self.end_headers()
                    try:
                        self.wfile.write(b'PK\x03\x04')
                        for _ in range(4092):
                            self.wfile.flush()
                            time.sleep(0.2)
                            self.wfile.write(b'\0')
                    except OSError:  # the client gave up
                        pass
                    self.close_connection = True
                elif self.path in zoo.files:
                    self.answer(200, zoo.files[self.path],
                                'application/octet-stream')
                else:
                    self.answer(404, b'Not Found', 'text/plain')

            def answer(self, status, body, kind):
                self.send_response(status)
                self.send_header('Content-Type', kind)
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      Handler)
        self.host = f'http://127.0.0.1:{self.server.server_address[1]}'
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def url(self, path):
        """The address of ``path`` on this server."""
        return self.host + path

    def add(self, path, data):
        """Serve ``data`` (bytes) at ``path``; returns its address."""
        self.files[path] = data
        return self.url(path)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def refused_address(path='/model.pth'):
    """An address on the loopback whose port nothing listens on."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    return f'http://127.0.0.1:{port}{path}'
