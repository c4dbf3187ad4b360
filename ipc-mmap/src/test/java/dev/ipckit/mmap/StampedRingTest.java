package dev.ipckit.mmap;

import static dev.ipckit.mmap.StampedRingDescriptor.HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.ipckit.ChannelException;

/**
 * The stamped ring record by record, in the manner of Agrona's {@code OneToOneRingBufferTest}: where each record
 * goes, what is stored in which order, and what a reader makes of every header it can meet.
 */
class StampedRingTest {
    private static final int CAPACITY = 1024;
    private static final int SALT = 0x2545F491;
    private static final int MAX_MESSAGE = CAPACITY / 8;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment region =
        arena.allocate(CAPACITY + StampedRingDescriptor.trailerLength(1), StampedRingDescriptor.LINE_PAIR);
    private final MemorySegment slot = arena.allocate(RingFileDescriptor.SLOT_LENGTH, 8);
    private final StampedRing ring = new StampedRing(region, CAPACITY, 1, SALT, MAX_MESSAGE, "test-ring");

    @AfterEach
    void free() {
        arena.close();
    }

    private long headerAt(final int index) {
        return region.get(ValueLayout.JAVA_LONG, index);
    }

    private static long header(final int frame, final long position) {
        return StampedRingDescriptor.header(frame, StampedRingDescriptor.stamp(position, SALT));
    }

    private static void fill(final MemorySegment ring, final int offset, final int length, final int seed) {
        for (int i = 0; i < length; i++) {
            ring.set(ValueLayout.JAVA_BYTE, offset + i, (byte) (seed + i));
        }
    }

    private static boolean offer(final StampedRingWriter writer, final int length, final int seed) {
        final int offset = writer.tryClaim(length);
        if (offset < 0) {
            return false;
        }
        fill(writer.ring().segment(), offset, length, seed);
        writer.commit();
        return true;
    }

    /** Reads everything waiting, as (offset, length, first byte) triples. */
    private static List<int[]> drain(final StampedRingReader reader) {
        final List<int[]> got = new ArrayList<>();
        reader.read((segment, offset, length) -> {
            got.add(new int[] {offset, length, length == 0 ? -1 : segment.get(ValueLayout.JAVA_BYTE, offset)});
            return true;
        }, Integer.MAX_VALUE);
        return got;
    }

    @Test
    void shouldWriteHeaderWithStampOfPositionOnlyAtCommit() {
        final OneToOneStampedWriter writer = new OneToOneStampedWriter(ring);
        final int offset = writer.tryClaim(32);
        assertEquals(HEADER_LENGTH, offset);
        assertEquals(StampedRingDescriptor.NO_RECORD, headerAt(0), "nothing is published by a claim");
        fill(region, offset, 32, 7);
        writer.commit();
        assertEquals(header(40, 0), headerAt(0));
        assertEquals(StampedRingDescriptor.stamp(0, SALT), region.get(ValueLayout.JAVA_INT, 4));
        assertEquals(40, region.get(ValueLayout.JAVA_INT, 0));
    }

    @Test
    void shouldClearTheNextHeaderBeforePublishing() {
        final OneToOneStampedWriter writer = new OneToOneStampedWriter(ring);
        region.set(ValueLayout.JAVA_LONG, 64, header(40, 64)); // bytes of an earlier lap that look like a record
        final int offset = writer.tryClaim(32);
        assertEquals(StampedRingDescriptor.NO_RECORD, headerAt(64), "cleared at the claim, before the commit");
        fill(region, offset, 32, 1);
        writer.commit();
        final StampedRingReader reader = new StampedRingReader(ring, 0);
        assertEquals(1, drain(reader).size());
        assertEquals(64, reader.position());
    }

