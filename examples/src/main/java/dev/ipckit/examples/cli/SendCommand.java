package dev.ipckit.examples.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Sender;
import dev.ipckit.examples.Generated;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ipckit send URI}: each line of stdin as one message, or {@code --count} generated messages.
 */
@Command(name = "send", mixinStandardHelpOptions = true,
    description = {"Send each line of stdin (without its newline) as one message, closing cleanly at end of input;",
        "or, with --count, send generated self-checking messages (see 'recv --verify').",
        "Exits 0 when every message was sent; exits 1 with one sentence on stderr when the receiver left first",
        "(naming it, with its pid and whether it died where the channel knows), or when the channel is bad."})
final class SendCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URI", description = "channel URI, e.g. mmap:demo or fifo:/tmp/demo.fifo")
    String uri;

    @Option(names = "--count", paramLabel = "N", description = "send N generated messages instead of stdin")
    Long count;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "64", description = "size of generated messages (default ${DEFAULT-VALUE}, at least 8)")
    int size;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
        description = "how long one message may wait for room before giving up (default ${DEFAULT-VALUE})")
    String timeout;

    @Override
    public Integer call() throws Exception {
        final Duration wait = Durations.parse("--timeout", timeout);
        try (Sender sender = Channels.openSender(uri)) {
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(size, sender.maxMessageLength())));
            long sent = 0;
            if (count != null) {
                if (size < Generated.MIN_SIZE || size > sender.maxMessageLength()) {
                    throw new IllegalArgumentException("--size " + size + " is outside " + Generated.MIN_SIZE + ".."
                        + sender.maxMessageLength() + " (maxMessageLength of " + uri + ")");
                }
                for (; sent < count; sent++) {
                    Generated.fill(buffer, sent, size);
                    offer(sender, buffer, size, wait, sent);
                }
            } else {
                final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null) {
                    final byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                    buffer.putBytes(0, bytes);
                    offer(sender, buffer, bytes.length, wait, sent++);
                }
            }
            System.err.println("ipckit: sent " + sent + " messages to " + uri);
        }
        return 0;
    }

    private static void offer(final Sender sender, final UnsafeBuffer buffer, final int length, final Duration wait,
                              final long seq) {
        final boolean sent;
        try {
            sent = sender.offer(buffer, 0, length, wait);
        } catch (final PeerGoneException e) {
            throw new PeerGoneException(e.reason(), e.peerPid(), "the receiver"
                + (e.peerPid() > 0 ? " (process " + e.peerPid() + ")" : "")
                + (e.reason() == PeerGoneException.Reason.DIED ? " died" : " left") + " after " + seq
                + " messages, so message " + seq + " and the rest were not sent: " + e.getMessage(), e);
        }
        if (!sent) {
            throw new ChannelException("message " + seq + " found " + sender.uri() + " still full after " + wait
                + "; is the receiver reading? (raise --timeout to wait longer)");
        }
    }
}
