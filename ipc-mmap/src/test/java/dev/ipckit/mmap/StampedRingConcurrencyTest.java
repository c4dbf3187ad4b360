package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stamped ring under threads that meet in it (the jcstress-style tier): writers and a reader on a small ring
 * that wraps thousands of times, every message checked byte for byte and in order per writer.
 */
class StampedRingConcurrencyTest {
    private static final int CAPACITY = 4096;
    private static final int MAX_MESSAGE = CAPACITY / 8;
    /** How long a side may make no progress before the test calls it stuck. */
    private static final long STUCK_NS = TimeUnit.SECONDS.toNanos(30);
    /** Empty looks a side spins before it yields its core: the machine may have fewer cores than threads. */
    private static final int SPINS = 100;

    /**
     * Length of message {@code seq} of writer {@code writer}: every length from 0 (from 12 with several writers,
     * whose messages name their writer) to 300, small ones most.
     */
    private static int lengthOf(final int writer, final long seq) {
        final int w = Math.max(0, writer);
        final int n = (int) ((seq * 31 + w * 7) % 64);
        final int length = n < 48 ? n : (int) ((seq * 131 + w) % 300);
        return writer == SINGLE ? length : Math.max(12, length);
    }

    private static final int SINGLE = -1;

    private static void write(final MemorySegment ring, final int offset, final int length, final int writer,
                              final long seq) {
        for (int i = 0; i < length; i++) {
            ring.set(ValueLayout.JAVA_BYTE, offset + i, (byte) (seq * 7 + writer + i));
        }
        if (length >= 12) {
            ring.set(ValueLayout.JAVA_INT_UNALIGNED, offset, writer);
            ring.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + 4, seq);
        }
    }

    private static void run(final int writers, final int perWriter) throws InterruptedException {
        try (Arena arena = Arena.ofShared()) {
            final MemorySegment region = arena.allocate(CAPACITY + StampedRingDescriptor.trailerLength(1), 128);
            final StampedRing ring = new StampedRing(region, CAPACITY, 1, 0x1234567, MAX_MESSAGE, "concurrent-ring");
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                final int writer = w;
                final int shape = writers == 1 ? SINGLE : w;
                final StampedRingWriter out = writers == 1 ? new OneToOneStampedWriter(ring)
                    : new ManyToOneStampedWriter(ring, arena.allocate(RingFileDescriptor.SLOT_LENGTH, 8));
                threads.add(Thread.ofPlatform().name("writer-" + w).start(() -> {
                    try {
                        for (long seq = 0; seq < perWriter; seq++) {
                            final int length = lengthOf(shape, seq);
                            int offset;
                            int idle = 0;
                            final long since = System.nanoTime();
                            while ((offset = out.tryClaim(length)) < 0) {
                                if (failure.get() != null || System.nanoTime() - since > STUCK_NS) {
                                    throw new IllegalStateException("writer " + writer + " stuck at " + seq);
                                }
                                if (++idle < SPINS) {
                                    Thread.onSpinWait();
                                } else {
                                    Thread.yield();
                                }
                            }
                            write(ring.segment(), offset, length, writer, seq);
                            if (seq % 97 == 13) {
                                out.abort(); // aborted claims are skipped: this seq is not expected
                            } else {
                                out.commit();
                            }
                        }
                    } catch (final Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
            }
            final long[] next = new long[writers];
            final StampedRingReader reader = new StampedRingReader(ring, 0);
            final long expected = (long) writers * (perWriter - (perWriter + 83) / 97);
            final long[] got = new long[2];
            final StampedRingReader.Handler handler = (segment, offset, length) -> {
                final int writer;
                final long seq;
                if (length >= 12) {
                    writer = segment.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
                    seq = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + 4);
                } else {
                    writer = 0; // only a single writer sends messages this short
                    seq = skipAborted(next[0]);
                }
                final int shape = writers == 1 ? SINGLE : writer;
                final long want = skipAborted(next[writer]);
                if (seq != want || length != lengthOf(shape, seq)) {
                    throw new AssertionError("writer " + writer + ": got seq " + seq + " length " + length
                        + ", expected seq " + want + " length " + lengthOf(shape, want));
                }
                for (int i = length >= 12 ? 12 : 0; i < length; i++) {
                    if (segment.get(ValueLayout.JAVA_BYTE, offset + i) != (byte) (seq * 7 + writer + i)) {
                        throw new AssertionError("writer " + writer + " seq " + seq + ": byte " + i + " torn");
                    }
                }
                next[writer] = seq + 1;
                got[0]++;
                return true;
            };
            long progress = System.nanoTime();
            int idle = 0;
            while (got[0] < expected && failure.get() == null) {
                if (reader.read(handler, 64) == 0) {
                    if (System.nanoTime() - progress > STUCK_NS) {
                        throw new AssertionError("reader stuck after " + got[0] + " of " + expected);
                    }
                    if (++idle < SPINS) {
                        Thread.onSpinWait();
                    } else {
                        Thread.yield();
                    }
                } else {
                    progress = System.nanoTime();
                    idle = 0;
                }
            }
            for (final Thread thread : threads) {
                thread.join(TimeUnit.NANOSECONDS.toMillis(STUCK_NS));
            }
            assertNull(failure.get(), () -> "writer failed: " + failure.get());
            assertEquals(expected, got[0]);
            assertEquals(0, reader.read(handler, 64), "nothing beyond what was sent");
            assertEquals(ring.lvTail(), reader.position(), "the reader ends at the tail");
        }
    }

    private static long skipAborted(final long seq) {
        return seq % 97 == 13 ? seq + 1 : seq;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldDeliverEveryMessageOfOneWriterIntactAndInOrder() throws InterruptedException {
        run(1, 1_000_000);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldDeliverEveryMessageOfFourWritersIntactAndInOrderPerWriter() throws InterruptedException {
        run(4, 200_000);
    }
}
