package dev.ipckit;

import java.lang.foreign.MemorySegment;

/**
 * Receives messages from {@link Receiver#poll(SegmentHandler, int)}: the FFM-native form of {@link MessageHandler},
 * for code that uses {@code java.lang.foreign} and no Agrona buffers.
 *
 * <p>The segment is a read-only view of exactly the message's bytes ({@code message.byteSize()} is its length),
 * valid only until this method returns: on the ring it is the shared memory itself (zero-copy), on a FIFO or pipe
 * the receiver's read buffer. Copy what must be kept, e.g. with {@link MemorySegment#toArray}. A view used after
 * the call may show later messages' bytes or fail; it never shows memory outside the channel.
 */
@FunctionalInterface
public interface SegmentHandler {

    /**
     * Called once per message.
     *
     * @param message a read-only view of the payload, valid during the call only.
     */
    void onMessage(MemorySegment message);
}