    @Test
    void shouldKeepASmallMessageAndItsHeaderInOneLine() {
        final OneToOneStampedWriter writer = new OneToOneStampedWriter(ring);
        final StampedRingReader reader = new StampedRingReader(ring, 0);
        for (int length = 0; length <= 56; length++) {
            final long before = writer.tail();
            final int offset = writer.tryClaim(length);
            assertTrue(offset > 0);
            final int start = offset - HEADER_LENGTH;
            assertEquals(start / 64, (offset + length - 1 + (length == 0 ? 1 : 0)) / 64,
                "length " + length + " at index " + start + " (tail " + before + ")");
            writer.commit();
            assertEquals(1, drain(reader).size());
        }
    }

    @Test
    void shouldTakeOneLinePerMessageOfEqualSmallLength() {
        final OneToOneStampedWriter writer = new OneToOneStampedWriter(ring);
        for (int i = 0; i < 8; i++) {
            assertEquals(64 * i + HEADER_LENGTH, writer.tryClaim(32));
            writer.commit();
        }
        assertEquals(8 * 64, writer.tail());
        final StampedRingReader reader = new StampedRingReader(ring, 0);
        assertEquals(8, drain(reader).size());
        assertEquals(8 * 64, reader.position());
    }

    @Test
    void shouldPackTwoMessagesPerLineWhenTheyFit() {
        final OneToOneStampedWriter writer = new OneToOneStampedWriter(ring);
        assertEquals(8, writer.tryClaim(24));
        writer.commit();
        assertEquals(40, writer.tryClaim(24));
        writer.commit();
        assertEquals(64, writer.tail());
    }

    @Test
    void shouldPadToTheLineEndBeforeASmallRecordThatWouldStraddle() {
        final OneToOneStampedWriter writer = new OneToOneStampedWriter(ring);
        assertEquals(8, writer.tryClaim(8)); // 16 bytes at 0
        writer.commit();
        assertEquals(16, writer.tail());
        final int offset = writer.tryClaim(56); // 64 bytes: cannot start at 16
        assertEquals(64 + HEADER_LENGTH, offset);
        writer.commit();
        assertEquals(header(-48, 16), headerAt(16), "padding to the end of the line");
        assertEquals(header(64, 64), headerAt(64));
        final StampedRingReader reader = new StampedRingReader(ring, 0);
        final List<int[]> got = drain(reader);
        assertEquals(2, got.size());
        assertEquals(64 + HEADER_LENGTH, got.get(1)[0]);
    }

    @Test
    void shouldPublishTheRecordBeforeThePaddingInFrontOfIt() {
        final OneToOneStampedWriter writer = new OneToOneStampedWriter(ring);
        writer.tryClaim(8);
        writer.commit();
        writer.tryClaim(56);
        // a reader between the two stores must not pass the padding to a record not yet there
        assertEquals(StampedRingDescriptor.NO_RECORD, headerAt(16), "padding not yet published");
        assertEquals(StampedRingDescriptor.NO_RECORD, headerAt(64), "record not yet published");
        writer.commit();
        assertTrue(ring.isRecordAt(64, headerAt(64)));
        assertTrue(ring.isRecordAt(16, headerAt(16)));
    }

    @Test
    void shouldPadAtTheWrapAndStartAtIndexZero() {
        final OneToOneStampedWriter writer = new OneToOneStampedWriter(ring);
        final StampedRingReader reader = new StampedRingReader(ring, 0);
        for (int i = 0; i < 7; i++) {
            assertTrue(offer(writer, MAX_MESSAGE - HEADER_LENGTH, i)); // 128-byte records
        }
        assertEquals(7, drain(reader).size());
        assertEquals(896, writer.tail());
        assertTrue(offer(writer, 120, 9)); // 128 bytes fit exactly before the end
        assertTrue(offer(writer, 100, 10)); // 112 bytes at index 0 after the wrap
        assertEquals(1024 + 112, writer.tail(), "a record longer than a line takes its aligned length");
        final List<int[]> got = drain(reader);
        assertEquals(2, got.size());
        assertEquals(HEADER_LENGTH, got.get(1)[0], "the message after the wrap starts at index 0");
        assertEquals(10, got.get(1)[2]);
        // a record that does not fit before the end: padding to the end, the record at 0
        final OneToOneStampedWriter again = writer;
        while (again.tail() % CAPACITY < 960) {
            assertTrue(offer(again, 24, 1));
            drain(reader);
        }
        final long tail = again.tail();
        assertTrue(offer(again, 100, 3));
        assertEquals(header(-(CAPACITY - (int) (tail % CAPACITY)), tail), headerAt((int) (tail % CAPACITY)));
        final List<int[]> wrapped = drain(reader);
        assertEquals(1, wrapped.size());
        assertEquals(HEADER_LENGTH, wrapped.get(0)[0]);
    }

