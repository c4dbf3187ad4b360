package dev.ipckit;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.spi.AgronaAccess;

/**
 * The bridge between the {@link MemorySegment} forms and the Agrona forms, for a transport that implements only
 * the latter. It goes through Agrona's buffers (so it needs Agrona's JVM flag, checked first by
 * {@link AgronaAccess#check}) and allocates a view per call; a transport that serves the segment forms natively
 * overrides them, and then neither they nor {@link Sender#offer(byte[])} touch Agrona.
 */
final class SegmentViews {
    private SegmentViews() {
    }

    static MessageHandler adapt(final Receiver receiver, final String call, final SegmentHandler handler) {
        AgronaAccess.check(call, receiver.uri());
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
        AgronaAccess.check(timeout.isZero() ? "offer(MemorySegment)" : "offer(MemorySegment, Duration)",
            sender.uri());
        final UnsafeBuffer buffer = message.isNative()
            ? new UnsafeBuffer(message.address(), (int) size)
            : new UnsafeBuffer(wholeArray(message));
        return timeout.isZero() ? sender.offer(buffer, 0, (int) size) : sender.offer(buffer, 0, (int) size, timeout);
    }

    /** The array a heap segment covers whole (as from {@code MemorySegment.ofArray(bytes)}), else a copy. */
    private static byte[] wholeArray(final MemorySegment message) {
        if (message.heapBase().orElse(null) instanceof byte[] array && array.length == message.byteSize()) {
            return array;
        }
        return message.toArray(ValueLayout.JAVA_BYTE);
    }
}
