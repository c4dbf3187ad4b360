package dev.ipckit.examples.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.zip.CRC32C;

import dev.ipckit.ChannelException;
import dev.ipckit.ChannelUri;
import dev.ipckit.Channels;
import dev.ipckit.MessageHandler;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.examples.Generated;
import dev.ipckit.fifo.FifoConfiguration;
import dev.ipckit.fifo.StreamReceiver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ipckit recv URI}: print each message as a line, or verify generated ones.
 */
@Command(name = "recv", mixinStandardHelpOptions = true,
    description = {"Print each message as one line on stdout, or with --verify check generated messages.",
        "Exits 0 when --count messages arrived, or when the sender closed its end after sending;",
        "exits 1 with one sentence on stderr naming the sender (its pid where the channel knows it) when it died",
        "(killed or crashed without closing) or cut a message short, when it closed before --count messages,",
        "or when the channel is bad."})
final class RecvCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URI", description = "channel URI, e.g. mmap:demo or fifo:/tmp/demo.fifo")
    String uri;

    @Option(names = "--count", paramLabel = "N", description = {"stop after N messages; on a fifo: or pipe: URI",
        "without readahead= the receiver then reads no further than those N (readahead=false), so every later",
        "message stays in the FIFO for the next receiver"})
    Long count;

    @Option(names = "--timeout", paramLabel = "DURATION",
        description = "give up when no message arrives for this long (default: wait while the sender lives)")
    String timeout;

    @Option(names = "--verify", description = "check generated messages (order, length, bytes) and print a summary instead of the messages")
    boolean verify;

    @Override
    public Integer call() throws IOException {
        final Duration idleLimit = timeout == null ? null : Durations.parse("--timeout", timeout);
        final OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
        final long limit = count == null ? Long.MAX_VALUE : count;
        final CRC32C crc = new CRC32C();
        final long[] received = {0};
        final long[] bytes = {0};
        final String[] failure = {null};
        final int[] dropped = {0};
        try (Receiver receiver = Channels.openReceiver(readingNoFurther(uri, count))) {
            final byte[] scratch = new byte[receiver.maxMessageLength()];
            final MessageHandler handler = (buffer, offset, length) -> {
                if (verify) {
                    if (failure[0] == null) {
                        failure[0] = Generated.verify(buffer, offset, length, received[0], -1);
                    }
                    Generated.update(crc, buffer, offset, length, scratch);
                } else {
                    buffer.getBytes(offset, scratch, 0, length);
                    try {
                        out.write(scratch, 0, length);
                        out.write('\n');
                    } catch (final IOException e) {
                        throw new ChannelException("cannot write to stdout: " + e.getMessage(), e);
                    }
                }
                received[0]++;
                bytes[0] += length;
            };
            long lastMessage = System.nanoTime();
            while (received[0] < limit && failure[0] == null) {
                final int n;
                try {
                    n = receiver.poll(handler, (int) Math.min(256, limit - received[0]), Duration.ofMillis(100));
                } catch (final PeerGoneException e) {
                    out.flush();
                    if (e.reason().isAbnormal()) {
                        throw new PeerGoneException(e.reason(), e.peerPid(), "the sender"
                            + (e.peerPid() > 0 ? " (process " + e.peerPid() + ")" : "")
                            + (e.reason() == PeerGoneException.Reason.DIED ? " died without closing its end"
                                : " stopped part-way through a message") + " after " + received[0]
                            + (count != null ? " of " + count : "") + " messages: " + e.getMessage(), e);
                    }
                    if (count != null) {
                        throw new PeerGoneException(e.reason(), e.peerPid(), "the sender left after " + received[0] + " of " + count + " messages: "
                            + e.getMessage(), e);
                    }
                    break;
                }
                if (n > 0) {
                    out.flush();
                    lastMessage = System.nanoTime();
                } else if (idleLimit != null && System.nanoTime() - lastMessage > idleLimit.toNanos()) {
                    out.flush();
                    throw new ChannelException("no message on " + uri + " for " + timeout + " after " + received[0]
                        + " messages (--timeout)");
                }
            }
            receiver.close();
            if (receiver instanceof StreamReceiver stream) {
                dropped[0] = stream.droppedAtClose();
            }
        }
        out.flush();
        if (failure[0] != null) {
            throw new ChannelException("verification failed on " + uri + ": " + failure[0]);
        }
        if (verify) {
            System.out.printf("received %d messages, %d bytes, verified, crc32c=%08x%n", received[0], bytes[0], crc.getValue());
        }
        if (dropped[0] > 0) {
            System.err.println("ipckit recv: " + dropped[0] + " more messages had been read from " + uri
                + " in bulk and were dropped at close; the stream was left at a frame boundary for the next receiver");
        }
        return 0;
    }

    /**
     * A receiver asked for N messages of a byte stream reads no further than it must: {@code readahead=false} on a
     * {@code fifo:} or {@code pipe:} URI that does not say otherwise.
     */
    static String readingNoFurther(final String uri, final Long count) {
        final ChannelUri parsed = ChannelUri.parse(uri);
        if (count == null || !("fifo".equals(parsed.scheme()) || "pipe".equals(parsed.scheme()))) {
            return uri;
        }
        return parsed.withDefault(FifoConfiguration.READAHEAD, "false").uri();
    }
}
