package dev.ipckit.conformance;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Self-checking payloads: message {@code i} of a stream with seed {@code s} has a length and bytes derived
 * from (s, i) alone, so a receiver in another process can verify length, order and every byte.
 */
public final class Payloads {
    private Payloads() {
    }

    /**
     * @param seed the stream's seed.
     * @param index the message's position in the stream.
     * @param maxLength the longest message allowed.
     * @return the length of message {@code index}: mostly short, sometimes up to {@code maxLength}, with 0
     *     and {@code maxLength} among the first few.
     */
    public static int length(final long seed, final long index, final int maxLength) {
        if (index == 0) {
            return 0;
        }
        if (index == 1) {
            return maxLength;
        }
        final long mix = mix(seed, index);
        final int bucket = (int) Math.floorMod(mix, 16);
        final int bound = bucket == 0 ? maxLength : Math.min(maxLength, bucket < 8 ? 64 : 1024);
        return (int) Math.floorMod(mix >>> 8, bound + 1L);
    }

    /**
     * Writes message {@code index}.
     *
     * @param buffer to write into.
     * @param offset where the payload starts.
     * @param seed the stream's seed.
     * @param index the message's position.
     * @param length as given by {@link #length}.
     */
    public static void fill(final MutableDirectBuffer buffer, final int offset, final long seed, final long index,
                            final int length) {
        for (int i = 0; i < length; i++) {
            buffer.putByte(offset + i, byteAt(seed, index, i));
        }
    }

    /**
     * Checks message {@code index}.
     *
     * @param buffer holding the payload.
     * @param offset of the payload.
     * @param length as received.
     * @param seed the stream's seed.
     * @param index the position expected.
     * @param maxLength the stream's longest message.
     * @return null when intact, else a sentence saying what differs.
     */
    public static String verify(final DirectBuffer buffer, final int offset, final int length, final long seed,
                                final long index, final int maxLength) {
        final int expected = length(seed, index, maxLength);
        if (length != expected) {
            return "message " + index + " has length " + length + ", expected " + expected;
        }
        for (int i = 0; i < length; i++) {
            final byte b = buffer.getByte(offset + i);
            if (b != byteAt(seed, index, i)) {
                return "message " + index + " differs at byte " + i + ": " + b + " != " + byteAt(seed, index, i);
            }
        }
        return null;
    }

    private static byte byteAt(final long seed, final long index, final int position) {
        return (byte) (mix(seed ^ position * 0x9E3779B97F4A7C15L, index) >>> 24);
    }

    private static long mix(final long seed, final long index) {
        long z = seed + index * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
