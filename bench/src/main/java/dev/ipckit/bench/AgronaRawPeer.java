package dev.ipckit.bench;

import java.io.File;
import java.nio.MappedByteBuffer;

import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The {@code agrona/raw} peer row: what a user gets from Agrona alone, without ipckit. Two
 * {@link OneToOneRingBuffer}s lie in one {@code MAP_SHARED} file in {@code /dev/shm}, mapped by both processes
 * with {@link IoUtil}; both sides busy-spin. This class is the echo process's {@code main}; the measuring side is
 * {@link AgronaRawPingPong}.
 *
 * <pre>
 *   0                                   RING_LENGTH                            2 * RING_LENGTH
 *   +-----------------------------------+--------------------------------------+
 *   | requests: ring buffer (64 KiB)    | replies: ring buffer (64 KiB)        |
 *   |   + RingBufferDescriptor trailer  |   + RingBufferDescriptor trailer     |
 *   +-----------------------------------+--------------------------------------+
 * </pre>
 *
 * Message types: {@link #PING} (echoed unchanged), {@link #READY} (sent once by the echo side when mapped),
 * {@link #STOP} (the echo side exits 0).
 *
 * <pre>
 * AgronaRawPeer FILE PARENT_PID
 * </pre>
 */
public final class AgronaRawPeer {
    /** The capacity of each ring. */
    static final int CAPACITY = 64 * 1024;
    /** The bytes of one ring, trailer included. */
    static final int RING_LENGTH = CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
    /** The length of the file: two rings. */
    static final int FILE_LENGTH = 2 * RING_LENGTH;
    /** A message to echo. */
    static final int PING = 1;
    /** The echo side is mapped and polling. */
    static final int READY = 2;
    /** The echo side should exit. */
    static final int STOP = 3;
    /** Idle spins between two checks that the measuring process still lives. */
    private static final int LIVENESS_MASK = (1 << 22) - 1;

    private AgronaRawPeer() {
    }

    /**
     * @param file the mapped file (at least {@link #FILE_LENGTH} bytes).
     * @return the ring that carries requests to the echo side.
     */
    static RingBuffer requests(final MappedByteBuffer file) {
        return new OneToOneRingBuffer(new UnsafeBuffer(file, 0, RING_LENGTH));
    }

    /**
     * @param file the mapped file.
     * @return the ring that carries replies back.
     */
    static RingBuffer replies(final MappedByteBuffer file) {
        return new OneToOneRingBuffer(new UnsafeBuffer(file, RING_LENGTH, RING_LENGTH));
    }

    /**
     * @param args FILE PARENT_PID.
     */
    public static void main(final String[] args) {
        if (args.length != 2) {
            System.err.println("usage: AgronaRawPeer FILE PARENT_PID");
            System.exit(2);
        }
        final long parent = Long.parseLong(args[1]);
        final MappedByteBuffer file = IoUtil.mapExistingFile(new File(args[0]), "agrona/raw rings");
        try {
            final RingBuffer requests = requests(file);
            final RingBuffer replies = replies(file);
            final boolean[] stop = {false};
            final MessageHandler echo = (final int type, final MutableDirectBuffer buffer, final int index,
                                         final int length) -> {
                if (type == STOP) {
                    stop[0] = true;
                    return;
                }
                while (!replies.write(PING, buffer, index, length)) {
                    Thread.onSpinWait();
                }
            };
            if (!replies.write(READY, new UnsafeBuffer(new byte[8]), 0, 8)) {
                throw new IllegalStateException("the reply ring of " + args[0] + " is full before the first message");
            }
            long idle = 0;
            while (!stop[0]) {
                if (requests.read(echo, 1) == 0) {
                    Thread.onSpinWait();
                    if ((++idle & LIVENESS_MASK) == 0
                        && !ProcessHandle.of(parent).map(ProcessHandle::isAlive).orElse(false)) {
                        System.err.println("agrona/raw echo: the measuring process " + parent + " has gone");
                        System.exit(1);
                    }
                }
            }
        } catch (final RuntimeException e) {
            System.err.println("agrona/raw echo: " + e.getMessage());
            System.exit(1);
        } finally {
            IoUtil.unmap(file);
        }
        System.exit(0);
    }

    /**
     * @param buffer a message.
     * @param index where it starts.
     * @return its sequence number.
     */
    static long sequence(final DirectBuffer buffer, final int index) {
        return buffer.getLong(index);
    }
}
