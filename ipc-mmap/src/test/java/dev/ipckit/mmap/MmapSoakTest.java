package dev.ipckit.mmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.conformance.Peer;
import dev.ipckit.conformance.Reliability;

/**
 * A sustained run over a ring between two fresh JVMs ({@link SoakPeer}): one sends as fast as it can, the other
 * receives and checks every message for at least {@value Reliability#SOAK_SECONDS} seconds and
 * {@value Reliability#SOAK_MESSAGES} messages (2 s and two million by default; 60 s and 100 million in the
 * reliability profile); then the sender stops and says how many it sent. Nothing may be lost, torn or reordered,
 * and memory must stay flat: the resident set of both processes (VmRSS in /proc/PID/status, sampled every second
 * by this JVM) and the receiver's heap after a full GC, each compared between the end of the warm-up (a tenth of
 * the run and of its messages, at least a second; the receiver says when) and the end of the run.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class MmapSoakTest {
    private static final long RSS_SLACK_KB = 16 * 1024;
    private static final long HEAP_SLACK_BYTES = 4L * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void shouldCarryEveryMessageForTheWholeRunWithMemoryFlat() throws IOException {
        final long seconds = Reliability.soakSeconds();
        final long messages = Reliability.soakMessages();
        final long warmUp = Math.max(1, seconds / 10);
        final String uri = "mmap:" + dir.resolve("soak") + "?capacity=1m";
        final Path stop = dir.resolve("stop");
        final Path received = dir.resolve("received");
        final Path sent = dir.resolve("sent");
        try (Peer receiver = Peer.startJvm(SoakPeer.class, List.of("receive", uri, Long.toString(seconds),
                 Long.toString(messages), Long.toString(warmUp), stop.toString(), received.toString()), null);
             Peer sender = Peer.startJvm(SoakPeer.class, List.of("send", uri, stop.toString(), sent.toString()), null)) {
            final long started = System.nanoTime();
            final Path warm = SoakPeer.warmedUp(stop);
            final long deadline = started + TimeUnit.SECONDS.toNanos(seconds) + TimeUnit.MINUTES.toNanos(15);
            long receiverBase = -1;
            long senderBase = -1;
            long receiverLast = -1;
            long senderLast = -1;
            long receiverMax = 0;
            long senderMax = 0;
            while (receiver.awaitExit(Duration.ofSeconds(1)) == null) { // one RSS sample a second until it ends
                assertTrue(System.nanoTime() - deadline < 0, "the soak did not end within " + seconds + " s + 15 min");
                final long receiverRss = rssKb(receiver.pid());
                final long senderRss = rssKb(sender.pid());
                if (receiverRss > 0 && senderRss > 0 && !Files.exists(stop)) {
                    if (receiverBase < 0 && Files.exists(warm)) {
                        receiverBase = receiverRss;
                        senderBase = senderRss;
                    }
                    receiverLast = receiverRss;
                    senderLast = senderRss;
                    receiverMax = Math.max(receiverMax, receiverRss);
                    senderMax = Math.max(senderMax, senderRss);
                }
            }
            final long elapsed = System.nanoTime() - started;
            assertEquals(0, receiver.awaitExit(Duration.ZERO), "the receiver checked every message: see its stderr");
            assertEquals(0, sender.awaitExit(Duration.ofSeconds(60)), "the sender stopped when asked");
            final String[] result = Files.readString(received).trim().split(" ");
            assertEquals("received", result[0], String.join(" ", result));
            final long count = Long.parseLong(result[1]);
            final long heapBase = Long.parseLong(result[3]);
            final long heapEnd = Long.parseLong(result[5]);
            final long total = Long.parseLong(Files.readString(sent).trim());
            assertEquals(total, count, "every message sent was received: lost " + (total - count));
            assertTrue(count >= messages, count + " messages");
            assertTrue(receiverBase > 0, "the run outlasted its warm-up");
            assertTrue(receiverLast - receiverBase <= RSS_SLACK_KB, "the receiver's RSS grew from " + receiverBase
                + " to " + receiverLast + " kB");
            assertTrue(senderLast - senderBase <= RSS_SLACK_KB, "the sender's RSS grew from " + senderBase + " to "
                + senderLast + " kB");
            assertTrue(heapEnd - heapBase <= HEAP_SLACK_BYTES, "the receiver's heap after GC grew from " + heapBase
                + " to " + heapEnd + " bytes");
            final double secondsTaken = elapsed / 1e9;
            System.out.printf("soak mmap: %.0f s, %,d messages between two JVMs (%.2f M/s), every one checked in order "
                    + "and intact, lost 0; receiver RSS %.1f -> %.1f MB (max %.1f), heap after GC %.2f -> %.2f MB; "
                    + "sender RSS %.1f -> %.1f MB (max %.1f)%n", secondsTaken, count, count / secondsTaken / 1e6,
                receiverBase / 1024.0, receiverLast / 1024.0, receiverMax / 1024.0, heapBase / 1048576.0,
                heapEnd / 1048576.0, senderBase / 1024.0, senderLast / 1024.0, senderMax / 1024.0);
        }
    }

    /**
     * @return the process's VmRSS in kB, or -1 once it is gone.
     */
    private static long rssKb(final long pid) {
        try {
            for (final String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
            return -1;
        } catch (final IOException gone) {
            return -1;
        }
    }
}
