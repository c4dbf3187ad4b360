package dev.ipckit.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * The Channel contract across processes: the peer runs {@link ConformancePeer} in a child JVM, which the
 * tests kill with SIGKILL where the contract speaks of a dead peer. Each transport subclasses this once and
 * says how to start a child on the other end of a fresh channel.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
public abstract class CrossProcessConformanceTest {
    /** How long the kit waits for anything that should happen. */
    protected static final Duration DEADLINE = Duration.ofSeconds(60);
    /** Messages per stream. */
    protected static final long COUNT = 2_000;

    /** Scratch space for ready files. */
    @TempDir
    protected Path dir;

    /**
     * A local end and the child on the other end.
     *
     * @param end the local end.
     * @param peer the child.
     * @param <T> Sender or Receiver.
     */
    public record Remote<T>(T end, Peer peer) {
    }

    /**
     * Starts a child sender on a fresh channel and opens the local receiver. The child runs
     * {@code ConformancePeer send CHILD_URI <senderArgs...>}, where CHILD_URI is how the child reaches the
     * channel (the channel's URI, or {@code pipe:fd=4} for an inherited pipe).
     *
     * @param senderArgs the arguments after the child's URI.
     * @return the local receiver and the child.
     */
    protected abstract Remote<Receiver> receiverWithChildSender(List<String> senderArgs);

    /**
     * Starts a child receiver ({@code ConformancePeer recv|stall CHILD_URI <receiverArgs...>}) on a fresh
     * channel and opens the local sender.
     *
     * @param mode "recv" or "stall".
     * @param receiverArgs the arguments after the child's URI.
     * @return the local sender and the child.
     */
    protected abstract Remote<Sender> senderWithChildReceiver(String mode, List<String> receiverArgs);

    /**
     * Whether a sender learns how its receiver left (closed or died) and the receiver's pid. A transport that
     * cannot know (a FIFO or pipe sender sees EPIPE either way) overrides this with false; the kit then holds it
     * only to a {@code CLOSED} or {@code DIED} reason, never {@code CUT}.
     *
     * @return true when the kit checks the sender's reason and pid exactly.
     */
    protected boolean senderLearnsHowReceiverLeft() {
        return true;
    }

    /**
     * Whether a sender learns its receiver's pid (at open, say), even if not how it left.
     *
     * @return true when the kit checks the pid in the sender's PeerGoneException.
     */
    protected boolean senderLearnsReceiverPid() {
        return senderLearnsHowReceiverLeft();
    }

    /**
     * Whether a receiver learns its sender's pid. A transport whose wire carries no pid (Aeron UDP: the receiver
     * sees a session, not a process) overrides this with false, and names the sender's endpoint instead.
     *
     * @return true when the kit checks the pid in the receiver's PeerGoneException.
     */
    protected boolean receiverLearnsSenderPid() {
        return true;
    }

    /**
     * @return the longest message the streams use.
     */
    protected int maxLength() {
        return 4096;
    }

    private Path readyFile(final String name) {
        return dir.resolve(name + ".ready");
    }

