package dev.ipckit.fifo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.ChannelException;
import dev.ipckit.MessageHandler;

/**
 * Cuts a byte stream into frames ({@link FrameDescriptor}) in a native buffer, with no I/O of its own: a
 * {@link FramedReceiver} reads into {@link #segment()} at {@link #tail()} and reports the bytes with
 * {@link #appended(int)}; the decoder hands every complete frame to the handler straight from the buffer.
 * Nothing is allocated per message.
 *
 * <pre>
 *   buffer:  [ consumed | complete frames ... | partial frame | free ]
 *            0          head                                  tail   capacity
 * </pre>
 *
 * <p>The buffer starts at 64 KiB (or one frame of maxMessageLength, if smaller, but at least PIPE_BUF) and
 * grows, up to one frame of maxMessageLength, when a frame's header announces more than fits. A header that
 * announces a negative length or more than maxMessageLength makes the stream corrupt: a
 * {@link ChannelException} names the channel and the length, and every later call throws it again.
 */
final class FrameDecoder {
    private static final int INITIAL_BUFFER = 64 * 1024;

    private final String name;
    private final String uri;
    private final int maxMessage;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private Arena arena;
    private MemorySegment segment;
    private int capacity;
    private int head;
    private int tail;
    private ChannelException corrupt;
    private boolean stopped;

    /**
     * @param name the channel as errors name it, e.g. {@code the FIFO "/tmp/q.fifo"}.
     * @param uri the URI of the end, for errors.
     * @param maxMessage the longest payload a frame may announce.
     */
    FrameDecoder(final String name, final String uri, final int maxMessage) {
        this.name = name;
        this.uri = uri;
        this.maxMessage = maxMessage;
        resize(Math.max(FrameDescriptor.PIPE_BUF, Math.min(INITIAL_BUFFER, FrameDescriptor.frameLength(maxMessage))));
    }

    /**
     * Hands complete frames to the handler, up to {@code limit}. A frame is consumed before the handler runs,
     * so a handler that throws does not see the same message again.
     *
     * @param handler called once per message, with a view valid only during the call.
     * @param limit the most messages to deliver.
     * @return how many were delivered.
     * @throws ChannelException when a frame header announces a length outside 0..maxMessageLength.
     */
    int deliver(final MessageHandler handler, final int limit) {
        checkNotCorrupt();
        int count = 0;
        while (count < limit && !stopped) {
            final int available = tail - head;
            if (available < FrameDescriptor.HEADER_LENGTH) {
                break;
            }
            final int length = frameLength();
            if (available - FrameDescriptor.HEADER_LENGTH < length) {
                break;
            }
            final int payload = FrameDescriptor.payloadOffset(head);
            head = payload + length;
            count++;
            handler.onMessage(view, payload, length);
        }
        if (head == tail) {
            head = 0;
            tail = 0;
        }
        return count;
    }

    /**
     * Makes room after {@link #tail()} for at least the rest of the frame at the head (growing or compacting the
     * buffer), ready for the next read.
     *
     * @return the free bytes after {@link #tail()}, always more than 0.
     * @throws ChannelException when the frame at the head announces a length outside 0..maxMessageLength.
     */
    int prepareRead() {
        checkNotCorrupt();
        final int buffered = tail - head;
        final int needed = buffered >= FrameDescriptor.HEADER_LENGTH
            ? FrameDescriptor.frameLength(frameLength()) : FrameDescriptor.HEADER_LENGTH;
        if (needed > capacity) {
            resize((int) Math.min(FrameDescriptor.frameLength(maxMessage), Math.max(needed, 2L * capacity)));
        } else if (head > 0 && (head + needed > capacity || capacity - tail < capacity / 4)) {
            MemorySegment.copy(segment, head, segment, 0, buffered);
            head = 0;
            tail = buffered;
        }
        return capacity - tail;
    }

    /**
     * @param bytes how many bytes a read put at {@link #tail()}, at most what {@link #prepareRead()} returned.
     */
    void appended(final int bytes) {
        if (bytes < 0 || bytes > capacity - tail) {
            throw new IllegalArgumentException("bytes=" + bytes + " is outside 0.." + (capacity - tail) + " free");
        }
        tail += bytes;
    }

    /**
     * @return the buffer reads go into; valid until the next {@link #prepareRead()} or {@link #close()}.
     */
    MemorySegment segment() {
        return segment;
    }

    /**
     * @return where the next read puts its bytes in {@link #segment()}.
     */
    int tail() {
        return tail;
    }

    /**
     * @return the bytes held of a frame not yet complete.
     */
    int partialBytes() {
        return tail - head;
    }

    /**
     * Drops the bytes of a frame that will never be completed, and says what they were.
     *
     * @return empty when nothing was held, else a clause for an error message.
     */
    String discardPartial() {
        final int partial = tail - head;
        if (partial == 0) {
            return "";
        }
        final String what = partial >= FrameDescriptor.HEADER_LENGTH
            ? "its header announced a " + view.getInt(head, FrameDescriptor.BYTE_ORDER) + "-byte payload"
            : "not even its " + FrameDescriptor.HEADER_LENGTH + "-byte header arrived";
        head = 0;
        tail = 0;
        return "; the last frame was cut short and its " + partial + " bytes were discarded (" + what
            + "): a sender died or closed in the middle of writing it";
    }

    /**
     * @return the corruption found, or null while the stream is sound.
     */
    ChannelException corrupt() {
        return corrupt;
    }

    /**
     * @return the buffer's size now.
     */
    int capacity() {
        return capacity;
    }

    /**
     * Forgets the bytes held and any corruption, keeping the buffer, as for a new stream.
     */
    void reset() {
        head = 0;
        tail = 0;
        corrupt = null;
        stopped = false;
    }

    /**
     * Ends the {@link #deliver} in progress after the message being handled: its handler closed the end.
     */
    void stop() {
        stopped = true;
    }

    /**
     * Frees the buffer.
     */
    void close() {
        arena.close();
    }

    private void checkNotCorrupt() {
        if (corrupt != null) {
            throw new ChannelException(corrupt.getMessage(), corrupt);
        }
    }

    /**
     * @return the payload length in the header at {@code head}, checked against maxMessageLength.
     */
    private int frameLength() {
        final int length = view.getInt(FrameDescriptor.lengthOffset(head), FrameDescriptor.BYTE_ORDER);
        if (length < 0 || length > maxMessage) {
            corrupt = new ChannelException(name + " ('" + uri + "') is corrupt: a frame header announces length="
                + length + ", outside 0..maxMessageLength=" + maxMessage + "; either something other than an ipckit "
                + "sender wrote to it, or the sender uses a larger maxMessage= than this receiver. Nothing more is "
                + "read from it: close both ends, and give both the same maxMessage=");
            throw corrupt;
        }
        return length;
    }

    private void resize(final int bytes) {
        final Arena next = Arena.ofShared();
        final MemorySegment grown = next.allocate(bytes, 64);
        if (segment != null) {
            MemorySegment.copy(segment, head, grown, 0, tail - head);
            tail -= head;
            head = 0;
            arena.close();
        }
        arena = next;
        segment = grown;
        capacity = bytes;
        view.wrap(grown.address(), bytes);
    }
}
