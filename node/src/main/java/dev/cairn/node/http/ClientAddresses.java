package dev.cairn.node.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * Who a request comes from, as rate limits and per-client stream limits count it: the TCP peer,
 * unless the peer is one of the proxies of {@code CAIRN_TRUSTED_PROXIES}; then the address its
 * {@code X-Forwarded-For} names, read from the right and past every trusted proxy (each proxy
 * appends the address it got the request from, so the entries left of the first untrusted one could
 * have been written by the client and are not believed). Without trusted proxies the header is
 * ignored: a client could otherwise pick its own address and a fresh rate-limit budget.
 */
final class ClientAddresses {

  private static final String FORWARDED_FOR = "X-Forwarded-For";
  private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  private record Network(byte[] address, int prefix) {
    boolean contains(InetAddress candidate) {
      byte[] bytes = candidate.getAddress();
      if (bytes.length != address.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (bytes[i] != address[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xff << (8 - rest) & 0xff;
      return (bytes[full] & mask) == (address[full] & mask);
    }
  }

  private final List<Network> trusted;

  private ClientAddresses(List<Network> trusted) {
    this.trusted = trusted;
  }

  /** From the checked entries of {@code cairn.http.trusted-proxies} (addresses or networks). */
  static ClientAddresses trusting(List<String> proxies) {
    List<Network> networks = new ArrayList<>();
    for (String proxy : proxies) {
      int slash = proxy.indexOf('/');
      InetAddress address = literal(slash < 0 ? proxy : proxy.substring(0, slash));
      if (address == null) {
        throw new IllegalArgumentException("not an IP address: " + proxy);
      }
      int bits = address.getAddress().length * 8;
      networks.add(
          new Network(
              address.getAddress(),
              slash < 0 ? bits : Integer.parseInt(proxy.substring(slash + 1))));
    }
    return new ClientAddresses(List.copyOf(networks));
  }

  /** The client of {@code request}. */
  InetAddress of(HttpRequest request) {
    InetAddress current = ApiDirectives.peerAddress(request);
    if (trusted.isEmpty() || !isTrusted(current)) {
      return current;
    }
    List<String> hops = new ArrayList<>();
    for (HttpHeader header : request.getHeaders()) {
      if (header.is(FORWARDED_FOR.toLowerCase(java.util.Locale.ROOT))) {
        for (String hop : header.value().split(",")) {
          hops.add(hop.trim());
        }
      }
    }
    for (int i = hops.size() - 1; i >= 0; i--) {
      InetAddress hop = literal(hops.get(i));
      if (hop == null) {
        return current;
      }
      current = hop;
      if (!isTrusted(current)) {
        return current;
      }
    }
    return current;
  }

  private boolean isTrusted(InetAddress address) {
    for (Network network : trusted) {
      if (network.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** An IP literal ({@code [v6]} too), never a host name to look up; null if it is none. */
  private static InetAddress literal(String text) {
    String bare =
        text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    if (!LITERAL.matcher(bare).matches()) {
      return null;
    }
    try {
      return InetAddress.getByName(bare);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
