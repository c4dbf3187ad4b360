package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link StampedRingRepair} makes of the claims senders of a producers=many ring leave behind: a dead
 * sender's claim becomes padding and the records after it flow; a live sender's claim is never touched, however
 * long it stays open.
 */
class StampedRingRepairTest {
    private static final int CAPACITY = 1024;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment region =
        arena.allocate(CAPACITY + StampedRingDescriptor.trailerLength(1), StampedRingDescriptor.LINE_PAIR);
    private final SharedSegment header =
        new SharedSegment(arena.allocate(RingFileDescriptor.HEADER_LENGTH, StampedRingDescriptor.LINE_PAIR));
    private final StampedRing ring = new StampedRing(region, CAPACITY, 1, 77, CAPACITY / 8, "repair-ring");
    private final Set<Integer> live = new HashSet<>();

    @AfterEach
    void free() {
        arena.close();
    }

    private ManyToOneStampedWriter writer(final int slot) {
        live.add(slot);
        return new ManyToOneStampedWriter(ring, header.segment().asSlice(RingFileDescriptor.slotOffset(slot),
            RingFileDescriptor.SLOT_LENGTH));
    }

    private static void offer(final StampedRingWriter writer, final int value) {
        final int offset = writer.tryClaim(8);
        assertTrue(offset > 0);
        writer.ring().segment().set(ValueLayout.JAVA_LONG_UNALIGNED, offset, value);
        writer.commit();
    }

    private List<Long> drain(final StampedRingReader reader) {
        final List<Long> got = new ArrayList<>();
        reader.read((segment, offset, length) -> got.add(segment.get(ValueLayout.JAVA_LONG_UNALIGNED, offset)) , 100);
        return got;
    }

    @Test
    void shouldSealTheClaimOfADeadSender() {
        final ManyToOneStampedWriter a = writer(0);
        final ManyToOneStampedWriter b = writer(1);
        offer(a, 1);
        b.tryClaim(30); // b dies inside its claim
        offer(a, 3);
        final StampedRingReader reader = new StampedRingReader(ring, 0);
        assertEquals(List.of(1L), drain(reader));
        assertFalse(StampedRingRepair.sealIfAbandoned(ring, header, live::contains, reader.position()),
            "b's lock is still held");
        live.remove(1);
        assertTrue(StampedRingRepair.sealIfAbandoned(ring, header, live::contains, reader.position()));
        assertEquals(List.of(3L), drain(reader));
        assertEquals(ring.lvTail(), reader.position());
    }

    @Test
    void shouldNeverSealALiveStalledSendersClaim() {
        final ManyToOneStampedWriter a = writer(0);
        final ManyToOneStampedWriter stalled = writer(1);
        final int offset = stalled.tryClaim(8);
        offer(a, 2);
        final StampedRingReader reader = new StampedRingReader(ring, 0);
        for (int i = 0; i < 1000; i++) {
            assertFalse(StampedRingRepair.sealIfAbandoned(ring, header, live::contains, reader.position()));
            assertEquals(List.of(), drain(reader));
        }
        ring.segment().set(ValueLayout.JAVA_LONG_UNALIGNED, offset, 1L);
        stalled.commit();
        assertEquals(List.of(1L, 2L), drain(reader));
    }

    @Test
    void shouldKeepAClaimWhileALiveSenderAnnouncesItsPosition() {
        final ManyToOneStampedWriter dead = writer(0);
        dead.tryClaim(8);
        live.remove(0);
        // a live sender that read the same tail announced it too and has not yet lost its CAS
        header.putLongRelease(RingFileDescriptor.slotOffset(1) + StampedRingDescriptor.CLAIM_POSITION_OFFSET, 0);
        header.putInt(RingFileDescriptor.slotOffset(1) + StampedRingDescriptor.CLAIM_STEP_OFFSET, 64);
        header.putInt(RingFileDescriptor.slotOffset(1) + StampedRingDescriptor.CLAIM_FRAME_OFFSET, 40);
        live.add(1);
        assertFalse(StampedRingRepair.sealIfAbandoned(ring, header, live::contains, 0));
        live.remove(1);
        assertTrue(StampedRingRepair.sealIfAbandoned(ring, header, live::contains, 0), "the consistent claim wins");
        assertEquals(StampedRingDescriptor.header(-16, StampedRingDescriptor.stamp(0, 77)),
            region.get(ValueLayout.JAVA_LONG, 0));
    }

    @Test
    void shouldLeaveAPositionNobodyClaimedAlone() {
        writer(0);
        assertFalse(StampedRingRepair.sealIfAbandoned(ring, header, slot -> false, 0));
        assertEquals(0, region.get(ValueLayout.JAVA_LONG, 0));
    }

    @Test
    void shouldSealEveryDeadClaimWhenNoSenderIsLeft() {
        final ManyToOneStampedWriter a = writer(0);
        final ManyToOneStampedWriter b = writer(1);
        final ManyToOneStampedWriter c = writer(2);
        offer(a, 1);
        b.tryClaim(8);
        offer(a, 3);
        c.tryClaim(100);
        offer(a, 5);
        final StampedRingReader reader = new StampedRingReader(ring, 0);
        StampedRingRepair.sealAll(ring, header, reader.position());
        assertEquals(List.of(1L, 3L, 5L), drain(reader));
        assertEquals(ring.lvTail(), reader.position());
    }

    @Test
    void shouldPadToTheTailAfterAClaimNoSlotAnnounces() {
        final ManyToOneStampedWriter a = writer(0);
        offer(a, 1);
        a.tryClaim(8);
        offer(a, 3); // a's announcement moved on: the claim before it names no slot
        final StampedRingReader reader = new StampedRingReader(ring, 0);
        StampedRingRepair.sealAll(ring, header, 0);
        assertEquals(List.of(1L), drain(reader));
        assertEquals(ring.lvTail(), reader.position(), "nothing after an unnamed claim is trusted");
    }
}
