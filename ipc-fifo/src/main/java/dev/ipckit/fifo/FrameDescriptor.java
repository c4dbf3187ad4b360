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
 * never delivers a frame until it holds all of it; a length outside {@code 0..maxMessageLength} that is not
 * one of the two control values below means the stream is corrupt.
 *
 * <p>Two control frames say who writes and how each writer left, because end of file alone cannot tell a sender
 * that closed from one that was killed. Their length field holds a negative control value and their 4-byte
 * payload the sender's process id:
 *
 * <pre>
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        HELLO = -1 (first) or BYE = -2 (last), int32 LE         |  LENGTH_OFFSET = 0
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 the sender's pid, int32 LE                      |  PAYLOAD_OFFSET = 4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+   CONTROL_FRAME_LENGTH = 8
 * </pre>
 *
 * <ul>
 *   <li>A sender writes {@link #HELLO} before its first message (in the same atomic write when both fit in
 *       PIPE_BUF), and {@link #BYE} when it closes with the stream at a frame boundary. A sender that never sent
 *       a message writes neither.</li>
 *   <li>At end of file (every writer gone) the receiver, having delivered every whole frame, names the way the
 *       writers left: {@code CUT} when bytes of a frame were left over (a sender stopped part-way through a
 *       write, which only a frame larger than PIPE_BUF allows); else {@code DIED} when a sender that said HELLO
 *       never said BYE (its pid is the one named); else {@code CLOSED}.</li>
 *   <li>With {@code producers=many} every sender says HELLO and BYE with its own pid, and the receiver keeps
 *       the pids that said HELLO and not yet BYE: end of file is {@code CLOSED} only when every sender that
 *       wrote said BYE. As all frames are atomic there, a frame is never cut.</li>
 *   <li>A stream whose last frame before end of file is not a BYE is {@code DIED} too (pid unknown): so a
 *       receiver that joined mid-stream (its sender's HELLO went to an earlier receiver) still sees a death, and a
 *       writer that is no ipckit sender (it never says BYE) counts as died. A stream that carried nothing is
 *       {@code CLOSED}.</li>
 * </ul>
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
    /** Control value of the length field: the sender announces itself; the payload is its pid. */
    public static final int HELLO = -1;
    /** Control value of the length field: the sender closed with the stream at a frame boundary; payload, its pid. */
    public static final int BYE = -2;
    /** Bytes of a control frame: the header and a 4-byte pid. */
    public static final int CONTROL_FRAME_LENGTH = HEADER_LENGTH + 4;
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
     * @param length the value of a length field.
     * @return whether it marks a control frame ({@link #HELLO} or {@link #BYE}).
     */
    public static boolean isControl(final int length) {
        return length == HELLO || length == BYE;
    }

    /**
     * @param payloadLength bytes of payload.
     * @return whether the frame goes out in one atomic write.
     */
    public static boolean isAtomic(final int payloadLength) {
        return payloadLength <= MAX_ATOMIC_PAYLOAD_LENGTH;
    }
}
