package dev.ipckit.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.Channels;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.examples.Generated;
import dev.ipckit.mmap.RingFileInspector;

/**
 * {@code send}, {@code recv}, {@code stat} and {@code bridge} over {@code aeron:udp} on 127.0.0.1, each command a
 * child JVM with its own embedded media driver.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CliAeronTest {

    /** A child killed with SIGKILL could not remove its embedded driver's directory: remove it. */
    @org.junit.jupiter.api.AfterEach
    void removeWhatKilledChildrenLeft() {
        dev.ipckit.aeron.EmbeddedDriver.removeAbandonedDirectories();
    }
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static String aeronUri() {
        final int port;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = socket.getLocalPort();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return "aeron:udp?endpoint=127.0.0.1:" + port + "&peerTimeout=2s&timeout=60s";
    }

    /** Waits until a ring file exists, which its receiver creates on open. */
    private static void awaitFile(final Path file, final Cli owner) {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!Files.exists(file)) {
            assertTrue(System.nanoTime() - deadline < 0, file + " never appeared");
            assertTrue(ProcessHandle.of(owner.pid()).map(ProcessHandle::isAlive).orElse(false),
                "the command that opens " + file + " exited first");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    @Test
    void shouldPrintEveryLineSentToTheSameAeronUri() {
        final String uri = aeronUri();
        try (Cli recv = Cli.start("recv", uri)) {
            final Cli.Result send = Cli.withStdin("first line\nsecond line\n\nlast line\n", "send", uri).await();
            assertEquals(0, send.exitCode(), send.err());
            assertTrue(send.err().contains("sent 4 messages"), send.err());
            final Cli.Result received = recv.await();
            assertEquals(0, received.exitCode(), received.err());
            assertEquals(List.of("first line", "second line", "", "last line"), received.lines());
        }
    }

    @Test
    void shouldCarryARingStreamOverUdpIntoAnotherRingIntact() {
        final Path a = dir.resolve("ring-a");
        final Path b = dir.resolve("ring-b");
        final String udp = aeronUri();
        try (Cli recv = Cli.start("recv", "mmap:" + b + "?capacity=64k", "--count", "20000", "--verify")) {
            awaitFile(b, recv);
            try (Cli far = Cli.start("bridge", udp, "mmap:" + b + "?create=false");
                 Cli near = Cli.start("bridge", "mmap:" + a + "?capacity=64k", udp)) {
                awaitFile(a, near);
                final Cli.Result send = Cli.run("send", "mmap:" + a + "?create=false", "--count", "20000", "--size",
                    "200");
                assertEquals(0, send.exitCode(), send.err());
                final Cli.Result nearDone = near.await();
                assertEquals(0, nearDone.exitCode(), nearDone.err());
                assertTrue(nearDone.err().contains("closed; forwarded 20000 messages"), nearDone.err());
                final Cli.Result farDone = far.await();
                assertEquals(0, farDone.exitCode(), farDone.err());
                assertTrue(farDone.err().contains("closed; forwarded 20000 messages"), farDone.err());
            }
            final Cli.Result received = recv.await();
            assertEquals(0, received.exitCode(), received.err());
            assertTrue(received.out().startsWith("received 20000 messages, 4000000 bytes, verified, crc32c="),
                received.out());
        }
    }

    @Test
    void shouldReportAKilledBridgeOnBothSides() {
        final Path a = dir.resolve("ring-kill");
        final String udp = aeronUri();
        try (Cli recv = Cli.start("recv", udp, "--count", "1000000000", "--verify");
             Cli bridge = Cli.start("bridge", "mmap:" + a + "?capacity=64k", udp)) {
            awaitFile(a, bridge);
            try (Sender sender = Channels.openSender("mmap:" + a + "?create=false&timeout=60s")) {
                final byte[] message = new byte[64];
                final UnsafeBuffer buffer = new UnsafeBuffer(message);
                for (long i = 0; i < 1000; i++) {
                    Generated.fill(buffer, i, 64);
                    assertTrue(sender.offer(message, DEADLINE), "offer " + i);
                }
                bridge.kill();
                final long deadline = System.nanoTime() + DEADLINE.toNanos();
                final PeerGoneException upstream = assertThrows(PeerGoneException.class, () -> {
                    for (long i = 1000; System.nanoTime() - deadline < 0; i++) {
                        Generated.fill(buffer, i, 64);
                        sender.offer(message, Duration.ofMillis(50));
                    }
                });
                assertEquals(PeerGoneException.Reason.DIED, upstream.reason(), upstream.getMessage());
            }
            final Cli.Result downstream = recv.await();
            assertEquals(Main.EXIT_FAILED, downstream.exitCode(), downstream.err());
            final List<String> said = downstream.err().lines().toList();
            assertEquals(1, said.size(), downstream.err());
            assertTrue(said.get(0).contains("stopped without closing"), said.get(0));
        }
    }

    @Test
    void shouldStopABridgeCleanlyOnSigtermEndingTheStreamDownstream() {
        final Path a = dir.resolve("ring-term");
        final String udp = aeronUri();
        try (Cli recv = Cli.start("recv", udp); Cli bridge = Cli.start("bridge", "mmap:" + a + "?capacity=64k", udp)) {
            awaitFile(a, bridge);
            try (Sender sender = Channels.openSender("mmap:" + a + "?create=false&timeout=60s")) {
                for (final String line : List.of("one", "two", "three")) {
                    assertTrue(sender.offer(line.getBytes(java.nio.charset.StandardCharsets.UTF_8), DEADLINE));
                }
                awaitTaken(a, 3);
                assertTrue(ProcessHandle.of(bridge.pid()).orElseThrow().destroy(), "SIGTERM to the bridge");
                final Cli.Result stopped = bridge.await();
                assertEquals(128 + 15, stopped.exitCode(), stopped.err());
                assertTrue(stopped.err().contains("stopped; forwarded 3 messages"), stopped.err());
            }
            final Cli.Result received = recv.await();
            assertEquals(0, received.exitCode(), "the bridge closed its end: a finished stream; " + received.err());
            assertEquals(List.of("one", "two", "three"), received.lines());
        }
    }

    private static void awaitTaken(final Path ring, final long count) {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            try (RingFileInspector inspector = RingFileInspector.open(ring.toString())) {
                if (inspector.stat().messagesReceived() >= count) {
                    return;
                }
            }
            assertTrue(System.nanoTime() - deadline < 0, "the bridge took " + count + " messages from " + ring);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    @Test
    void shouldShowTheDriversAndPositionsOfALiveChannel() {
        final String uri = aeronUri();
        try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri)) {
            assertTrue(sender.offer("seen".getBytes(java.nio.charset.StandardCharsets.UTF_8), DEADLINE));
            assertEquals(1, receiver.poll((b, o, l) -> { }, 1, DEADLINE));
            final Cli.Result stat = Cli.run("stat", uri);
            assertEquals(0, stat.exitCode(), stat.err());
            final String pid = Long.toString(ProcessHandle.current().pid());
            assertEquals(1, stat.out().lines().filter(l -> l.startsWith("driver") && l.contains("(embedded, pid " + pid
                + " alive)")).count(), "one driver for both ends of this process: " + stat.out());
            assertTrue(stat.out().contains("pub-pos") && stat.out().contains("sub-pos"), stat.out());
        }
        final Cli.Result after = Cli.run("stat", uri);
        assertEquals(0, after.exitCode(), after.err());
        assertTrue(after.out().startsWith("no media driver of this user"), after.out());
    }

    @Test
    void shouldRefuseABadAeronUriWithOneSentence() {
        final Cli.Result result = Cli.run("recv", "aeron:udp?endpoint=127.0.0.1");
        assertEquals(Main.EXIT_USAGE, result.exitCode(), result.err());
        assertEquals(1, result.err().lines().count(), result.err());
        assertTrue(result.err().contains("has no port"), result.err());
        final Cli.Result bridge = Cli.run("bridge", "mmap:" + dir.resolve("x"), "aeron:udp?endpoint=127.0.0.1:1&mtu=7");
        assertEquals(Main.EXIT_USAGE, bridge.exitCode(), bridge.err());
        assertTrue(bridge.err().contains("mtu=7"), bridge.err());
        assertEquals(1, bridge.err().lines().count(), bridge.err());
    }
}
