package dev.ipckit.fifo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * A child that uses only the FFM-native forms ({@code offer(MemorySegment, Duration)},
 * {@code poll(SegmentHandler, int, Duration)}), started without {@code --add-exports}. Usage:
 *
 * <pre>
 * send URI COUNT   send COUNT 64-byte messages, each its index in every long, then close
 * recv URI COUNT   receive and check COUNT such messages, then close
 * probe            touch an Agrona UnsafeBuffer: exit 5 when that fails, as it must without the flag
 * </pre>
 *
 * Exit codes: 0 success, 2 a message was wrong, 3 timed out, 5 the probe failed.
 */
public final class SegmentPeer {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int SIZE = 64;

    private SegmentPeer() {
    }

    /**
     * @param args see the class comment.
     */
    public static void main(final String[] args) {
        switch (args[0]) {
            case "send" -> send(args[1], Long.parseLong(args[2]));
            case "recv" -> receive(args[1], Long.parseLong(args[2]));
            default -> probe();
        }
    }

    private static void send(final String uri, final long count) {
        try (Arena arena = Arena.ofConfined(); Sender sender = Channels.openSender(uri)) {
            final MemorySegment message = arena.allocate(SIZE, 8);
            for (long i = 0; i < count; i++) {
                for (int at = 0; at < SIZE; at += 8) {
                    message.set(ValueLayout.JAVA_LONG_UNALIGNED, at, i);
                }
                if (!sender.offer(message, TIMEOUT)) {
                    System.exit(3);
                }
            }
        }
        System.exit(0);
    }

    private static void receive(final String uri, final long count) {
        final long[] next = {0};
        final boolean[] wrong = {false};
        try (Receiver receiver = Channels.openReceiver(uri)) {
            final long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (next[0] < count) {
                if (System.nanoTime() - deadline > 0) {
                    System.exit(3);
                }
                receiver.poll(message -> {
                    boolean intact = message.byteSize() == SIZE && message.isReadOnly();
                    for (int at = 0; intact && at < SIZE; at += 8) {
                        intact = message.get(ValueLayout.JAVA_LONG_UNALIGNED, at) == next[0];
                    }
                    wrong[0] |= !intact;
                    next[0]++;
                }, 64, Duration.ofMillis(100));
            }
        }
        System.exit(wrong[0] ? 2 : 0);
    }

    private static void probe() {
        try {
            new org.agrona.concurrent.UnsafeBuffer(new byte[8]).putLong(0, 1);
        } catch (final Throwable expected) {
            System.exit(5);
        }
        System.exit(0);
    }
}
