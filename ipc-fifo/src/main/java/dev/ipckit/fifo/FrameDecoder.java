package dev.ipckit.fifo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.ChannelException;
import dev.ipckit.MessageHandler;
import dev.ipckit.SegmentHandler;

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
    /** The most senders that may have said HELLO and not BYE at once; more is a hostile stream. */
    static final int MAX_SENDERS = 1 << 16;

    private final String name;
    private final String uri;
    private final int maxMessage;
    /** Little-endian ints at any offset, for the frame headers; no Agrona buffer on the segment paths. */
    private static final ValueLayout.OfInt INT_LE =
        ValueLayout.JAVA_INT_UNALIGNED.withOrder(FrameDescriptor.BYTE_ORDER);
    /** An Agrona view of the buffer, made for the first MessageHandler only (it needs Unsafe). */
    private UnsafeBuffer view;
    private Arena arena;
    private MemorySegment segment;
    private int capacity;
    private int head;
    private int tail;
    private ChannelException corrupt;
    private boolean stopped;
    /** Pids that said HELLO and not yet BYE, with repeats (several senders of one process); first {@code live}. */
    private int[] senders = new int[4];
    private int live;
    private int lastClosedPid;
    /** Whether any frame arrived, and whether the last one was a BYE. */
    private boolean anyFrame;
    private boolean lastWasBye;

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
        return deliverTo(handler, limit);
    }

    /**
     * Hands complete frames to a {@link SegmentHandler} as read-only views of the buffer, up to {@code limit}: the
     * FFM-native path, which touches no {@code Unsafe}.
     *
     * @param handler called once per message, with a view valid only during the call.
     * @param limit the most messages to deliver.
     * @return how many were delivered.
     * @throws ChannelException when a frame header announces a length outside 0..maxMessageLength.
     */
    int deliver(final SegmentHandler handler, final int limit) {
        return deliverTo(handler, limit);
    }

    /**
     * @param handler a {@link MessageHandler} (then {@link #view} is made) or a {@link SegmentHandler}.
     */
    int deliverTo(final Object handler, final int limit) {
        checkNotCorrupt();
        if (view == null && handler instanceof MessageHandler) {
            view = new UnsafeBuffer(segment.address(), capacity);
        }
        int count = 0;
        while (count < limit && !stopped) {
            final int available = tail - head;
            if (available < FrameDescriptor.HEADER_LENGTH) {
                break;
            }
            final int length = frameLength();
            if (length < 0) {
                if (available < FrameDescriptor.CONTROL_FRAME_LENGTH) {
                    break;
                }
                control(length, segment.get(INT_LE, FrameDescriptor.payloadOffset(head)));
                head += FrameDescriptor.CONTROL_FRAME_LENGTH;
                continue;
            }
            if (available - FrameDescriptor.HEADER_LENGTH < length) {
                break;
            }
            final int payload = FrameDescriptor.payloadOffset(head);
            head = payload + length;
            count++;
            anyFrame = true;
            lastWasBye = false;
            if (handler instanceof MessageHandler messages) {
                messages.onMessage(view, payload, length);
            } else {
                ((SegmentHandler) handler).onMessage(segment.asSlice(payload, length).asReadOnly());
            }
        }
        if (head == tail) {
            head = 0;
            tail = 0;
        }
        return count;
    }

    private void control(final int kind, final int pid) {
        anyFrame = true;
        lastWasBye = kind == FrameDescriptor.BYE;
        if (kind == FrameDescriptor.HELLO) {
            if (live == MAX_SENDERS) {
                corrupt = new ChannelException(name + " ('" + uri + "') is corrupt: more than " + MAX_SENDERS
                    + " senders announced themselves and none left; something other than ipckit senders writes to it."
                    + " Nothing more is read from it: close both ends");
                throw corrupt;
            }
            if (live == senders.length) {
                senders = java.util.Arrays.copyOf(senders, 2 * live);
            }
            senders[live++] = pid;
            return;
        }
        for (int i = 0; i < live; i++) {
            if (senders[i] == pid) {
                senders[i] = senders[--live];
                lastClosedPid = pid;
                return;
            }
        }
    }

    /**
     * @return how many senders said HELLO and not yet BYE: at end of file, the ones that died.
     */
    int sendersNotClosed() {
        return live;
    }

    /**
     * @param index 0..{@link #sendersNotClosed()}-1.
     * @return the pid of a sender that said HELLO and not yet BYE.
     */
    int senderNotClosed(final int index) {
        return senders[index];
    }

    /**
     * @return whether the stream so far ended cleanly: nothing arrived, or its last frame was a BYE.
     */
    boolean endsWithBye() {
        return !anyFrame || lastWasBye;
    }

    /**
     * @return the pid of the sender that said BYE last, or 0.
     */
    int lastClosedPid() {
        return lastClosedPid;
    }

    /**
     * @return how many more bytes make the bytes held end at a frame boundary: 0 when they do; else the rest of
     *     the frame at their end, or of its header when even that is incomplete (then more may follow). A corrupt
     *     header ends nothing: 0.
     */
    int bytesToFrameBoundary() {
        int at = head;
        while (true) {
            final int held = tail - at;
            if (held == 0) {
                return 0;
            }
            if (held < FrameDescriptor.HEADER_LENGTH) {
                return FrameDescriptor.HEADER_LENGTH - held;
            }
            final int length = segment.get(INT_LE, FrameDescriptor.lengthOffset(at));
            final int frame = FrameDescriptor.isControl(length) ? FrameDescriptor.CONTROL_FRAME_LENGTH
                : length < 0 || length > maxMessage ? -1 : FrameDescriptor.frameLength(length);
            if (frame < 0) {
                return 0;
            }
            if (held < frame) {
                return frame - held;
            }
            at += frame;
        }
    }

    /**
     * @return whether the bytes held start with the header of a control frame (HELLO or BYE), which delivers no
     *     message.
     */
    boolean controlAtHead() {
        return tail - head >= FrameDescriptor.HEADER_LENGTH
            && FrameDescriptor.isControl(segment.get(INT_LE, FrameDescriptor.lengthOffset(head)));
    }

    /**
     * @return how many whole messages are held and not yet delivered (read ahead).
     */
    int messagesHeld() {
        int count = 0;
        int at = head;
        while (tail - at >= FrameDescriptor.HEADER_LENGTH) {
            final int length = segment.get(INT_LE, FrameDescriptor.lengthOffset(at));
            final int frame = FrameDescriptor.isControl(length) ? FrameDescriptor.CONTROL_FRAME_LENGTH
                : length < 0 || length > maxMessage ? Integer.MAX_VALUE : FrameDescriptor.frameLength(length);
            if (tail - at < frame) {
                break;
            }
            count += FrameDescriptor.isControl(length) ? 0 : 1;
            at += frame;
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
        final int announced = buffered >= FrameDescriptor.HEADER_LENGTH ? frameLength() : 0;
        final int needed = buffered < FrameDescriptor.HEADER_LENGTH ? FrameDescriptor.HEADER_LENGTH
            : announced < 0 ? FrameDescriptor.CONTROL_FRAME_LENGTH : FrameDescriptor.frameLength(announced);
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
        final int length = partial >= FrameDescriptor.HEADER_LENGTH ? segment.get(INT_LE, head) : 0;
        final String what = partial >= FrameDescriptor.HEADER_LENGTH
            ? FrameDescriptor.isControl(length) ? "a control frame"
                : "its header announced a " + length + "-byte payload"
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
        live = 0;
        lastClosedPid = 0;
        anyFrame = false;
        lastWasBye = false;
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
     * @return the payload length in the header at {@code head}, checked against maxMessageLength, or a control
     *     value ({@link FrameDescriptor#HELLO}, {@link FrameDescriptor#BYE}).
     */
    private int frameLength() {
        final int length = segment.get(INT_LE, FrameDescriptor.lengthOffset(head));
        if ((length < 0 || length > maxMessage) && !FrameDescriptor.isControl(length)) {
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
        if (view != null) {
            view.wrap(grown.address(), bytes);
        }
    }
}
