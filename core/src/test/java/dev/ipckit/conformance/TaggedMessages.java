package dev.ipckit.conformance;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Messages that name their stream and their place in it, so that one receiver can check several interleaved
 * streams (several senders of a producers=many ring) for order, gaps, duplicates and torn bytes.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     Stream id (int32)                         |  STREAM_OFFSET = 0
 *  +---------------------------------------------------------------+
 *  |                     Index (int64)                             |  INDEX_OFFSET = 4
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |      Payload: Payloads.fill(seed = stream id, index) ...      |  PAYLOAD_OFFSET = 12
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The byte order is the buffer's native one: writer and reader run on one host.
 */
public final class TaggedMessages {
    /** Offset of the stream id. */
    public static final int STREAM_OFFSET = 0;
    /** Offset of the index within the stream. */
    public static final int INDEX_OFFSET = 4;
    /** Offset of the self-checking payload; also the tag's length. */
    public static final int PAYLOAD_OFFSET = 12;

    private TaggedMessages() {
    }

    /**
     * @param stream the stream id, the payload's seed.
     * @param index the message's place in its stream.
     * @param maxPayload the longest payload of the stream.
     * @return the whole message's length, tag included.
     */
    public static int length(final int stream, final long index, final int maxPayload) {
        return PAYLOAD_OFFSET + Payloads.length(stream, index, maxPayload);
    }

    /**
     * Writes message {@code index} of {@code stream} at offset 0.
     *
     * @param buffer to write into, at least {@code PAYLOAD_OFFSET + maxPayload} bytes.
     * @param stream the stream id.
     * @param index the message's place.
     * @param maxPayload the longest payload of the stream.
     * @return the message's length.
     */
    public static int fill(final MutableDirectBuffer buffer, final int stream, final long index, final int maxPayload) {
        final int payload = Payloads.length(stream, index, maxPayload);
        buffer.putInt(STREAM_OFFSET, stream);
        buffer.putLong(INDEX_OFFSET, index);
        Payloads.fill(buffer, PAYLOAD_OFFSET, stream, index, payload);
        return PAYLOAD_OFFSET + payload;
    }

    /**
     * @param buffer holding a message.
     * @param offset where it starts.
     * @return its stream id.
     */
    public static int stream(final DirectBuffer buffer, final int offset) {
        return buffer.getInt(offset + STREAM_OFFSET);
    }

    /**
     * @param buffer holding a message.
     * @param offset where it starts.
     * @return its index.
     */
    public static long index(final DirectBuffer buffer, final int offset) {
        return buffer.getLong(offset + INDEX_OFFSET);
    }

    /**
     * Checks a message against the one expected next in its stream.
     *
     * @param buffer holding the message.
     * @param offset where it starts.
     * @param length its length as delivered.
     * @param stream the stream expected.
     * @param expectedIndex the index expected: anything else is a gap, a duplicate or a reordering.
     * @param maxPayload the longest payload of the stream.
     * @return null when it is exactly message {@code expectedIndex}, else a sentence saying what differs.
     */
    public static String verify(final DirectBuffer buffer, final int offset, final int length, final int stream,
                                final long expectedIndex, final int maxPayload) {
        if (length < PAYLOAD_OFFSET) {
            return "a message of " + length + " bytes is shorter than its " + PAYLOAD_OFFSET + "-byte tag (torn)";
        }
        final int actualStream = stream(buffer, offset);
        if (actualStream != stream) {
            return "a message names stream " + actualStream + ", expected " + stream + " (torn or foreign)";
        }
        final long index = index(buffer, offset);
        if (index != expectedIndex) {
            return "stream " + stream + " delivered message " + index + " where " + expectedIndex + " was due ("
                + (index < expectedIndex ? "a duplicate or reordering" : (index - expectedIndex) + " lost") + ")";
        }
        final String payload = Payloads.verify(buffer, offset + PAYLOAD_OFFSET, length - PAYLOAD_OFFSET, stream, index,
            maxPayload);
        return payload == null ? null : "stream " + stream + ": " + payload + " (torn)";
    }
}
