package dev.ipckit.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.mmap.RingFileInspector;

/**
 * One {@code ipckit send}, several {@code ipckit recv} processes on one {@code subscribers=4} ring: each prints
 * every line, and one killed mid-stream leaves the sender and the others unaffected.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CliFanOutTest {
    @TempDir
    Path dir;

    private static long liveSubscribers(final Path ring) {
        if (!Files.exists(ring)) {
            return 0;
        }
        try (RingFileInspector inspector = RingFileInspector.open(ring.toString())) {
            return inspector.stat().subscribers().stream().filter(RingFileInspector.SubscriberInfo::alive).count();
        } catch (final dev.ipckit.ChannelException stillBeingCreated) {
            return 0;
        }
    }

    private static void awaitSubscribers(final Path ring, final long count) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (liveSubscribers(ring) < count) {
            assertTrue(System.nanoTime() - deadline < 0, count + " subscribers joined " + ring);
            Thread.onSpinWait();
        }
    }

    @Test
    void shouldPrintEveryLineInEachOfThreeSubscribers() {
        final Path ring = dir.resolve("q");
        final String uri = "mmap:" + ring + "?subscribers=4&capacity=64k";
        final StringBuilder input = new StringBuilder();
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            lines.add("line " + i);
            input.append("line ").append(i).append('\n');
        }
        final List<Cli> receivers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                receivers.add(Cli.start("recv", uri));
            }
            awaitSubscribers(ring, 3);
            try (Cli send = Cli.withStdin(input.toString(), "send", "mmap:" + ring + "?create=false")) {
                final Cli.Result sent = send.await();
                assertEquals(0, sent.exitCode(), sent.err());
            }
            for (final Cli receiver : receivers) {
                final Cli.Result received = receiver.await();
                assertEquals(0, received.exitCode(), received.err());
                assertEquals(lines, received.lines(), "subscriber " + receiver.pid() + " printed every line");
            }
        } finally {
            receivers.forEach(Cli::close);
        }
    }

    @Test
    void shouldLeaveTheSenderAndTheOtherSubscribersUnaffectedWhenOneIsKilledMidStream() {
        final Path ring = dir.resolve("q");
        final String uri = "mmap:" + ring + "?subscribers=4&capacity=64k";
        final List<Cli> receivers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                receivers.add(Cli.start("recv", uri, "--verify"));
            }
            awaitSubscribers(ring, 3);
            try (Cli send = Cli.start("send", "mmap:" + ring + "?create=false", "--count", "200000", "--size", "64")) {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (true) {
                    try (RingFileInspector inspector = RingFileInspector.open(ring.toString())) {
                        if (inspector.stat().messagesSent() >= 2000) {
                            break;
                        }
                    }
                    assertTrue(System.nanoTime() - deadline < 0, "the sender sent 2000 messages");
                    Thread.onSpinWait();
                }
                final Cli victim = receivers.remove(1);
                victim.kill();
                assertFalse(victim.await().exitCode() == 0, "the killed subscriber did not finish");
                final Cli.Result sent = send.await();
                assertEquals(0, sent.exitCode(), sent.err());
            }
            for (final Cli receiver : receivers) {
                final Cli.Result received = receiver.await();
                assertEquals(0, received.exitCode(), received.err());
                assertTrue(received.out().startsWith("received 200000 messages, 12800000 bytes, verified"),
                    received.out());
            }
        } finally {
            receivers.forEach(Cli::close);
        }
    }

    @Test
    void shouldListEachSubscriberAndCollectTheRingOnlyWhenNoSubscriberHoldsIt() {
        final Path ring = dir.resolve("q");
        final String uri = "mmap:" + ring + "?subscribers=4&capacity=64k";
        try (Cli block = Cli.start("recv", uri); Cli drop = Cli.start("recv", uri + "&slow=drop")) {
            awaitSubscribers(ring, 2);
            final Cli.Result stat = Cli.run("stat", "mmap:" + ring);
            assertEquals(0, stat.exitCode(), stat.err());
            assertTrue(stat.out().contains("subscribers 4 slots, 2 taken"), stat.out());
            assertTrue(stat.out().contains("pid " + block.pid() + " alive, slow=block, position 0, lag 0 bytes"),
                stat.out());
            assertTrue(stat.out().contains("pid " + drop.pid() + " alive, slow=drop"), stat.out());
            block.kill();
            block.await();
            final Cli.Result kept = Cli.run("gc", dir.toString());
            assertTrue(kept.out().contains("kept     " + ring), "a live subscriber keeps it: " + kept.out());
            final Cli.Result after = Cli.run("stat", "mmap:" + ring);
            assertTrue(after.out().contains("pid " + block.pid() + " dead"), after.out());
            drop.kill();
            drop.await();
            final Cli.Result gc = Cli.run("gc", dir.toString());
            assertEquals(0, gc.exitCode(), gc.err());
            assertTrue(gc.out().contains("removed  " + ring), gc.out());
            assertFalse(Files.exists(ring));
        }
    }
}
