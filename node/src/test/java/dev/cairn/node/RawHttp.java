package dev.cairn.node;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bytes on a socket, for requests no HTTP client would send: malformed lines, raw non-ASCII header
 * bytes, dot segments, bodies shorter than announced.
 */
final class RawHttp {

  /** What came back on one connection. */
  record Exchange(String text, boolean closedByServer) {

    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");

    /** The status of every response, in order. */
    List<Integer> statuses() {
      List<Integer> statuses = new ArrayList<>();
      Matcher matcher = STATUS_LINE.matcher(text);
      while (matcher.find()) {
        statuses.add(Integer.parseInt(matcher.group(1)));
      }
      return statuses;
    }

    boolean hasHeader(String line) {
      return text.toLowerCase().contains("\r\n" + line.toLowerCase() + "\r\n");
    }

    String body() {
      int start = text.indexOf("\r\n\r\n");
      return start < 0 ? "" : text.substring(start + 4);
    }
  }

  private RawHttp() {}

  /**
   * Sends {@code request} and reads until the server closes the connection or {@code quietMillis}
   * pass without a byte.
   */
  static Exchange send(int port, byte[] request, int quietMillis) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(quietMillis);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      boolean closed = false;
      try {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          received.write(buffer, 0, n);
        }
        closed = true;
      } catch (SocketTimeoutException quiet) {
        // the server kept the connection open
      }
      return new Exchange(received.toString(StandardCharsets.ISO_8859_1), closed);
    }
  }

  static byte[] bytes(String... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String part : parts) {
      out.writeBytes(part.getBytes(StandardCharsets.ISO_8859_1));
    }
    return out.toByteArray();
  }
}
