package dev.ipckit.examples.cli;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.MessageHandler;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.examples.Generated;

/**
 * The consumer process of {@code ipckit demo}: receives and verifies MESSAGES generated messages on the data
 * channel (after an empty "ready" message on the reply channel), reports {@code [count int64][crc32c int64][ok int32]} on the reply channel, then echoes PINGS
 * pings back, and exits 0 once the producer closes.
 *
 * <pre>
 * DemoPeer DATA_URI REPLY_URI MESSAGES PINGS
 * </pre>
 */
public final class DemoPeer {
    /** Length of the summary message. */
    static final int SUMMARY_LENGTH = 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private long received;
    private String failure;
    private final CRC32C crc = new CRC32C();

    private DemoPeer() {
    }

    /**
     * @param args DATA_URI REPLY_URI MESSAGES PINGS.
     */
    public static void main(final String[] args) {
        try {
            new DemoPeer().run(args[0], args[1], Long.parseLong(args[2]), Long.parseLong(args[3]));
        } catch (final RuntimeException e) {
            System.err.println("demo consumer: " + e.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }

    private void run(final String dataUri, final String replyUri, final long messages, final long pings) {
        try (Receiver data = Channels.openReceiver(dataUri); Sender reply = Channels.openSender(replyUri)) {
            final byte[] scratch = new byte[data.maxMessageLength()];
            final MessageHandler verify = (buffer, offset, length) -> {
                if (failure == null) {
                    failure = Generated.verify(buffer, offset, length, received, -1);
                }
                Generated.update(crc, buffer, offset, length, scratch);
                received++;
            };
            final UnsafeBuffer out = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(SUMMARY_LENGTH, data.maxMessageLength())));
            send(reply, out, 0); // ready: the producer starts its clock now
            long idleSince = System.nanoTime();
            while (received < messages) {
                if (data.poll(verify, 256, Duration.ofMillis(100)) > 0) {
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince > TIMEOUT.toNanos()) {
                    throw new ChannelException("no message for " + TIMEOUT + " after " + received + " of " + messages);
                }
            }
            out.putLong(0, received);
            out.putLong(8, crc.getValue());
            out.putInt(16, failure == null ? 1 : 0);
            send(reply, out, SUMMARY_LENGTH);
            if (failure != null) {
                throw new ChannelException("verification failed: " + failure);
            }
            final int[] pending = {-1};
            final MessageHandler copy = (buffer, offset, length) -> {
                buffer.getBytes(offset, out, 0, length);
                pending[0] = length;
            };
            for (long i = 0; i < pings; i++) {
                if (data.poll(copy, 1, TIMEOUT) == 0) {
                    throw new ChannelException("no ping " + i + " within " + TIMEOUT);
                }
                send(reply, out, pending[0]);
            }
            try {
                while (data.poll((b, o, l) -> { }, 16, TIMEOUT) > 0) {
                    // nothing else is expected; the producer closes next
                }
            } catch (final PeerGoneException expected) {
                return;
            }
        }
    }

    private static void send(final Sender sender, final UnsafeBuffer buffer, final int length) {
        if (!sender.offer(buffer, 0, length, TIMEOUT)) {
            throw new ChannelException("the producer stopped reading " + sender.uri());
        }
    }
}
