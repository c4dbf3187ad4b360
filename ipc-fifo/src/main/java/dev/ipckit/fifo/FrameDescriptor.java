package dev.ipckit.fifo;

import java.nio.ByteOrder;

import dev.ipckit.posix.PosixPipes;

/**
 * The frame every FIFO and pipe channel writes: a byte stream of frames, each a little-endian 32-bit
 * payload length followed by the payload.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |             Length (int32, little endian, 0..max)             |  LENGTH_OFFSET = 0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Payload (Length bytes)                ...  PAYLOAD_OFFSET = 4
 * ...                                                              |
 *  +---------------------------------------------------------------+
 *  |             Length of the next frame                          |  at 4 + Length, no padding
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>A frame of at most {@link #PIPE_BUF} bytes (header included, so a payload of at most
 * {@link #MAX_ATOMIC_PAYLOAD_LENGTH} bytes) goes out in one {@code write(2)}, which the kernel makes atomic:
 * frames from several senders on one FIFO never interleave. A larger frame is written by one sender across
 * several writes and is only safe with a single sender ({@code producers=one}, the default). A receiver
 * never delivers a frame until it holds all of it; a length outside {@code 0..maxMessageLength} means the
 * stream is corrupt.
 */
public final class FrameDescriptor {
    /** Offset of the length field within a frame. */
    public static final int LENGTH_OFFSET = 0;
    /** Bytes of the frame header: the length field. */
    public static final int HEADER_LENGTH = 4;
    /** Offset of the payload within a frame. */
    public static final int PAYLOAD_OFFSET = HEADER_LENGTH;
    /** Byte order of the length field. */
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;
    /** The largest write the kernel keeps atomic on a pipe or FIFO: {@value} bytes. */
    public static final int PIPE_BUF = PosixPipes.PIPE_BUF;
    /** The largest payload whose frame fits in one atomic write: {@code PIPE_BUF - HEADER_LENGTH}. */
    public static final int MAX_ATOMIC_PAYLOAD_LENGTH = PIPE_BUF - HEADER_LENGTH;

    private FrameDescriptor() {
    }

    /**
     * @param payloadLength bytes of payload.
     * @return bytes of the whole frame, header included.
     */
    public static int frameLength(final int payloadLength) {
        return HEADER_LENGTH + payloadLength;
    }

    /**
     * @param frameOffset where a frame starts.
     * @return where its length field is.
     */
    public static int lengthOffset(final int frameOffset) {
        return frameOffset + LENGTH_OFFSET;
    }

    /**
     * @param frameOffset where a frame starts.
     * @return where its payload starts.
     */
    public static int payloadOffset(final int frameOffset) {
        return frameOffset + PAYLOAD_OFFSET;
    }

    /**
     * @param payloadLength bytes of payload.
     * @return whether the frame goes out in one atomic write.
     */
    public static boolean isAtomic(final int payloadLength) {
        return payloadLength <= MAX_ATOMIC_PAYLOAD_LENGTH;
    }
}
