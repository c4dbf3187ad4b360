package dev.ipckit.mmap;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.Channels;
import dev.ipckit.MessageHandler;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * The two processes of {@link MmapSoakTest}, each in a fresh JVM so that their memory is theirs alone. Usage:
 *
 * <pre>
 * send URI STOP RESULT                          send {@link #fill} messages 0, 1, 2, ... as fast as the ring takes
 *                                               them; once the file STOP exists, close the sender and write the
 *                                               count sent to RESULT
 * receive URI SECONDS MESSAGES WARMUP STOP RESULT  receive and check every message for at least SECONDS and
 *                                               MESSAGES; end the warm-up once WARMUP seconds have passed and a
 *                                               tenth of MESSAGES arrived (a count, so a loaded machine cannot cut
 *                                               it short): measure the heap after a full GC and create STOP.warm;
 *                                               measure it again at the end; then create STOP, drain until the
 *                                               sender is gone, and write "received N heapBase B heapEnd E" (or
 *                                               "broken WHAT") to RESULT
 * </pre>
 *
 * Exit codes: 0 done, 2 a message was lost, torn or out of order, 3 timed out, 4 bad usage.
 */
public final class SoakPeer {
    /** The longest message. */
    static final int MAX_LENGTH = 8 + 32;
    private static final Duration ORPHAN = Duration.ofMinutes(30);
    private static final Duration FULL_WAIT = Duration.ofMillis(100);
    private static final Duration POLL = Duration.ofMillis(10);

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

    /** Checks each message against the one due, allocating nothing. */
    private static final class Checker implements MessageHandler {
        long next;
        String broken;

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length) {
            final long index = next++;
            if (broken != null) {
                return;
            }
            if (length != 8 + (int) (index % 33) || buffer.getLong(offset) != index) {
                broken = "message " + index + " arrived as " + buffer.getLong(offset) + " of " + length + " bytes";
                return;
            }
            for (int k = 8; k < length; k++) {
                if (buffer.getByte(offset + k) != (byte) (index + k)) {
                    broken = "message " + index + " differs at byte " + k + " (torn)";
                    return;
                }
            }
        }
    }

    /**
     * @param args see the class comment.
     * @throws Exception on failure, which exits non-zero.
     */
    public static void main(final String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("send")) {
            send(args[1], Path.of(args[2]), Path.of(args[3]));
        } else if (args.length == 7 && args[0].equals("receive")) {
            receive(args[1], Long.parseLong(args[2]), Long.parseLong(args[3]), Long.parseLong(args[4]),
                Path.of(args[5]), Path.of(args[6]));
        } else {
            System.err.println("usage: send URI STOP RESULT | receive URI SECONDS MESSAGES WARMUP STOP RESULT");
            System.exit(4);
        }
    }

    private static void send(final String uri, final Path stop, final Path result) throws Exception {
        final long deadline = System.nanoTime() + ORPHAN.toNanos();
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_LENGTH));
        long sent = 0;
        try (Sender sender = Channels.openSender(uri)) {
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
        publish(result, Long.toString(sent));
        System.exit(Files.exists(stop) ? 0 : 3);
    }

    private static void receive(final String uri, final long seconds, final long messages, final long warmUpSeconds,
                                final Path stop, final Path result) throws Exception {
        final Checker checker = new Checker();
        try (Receiver receiver = Channels.openReceiver(uri)) {
            final long started = System.nanoTime();
            final long warmUpEnds = started + TimeUnit.SECONDS.toNanos(warmUpSeconds);
            final long runEnds = started + TimeUnit.SECONDS.toNanos(seconds);
            final long deadline = started + ORPHAN.toNanos();
            long heapBase = -1;
            while (checker.next < messages || System.nanoTime() - runEnds < 0) {
                receiver.poll(checker, 4096, POLL);
                if (checker.broken != null) {
                    publish(result, "broken " + checker.broken);
                    System.exit(2);
                }
                if (heapBase < 0 && checker.next >= messages / 10 && System.nanoTime() - warmUpEnds >= 0) {
                    heapBase = heapAfterGc();
                    publish(warmedUp(stop), "warm");
                }
                if (System.nanoTime() - deadline > 0) {
                    System.exit(3);
                }
            }
            final long heapEnd = heapAfterGc();
            publish(stop, "stop");
            try {
                while (System.nanoTime() - deadline < 0) {
                    receiver.poll(checker, 4096, POLL);
                }
                System.exit(3);
            } catch (final PeerGoneException expected) {
                publish(result, checker.broken != null ? "broken " + checker.broken
                    : "received " + checker.next + " heapBase " + heapBase + " heapEnd " + heapEnd);
            }
        }
        System.exit(checker.broken == null ? 0 : 2);
    }

    /**
     * @param stop the STOP file.
     * @return the file the receiver creates when its warm-up ends.
     */
    static Path warmedUp(final Path stop) {
        return Path.of(stop + ".warm");
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void publish(final Path file, final String text) throws java.io.IOException {
        final Path temporary = Path.of(file + ".tmp");
        Files.writeString(temporary, text);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
    }
}
