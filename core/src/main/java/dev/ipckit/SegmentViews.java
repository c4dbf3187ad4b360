package dev.ipckit;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The bridge between the {@link MemorySegment} forms and the Agrona forms, for a transport that implements only
 * the latter. It goes through Agrona's buffers (so it needs Agrona's JVM flag) and allocates a view per call; a
 * transport that serves the segment forms natively overrides them.
 */
final class SegmentViews {
    private SegmentViews() {
    }

    static MessageHandler adapt(final SegmentHandler handler) {
        return (buffer, offset, length) -> handler.onMessage(view(buffer, offset, length));
    }

    static MemorySegment view(final DirectBuffer buffer, final int offset, final int length) {
        final byte[] array = buffer.byteArray();
        if (array != null) {
            return MemorySegment.ofArray(array).asSlice(buffer.wrapAdjustment() + offset, length).asReadOnly();
        }
        return MemorySegment.ofAddress(buffer.addressOffset() + offset).reinterpret(length).asReadOnly();
    }

    static boolean offer(final Sender sender, final MemorySegment message, final Duration timeout) {
        final long size = message.byteSize();
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("length=" + size + ", maxMessageLength=" + sender.maxMessageLength());
        }
        final UnsafeBuffer buffer = message.isNative()
            ? new UnsafeBuffer(message.address(), (int) size)
            : new UnsafeBuffer(message.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        return timeout.isZero() ? sender.offer(buffer, 0, (int) size) : sender.offer(buffer, 0, (int) size, timeout);
    }
}
