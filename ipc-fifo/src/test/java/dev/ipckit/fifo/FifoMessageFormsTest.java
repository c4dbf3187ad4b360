package dev.ipckit.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * What the sender does with the caller's memory, whatever backs it (a direct or heap {@link DirectBuffer}, a native or
 * heap {@link MemorySegment}): every form, at an offset inside its buffer, on both sides of PIPE_BUF, arrives byte for
 * byte; a range outside the buffer is refused with nothing written; a frame of at most PIPE_BUF is one atomic write,
 * refused whole on a full pipe and never interleaved with another producer's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FifoMessageFormsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final int[] LENGTHS = {0, 1, 1023, 1024, 4088, 4092, 4093, 4096, 70_000};

    @TempDir
    Path dir;

    private String uri(final String name, final String options) {
        return "fifo:" + dir.resolve(name) + "?nonblock=true" + options;
    }

    private static byte expected(final int seed, final int i) {
        return (byte) (seed * 31 + i * 7 + 3);
    }

    @Test
    void shouldCarryEveryMemoryFormWholeAtEveryLength() throws Exception {
        final int offset = 13; // the payload starts inside the caller's buffer, not at its start
        try (Arena arena = Arena.ofConfined(); Receiver receiver = Channels.openReceiver(uri("forms.fifo", ""));
             Sender sender = Channels.openSender(uri("forms.fifo", ""))) {
            final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(offset + 70_000));
            final UnsafeBuffer heap = new UnsafeBuffer(new byte[offset + 70_000]);
            final MemorySegment nativeSegment = arena.allocate(offset + 70_000);
            final MemorySegment heapSegment = MemorySegment.ofArray(new byte[offset + 70_000]);
            final List<int[]> sent = new CopyOnWriteArrayList<>(); // {seed, length}
            final int count = LENGTHS.length * 4;
            // frames larger than the pipe are finished only while the receiver reads: it reads all along
            final CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> drain(receiver, sent, count));
            int seed = 0;
            for (final int length : LENGTHS) {
                for (int form = 0; form < 4; form++) {
                    seed++;
                    sent.add(new int[] {seed, length});
                    final boolean offered = switch (form) {
                        case 0 -> {
                            fill(direct, offset, length, seed);
                            yield sender.offer(direct, offset, length, DEADLINE);
                        }
                        case 1 -> {
                            fill(heap, offset, length, seed);
                            yield sender.offer(heap, offset, length, DEADLINE);
                        }
                        case 2 -> {
                            fill(nativeSegment, offset, length, seed);
                            yield sender.offer(nativeSegment.asSlice(offset, length), DEADLINE);
                        }
                        default -> {
                            fill(heapSegment, offset, length, seed);
                            yield sender.offer(heapSegment.asSlice(offset, length), DEADLINE);
                        }
                    };
                    assertTrue(offered, "form " + form + ", length " + length);
                }
            }
            drained.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertEquals(count, received);
        }
    }

    private int received;

    /** Receives until {@code count} frames in all have been received, each checked byte for byte. */
    private void drain(final Receiver receiver, final List<int[]> sent, final int count) {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (received < count) {
            assertTrue(System.nanoTime() - deadline < 0, "received " + received + " of " + count + " frames");
            receiver.poll((b, o, l) -> {
                final int[] frame = sent.get(received++);
                assertEquals(frame[1], l, "length of frame " + (received - 1));
                for (int i = 0; i < l; i++) {
                    if (b.getByte(o + i) != expected(frame[0], i)) {
                        throw new AssertionError("frame " + (received - 1) + " of " + l + " bytes differs at " + i);
                    }
                }
            }, 16, Duration.ofMillis(100));
        }
    }

    private static void fill(final UnsafeBuffer buffer, final int offset, final int length, final int seed) {
        buffer.setMemory(0, buffer.capacity(), (byte) 0x55);
        for (int i = 0; i < length; i++) {
            buffer.putByte(offset + i, expected(seed, i));
        }
    }

    private static void fill(final MemorySegment segment, final int offset, final int length, final int seed) {
        segment.fill((byte) 0x55);
        for (int i = 0; i < length; i++) {
            segment.set(java.lang.foreign.ValueLayout.JAVA_BYTE, offset + i, expected(seed, i));
        }
    }

    @Test
    void shouldRefuseARangeOutsideTheDirectBufferAndWriteNothing() {
        try (Receiver receiver = Channels.openReceiver(uri("bounds.fifo", ""));
             Sender sender = Channels.openSender(uri("bounds.fifo", ""))) {
            final DirectBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
            assertThrows(IndexOutOfBoundsException.class, () -> sender.offer(direct, 1025, 1024));
            assertThrows(IndexOutOfBoundsException.class, () -> sender.offer(direct, -1, 1024, DEADLINE));
            assertThrows(IndexOutOfBoundsException.class, () -> sender.offer(
                new UnsafeBuffer(ByteBuffer.allocateDirect(8192)), 4096, 8000));
            final UnsafeBuffer small = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
            fill(small, 0, 2048, 1);
            assertTrue(sender.offer(small, 0, 2048));
            final List<int[]> sent = List.<int[]>of(new int[] {1, 2048});
            drain(receiver, sent, 1);
            assertEquals(0, receiver.poll((b, o, l) -> {
                throw new AssertionError("a refused offer wrote a " + l + "-byte frame");
            }, 10));
        }
    }

    @Test
    void shouldRefuseAWholeAtomicFrameOnAFullPipeAndNeverTearOne() {
        try (Receiver receiver = Channels.openReceiver(uri("full.fifo", "&producers=many"));
             Sender sender = Channels.openSender(uri("full.fifo", "&producers=many"))) {
            final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(4092));
            final List<int[]> sent = new ArrayList<>();
            int seed = 0;
            boolean refused = false;
            // 4096-byte frames in a 64 KiB pipe: whole ones until the pipe is full, then a refusal with nothing out
            for (int i = 0; i < 64 && !refused; i++) {
                seed++;
                final int length = 4092 - (i % 3) * 500; // frames of 4096, 3596 and 3096 bytes leave odd tails
                fill(direct, 0, length, seed);
                if (sender.offer(direct, 0, length)) {
                    sent.add(new int[] {seed, length});
                } else {
                    refused = true;
                }
            }
            assertTrue(refused, "the pipe never filled");
            assertFalse(sender.offer(direct, 0, 4092), "still full");
            drain(receiver, sent, sent.size());
            assertEquals(0, receiver.poll((b, o, l) -> {
                throw new AssertionError("a refused offer wrote a " + l + "-byte frame");
            }, 10));
        }
    }

    @Test
    void shouldKeepFramesOfManyProducersWholeWhenWrittenBesideTheirHeader() throws Exception {
        final String uri = uri("many.fifo", "&producers=many");
        final int producers = 3;
        final int perProducer = 400;
        final List<Sender> senders = new ArrayList<>();
        try (Receiver receiver = Channels.openReceiver(uri)) {
            // all open before any sends, so that the receiver never sees every sender gone before the last opens
            for (int p = 0; p < producers; p++) {
                senders.add(Channels.openSender(uri));
            }
            final List<CompletableFuture<Void>> sending = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                final byte mark = (byte) (p + 1);
                final Sender sender = senders.get(p);
                sending.add(CompletableFuture.runAsync(() -> {
                    final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(4092));
                    message.setMemory(0, 4092, mark);
                    for (int i = 0; i < perProducer; i++) {
                        assertTrue(sender.offer(message, 0, 4092 - i % 7, DEADLINE));
                    }
                }));
            }
            final int[] counts = new int[producers + 1];
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            int total = 0;
            while (total < producers * perProducer) {
                assertTrue(System.nanoTime() - deadline < 0, "received " + total + " frames");
                total += receiver.poll((b, o, l) -> {
                    final byte mark = b.getByte(o);
                    for (int i = 1; i < l; i++) {
                        if (b.getByte(o + i) != mark) {
                            throw new AssertionError("a " + l + "-byte frame of producer " + mark + " holds another's"
                                + " byte " + b.getByte(o + i) + " at " + i);
                        }
                    }
                    counts[mark]++;
                }, 64, Duration.ofMillis(100));
            }
            for (final CompletableFuture<Void> s : sending) {
                s.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            }
            for (int p = 1; p <= producers; p++) {
                assertEquals(perProducer, counts[p], "frames of producer " + p);
            }
        } finally {
            senders.forEach(Sender::close);
        }
    }
}
