package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.Channels;
import dev.ipckit.MessageHandler;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.conformance.Peer;
import dev.ipckit.conformance.Reliability;

/**
 * A sustained run over a ring between two processes: a child JVM ({@link SoakPeer}) sends as fast as it can for at
 * least {@value Reliability#SOAK_SECONDS} seconds and {@value Reliability#SOAK_MESSAGES} messages (2 s and two
 * million by default; 60 s and 100 million in the reliability profile), this JVM receives and checks every
 * message; then the child closes and reports how many it sent. Nothing may be lost, torn or reordered, and memory
 * must stay flat: the resident set of both processes (VmRSS in /proc/PID/status, sampled every second) and this
 * JVM's heap after a full GC, compared between the end of the warm-up and the end of the run.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class MmapSoakTest {
    private static final long RSS_SLACK_KB = 32 * 1024;
    private static final long HEAP_SLACK_BYTES = 8L * 1024 * 1024;
    private static final Duration POLL = Duration.ofMillis(10);

    @TempDir
    Path dir;

    /** Checks each message against the one due, allocating nothing. */
    private static final class Checker implements MessageHandler {
        long next;
        String broken;

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length) {
            final long index = next++;
            if (broken != null) {
                return;
            }
            if (length != 8 + (int) (index % 33) || buffer.getLong(offset) != index) {
                broken = "message " + index + " arrived as " + buffer.getLong(offset) + " of " + length + " bytes";
                return;
            }
            for (int k = 8; k < length; k++) {
                if (buffer.getByte(offset + k) != (byte) (index + k)) {
                    broken = "message " + index + " differs at byte " + k + " (torn)";
                    return;
                }
            }
        }
    }

    @Test
    void shouldCarryEveryMessageForTheWholeRunWithMemoryFlat() throws IOException {
        final long seconds = Reliability.soakSeconds();
        final long messages = Reliability.soakMessages();
        final String uri = "mmap:" + dir.resolve("soak") + "?capacity=1m";
        final Path stop = dir.resolve("stop");
        final Path result = dir.resolve("result");
        final Checker checker = new Checker();
        try (Receiver receiver = Channels.openReceiver(uri);
             Peer child = Peer.startJvm(SoakPeer.class, List.of(uri, stop.toString(), result.toString()), null)) {
            final long started = System.nanoTime();
            final long warmUpEnds = started + TimeUnit.SECONDS.toNanos(Math.max(1, seconds / 10)); // JIT, heap sizing
            final long runEnds = started + TimeUnit.SECONDS.toNanos(seconds);
            final long deadline = runEnds + TimeUnit.MINUTES.toNanos(10);
            long nextSample = started;
            long rssBase = -1;
            long childRssBase = -1;
            long heapBase = -1;
            long rssMax = 0;
            long childRssMax = 0;
            while (checker.next < messages || System.nanoTime() - runEnds < 0) {
                receiver.poll(checker, 4096, POLL);
                assertTrue(checker.broken == null, checker.broken);
                final long now = System.nanoTime();
                assertTrue(now - deadline < 0, "only " + checker.next + " messages in " + seconds + " s + 10 min");
                if (now - nextSample >= 0) {
                    nextSample = now + TimeUnit.SECONDS.toNanos(1);
                    final long rss = rssKb("self");
                    final long childRss = rssKb(Long.toString(child.pid()));
                    if (rssBase < 0 && now - warmUpEnds >= 0) {
                        heapBase = heapAfterGc();
                        rssBase = rssKb("self");
                        childRssBase = childRss;
                    }
                    rssMax = Math.max(rssMax, rss);
                    childRssMax = Math.max(childRssMax, childRss);
                }
            }
            final long elapsed = System.nanoTime() - started;
            final long rssEnd = rssKb("self");
            final long childRssEnd = rssKb(Long.toString(child.pid()));
            final long heapEnd = heapAfterGc();
            rssMax = Math.max(rssMax, Math.max(rssBase, rssEnd));
            childRssMax = Math.max(childRssMax, Math.max(childRssBase, childRssEnd));
            Files.writeString(stop, "stop");
            final long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try {
                while (System.nanoTime() - drainDeadline < 0) {
                    receiver.poll(checker, 4096, POLL);
                }
                throw new AssertionError("no PeerGoneException within 60 s of asking the sender to stop");
            } catch (final PeerGoneException expected) {
                assertTrue(checker.broken == null, checker.broken);
            }
            assertEquals(0, child.awaitExit(Duration.ofSeconds(30)), "the sender stopped when asked");
            final long sent = Long.parseLong(Files.readString(result).trim());
            assertEquals(sent, checker.next, "every message sent was received: lost " + (sent - checker.next));
            assertTrue(rssEnd - rssBase <= RSS_SLACK_KB, "the receiver's RSS grew from " + rssBase + " to " + rssEnd
                + " kB");
            assertTrue(childRssEnd - childRssBase <= RSS_SLACK_KB, "the sender's RSS grew from " + childRssBase
                + " to " + childRssEnd + " kB");
            assertTrue(heapEnd - heapBase <= HEAP_SLACK_BYTES, "the heap after GC grew from " + heapBase + " to "
                + heapEnd + " bytes");
            final double secondsTaken = elapsed / 1e9;
            System.out.printf("soak mmap: %.0f s, %,d messages from a child JVM (%.2f M/s), every one checked in order "
                    + "and intact, lost 0; receiver RSS %.1f -> %.1f MB (max %.1f), heap after GC %.1f -> %.1f MB; "
                    + "sender RSS %.1f -> %.1f MB (max %.1f)%n", secondsTaken, sent, sent / secondsTaken / 1e6,
                rssBase / 1024.0, rssEnd / 1024.0, rssMax / 1024.0, heapBase / 1048576.0, heapEnd / 1048576.0,
                childRssBase / 1024.0, childRssEnd / 1024.0, childRssMax / 1024.0);
        }
    }

    private static long rssKb(final String pid) throws IOException {
        for (final String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        }
        throw new AssertionError("/proc/" + pid + "/status has no VmRSS line");
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
