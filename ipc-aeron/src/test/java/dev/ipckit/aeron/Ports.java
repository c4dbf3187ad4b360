package dev.ipckit.aeron;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Free UDP ports on 127.0.0.1 for tests: each test binds its own, so tests never meet on a port.
 */
final class Ports {
    private Ports() {
    }

    /**
     * @return a UDP port on 127.0.0.1 that was free a moment ago (the kernel's choice of an ephemeral port).
     */
    static int freeUdpPort() {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return socket.getLocalPort();
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot find a free UDP port on 127.0.0.1", e);
        }
    }

    /**
     * @param options more options, each starting with {@code &}, or empty.
     * @return an {@code aeron:udp} URI on a fresh loopback port, with a short peer timeout and linger unless the
     *     options give their own.
     */
    static String loopbackUri(final String options) {
        return "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort() + (options.contains("peerTimeout=") ? ""
            : "&peerTimeout=3s") + (options.contains("linger=") ? "" : "&linger=2s") + options;
    }
}
