package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * The two ring formats: ipckit's own by default, Agrona's with {@code format=agrona}; the header names the format;
 * an end that asks for the other one is refused with both; and the {@code MemorySegment} forms served natively on
 * both, zero-copy.
 */
class MmapFormatTest {
    @TempDir
    Path dir;

    private static byte[] header(final Path path) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "r")) {
            final byte[] bytes = new byte[128];
            file.readFully(bytes);
            return bytes;
        }
    }

    private static String asciiAt(final byte[] bytes, final int offset) {
        int end = offset;
        while (bytes[end] != 0) {
            end++;
        }
        return new String(bytes, offset, end - offset, java.nio.charset.StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "&format=ipckit", "&format=agrona"})
    void shouldNameTheFormatInTheHeaderAndInStat(final String option) throws IOException {
        final Path path = dir.resolve("named");
        final String expected = option.contains("agrona") ? "agrona" : "ipckit";
        try (Sender sender = Channels.openSender("mmap:" + path + "?capacity=4k" + option)) {
            final ByteBuffer header = ByteBuffer.wrap(header(path)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(RingFormat.named(expected).code(), header.getInt(RingFileDescriptor.FORMAT_OFFSET));
            assertEquals(expected, asciiAt(header.array(), RingFileDescriptor.FORMAT_NAME_OFFSET));
            assertEquals(RingFileDescriptor.LAYOUT_VERSION, header.getInt(RingFileDescriptor.VERSION_OFFSET));
            try (RingFileInspector inspector = RingFileInspector.open(path.toString())) {
                assertEquals(expected, inspector.stat().format());
                assertTrue(inspector.stat().toString().contains("format " + expected), inspector.stat().toString());
            }
        }
    }

    @Test
    void shouldRefuseTheOtherFormatWithASentenceNamingBoth() {
        final Path ours = dir.resolve("ours");
        final Path agronas = dir.resolve("agronas");
        try (Sender a = Channels.openSender("mmap:" + ours + "?capacity=4k");
             Sender b = Channels.openSender("mmap:" + agronas + "?capacity=4k&format=agrona")) {
            final ChannelException first = assertThrows(ChannelException.class,
                () -> Channels.openReceiver("mmap:" + ours + "?format=agrona"));
            assertTrue(first.getMessage().contains("format app=agrona file=ipckit")
                && first.getMessage().contains(ours.toString()), first.getMessage());
            final ChannelException second = assertThrows(ChannelException.class,
                () -> Channels.openReceiver("mmap:" + agronas + "?format=ipckit"));
            assertTrue(second.getMessage().contains("format app=ipckit file=agrona"), second.getMessage());
        }
    }

    @Test
    void shouldAdoptTheFilesFormatWhenNoneIsGiven() {
        final String uri = "mmap:" + dir.resolve("adopted");
        try (Sender sender = Channels.openSender(uri + "?capacity=4k&format=agrona");
             Receiver receiver = Channels.openReceiver(uri)) {
            assertTrue(sender.offer(new byte[] {1, 2, 3}));
            final List<Byte> got = new ArrayList<>();
            assertEquals(1, receiver.poll((buffer, offset, length) -> got.add(buffer.getByte(offset + 2)), 10));
            assertEquals(List.of((byte) 3), got);
        }
    }

    @Test
    void shouldRefuseAnUnknownFormat() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Channels.openSender("mmap:" + dir.resolve("unknown") + "?format=aeron"));
        assertTrue(e.getMessage().contains("format=aeron"), e.getMessage());
    }

    /**
     * format=agrona stays Agrona's: a plain Agrona ring over the ring region of the file reads what an ipckit
     * sender wrote, one-to-one and many-to-one.
     */
    @ParameterizedTest
    @ValueSource(strings = {"one", "many"})
    void shouldWriteRecordsAPlainAgronaRingReads(final String producers) throws IOException {
        final Path path = dir.resolve("agrona-" + producers);
        final int capacity = 4096;
        try (Sender sender = Channels.openSender("mmap:" + path + "?capacity=4k&format=agrona&producers=" + producers);
             FileChannel channel = FileChannel.open(path, java.nio.file.StandardOpenOption.READ,
                 java.nio.file.StandardOpenOption.WRITE)) {
            for (int i = 0; i < 5; i++) {
                final UnsafeBuffer message = new UnsafeBuffer(new byte[12]);
                message.putInt(0, 100 + i);
                assertTrue(sender.offer(message, 0, 12));
            }
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, RingFileDescriptor.RING_OFFSET,
                capacity + RingBufferDescriptor.TRAILER_LENGTH);
            final UnsafeBuffer region = new UnsafeBuffer(mapped);
            final RingBuffer agrona = producers.equals("one") ? new OneToOneRingBuffer(region)
                : new ManyToOneRingBuffer(region);
            final List<Integer> got = new ArrayList<>();
            agrona.read((type, buffer, index, length) -> got.add(buffer.getInt(index)));
            assertEquals(List.of(100, 101, 102, 103, 104), got);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ipckit", "agrona"})
    void shouldHandSegmentsAsReadOnlySlicesOfTheMapping(final String format) {
        final String uri = "mmap:" + dir.resolve("zero-copy-" + format) + "?capacity=4k&format=" + format;
        try (MmapSender sender = (MmapSender) Channels.openSender(uri);
             MmapReceiver receiver = (MmapReceiver) Channels.openReceiver(uri);
             Arena arena = Arena.ofConfined()) {
            final MemorySegment message = arena.allocate(24, 8);
            for (int i = 0; i < 3; i++) {
                message.set(ValueLayout.JAVA_LONG, 0, i);
                message.set(ValueLayout.JAVA_LONG, 16, ~i);
                assertTrue(sender.offer(message));
            }
            final MemorySegment ring = receiver.segment();
            final List<Long> got = new ArrayList<>();
            assertEquals(3, receiver.poll(segment -> {
                assertTrue(segment.isReadOnly() && segment.isNative());
                assertEquals(24, segment.byteSize());
                assertTrue(segment.address() >= ring.address()
                    && segment.address() + segment.byteSize() <= ring.address() + ring.byteSize(),
                    "the message is the receiver's mapping itself");
                assertEquals(~segment.get(ValueLayout.JAVA_LONG_UNALIGNED, 0),
                    segment.get(ValueLayout.JAVA_LONG_UNALIGNED, 16));
                got.add(segment.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
            }, 10));
            assertEquals(List.of(0L, 1L, 2L), got);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ipckit", "agrona"})
    void shouldWriteAClaimInPlaceThroughTheSegment(final String format) {
        final String uri = "mmap:" + dir.resolve("claim-" + format) + "?capacity=4k&format=" + format;
        try (MmapSender sender = (MmapSender) Channels.openSender(uri);
             Receiver receiver = Channels.openReceiver(uri)) {
            final int index = sender.tryClaim(8);
            sender.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, index, 0x1234_5678_9ABCL);
            sender.commit(index);
            final long[] got = new long[1];
            assertEquals(1, receiver.poll(segment -> got[0] = segment.get(ValueLayout.JAVA_LONG_UNALIGNED, 0), 10));
            assertEquals(0x1234_5678_9ABCL, got[0]);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ipckit", "agrona"})
    void shouldRefuseASegmentLongerThanMaxMessageAndWriteNothing(final String format) {
        final String uri = "mmap:" + dir.resolve("long-" + format) + "?capacity=4k&maxMessage=64&format=" + format;
        try (Sender sender = Channels.openSender(uri); Receiver receiver = Channels.openReceiver(uri);
             Arena arena = Arena.ofConfined()) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sender.offer(arena.allocate(65)));
            assertTrue(e.getMessage().contains("length=65") && e.getMessage().contains("maxMessageLength=64"),
                e.getMessage());
            assertEquals(0, receiver.poll(segment -> { }, 10));
            assertTrue(sender.offer(MemorySegment.ofArray(new byte[] {7, 8, 9})), "a heap segment is fine too");
            final byte[][] got = new byte[1][];
            assertEquals(1, receiver.poll(segment -> got[0] = segment.toArray(ValueLayout.JAVA_BYTE), 10));
            assertArrayEquals(new byte[] {7, 8, 9}, got[0]);
            assertFalse(receiver.isClosed());
        }
    }
}