    @Test
    void shouldNeverWriteToTheRecordsWhenReading() {
        final OneToOneStampedWriter writer = new OneToOneStampedWriter(ring);
        for (int i = 0; i < 10; i++) {
            assertTrue(offer(writer, i * 7, i));
        }
        final byte[] before = region.asSlice(0, CAPACITY).toArray(ValueLayout.JAVA_BYTE);
        final StampedRingReader reader = new StampedRingReader(ring, 0);
        assertEquals(10, drain(reader).size());
        assertArrayEquals(before, region.asSlice(0, CAPACITY).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(writer.tail(), ring.lvSubscriberPosition(0));
    }

    @Test
    void shouldPublishThePositionOncePerBatchAfterTheHandler() {
        final OneToOneStampedWriter writer = new OneToOneStampedWriter(ring);
        for (int i = 0; i < 4; i++) {
            assertTrue(offer(writer, 8, i));
        }
        final StampedRingReader reader = new StampedRingReader(ring, 0);
        final List<Long> seen = new ArrayList<>();
        assertEquals(3, reader.read((segment, offset, length) -> {
            seen.add(ring.lvSubscriberPosition(0));
            return true;
        }, 3));
        assertEquals(List.of(0L, 0L, 0L), seen, "the position is not published per message");
        assertEquals(3 * 16, ring.lvSubscriberPosition(0));
    }

    @Test
    void shouldStopABatchWhenTheHandlerAsks() {
        final OneToOneStampedWriter writer = new OneToOneStampedWriter(ring);
        for (int i = 0; i < 4; i++) {
            assertTrue(offer(writer, 8, i));
        }
        final StampedRingReader reader = new StampedRingReader(ring, 0);
        assertEquals(1, reader.read((segment, offset, length) -> false, 10));
        assertEquals(16, reader.position());
    }

    @Test
    void shouldCountTheMessageWhoseHandlerThrowsAsRead() {
        final OneToOneStampedWriter writer = new OneToOneStampedWriter(ring);
        assertTrue(offer(writer, 8, 1));
        assertTrue(offer(writer, 8, 2));
        final StampedRingReader reader = new StampedRingReader(ring, 0);
        assertThrows(IllegalStateException.class, () -> reader.read((segment, offset, length) -> {
            throw new IllegalStateException("handler");
        }, 10));
        assertEquals(16, ring.lvSubscriberPosition(0));
        assertEquals(1, drain(reader).size());
    }

    @Test
    void shouldReportFullAndReadTheSubscriberPositionOnlyWhenTheCacheSaysFull() {
        final OneToOneStampedWriter writer = new OneToOneStampedWriter(ring);
        int sent = 0;
        while (offer(writer, 56, sent)) {
            sent++;
        }
        assertEquals((CAPACITY - HEADER_LENGTH) / 64, sent, "one 64-byte line each, one header kept free");
        final StampedRingReader reader = new StampedRingReader(ring, 0);
        assertEquals(1, reader.read((segment, offset, length) -> true, 1));
        assertTrue(offer(writer, 56, 99), "room again once the position was published");
        assertFalse(offer(writer, 56, 100));
    }

    @Test
    void shouldNotReadThePositionsWhileTheCachedLimitLeavesRoom() {
        final OneToOneStampedWriter writer = new OneToOneStampedWriter(ring);
        ring.soSubscriberPosition(0, -CAPACITY); // a position the writer would refuse everything for
        for (int i = 0; i < 10; i++) {
            assertTrue(offer(writer, 8, i), "message " + i + " was refused: the writer read the position");
        }
    }

    @Test
    void shouldIgnoreARecordOfAnEarlierLap() {
        region.set(ValueLayout.JAVA_LONG, 0, header(16, -CAPACITY)); // the stamp of position -1024, same index
        final StampedRingReader reader = new StampedRingReader(ring, 0);
        assertEquals(0, drain(reader).size());
        assertFalse(reader.isReadable());
        region.set(ValueLayout.JAVA_LONG, 0, header(16, 0));
        assertTrue(reader.isReadable());
        assertEquals(1, drain(reader).size());
    }

    @Test
    void shouldTurnAnAbortedClaimIntoPadding() {
        final OneToOneStampedWriter writer = new OneToOneStampedWriter(ring);
        writer.tryClaim(32);
        writer.abort();
        assertTrue(offer(writer, 8, 5));
        final List<int[]> got = drain(new StampedRingReader(ring, 0));
        assertEquals(1, got.size());
        assertEquals(5, got.get(0)[2]);
    }

    @Test
    void shouldResumeAfterTheLastPublishedRecordOverADeadSendersClaim() {
        final OneToOneStampedWriter dead = new OneToOneStampedWriter(ring);
        assertTrue(offer(dead, 8, 1));
        assertTrue(offer(dead, 8, 2));
        final int offset = dead.tryClaim(40); // claimed, payload written, never committed
        fill(region, offset, 40, 3);
        final OneToOneStampedWriter next = new OneToOneStampedWriter(ring);
        assertEquals(32, next.tail());
        assertTrue(offer(next, 8, 4));
        final List<int[]> got = drain(new StampedRingReader(ring, 0));
        assertEquals(3, got.size());
        assertEquals(4, got.get(2)[2]);
    }

    @Test
    void shouldAnnounceAClaimInTheSlotBeforeTakingIt() {
        final ManyToOneStampedWriter writer = new ManyToOneStampedWriter(ring, slot);
        slot.set(ValueLayout.JAVA_LONG, StampedRingDescriptor.CLAIM_POSITION_OFFSET, -1);
        writer.tryClaim(32);
        writer.commit();
        final int offset = writer.tryClaim(32) - 64;
        assertEquals(HEADER_LENGTH, offset);
        assertEquals(64, slot.get(ValueLayout.JAVA_LONG, StampedRingDescriptor.CLAIM_POSITION_OFFSET));
        assertEquals(64, slot.get(ValueLayout.JAVA_INT, StampedRingDescriptor.CLAIM_STEP_OFFSET));
        assertEquals(40, slot.get(ValueLayout.JAVA_INT, StampedRingDescriptor.CLAIM_FRAME_OFFSET));
        assertEquals(128, ring.lvTail());
        writer.commit();
        assertEquals(header(40, 64), headerAt(64));
    }

    @Test
    void shouldSealADeadSendersClaimSoLaterRecordsFlow() {
        final ManyToOneStampedWriter dead = new ManyToOneStampedWriter(ring, slot);
        final MemorySegment otherSlot = arena.allocate(RingFileDescriptor.SLOT_LENGTH, 8);
        final ManyToOneStampedWriter live = new ManyToOneStampedWriter(ring, otherSlot);
        assertTrue(offer(live, 8, 1));
        dead.tryClaim(20); // never committed
        assertTrue(offer(live, 8, 3));
        final StampedRingReader reader = new StampedRingReader(ring, 0);
        assertEquals(1, drain(reader).size(), "the dead claim blocks the reader");
        final long blocked = reader.position();
        assertEquals(blocked, slot.get(ValueLayout.JAVA_LONG, StampedRingDescriptor.CLAIM_POSITION_OFFSET));
        ring.sealClaim(blocked, slot.get(ValueLayout.JAVA_INT, StampedRingDescriptor.CLAIM_STEP_OFFSET));
        final List<int[]> got = drain(reader);
        assertEquals(1, got.size());
        assertEquals(3, got.get(0)[2]);
        assertEquals(ring.lvTail(), reader.position());
    }

    @Test
    void shouldClearTheHeaderAfterASealedClaimUnlessARecordIsThere() {
        final ManyToOneStampedWriter dead = new ManyToOneStampedWriter(ring, slot);
        dead.tryClaim(20); // 32 bytes at 0 rounded to a line: the next header, at 64, was cleared by the claim
        region.set(ValueLayout.JAVA_LONG, 64, header(24, 64 - CAPACITY)); // as if left there by an earlier lap
        ring.sealClaim(0, 64);
        assertEquals(StampedRingDescriptor.NO_RECORD, headerAt(64));
        assertEquals(header(-64, 0), headerAt(0));
    }

    @Test
    void shouldRefuseStampedHeadersNoWriterMakes() {
        final long[] bad = {
            header(HEADER_LENGTH + MAX_MESSAGE + 1, 0), // longer than maxMessage
            header(4, 0), // shorter than a header
            header(-12, 0), // padding not aligned
            header(-4, 0), // padding shorter than a header
            header(Integer.MIN_VALUE, 0),
            header(-(CAPACITY + 8), 0), // padding past the end
        };
        for (final long value : bad) {
            region.set(ValueLayout.JAVA_LONG, 0, value);
            final StampedRingReader reader = new StampedRingReader(ring, 0);
            final ChannelException e = assertThrows(ChannelException.class, () -> drain(reader),
                "header 0x" + Long.toHexString(value));
            assertTrue(e.getMessage().contains("test-ring is corrupt"), e.getMessage());
        }
    }

    @Test
    void shouldRefuseAMessageThatRunsPastTheEndOfTheRing() {
        final long position = CAPACITY - 16;
        region.set(ValueLayout.JAVA_LONG, CAPACITY - 16, header(64, position));
        ring.soSubscriberPosition(0, position);
        final StampedRingReader reader = new StampedRingReader(ring, 0);
        assertThrows(ChannelException.class, () -> drain(reader));
    }

    @Test
    void shouldStayInsideTheRingWhateverTheMemoryHolds() {
        final java.util.Random random = new java.util.Random(42);
        for (int round = 0; round < 2000; round++) {
            for (int i = 0; i < CAPACITY; i += 8) {
                final long position = i + (long) CAPACITY * random.nextInt(3);
                final int frame = switch (random.nextInt(4)) {
                    case 0 -> random.nextInt();
                    case 1 -> random.nextInt(2 * MAX_MESSAGE) - MAX_MESSAGE;
                    case 2 -> -8 * random.nextInt(CAPACITY / 4);
                    default -> 8 + random.nextInt(MAX_MESSAGE);
                };
                region.set(ValueLayout.JAVA_LONG, i,
                    random.nextBoolean() ? header(frame, position) : random.nextLong());
            }
            ring.soSubscriberPosition(0, 8L * random.nextInt(CAPACITY / 8));
            final StampedRingReader reader = new StampedRingReader(ring, 0);
            try {
                reader.read((segment, offset, length) -> {
                    assertTrue(offset >= HEADER_LENGTH && offset + length <= CAPACITY && length <= MAX_MESSAGE);
                    return true;
                }, 1000);
            } catch (final ChannelException expected) {
                assertTrue(expected.getMessage().contains("is corrupt"), expected.getMessage());
            }
        }
    }
}
