package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.ipckit.Channels;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.conformance.Payloads;
import dev.ipckit.conformance.Peer;

/**
 * Ends killed with SIGKILL at awkward moments: mid-stream, holding a claim, while the other end waits. Nothing
 * hangs, nothing torn or half-written is delivered, and the ring keeps flowing for the ends that live.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class MmapCrashTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final int MAX_PAYLOAD = 1024;

    @TempDir
    Path dir;

    private String uri(final String name, final String options) {
        return "mmap:" + dir.resolve(name) + "?" + options;
    }

    @ParameterizedTest
    @ValueSource(strings = {"capacity=64k&maxMessage=4k", "capacity=64k&maxMessage=4k&producers=many&wait=futex",
        "capacity=64k&maxMessage=4k&format=agrona",
        "capacity=64k&maxMessage=4k&producers=many&wait=futex&format=agrona"})
    void shouldDeliverAnIntactPrefixThenPeerGoneWhenASenderIsKilledMidStream(final String options) {
        final String uri = uri("midstream", options);
        final Path ready = dir.resolve("sender.ready");
        try (Receiver receiver = Channels.openReceiver(uri);
             Peer sender = Peer.startJvm(List.of("send", uri, "1000000000", "21", "4096", "close", ready.toString()))) {
            MmapPeers.awaitReady(ready, sender, DEADLINE);
            final long[] next = {0};
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (next[0] < 3000) {
                assertTrue(System.nanoTime() - deadline < 0, "received only " + next[0]);
                receiver.poll((b, o, l) -> {
                    assertNull(Payloads.verify(b, o, l, 21, next[0], 4096));
                    next[0]++;
                }, 100, Duration.ofMillis(100));
            }
            sender.kill(); // while it is writing as fast as the ring lets it
            final PeerGoneException gone = assertThrows(PeerGoneException.class, () -> {
                while (System.nanoTime() - deadline < 0) {
                    receiver.poll((b, o, l) -> {
                        assertNull(Payloads.verify(b, o, l, 21, next[0], 4096));
                        next[0]++;
                    }, 100, Duration.ofMillis(100));
                }
            });
            assertTrue(gone.getMessage().contains("gone") || gone.getMessage().contains("died"), gone.getMessage());
            assertTrue(next[0] >= 3000);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"capacity=64k&maxMessage=4k", "capacity=64k&maxMessage=4k&producers=many&wait=futex",
        "capacity=64k&maxMessage=4k&format=agrona",
        "capacity=64k&maxMessage=4k&producers=many&wait=futex&format=agrona"})
    void shouldResumeIntactAndInOrderWithANewReceiverAfterTheReceiverIsKilledMidStream(final String options)
        throws Exception {
        final String uri = uri("receiver-killed", options);
        final Path ready = dir.resolve("receiver.ready");
        final long count = 1_000_000; // far more than the child can take before it is killed
        final int maxLength = 256;
        try (Sender sender = Channels.openSender(uri);
             Peer child = Peer.startJvm(List.of("recv", uri, Long.toString(count), "31", Integer.toString(maxLength),
                 ready.toString()))) {
            MmapPeers.awaitReady(ready, child, DEADLINE);
            final var sending = java.util.concurrent.CompletableFuture.runAsync(() -> {
                final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(maxLength));
                final long deadline = System.nanoTime() + DEADLINE.toNanos();
                for (long i = 0; i < count; i++) {
                    final int length = Payloads.length(31, i, maxLength);
                    Payloads.fill(buffer, 0, 31, i, length);
                    while (true) {
                        assertTrue(System.nanoTime() - deadline < 0, "sending message " + i);
                        try {
                            if (sender.offer(buffer, 0, length, Duration.ofMillis(100))) {
                                break;
                            }
                        } catch (final PeerGoneException e) {
                            while (!sender.isPeerAlive()) { // the receiver died: wait for the next one, then resend
                                assertTrue(System.nanoTime() - deadline < 0, "no new receiver");
                                Thread.onSpinWait();
                            }
                        }
                    }
                }
            });
            try (RingFileInspector inspector = RingFileInspector.open(dir.resolve("receiver-killed").toString())) {
                final long deadline = System.nanoTime() + DEADLINE.toNanos();
                while (inspector.stat().messagesReceived() < 2000) {
                    assertTrue(System.nanoTime() - deadline < 0, "the child never got going: " + inspector.stat());
                    Thread.onSpinWait();
                }
            }
            assertNull(child.awaitExit(Duration.ZERO), "the child was still receiving, every message intact so far");
            child.kill();
            try (Receiver receiver = Channels.openReceiver(uri)) {
                final long[] next = {-1};
                final long deadline = System.nanoTime() + DEADLINE.toNanos();
                while (next[0] < count) {
                    assertTrue(System.nanoTime() - deadline < 0, "the new receiver got to " + next[0]);
                    receiver.poll((b, o, l) -> {
                        if (next[0] < 0) {
                            next[0] = findIndex(b, o, l, count, maxLength); // where the dead receiver stopped
                        }
                        assertNull(Payloads.verify(b, o, l, 31, next[0], maxLength));
                        next[0]++;
                    }, 100, Duration.ofMillis(100));
                }
                assertEquals(count, next[0]);
                sending.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    private static long findIndex(final org.agrona.DirectBuffer buffer, final int offset, final int length,
                                  final long count, final int maxLength) {
        for (long i = 1; i < count; i++) {
            if (Payloads.verify(buffer, offset, length, 31, i, maxLength) == null) {
                return i;
            }
        }
        throw new AssertionError("the first message after the receiver died is no message of the stream");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ipckit", "agrona"})
    void shouldKeepTheRingFlowingForLiveSendersWhenOneIsKilledMidStream(final String format) {
        final String uri = uri("survivors", "capacity=64k&producers=many&wait=futex&format=" + format);
        final long count = 4000;
        final List<MmapPeers.Child> children = new ArrayList<>();
        try (Receiver receiver = Channels.openReceiver(uri)) {
            for (int id = 1; id <= 3; id++) {
                final Path ready = dir.resolve("tagged-" + id + ".ready");
                children.add(MmapPeers.start(dir, List.of("tagged-send", uri, Integer.toString(id),
                    id == 3 ? "1000000000" : Long.toString(count), Integer.toString(MAX_PAYLOAD), ready.toString(),
                    id == 3 ? "hold" : "close")));
            }
            for (int id = 1; id <= 3; id++) {
                // all three open before any may finish: "every sender gone" must not come early
                MmapPeers.awaitReady(dir.resolve("tagged-" + id + ".ready"), children.get(id - 1), DEADLINE);
            }
            final MmapPeers.Child victim = children.get(2);
            final long[] next = new long[4];
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            final PeerGoneException gone = assertThrows(PeerGoneException.class, () -> {
                while (System.nanoTime() - deadline < 0) {
                    receiver.poll((b, o, l) -> {
                        final int id = b.getInt(o);
                        assertTrue(id >= 1 && id <= 3, "tag " + id);
                        assertEquals(next[id], b.getLong(o + 4), "order of sender " + id);
                        final int tag = MmapTestPeer.TAG_LENGTH;
                        assertNull(Payloads.verify(b, o + tag, l - tag, id, next[id], MAX_PAYLOAD));
                        next[id]++;
                    }, 100, Duration.ofMillis(100));
                    if (next[3] >= 500 && victim.awaitExit(Duration.ZERO) == null) {
                        victim.kill();
                    }
                }
            }, "every sender gone after the survivors finished: PeerGoneException, never a hang");
            assertTrue(victim.awaitExit(Duration.ZERO) != null, "the victim was killed mid-stream");
            assertEquals(count, next[1], "every message of survivor 1");
            assertEquals(count, next[2], "every message of survivor 2");
            assertTrue(next[3] >= 500, "an intact prefix of the killed sender: " + next[3]);
            assertTrue(gone.getMessage().contains("every sender"), gone.getMessage());
            assertEquals(0, children.get(0).awaitExit(DEADLINE));
            assertEquals(0, children.get(1).awaitExit(DEADLINE));
        } finally {
            children.forEach(Peer::kill);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ipckit", "agrona"})
    void shouldUnblockTheRingWhenAManyToOneSenderDiesHoldingAClaim(final String format) {
        final String uri = uri("dead-claim-many", "capacity=64k&producers=many&format=" + format);
        final Path ready = dir.resolve("claimer.ready");
        try (Receiver receiver = Channels.openReceiver(uri);
             MmapPeers.Child claimer = MmapPeers.start(dir, List.of("claim-hold", uri, "100", ready.toString()));
             Sender sender = openAfter(ready, claimer, uri)) {
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(8));
            for (int i = 0; i < 20; i++) {
                buffer.putInt(0, i);
                assertTrue(sender.offer(buffer, 0, 4));
            }
            assertEquals(0, receiver.poll((b, o, l) -> fail("the live claimer's record is first"), 10,
                Duration.ofMillis(20)), "a live sender's open claim holds the ring");
            claimer.kill();
            final List<Integer> got = new ArrayList<>();
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (got.size() < 20) {
                assertTrue(System.nanoTime() - deadline < 0, "received " + got);
                receiver.poll((b, o, l) -> {
                    assertEquals(4, l, "nothing of the dead claim is delivered");
                    got.add(b.getInt(o));
                }, 100, Duration.ofMillis(50));
            }
            for (int i = 0; i < 20; i++) {
                assertEquals(i, got.get(i));
            }
            assertTrue(receiver.isPeerAlive(), "the local sender lives on");
        }
    }

    private static Sender openAfter(final Path ready, final Peer child, final String uri) {
        MmapPeers.awaitReady(ready, child, DEADLINE);
        return Channels.openSender(uri);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ipckit", "agrona"})
    void shouldSettleTheClaimOfAKilledOneToOneSenderThenServeTheNextSender(final String format) {
        final String uri = uri("dead-claim-one", "capacity=64k&format=" + format);
        final Path ready = dir.resolve("claimer.ready");
        try (Receiver receiver = Channels.openReceiver(uri)) {
            try (MmapPeers.Child claimer = MmapPeers.start(dir, List.of("claim-hold", uri, "100", ready.toString()))) {
                MmapPeers.awaitReady(ready, claimer, DEADLINE);
                assertEquals(0, receiver.poll((b, o, l) -> fail("nothing committed"), 10, Duration.ofMillis(20)));
                claimer.kill();
            }
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            final PeerGoneException gone = assertThrows(PeerGoneException.class, () -> {
                while (System.nanoTime() - deadline < 0) {
                    receiver.poll((b, o, l) -> fail("the dead sender committed nothing, so nothing is delivered"), 10,
                        Duration.ofMillis(50));
                }
            });
            assertTrue(gone.getMessage().contains("died"), gone.getMessage());
            try (Sender next = Channels.openSender(uri)) {
                final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(8));
                buffer.putInt(0, 77);
                assertTrue(next.offer(buffer, 0, 4));
                final int[] got = {0};
                assertEquals(1, receiver.poll((b, o, l) -> got[0] = b.getInt(o), 10, DEADLINE));
                assertEquals(77, got[0]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ipckit", "agrona"})
    void shouldWakeASenderWaitingInALongTimedOfferWhenTheReceiverIsKilled(final String format) {
        final String uri = uri("blocked", "capacity=4k&wait=futex&format=" + format);
        final Path ready = dir.resolve("stall.ready");
        try (Sender sender = Channels.openSender(uri);
             Peer receiver = Peer.startJvm(List.of("stall", uri, ready.toString()))) {
            MmapPeers.awaitReady(ready, receiver, DEADLINE);
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
            while (sender.offer(buffer, 0, 256)) {
                assertTrue(sender.isPeerAlive());
            }
            receiver.kill();
            final PeerGoneException gone = assertThrows(PeerGoneException.class,
                () -> sender.offer(buffer, 0, 256, Duration.ofSeconds(100)),
                "PeerGoneException long before the timeout");
            assertTrue(gone.getMessage().contains("process " + receiver.pid() + ") died"), gone.getMessage());
        }
    }
}