    private static void awaitFile(final Path file, final Peer peer) throws InterruptedException {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!Files.exists(file)) {
            assertTrue(System.nanoTime() - deadline < 0, "child " + peer.pid() + " never opened its end");
            assertNull(peer.awaitExit(Duration.ofMillis(5)), "child " + peer.pid() + " exited before opening its end");
        }
    }

    @Test
    void shouldReceiveEverythingAChildSentInOrderThenPeerGone() {
        final Remote<Receiver> remote = receiverWithChildSender(
            List.of(Long.toString(COUNT), "11", Integer.toString(maxLength()), "close"));
        try (Receiver receiver = remote.end(); Peer peer = remote.peer()) {
            final Drained drained = drainUntilPeerGone(receiver, 11);
            assertEquals(COUNT, drained.count());
            assertEquals(PeerGoneException.Reason.CLOSED, drained.gone().reason(), drained.gone().getMessage());
            if (receiverLearnsSenderPid()) {
                assertEquals(peer.pid(), drained.gone().peerPid(), drained.gone().getMessage());
            }
            assertEquals(0, peer.awaitExit(DEADLINE));
        }
    }

    @Test
    void shouldDeliverEverythingToAChildReceiver() {
        final Remote<Sender> remote = senderWithChildReceiver("recv",
            List.of(Long.toString(COUNT), "12", Integer.toString(maxLength())));
        try (Sender sender = remote.end(); Peer peer = remote.peer()) {
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(maxLength()));
            for (long i = 0; i < COUNT; i++) {
                final int length = Payloads.length(12, i, maxLength());
                Payloads.fill(buffer, 0, 12, i, length);
                assertTrue(sender.offer(buffer, 0, length, DEADLINE), "offer " + i + " timed out");
            }
            assertEquals(0, peer.awaitExit(DEADLINE), "the child verified every message");
        }
    }

    @Test
    void shouldDrainThenReportPeerGoneWhenChildSenderIsKilled() throws InterruptedException {
        final Path ready = readyFile("sender");
        final Remote<Receiver> remote = receiverWithChildSender(
            List.of("100", "13", Integer.toString(maxLength()), "hold", ready.toString()));
        try (Receiver receiver = remote.end(); Peer peer = remote.peer()) {
            awaitFile(ready, peer);
            final long[] next = {0};
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (next[0] < 100) {
                assertTrue(System.nanoTime() - deadline < 0, "received only " + next[0] + " of 100");
                receiver.poll((b, o, l) -> {
                    assertNull(Payloads.verify(b, o, l, 13, next[0], maxLength()));
                    next[0]++;
                }, 100, Duration.ofMillis(100));
            }
            peer.kill();
            final Drained drained = drainUntilPeerGone(receiver, 13);
            assertEquals(0, drained.count(), "nothing after the 100 sent");
            assertEquals(PeerGoneException.Reason.DIED, drained.gone().reason(), drained.gone().getMessage());
            if (receiverLearnsSenderPid()) {
                assertEquals(peer.pid(), drained.gone().peerPid(), drained.gone().getMessage());
                assertTrue(drained.gone().getMessage().contains(Long.toString(peer.pid())), drained.gone().getMessage());
            }
            assertFalse(receiver.isPeerAlive());
        }
    }

    @Test
    void shouldReportPeerGoneToABackPressuredSenderWhenChildReceiverIsKilled() throws InterruptedException {
        final Path ready = readyFile("receiver");
        final Remote<Sender> remote = senderWithChildReceiver("stall", List.of(ready.toString()));
        try (Sender sender = remote.end(); Peer peer = remote.peer()) {
            awaitFile(ready, peer);
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
            long sent = 0;
            while (sender.offer(buffer, 0, 1024)) {
                sent++;
                assertTrue(sent < 10_000_000, "the channel never filled up");
            }
            peer.kill();
            final PeerGoneException gone = offerUntilPeerGone(sender, buffer);
            if (senderLearnsHowReceiverLeft()) {
                assertEquals(PeerGoneException.Reason.DIED, gone.reason(), gone.getMessage());
                assertEquals(peer.pid(), gone.peerPid(), gone.getMessage());
            } else {
                assertTrue(gone.reason() != PeerGoneException.Reason.CUT, gone.getMessage());
            }
            if (senderLearnsReceiverPid()) {
                assertEquals(peer.pid(), gone.peerPid(), gone.getMessage());
            }
        }
    }

    @Test
    void shouldReportClosedToTheSenderWhenTheChildReceiverClosesItsEnd() throws InterruptedException {
        final Path ready = readyFile("closing-receiver");
        final Remote<Sender> remote = senderWithChildReceiver("recv",
            List.of("10", "14", Integer.toString(maxLength()), ready.toString()));
        try (Sender sender = remote.end(); Peer peer = remote.peer()) {
            awaitFile(ready, peer); // its end is wholly open (a FIFO receiver has named itself) before the first offer
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(maxLength()));
            for (long i = 0; i < 10; i++) {
                final int length = Payloads.length(14, i, maxLength());
                Payloads.fill(buffer, 0, 14, i, length);
                assertTrue(sender.offer(buffer, 0, length, DEADLINE), "offer " + i + " timed out");
            }
            assertEquals(0, peer.awaitExit(DEADLINE), "the child verified every message and closed its end");
            final PeerGoneException gone = offerUntilPeerGone(sender, buffer);
            if (senderLearnsHowReceiverLeft()) {
                assertEquals(PeerGoneException.Reason.CLOSED, gone.reason(), gone.getMessage());
            } else {
                assertTrue(gone.reason() != PeerGoneException.Reason.CUT, gone.getMessage());
            }
            if (senderLearnsReceiverPid()) {
                assertEquals(peer.pid(), gone.peerPid(), gone.getMessage());
            }
        }
    }

    private static PeerGoneException offerUntilPeerGone(final Sender sender, final UnsafeBuffer buffer) {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        return assertThrows(PeerGoneException.class, () -> {
            while (System.nanoTime() - deadline < 0) {
                sender.offer(buffer, 0, 8, Duration.ofMillis(100));
            }
        }, "a sender whose receiver left gets PeerGoneException, never a hang");
    }

    /**
     * What a receiver got before PeerGoneException, and the exception.
     *
     * @param count messages delivered.
     * @param gone the exception.
     */
    private record Drained(long count, PeerGoneException gone) {
    }

    /**
     * Polls until PeerGoneException, verifying each message of stream {@code seed}.
     *
     * @return how many messages arrived first.
     */
    private Drained drainUntilPeerGone(final Receiver receiver, final long seed) {
        final long[] next = {0};
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        final PeerGoneException gone = assertThrows(PeerGoneException.class, () -> {
            while (System.nanoTime() - deadline < 0) {
                receiver.poll((b, o, l) -> {
                    assertNull(Payloads.verify(b, o, l, seed, next[0], maxLength()));
                    next[0]++;
                }, 100, Duration.ofMillis(100));
            }
        }, "PeerGoneException within " + DEADLINE);
        return new Drained(next[0], gone);
    }
}
