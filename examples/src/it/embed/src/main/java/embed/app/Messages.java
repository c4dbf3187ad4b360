package embed.app;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Message {@code n}: its number (8 bytes, little endian), then {@code n % 57} bytes of {@code (n + i)}. */
final class Messages {
    private static final ValueLayout.OfLong NUMBER = ValueLayout.JAVA_LONG_UNALIGNED
        .withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    private Messages() {
    }

    static byte[] message(final long n) {
        final byte[] bytes = new byte[8 + (int) (n % 57)];
        final MemorySegment message = MemorySegment.ofArray(bytes);
        message.set(NUMBER, 0, n);
        for (int i = 8; i < bytes.length; i++) {
            bytes[i] = (byte) (n + i);
        }
        return bytes;
    }

    /** @return null when {@code message} is message {@code n}, else what is wrong with it. */
    static String check(final MemorySegment message, final long n) {
        final byte[] expected = message(n);
        if (message.byteSize() != expected.length) {
            return "message " + n + " has " + message.byteSize() + " bytes, expected " + expected.length;
        }
        final long mismatch = MemorySegment.ofArray(expected).mismatch(message);
        return mismatch < 0 ? null : "message " + n + " differs at byte " + mismatch;
    }
}
