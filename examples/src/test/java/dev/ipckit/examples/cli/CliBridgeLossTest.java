package dev.ipckit.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.Channels;
import dev.ipckit.Sender;
import dev.ipckit.mmap.RingFileInspector;

/**
 * {@code ipckit bridge} ends with one sentence and exit 1 when the peer on either side is lost: FROM's sender
 * killed with SIGKILL, or TO's receiver gone.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CliBridgeLossTest {

    /** A child killed with SIGKILL could not remove its embedded driver's directory: remove it. */
    @org.junit.jupiter.api.AfterEach
    void removeWhatKilledChildrenLeft() {
        dev.ipckit.aeron.EmbeddedDriver.removeAbandonedDirectories();
    }
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static String aeronUri() {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return "aeron:udp?endpoint=127.0.0.1:" + socket.getLocalPort() + "&peerTimeout=2s&timeout=60s";
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitFile(final Path file, final Cli owner) {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!Files.exists(file)) {
            assertTrue(System.nanoTime() - deadline < 0, file + " never appeared");
            assertTrue(ProcessHandle.of(owner.pid()).map(ProcessHandle::isAlive).orElse(false),
                "the command that opens " + file + " exited first");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private static List<String> sentences(final Cli.Result result) {
        return result.err().lines().filter(line -> !line.contains(" msgs/s, ")).toList();
    }

    @Test
    void shouldEndWithOneSentenceWhenTheReceiverOfToGoes() {
        final Path a = dir.resolve("ring-to-gone");
        final String udp = aeronUri();
        try (Cli recv = Cli.start("recv", udp, "--count", "3");
             Cli bridge = Cli.start("bridge", "mmap:" + a + "?capacity=64k", udp)) {
            awaitFile(a, bridge);
            try (Sender sender = Channels.openSender("mmap:" + a + "?create=false&timeout=60s")) {
                for (int i = 0; i < 3; i++) {
                    assertTrue(sender.offer(("m" + i).getBytes(StandardCharsets.UTF_8), DEADLINE));
                }
                final Cli.Result received = recv.await();
                assertEquals(0, received.exitCode(), received.err());
                assertEquals(List.of("m0", "m1", "m2"), received.lines());
                final long deadline = System.nanoTime() + DEADLINE.toNanos();
                while (ProcessHandle.of(bridge.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                    assertTrue(System.nanoTime() - deadline < 0, "the bridge never saw TO's receiver go");
                    sender.offer("more".getBytes(StandardCharsets.UTF_8), Duration.ofMillis(50));
                }
            } catch (final dev.ipckit.PeerGoneException bridgeGone) {
                // the bridge exited and closed its end of the ring: what it said is checked below
                assertEquals(dev.ipckit.PeerGoneException.Reason.CLOSED, bridgeGone.reason(), bridgeGone.getMessage());
            }
            final Cli.Result ended = bridge.await();
            assertEquals(Main.EXIT_FAILED, ended.exitCode(), ended.err());
            final List<String> said = sentences(ended);
            assertEquals(1, said.size(), ended.err());
            assertTrue(said.get(0).contains("the receiver of " + udp + " is gone after"), said.get(0));
        }
    }

    @Test
    void shouldEndWithOneSentenceWhenTheSenderOfFromIsKilled() {
        final Path a = dir.resolve("ring-from-killed");
        final String udp = aeronUri();
        try (Cli recv = Cli.start("recv", udp, "--count", "1000000000", "--verify");
             Cli bridge = Cli.start("bridge", "mmap:" + a + "?capacity=64k", udp);
             Cli send = startSenderWhenRingExists(a, bridge)) {
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (true) {
                try (RingFileInspector inspector = RingFileInspector.open(a.toString())) {
                    if (inspector.stat().messagesReceived() > 1000) {
                        break;
                    }
                }
                assertTrue(System.nanoTime() - deadline < 0, "the bridge never forwarded");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            send.kill();
            final Cli.Result ended = bridge.await();
            assertEquals(Main.EXIT_FAILED, ended.exitCode(), ended.err());
            final List<String> said = sentences(ended);
            assertEquals(1, said.size(), ended.err());
            assertTrue(said.get(0).contains("left without closing"), said.get(0));
            // The bridge closes TO on its way out (the API has no abort), so downstream the stream ends closed,
            // short of what --count asked for.
            final Cli.Result downstream = recv.await();
            assertEquals(Main.EXIT_FAILED, downstream.exitCode(), downstream.err());
            assertTrue(downstream.err().contains("closed its end"), downstream.err());
        }
    }

    private Cli startSenderWhenRingExists(final Path ring, final Cli bridge) {
        awaitFile(ring, bridge);
        return Cli.start("send", "mmap:" + ring + "?create=false", "--count", "1000000000", "--size", "64");
    }
}
