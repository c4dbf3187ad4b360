package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exact states a sender or receiver killed mid-operation leaves in an Agrona ring, built by hand, and what
 * {@link RingRepair} makes of them: committed messages delivered in order, nothing unfinished or stale.
 */
class RingRepairTest {
    private static final int CAPACITY = 1024;
    private static final int TYPE = RingFileDescriptor.typeId(0, 1);

    @TempDir
    Path dir;

    private RingFile file;

    private RingFile open(final String options) {
        file = RingFile.open(MmapOptions.parse("mmap:" + dir.resolve("ring") + "?capacity=1k&format=agrona&"
            + options));
        file.unlockOpen();
        return file;
    }

    @AfterEach
    void closeFile() {
        if (file != null) {
            file.close();
        }
    }

    private long tail() {
        return file.ring.getLongVolatile(CAPACITY + RingBufferDescriptor.TAIL_POSITION_OFFSET);
    }

    private void setTail(final long tail) {
        file.ring.putLongRelease(CAPACITY + RingBufferDescriptor.TAIL_POSITION_OFFSET, tail);
    }

    private void setClaimFrom(final long position) {
        file.header.putLongRelease(RingFileDescriptor.slotOffset(0) + RingFileDescriptor.SLOT_CLAIM_FROM, position);
    }

    private static void write(final RingBuffer ring, final int value, final int length) {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[length]);
        message.putInt(0, value);
        assertTrue(ring.write(TYPE, message, 0, length));
    }

    /**
     * Reads until the ring is empty, returning the first int of each message.
     */
    private List<Integer> readAll(final RingBuffer ring) {
        final List<Integer> got = new ArrayList<>();
        for (int i = 0; i < 100 && ring.consumerPosition() != ring.producerPosition(); i++) {
            ring.read((type, buffer, index, length) -> got.add(buffer.getInt(index)));
        }
        assertEquals(ring.producerPosition(), ring.consumerPosition(), "the reader reached the tail");
        return got;
    }

    /**
     * Lap one leaves a committed 108-byte record's header at index 0; a sender then dies in claimCapacity after
     * moving the tail past the end (padding) and a new record, before writing the padding or zeroing index 0.
     */
    private OneToOneRingBuffer oneToOneDeadAtTheWrap() {
        final OneToOneRingBuffer ring = new OneToOneRingBuffer(open("producers=one").ring);
        for (int i = 0; i < 8; i++) {
            write(ring, i, 100); // records of 112 bytes: lap one ends at 896
        }
        assertEquals(8, readAll(ring).size());
        assertEquals(108, file.ring.getInt(0), "index 0 still holds lap one's header");
        final long claimFrom = tail();
        setClaimFrom(claimFrom);
        setTail(claimFrom + (CAPACITY - 896) + 208);
        return ring;
    }

    @Test
    void shouldNeverDeliverAStaleHeaderLeftAtTheWrapByAOneToOneSenderThatDied() {
        final OneToOneRingBuffer ring = oneToOneDeadAtTheWrap();
        RingRepair.sealAbandoned(file);
        assertEquals(List.of(), readAll(ring), "lap one's message at index 0 must not come back");
        write(ring, 42, 16);
        assertEquals(List.of(42), readAll(ring), "the ring flows after the repair");
    }

    @Test
    void shouldPadAOneToOneRecordWhosePaddingWasWrittenButNotItsBody() {
        final OneToOneRingBuffer ring = oneToOneDeadAtTheWrap();
        // the sender got further: index 0 zeroed, padding written, the record's negative length stored
        file.ring.putLong(0, 0L);
        file.ring.putInt(896 + 4, RingBuffer.PADDING_MSG_TYPE_ID);
        file.ring.putInt(896, CAPACITY - 896);
        file.ring.putInt(0, -208);
        RingRepair.sealAbandoned(file);
        assertEquals(List.of(), readAll(ring));
    }

    @Test
    void shouldPadAnOpenOneToOneClaimBeforeTheClaimInProgressAndKeepCommittedRecords() {
        final OneToOneRingBuffer ring = new OneToOneRingBuffer(open("producers=one").ring);
        write(ring, 1, 8);
        final int open = ring.tryClaim(TYPE, 8); // a zero-copy claim never committed
        assertTrue(open > 0);
        setClaimFrom(tail());
        write(ring, 3, 8); // committed after it
        RingRepair.sealAbandoned(file);
        assertEquals(List.of(1, 3), readAll(ring));
    }

    @Test
    void shouldSettleZeroAndNegativeClaimsOfDeadManyToOneSendersAndKeepTheRest() {
        final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(open("producers=many").ring);
        write(ring, 1, 8);
        assertTrue(ring.tryClaim(TYPE, 20) > 0); // claimed, stamped, never committed
        write(ring, 3, 8);
        setTail(tail() + 64); // claimed by a CAS, nothing written: zeros
        write(ring, 4, 8);
        RingRepair.sealAbandoned(file);
        assertEquals(List.of(1, 3, 4), readAll(ring));
    }

    @Test
    void shouldFinishTheCleanupOfAManyToOneReceiverKilledWhileZeroing() {
        final ManyToOneRingBuffer ring = new ManyToOneRingBuffer(open("producers=many").ring);
        write(ring, 1, 8);
        write(ring, 2, 8);
        write(ring, 3, 8);
        // the receiver delivered 1 and 2, recorded where the batch ends, zeroed one header and was killed
        file.header.putLongRelease(RingFileDescriptor.CONSUMED_TO_OFFSET, 32);
        file.ring.putLong(0, 0L);
        RingRepair.completeConsumerCleanup(file);
        assertEquals(32, ring.consumerPosition());
        assertEquals(List.of(3), readAll(ring), "1 and 2 were delivered once; 3 is next");
    }
}
