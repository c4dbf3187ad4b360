package dev.ipckit.mmap;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.Channels;
import dev.ipckit.Sender;

/**
 * The sending child of {@link MmapSoakTest}. Usage:
 *
 * <pre>
 * SoakPeer URI STOP RESULT     send {@link #fill} messages 0, 1, 2, ... as fast as the ring takes them; once the
 *                              file STOP exists, close the sender, write the count sent to RESULT and exit 0
 * </pre>
 *
 * Exit codes: 0 done, 3 no STOP within the time allowed (an orphan), 4 bad usage.
 */
public final class SoakPeer {
    /** The longest message. */
    static final int MAX_LENGTH = 8 + 32;
    private static final Duration ORPHAN = Duration.ofMinutes(30);
    private static final Duration FULL_WAIT = Duration.ofMillis(100);

    private SoakPeer() {
    }

    /**
     * Message {@code index}: {@code 8 + index % 33} bytes, the index (a long) and then {@code (byte) (index + k)}
     * at each position {@code k}.
     *
     * @param buffer to fill, at least {@link #MAX_LENGTH} bytes.
     * @param index the message's place in the stream.
     * @return its length.
     */
    static int fill(final UnsafeBuffer buffer, final long index) {
        final int length = 8 + (int) (index % 33);
        buffer.putLong(0, index);
        for (int k = 8; k < length; k++) {
            buffer.putByte(k, (byte) (index + k));
        }
        return length;
    }

    /**
     * @param args see the class comment.
     * @throws Exception on failure, which exits non-zero.
     */
    public static void main(final String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: SoakPeer URI STOP RESULT");
            System.exit(4);
        }
        final Path stop = Path.of(args[1]);
        final Path result = Path.of(args[2]);
        final long deadline = System.nanoTime() + ORPHAN.toNanos();
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_LENGTH));
        long sent = 0;
        try (Sender sender = Channels.openSender(args[0])) {
            while (true) {
                if ((sent & 0xFFFF) == 0 && (Files.exists(stop) || System.nanoTime() - deadline > 0)) {
                    break;
                }
                final int length = fill(buffer, sent);
                while (!sender.offer(buffer, 0, length) && !sender.offer(buffer, 0, length, FULL_WAIT)) {
                    if (System.nanoTime() - deadline > 0) {
                        System.exit(3);
                    }
                }
                sent++;
            }
        }
        final Path temporary = Path.of(result + ".tmp");
        Files.writeString(temporary, Long.toString(sent));
        Files.move(temporary, result, StandardCopyOption.ATOMIC_MOVE);
        System.exit(Files.exists(stop) ? 0 : 3);
    }
}
