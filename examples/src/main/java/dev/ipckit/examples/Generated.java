package dev.ipckit.examples;

import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Self-checking messages for the examples and the command line. Message {@code seq} of size {@code n} is
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    seq (int64, little endian)                 |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |  n - 8 bytes: byte i is (seq * 31 + i * 7) &amp; 0xff         ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * so a receiver checks order (seq counts up from 0), length and every byte, and both sides can agree on a
 * CRC-32C of the whole stream.
 */
public final class Generated {
    /** The smallest generated message: the sequence number alone. */
    public static final int MIN_SIZE = 8;

    private Generated() {
    }

    /**
     * Writes message {@code seq}.
     *
     * @param buffer to write into, at least {@code size} bytes.
     * @param seq the sequence number.
     * @param size the message size, at least {@link #MIN_SIZE}.
     */
    public static void fill(final MutableDirectBuffer buffer, final long seq, final int size) {
        buffer.putLong(0, seq, java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = MIN_SIZE; i < size; i++) {
            buffer.putByte(i, (byte) (seq * 31 + i * 7));
        }
    }

    /**
     * Checks message {@code expectedSeq}.
     *
     * @param buffer holding the message.
     * @param offset where it starts.
     * @param length its length.
     * @param expectedSeq the sequence number that should come next.
     * @param expectedSize the size every message should have, or -1 for any.
     * @return null when intact, else a sentence saying what is wrong.
     */
    public static String verify(final DirectBuffer buffer, final int offset, final int length, final long expectedSeq,
                                final int expectedSize) {
        if (length < MIN_SIZE || expectedSize >= 0 && length != expectedSize) {
            return "message " + expectedSeq + " has " + length + " bytes, expected " + (expectedSize < 0 ? "at least 8" : expectedSize);
        }
        final long seq = buffer.getLong(offset, java.nio.ByteOrder.LITTLE_ENDIAN);
        if (seq != expectedSeq) {
            return "expected message " + expectedSeq + " but got " + seq + (seq < expectedSeq ? " (a duplicate)" : " (messages lost)");
        }
        for (int i = MIN_SIZE; i < length; i++) {
            if (buffer.getByte(offset + i) != (byte) (seq * 31 + i * 7)) {
                return "message " + seq + " is corrupt at byte " + i;
            }
        }
        return null;
    }

    /**
     * Adds a message's bytes to a running checksum.
     *
     * @param crc the checksum.
     * @param buffer holding the message.
     * @param offset where it starts.
     * @param length its length.
     * @param scratch a reusable array of at least {@code length} bytes.
     */
    public static void update(final CRC32C crc, final DirectBuffer buffer, final int offset, final int length,
                              final byte[] scratch) {
        buffer.getBytes(offset, scratch, 0, length);
        crc.update(scratch, 0, length);
    }
}
