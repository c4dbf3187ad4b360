package dev.ipckit.bench;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import dev.ipckit.Channels;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;

/**
 * The producer of a throughput row, run in its own JVM by {@link StreamBench}: it sends messages as fast as the
 * channel takes them, each carrying its sequence number (from 0, never reset) in its first 8 bytes, at the length
 * last received on its control pipe.
 *
 * <pre>
 * StreamSource KIND TARGET ERROR_FILE        control: pipe:fd=3, one 4-byte length per message (0 = none yet)
 *   KIND ipckit   TARGET a sender's URI (e.g. mmap:/dev/shm/...?wait=spin, or pipe:fd=4?...)
 *   KIND agrona   TARGET a file holding one Agrona OneToOneRingBuffer of {@link #AGRONA_RING_LENGTH} bytes
 *   KIND aeron    TARGET an Aeron directory; publishes on {@link #AERON_CHANNEL} stream {@link #AERON_STREAM}
 * </pre>
 *
 * It exits 0 when the measuring process closes the control pipe or its end of the channel, and 1 after a
 * failure, whose sentence goes to standard error and to ERROR_FILE. The measuring process stops it (SIGSTOP)
 * between its segments.
 */
public final class StreamSource {
    /** The longest message. */
    static final int MAX_LENGTH = 64 * 1024;
    /** The ring capacity of the agrona/raw row: 1 MiB, as the other rows' channels. */
    static final int AGRONA_CAPACITY = 1 << 20;
    /** The agrona/raw file's length: the ring and its trailer. */
    static final int AGRONA_RING_LENGTH = AGRONA_CAPACITY
        + org.agrona.concurrent.ringbuffer.RingBufferDescriptor.TRAILER_LENGTH;
    /** The aeron/ipc row's channel: 1 MiB terms. */
    static final String AERON_CHANNEL = "aeron:ipc?term-length=1m";
    /** The aeron/ipc row's stream. */
    static final int AERON_STREAM = 1003;
    /** Agrona's message type for a message of the agrona/raw row. */
    static final int AGRONA_TYPE = 1;
    private static final Duration OFFER_SLICE = Duration.ofMillis(100);
    private static final int CHECK_MASK = (1 << 16) - 1;

    private static volatile int length;
    private static volatile boolean done;

    private StreamSource() {
    }

    /**
     * @param args KIND TARGET ERROR_FILE.
     */
    public static void main(final String[] args) {
        if (args.length != 3) {
            System.err.println("usage: StreamSource ipckit|agrona|aeron TARGET ERROR_FILE");
            System.exit(2);
        }
        try {
            final Receiver control = Channels.openReceiver("pipe:fd=" + dev.ipckit.fifo.ChildProcess.FIRST_PIPE_FD);
            final Thread listener = new Thread(() -> listen(control), "stream-source-control");
            listener.setDaemon(true);
            listener.start();
            final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_LENGTH));
            message.setMemory(0, MAX_LENGTH, (byte) 'x');
            switch (args[0]) {
                case "ipckit" -> ipckit(args[1], message);
                case "agrona" -> agrona(args[1], message);
                case "aeron" -> aeron(args[1], message);
                default -> throw new IllegalArgumentException("KIND=" + args[0] + " is not ipckit, agrona or aeron");
            }
        } catch (final RuntimeException e) {
            final String sentence = "stream source: " + (e.getMessage() == null ? e.toString() : e.getMessage());
            System.err.println(sentence);
            try {
                Files.writeString(Path.of(args[2]), sentence + System.lineSeparator(), StandardCharsets.UTF_8);
            } catch (final IOException io) {
                System.err.println("stream source: cannot write " + args[2] + ": " + io.getMessage());
            }
            System.exit(1);
        }
        System.exit(0);
    }

    private static void listen(final Receiver control) {
        try (control) {
            while (!done) {
                control.poll((buffer, offset, size) -> length = buffer.getInt(offset), 1, Duration.ofSeconds(1));
            }
        } catch (final PeerGoneException gone) {
            done = true;
        } catch (final RuntimeException e) {
            System.err.println("stream source: the control pipe failed: " + e.getMessage());
            done = true;
        }
    }

    /** Waits for the first length; false when the measuring process went first. */
    private static boolean awaitLength() {
        while (length == 0) {
            if (done) {
                return false;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        return true;
    }

    private static void ipckit(final String uri, final UnsafeBuffer message) {
        try (Sender sender = Channels.openSender(uri)) {
            if (!awaitLength()) {
                return;
            }
            long sequence = 0;
            while (!done) {
                message.putLong(0, sequence);
                if (sender.offer(message, 0, length, OFFER_SLICE)) {
                    sequence++;
                }
            }
        } catch (final PeerGoneException gone) {
            done = true;
        }
    }

    private static void agrona(final String file, final UnsafeBuffer message) {
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(new File(file), "agrona/raw ring");
        try {
            final RingBuffer ring = new OneToOneRingBuffer(new UnsafeBuffer(mapped, 0, AGRONA_RING_LENGTH));
            if (!awaitLength()) {
                return;
            }
            long sequence = 0;
            long spins = 0;
            while (!done) {
                message.putLong(0, sequence);
                if (ring.write(AGRONA_TYPE, message, 0, length)) {
                    sequence++;
                } else {
                    Thread.onSpinWait();
                    if ((++spins & CHECK_MASK) == 0 && !new File(file).exists()) {
                        return; // the measuring process removed the file: it is done
                    }
                }
            }
        } finally {
            IoUtil.unmap(mapped);
        }
    }

    private static void aeron(final String directory, final UnsafeBuffer message) {
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory));
             ExclusivePublication publication = aeron.addExclusivePublication(AERON_CHANNEL, AERON_STREAM)) {
            if (!awaitLength()) {
                return;
            }
            long sequence = 0;
            while (!done) {
                message.putLong(0, sequence);
                final long result = publication.offer(message, 0, length);
                if (result > 0) {
                    sequence++;
                } else if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
                    throw new IllegalStateException("the publication failed: " + Publication.errorString(result));
                } else {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
