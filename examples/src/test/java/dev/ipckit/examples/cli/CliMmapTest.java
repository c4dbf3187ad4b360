package dev.ipckit.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.mmap.RingFileInspector;
import dev.ipckit.posix.PosixProcess;

@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CliMmapTest {
    @TempDir
    Path dir;

    private void sendAndVerify(final String uri) {
        try (Cli recv = Cli.start("recv", uri, "--count", "20000", "--verify")) {
            final Cli.Result send = Cli.run("send", uri, "--count", "20000", "--size", "64");
            assertEquals(0, send.exitCode(), send.err());
            final Cli.Result received = recv.await();
            assertEquals(0, received.exitCode(), received.err());
            assertTrue(received.out().startsWith("received 20000 messages, 1280000 bytes, verified, crc32c="), received.out());
        }
    }

    @Test
    void shouldSendAndVerifyOverAnMmapRing() {
        sendAndVerify("mmap:" + dir.resolve("ring") + "?capacity=64k");
    }

    @Test
    void shouldSendAndVerifyOverAnAgronaFormatRing() {
        sendAndVerify("mmap:" + dir.resolve("agrona-ring") + "?capacity=64k&format=agrona");
        final Cli.Result stat = Cli.run("stat", "mmap:" + dir.resolve("agrona-ring"));
        assertEquals(0, stat.exitCode(), stat.err());
        assertTrue(stat.out().contains("format=agrona"), stat.out());
    }

    @Test
    void shouldSendAndVerifyOverAnMmapRingWithSignalWakeups() {
        sendAndVerify("mmap:" + dir.resolve("signal-ring") + "?capacity=64k&wait=signal");
    }

    @Test
    void shouldShowALiveRing() {
        final String ring = dir.resolve("live").toString();
        try (Cli recv = Cli.start("recv", "mmap:" + ring + "?capacity=64k&wait=signal&signal=SIGRTMIN+6", "--count", "3");
             Sender sender = Channels.openSender("mmap:" + ring + "?create=false&timeout=60s")) {
            for (int i = 0; i < 2; i++) {
                assertTrue(sender.offer(("message " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8), Duration.ofSeconds(30)));
            }
            awaitReceived(ring, 2);
            final Cli.Result stat = Cli.run("stat", "mmap:" + ring);
            assertEquals(0, stat.exitCode(), stat.err());
            assertTrue(stat.out().contains("capacity    65,536 bytes"), stat.out());
            assertTrue(stat.out().contains("producers=one"), stat.out());
            assertTrue(stat.out().contains("receiver    pid " + recv.pid() + " alive"), stat.out());
            assertTrue(stat.out().contains("sender      slot 0 pid " + PosixProcess.getpid() + " alive, 2 messages"), stat.out());
            assertTrue(stat.out().contains("2 sent, 2 received"), stat.out());
            assertTrue(stat.out().contains("state       in use"), stat.out());
            assertTrue(sender.offer("last".getBytes(java.nio.charset.StandardCharsets.UTF_8), Duration.ofSeconds(30)));
            final Cli.Result done = recv.await();
            assertEquals(0, done.exitCode(), done.err());
            assertEquals(java.util.List.of("message 0", "message 1", "last"), done.lines());
        }
    }

    @Test
    void shouldExitOneNamingTheSendersPidWhenItIsKilledMidStream() throws Exception {
        final String ring = dir.resolve("killed-sender").toString();
        final Path ready = dir.resolve("sender.ready");
        try (Cli recv = Cli.start("recv", "mmap:" + ring + "?capacity=64k", "--verify")) {
            final Process sender = CliPeer.start("send", "mmap:" + ring + "?create=false&timeout=60s", "50", "64",
                ready.toString());
            try {
                CliPeer.awaitReady(ready, sender);
            } finally {
                CliPeer.kill(sender);
            }
            final Cli.Result received = recv.await();
            assertEquals(1, received.exitCode(), received.err());
            assertTrue(received.err().startsWith("ipckit recv: the sender (process " + sender.pid()
                + ") died without closing its end after 50 messages: "), received.err());
            assertEquals(1, received.err().lines().count(), "one sentence, no stack trace: " + received.err());
        }
    }

    @Test
    void shouldExitZeroWhenTheSenderClosesAfterSending() throws Exception {
        final String ring = dir.resolve("closed-sender").toString();
        try (Cli recv = Cli.start("recv", "mmap:" + ring + "?capacity=64k", "--verify")) {
            final Cli.Result send = Cli.run("send", "mmap:" + ring + "?create=false&timeout=60s", "--count", "50");
            assertEquals(0, send.exitCode(), send.err());
            final Cli.Result received = recv.await();
            assertEquals(0, received.exitCode(), received.err());
            assertTrue(received.out().startsWith("received 50 messages, 3200 bytes, verified"), received.out());
        }
    }

    @Test
    void shouldExitOneNamingTheReceiversPidWhenItIsKilledMidStream() throws Exception {
        final String ring = dir.resolve("killed-receiver").toString();
        final Path ready = dir.resolve("receiver.ready");
        final Process receiver = CliPeer.start("stall", "mmap:" + ring + "?capacity=64k", ready.toString());
        try {
            CliPeer.awaitReady(ready, receiver);
            try (Cli send = Cli.start("send", "mmap:" + ring + "?create=false&timeout=60s", "--count", "1000000")) {
                try {
                    awaitSent(ring, 100);
                } finally {
                    CliPeer.kill(receiver);
                }
                final Cli.Result sent = send.await();
                assertEquals(1, sent.exitCode(), sent.err());
                assertTrue(sent.err().startsWith("ipckit send: the receiver (process " + receiver.pid()
                    + ") died after "), sent.err());
                assertEquals(1, sent.err().lines().count(), "one sentence, no stack trace: " + sent.err());
            }
        } finally {
            CliPeer.kill(receiver);
        }
    }

    private static void awaitSent(final String ring, final long count) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (RingFileInspector inspector = RingFileInspector.open(ring)) {
                if (inspector.stat().messagesSent() >= count) {
                    return;
                }
            }
            assertTrue(System.nanoTime() < deadline, "the sender sent " + count + " messages");
            Thread.onSpinWait();
        }
    }

    private static void awaitReceived(final String ring, final long count) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (RingFileInspector inspector = RingFileInspector.open(ring)) {
                if (inspector.stat().messagesReceived() >= count) {
                    return;
                }
            }
            assertTrue(System.nanoTime() < deadline, "the receiver took " + count + " messages");
            Thread.onSpinWait();
        }
    }

    @Test
    void shouldCollectADeadRingAndKeepALiveOne() throws Exception {
        final Path live = dir.resolve("live");
        final Path dead = dir.resolve("dead");
        try (Receiver keeper = Channels.openReceiver("mmap:" + live + "?capacity=64k")) {
            try (Cli doomed = Cli.start("recv", "mmap:" + dead + "?capacity=64k")) {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!isHeld(dead)) {
                    assertTrue(System.nanoTime() < deadline, "the child opened its receiver");
                    Thread.onSpinWait();
                }
                doomed.kill();
                doomed.await();
            }
            final Cli.Result gc = Cli.run("gc", dir.toString());
            assertEquals(0, gc.exitCode(), gc.err());
            assertTrue(gc.out().contains("removed  " + dead), gc.out());
            assertTrue(gc.out().contains("kept     " + live + " (in use, receiver pid " + PosixProcess.getpid() + ")"), gc.out());
            assertTrue(gc.out().contains("gc: 1 removed, 1 in use"), gc.out());
            assertFalse(Files.exists(dead));
            assertTrue(Files.exists(live));
            assertFalse(keeper.isClosed());
        }
    }

    private static boolean isHeld(final Path ring) {
        if (!Files.exists(ring)) {
            return false;
        }
        try (RingFileInspector inspector = RingFileInspector.open(ring.toString())) {
            return inspector.stat().receiver().alive();
        } catch (final dev.ipckit.ChannelException stillBeingCreated) {
            return false;
        }
    }
}
