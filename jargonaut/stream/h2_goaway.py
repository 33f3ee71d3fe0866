"""A client's graceful GOAWAY lets its open HTTP/2 streams finish (RFC 9113 section 6.8).

The AWS SDK for JavaScript v3 in Node opens one HTTP/2 session per event stream and calls
`session.close()` as soon as the response headers arrive: a GOAWAY (NO_ERROR) while the stream
is still sending audio and awaiting results. The h2 library treats any received GOAWAY as the
end of the connection (it drops buffered output and refuses to send), and Hypercorn then closes
the socket, so the SDK saw an empty result stream. Here a NO_ERROR GOAWAY received while
streams are open is remembered instead; the connection closes once its last stream has ended.
"""
from __future__ import annotations

from typing import Any

import h2.connection
from hypercorn.events import Closed
from hypercorn.protocol.h2 import H2Protocol
from hyperframe.frame import GoAwayFrame

_installed = False


class _GracefulGoawayConnection(h2.connection.H2Connection):
    remote_went_away = False

    def _receive_goaway_frame(self, frame: Any) -> tuple[list, list]:
        if frame.error_code == 0 and self.open_inbound_streams:
            self.remote_went_away = True  # no new streams will come; the open ones carry on
            return [], []
        return super()._receive_goaway_frame(frame)


def install() -> None:
    """Patch Hypercorn's HTTP/2 protocol once per process (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    original_init = H2Protocol.__init__
    original_close_stream = H2Protocol._close_stream

    def __init__(self: H2Protocol, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.connection.__class__ = _GracefulGoawayConnection
        # h2 dispatches frames through a table of bound methods made in its __init__.
        self.connection._frame_dispatch_table[GoAwayFrame] = self.connection._receive_goaway_frame

    async def _close_stream(self: H2Protocol, stream_id: int) -> None:
        await original_close_stream(self, stream_id)
        if getattr(self.connection, "remote_went_away", False) and not self.streams and not self.closed:
            self.connection.close_connection()
            await self._flush()
            await self.send(Closed())

    H2Protocol.__init__ = __init__  # type: ignore[method-assign]
    H2Protocol._close_stream = _close_stream  # type: ignore[method-assign]
