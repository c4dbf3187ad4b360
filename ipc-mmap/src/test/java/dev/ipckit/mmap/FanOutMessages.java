package dev.ipckit.mmap;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The messages of the fan-out tests: {@code [long index][long checksum][body]}, the body's bytes and length a
 * function of the index and the checksum one of index and body, so that a torn message (parts of two) fails
 * {@link #check}.
 */
final class FanOutMessages {
    /** Bytes before the body. */
    static final int HEADER = 16;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private FanOutMessages() {
    }

    /**
     * @param index the message's index.
     * @param maxLength the longest message, at least {@link #HEADER}.
     * @return the length of message {@code index}.
     */
    static int length(final long index, final int maxLength) {
        return HEADER + (int) Math.floorMod(index * 7919L, maxLength - HEADER + 1);
    }

    /**
     * Writes message {@code index}.
     *
     * @param target at least {@link #length} bytes.
     * @param index the index.
     * @param maxLength the longest message.
     * @return its length.
     */
    static int fill(final MemorySegment target, final long index, final int maxLength) {
        final int length = length(index, maxLength);
        long sum = index * 0x9E3779B97F4A7C15L;
        for (int i = HEADER; i < length; i++) {
            final byte b = (byte) (index * 31 + i * 17);
            target.set(ValueLayout.JAVA_BYTE, i, b);
            sum = sum * 31 + b;
        }
        target.set(LONG, 0, index);
        target.set(LONG, 8, sum);
        return length;
    }

    /**
     * @param message a message as delivered.
     * @return its index when it is whole, -1 when it is torn or not one of these messages.
     */
    static long check(final MemorySegment message) {
        if (message.byteSize() < HEADER) {
            return -1;
        }
        final long index = message.get(LONG, 0);
        long sum = index * 0x9E3779B97F4A7C15L;
        for (int i = HEADER; i < message.byteSize(); i++) {
            final byte b = message.get(ValueLayout.JAVA_BYTE, i);
            if (b != (byte) (index * 31 + i * 17)) {
                return -1;
            }
            sum = sum * 31 + b;
        }
        return index >= 0 && sum == message.get(LONG, 8) ? index : -1;
    }
}
