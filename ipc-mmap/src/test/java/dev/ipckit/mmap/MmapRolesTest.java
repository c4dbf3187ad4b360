package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.conformance.Peer;
import dev.ipckit.posix.PosixProcess;
import dev.ipckit.spi.TemporaryFile;

/**
 * Roles, sessions and reuse: who may open, what an end sees before and after its peer, what a reopened ring
 * keeps, and the zero-copy API.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MmapRolesTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));

    private String uri(final String name, final String options) {
        return "mmap:" + dir.resolve(name) + (options.isEmpty() ? "" : "?" + options);
    }

    private static List<Integer> drainInts(final Receiver receiver, final int expected) {
        final List<Integer> got = new ArrayList<>();
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (got.size() < expected) {
            assertTrue(System.nanoTime() - deadline < 0, "received only " + got);
            receiver.poll((b, o, l) -> got.add(b.getInt(o)), 100, Duration.ofMillis(50));
        }
        return got;
    }

    private void sendInt(final Sender sender, final int value) {
        buffer.putInt(0, value);
        assertTrue(sender.offer(buffer, 0, 4, DEADLINE), "offer of " + value);
    }

    @Test
    void shouldRefuseASecondReceiverNamingTheHoldersPid() {
        final String uri = uri("one-receiver", "capacity=4k");
        final Path ready = dir.resolve("stall.ready");
        try (Sender sender = Channels.openSender(uri);
             Peer holder = Peer.startJvm(List.of("stall", uri, ready.toString()))) {
            MmapPeers.awaitReady(ready, holder, DEADLINE);
            final ChannelException e = assertThrows(ChannelException.class, () -> Channels.openReceiver(uri));
            assertTrue(e.getMessage().contains("already has a receiver: process " + holder.pid()
                + " holds the receiver lock of " + dir.resolve("one-receiver")), e.getMessage());
            assertTrue(sender.isPeerAlive(), "the refused open changed nothing for the holder");
            holder.kill();
            assertFalse(sender.isPeerAlive());
            try (Receiver receiver = Channels.openReceiver(uri)) {
                assertTrue(sender.isPeerAlive(), "once the holder is gone a new receiver may open");
                sendInt(sender, 5);
                assertEquals(List.of(5), drainInts(receiver, 1));
            }
        }
    }

    @Test
    void shouldRefuseASecondSenderOnAOneToOneRingAndAcceptManyOnAManyToOneRing() {
        final String one = uri("one", "capacity=4k");
        try (Sender first = Channels.openSender(one)) {
            final ChannelException e = assertThrows(ChannelException.class, () -> Channels.openSender(one));
            assertTrue(e.getMessage().contains("already has a sender: process " + PosixProcess.getpid()),
                e.getMessage());
            assertTrue(e.getMessage().contains("producers=many"), e.getMessage());
            assertFalse(first.isClosed());
        }
        final String many = uri("many", "capacity=64k&producers=many");
        final List<Sender> senders = new ArrayList<>();
        try (Receiver receiver = Channels.openReceiver(many)) {
            for (int i = 0; i < 5; i++) {
                senders.add(Channels.openSender(many));
            }
            for (int i = 0; i < senders.size(); i++) {
                assertEquals(i, ((MmapSender) senders.get(i)).slot());
                sendInt(senders.get(i), i);
            }
            assertEquals(List.of(0, 1, 2, 3, 4), drainInts(receiver, 5));
            try (RingFileInspector inspector = RingFileInspector.open(dir.resolve("many").toString())) {
                final RingFileInspector.Stat stat = inspector.stat();
                assertEquals(5, stat.senders().stream().filter(RingFileInspector.SenderInfo::alive).count());
                assertEquals(5, stat.messagesSent());
                assertEquals(5, stat.messagesReceived());
            }
            senders.remove(0).close();
            assertTrue(receiver.isPeerAlive(), "four senders remain");
        } finally {
            senders.forEach(Sender::close);
        }
    }

    @Test
    void shouldLetASenderWriteBeforeAnyReceiverAndWaitForOneWhenFull() throws Exception {
        final String uri = uri("early", "capacity=4k");
        try (Sender sender = Channels.openSender(uri)) {
            assertTrue(sender.isPeerAlive(), "no receiver yet is not a dead receiver");
            int sent = 0;
            buffer.putInt(0, 0);
            while (sender.offer(buffer, 0, 4)) {
                buffer.putInt(0, ++sent);
            }
            assertTrue(sent > 10, "sent " + sent);
            assertFalse(sender.offer(buffer, 0, 4, Duration.ofMillis(20)),
                "full, and no receiver: false, not PeerGone");
            final int last = sent;
            final CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> {
                buffer.putInt(0, last);
                return sender.offer(buffer, 0, 4, DEADLINE);
            });
            try (Receiver receiver = Channels.openReceiver(uri)) {
                final List<Integer> got = drainInts(receiver, sent + 1);
                for (int i = 0; i <= sent; i++) {
                    assertEquals(i, got.get(i));
                }
                assertTrue(waiting.get(DEADLINE.toSeconds(), TimeUnit.SECONDS),
                    "the timed offer waited for a receiver");
            }
        }
    }

    @Test
    void shouldReturnNothingAndReportTheSenderAliveBeforeAnySenderOpened() {
        try (Receiver receiver = Channels.openReceiver(uri("lonely", "capacity=4k"))) {
            assertEquals(0, receiver.poll((b, o, l) -> fail("nothing was sent"), 10));
            assertEquals(0, receiver.poll((b, o, l) -> fail("nothing was sent"), 10, Duration.ofMillis(20)));
            assertTrue(receiver.isPeerAlive());
        }
    }

    @Test
    void shouldKeepUndeliveredMessagesAcrossANewSessionAndResetItsState() {
        final String uri = uri("reuse", "capacity=4k");
        try (Sender sender = Channels.openSender(uri); Receiver receiver = Channels.openReceiver(uri)) {
            for (int i = 0; i < 3; i++) {
                sendInt(sender, i);
            }
            assertEquals(1, receiver.poll((b, o, l) -> assertEquals(0, b.getInt(o)), 1));
        }
        final int session;
        try (RingFileInspector inspector = RingFileInspector.open(dir.resolve("reuse").toString())) {
            final RingFileInspector.Stat stat = inspector.stat();
            assertTrue(stat.abandoned());
            assertEquals("closed", stat.receiver().state());
            assertEquals(2 * 16, stat.backlogBytes(), "two records of an 8-byte header and 4 bytes, aligned to 8");
            session = stat.session();
        }
        try (Receiver receiver = Channels.openReceiver(uri)) {
            assertEquals(List.of(1, 2), drainInts(receiver, 2), "messages a dead session left go to the next receiver");
            assertEquals(0, receiver.poll((b, o, l) -> fail("nothing more"), 10, Duration.ofMillis(20)),
                "a new session has seen no sender, so nothing is gone");
            try (RingFileInspector inspector = RingFileInspector.open(dir.resolve("reuse").toString())) {
                final RingFileInspector.Stat stat = inspector.stat();
                assertEquals(session + 1, stat.session());
                assertEquals(0, stat.messagesSent());
                assertEquals(2, stat.messagesReceived());
                assertTrue(stat.receiver().alive());
            }
            try (Sender sender = Channels.openSender(uri)) {
                sendInt(sender, 7);
                assertEquals(List.of(7), drainInts(receiver, 1));
            }
        }
    }

    @Test
    void shouldUnlinkOnCloseOnlyWhenTheLastEndCloses() {
        final Path path = dir.resolve("tidy");
        final String uri = uri("tidy", "capacity=4k&unlinkOnClose=true");
        final Sender sender = Channels.openSender(uri);
        final Receiver receiver = Channels.openReceiver(uri);
        sendInt(sender, 1);
        sender.close();
        assertTrue(Files.exists(path), "the receiver still uses the ring");
        assertEquals(List.of(1), drainInts(receiver, 1));
        receiver.close();
        assertFalse(Files.exists(path), "the last end removed the ring");
    }

    @Test
    void shouldRemoveAnAbandonedRingButNotOneInUse() {
        final Path path = dir.resolve("gc");
        final String uri = uri("gc", "capacity=4k");
        try (Receiver receiver = Channels.openReceiver(uri)) {
            assertFalse(RingFileInspector.removeIfAbandoned(path.toString()));
            assertTrue(Files.exists(path));
            assertFalse(receiver.isClosed());
        }
        assertTrue(RingFileInspector.removeIfAbandoned(path.toString()));
        assertFalse(Files.exists(path));
        assertFalse(RingFileInspector.removeIfAbandoned(path.toString()), "nothing left to remove");
    }

    @Test
    void shouldRemoveTemporaryFilesNoCreatorHoldsWhateverPidTheirNameHolds() throws Exception {
        final Path deadPid = Files.writeString(dir.resolve(".orders.999999-1" + TemporaryFile.SUFFIX), "x");
        final Path livePid = Files.writeString( // a leftover whose pid was reused (here: by this very process)
            dir.resolve(".orders." + PosixProcess.getpid() + "-00000000000000aa" + TemporaryFile.SUFFIX), "x");
        final TemporaryFile building = TemporaryFile.create(dir.resolve("orders").toString(), 0600);
        final Path other = Files.writeString(dir.resolve(".bashrc"), "x");
        try {
            assertEquals(Set.of(deadPid, livePid), Set.copyOf(RingFileInspector.removeStaleTemporaries(dir)));
            assertTrue(Files.exists(Path.of(building.path())), "its creator holds it");
            assertTrue(Files.exists(other));
        } finally {
            building.discard();
        }
        assertFalse(Files.exists(Path.of(building.path())));
    }

    @Test
    void shouldSendZeroCopyThroughClaimCommitAndAbort() {
        final String uri = uri("claims", "capacity=4k");
        try (MmapSender sender = (MmapSender) Channels.openSender(uri);
             Receiver receiver = Channels.openReceiver(uri)) {
            final int first = sender.tryClaim(8);
            assertTrue(first >= 0);
            assertThrows(IllegalStateException.class, () -> sender.tryClaim(8), "one claim at a time");
            assertThrows(IllegalArgumentException.class, () -> sender.commit(first + 8));
            sender.buffer().putLong(first, 0x1122334455667788L);
            assertEquals(0, receiver.poll((b, o, l) -> fail("not committed yet"), 10));
            sender.commit(first);
            assertThrows(IllegalArgumentException.class, () -> sender.commit(first), "committed once");

            final int aborted = sender.tryClaim(16);
            sender.buffer().putLong(aborted, -1L);
            sender.abort(aborted);

            final int empty = sender.tryClaim(0);
            sender.commit(empty);

            final List<Long> got = new ArrayList<>();
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (got.size() < 2) {
                assertTrue(System.nanoTime() - deadline < 0);
                receiver.poll((b, o, l) -> got.add(l == 8 ? b.getLong(o) : (long) l), 10, Duration.ofMillis(50));
            }
            assertEquals(List.of(0x1122334455667788L, 0L), got, "the aborted message is skipped");
            assertThrows(IllegalArgumentException.class, () -> sender.tryClaim(sender.maxMessageLength() + 1));
            int claims = 0;
            int index;
            while ((index = sender.tryClaim(64)) >= 0) {
                sender.commit(index);
                claims++;
            }
            assertEquals(MmapSender.INSUFFICIENT_CAPACITY, index);
            assertTrue(claims > 0);
        }
    }

    @Test
    void shouldAbortAClaimLeftOpenWhenTheSenderCloses() {
        final String uri = uri("open-claim", "capacity=4k");
        try (Receiver receiver = Channels.openReceiver(uri)) {
            try (MmapSender sender = (MmapSender) Channels.openSender(uri)) {
                assertTrue(sender.tryClaim(32) >= 0);
            }
            try (Sender next = Channels.openSender(uri)) {
                sendInt(next, 9);
                assertEquals(List.of(9), drainInts(receiver, 1), "the abandoned claim does not block the ring");
            }
        }
    }

    @Test
    void shouldCountMessagesBytesFullnessAndSessionsInTheHeader() {
        final String uri = uri("counters", "capacity=4k");
        try (MmapSender sender = (MmapSender) Channels.openSender(uri);
             Receiver receiver = Channels.openReceiver(uri)) {
            int sent = 0;
            while (sender.offer(buffer, 0, 100)) {
                sent++;
            }
            assertFalse(sender.offer(buffer, 0, 100));
            final int received = drainInts(receiver, sent).size();
            try (RingFileInspector inspector = RingFileInspector.open(sender.path())) {
                final RingFileInspector.Stat stat = inspector.stat();
                assertEquals(sent, stat.messagesSent());
                assertEquals(100L * sent, stat.bytesSent());
                assertEquals(2, stat.timesFull());
                assertEquals(received, stat.messagesReceived());
                assertEquals(0, stat.wakeupsSent(), "a backoff receiver is never woken");
                assertEquals(0, stat.backlogBytes());
                assertEquals(PosixProcess.getpid(), stat.receiver().pid());
                assertEquals(PosixProcess.getpid(), stat.senders().get(0).pid());
                assertEquals(PosixProcess.getpid(), stat.creatorPid());
                assertFalse(stat.abandoned());
                assertNotEquals(0, stat.createdMillis());
                assertTrue(stat.toString().contains("sender slot 0 pid " + PosixProcess.getpid() + " alive"),
                    stat.toString());
            }
        }
        try (RingFileInspector inspector = RingFileInspector.open(dir.resolve("counters").toString())) {
            assertTrue(inspector.stat().abandoned());
            assertTrue(inspector.stat().toString().contains("sender slot 0 pid 0 closed"), inspector.stat().toString());
        }
    }

    @Test
    void shouldFailClearlyAfterCloseForTheMmapOnlyCalls() {
        final String uri = uri("closed", "capacity=4k");
        final MmapSender sender = (MmapSender) Channels.openSender(uri);
        final Receiver receiver = Channels.openReceiver(uri);
        sender.close();
        receiver.close();
        assertThrows(dev.ipckit.ChannelClosedException.class, () -> sender.tryClaim(1));
        assertThrows(dev.ipckit.ChannelClosedException.class, () -> sender.commit(0));
        assertThrows(dev.ipckit.ChannelClosedException.class, sender::isPeerAlive);
        assertThrows(dev.ipckit.ChannelClosedException.class, receiver::isPeerAlive);
    }
}
