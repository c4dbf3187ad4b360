package dev.ipckit.fifo;

import java.nio.ByteBuffer;
import java.time.Duration;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * The child side of the FIFO tests that need several writer processes. Usage:
 *
 * <pre>
 * writer URI ID COUNT   open a sender on URI, say "ready" on pipe:fd=4, wait for "go" on pipe:fd=3, then send
 *                       COUNT frames of PIPE_BUF bytes stamped with ID and a sequence number; exit 0
 * hold URI              open a sender on URI, offer the 5-byte message "hello", then hold the sender open
 *                       until the test kills this process
 * large URI LENGTH      open a sender on URI and offer one LENGTH-byte message, which stays half written
 *                       while nobody reads, until the test kills this process
 * </pre>
 *
 * Exit codes: 0 success, 3 timed out, 4 bad usage.
 */
public final class FifoTestChild {
    /** Payload of a PIPE_BUF-sized frame. */
    static final int ATOMIC_PAYLOAD = FrameDescriptor.MAX_ATOMIC_PAYLOAD_LENGTH;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private FifoTestChild() {
    }

    /**
     * @param args see the class comment.
     */
    public static void main(final String[] args) {
        if (args.length != 4 && !(args.length == 3 && args[0].equals("large"))
            && !(args.length == 2 && args[0].equals("hold"))) {
            usage();
        }
        switch (args[0]) {
            case "writer" -> writer(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            case "large" -> large(args[1], Integer.parseInt(args[2]));
            case "hold" -> hold(args[1]);
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: writer URI ID COUNT | large URI LENGTH | hold URI");
        System.exit(4);
    }

    private static void writer(final String uri, final int id, final int count) {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(ATOMIC_PAYLOAD));
        try (Sender sender = Channels.openSender(uri);
             Sender ready = Channels.openSender("pipe:fd=4");
             Receiver go = Channels.openReceiver("pipe:fd=3")) {
            if (!ready.offer(buffer, 0, 0, TIMEOUT) || go.poll((b, o, l) -> { }, 1, TIMEOUT) != 1) {
                System.err.println("writer " + id + ": the parent did not say go within " + TIMEOUT);
                System.exit(3);
            }
            for (int sequence = 0; sequence < count; sequence++) {
                stamp(buffer, id, sequence);
                if (!sender.offer(buffer, 0, ATOMIC_PAYLOAD, TIMEOUT)) {
                    System.err.println("writer " + id + ": frame " + sequence + " found no room within " + TIMEOUT);
                    System.exit(3);
                }
            }
        }
        System.exit(0);
    }

    private static void hold(final String uri) {
        final UnsafeBuffer hello = new UnsafeBuffer("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        try (Sender sender = Channels.openSender(uri)) {
            if (!sender.offer(hello, 0, hello.capacity(), TIMEOUT)) {
                System.exit(3);
            }
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() - deadline < 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(TIMEOUT.toNanos()); // the test kills this process
            }
        }
        System.exit(3);
    }

    private static void large(final String uri, final int length) {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
        try (Sender sender = Channels.openSender(uri)) {
            sender.offer(buffer, 0, length, TIMEOUT); // the test kills this process while the frame is half out
        }
        System.exit(3);
    }

    /**
     * Fills a PIPE_BUF-sized payload: writer id, sequence number, then bytes derived from both.
     *
     * @param buffer to fill, at least {@link #ATOMIC_PAYLOAD} bytes.
     * @param id the writer.
     * @param sequence the frame's number within the writer's stream.
     */
    static void stamp(final MutableDirectBuffer buffer, final int id, final int sequence) {
        buffer.putInt(0, id);
        buffer.putInt(4, sequence);
        for (int i = 8; i < ATOMIC_PAYLOAD; i++) {
            buffer.putByte(i, patternByte(id, sequence, i));
        }
    }

    /**
     * Checks a payload stamped by {@link #stamp}.
     *
     * @param buffer holding it.
     * @param offset where it starts.
     * @param length its length.
     * @param id the writer it claims.
     * @param sequence the sequence number it claims.
     * @return null when intact, else what differs.
     */
    static String verify(final DirectBuffer buffer, final int offset, final int length, final int id, final int sequence) {
        if (length != ATOMIC_PAYLOAD) {
            return "a frame of writer " + id + " has length " + length + ", expected " + ATOMIC_PAYLOAD;
        }
        for (int i = 8; i < ATOMIC_PAYLOAD; i++) {
            if (buffer.getByte(offset + i) != patternByte(id, sequence, i)) {
                return "frame " + sequence + " of writer " + id + " differs at byte " + i + ": frames interleaved or torn";
            }
        }
        return null;
    }

    private static byte patternByte(final int id, final int sequence, final int position) {
        return (byte) (id * 131 + sequence * 31 + position * 7);
    }
}
