package dev.ipckit.aeron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.Channels;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.conformance.Payloads;
import dev.ipckit.conformance.Peer;

/**
 * A sender killed with SIGKILL (its embedded driver with it) is reported as died, after what it sent is delivered,
 * within the receiver's peer timeout; one that exits after closing is reported as closed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AeronKilledPeerTest {

    /** A child killed with SIGKILL could not remove its embedded driver's directory: remove it. */
    @org.junit.jupiter.api.AfterEach
    void removeWhatKilledChildrenLeft() {
        dev.ipckit.aeron.EmbeddedDriver.removeAbandonedDirectories();
    }
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static void awaitFile(final Path file, final Peer peer) {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!Files.exists(file)) {
            assertTrue(System.nanoTime() - deadline < 0, "child " + peer.pid() + " never opened its end");
            assertNull(peer.awaitExit(Duration.ofMillis(5)), "child " + peer.pid() + " exited before opening its end");
        }
    }

    private static PeerGoneException drain(final Receiver receiver, final long seed, final long[] next) {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        return assertThrows(PeerGoneException.class, () -> {
            while (System.nanoTime() - deadline < 0) {
                receiver.poll((b, o, l) -> {
                    assertNull(Payloads.verify(b, o, l, seed, next[0], 1024));
                    next[0]++;
                }, 100, Duration.ofMillis(100));
            }
        });
    }

    @Test
    void shouldReportAKilledSenderAsDiedAfterDeliveringWhatItSent() {
        final String uri = Ports.loopbackUri("&peerTimeout=2s&timeout=60s");
        final Path ready = dir.resolve("sender.ready");
        try (Receiver receiver = Channels.openReceiver(uri);
             Peer peer = Peer.startJvm(List.of("send", uri, "300", "21", "1024", "hold", ready.toString()))) {
            awaitFile(ready, peer);
            final long[] next = {0};
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (next[0] < 300) { // all of it arrived: the child holds its end open
                assertTrue(System.nanoTime() - deadline < 0, "received " + next[0] + " of 300");
                receiver.poll((b, o, l) -> {
                    assertNull(Payloads.verify(b, o, l, 21, next[0], 1024));
                    next[0]++;
                }, 100, Duration.ofMillis(100));
            }
            peer.kill();
            final PeerGoneException gone = drain(receiver, 21, next);
            assertEquals(300, next[0], "nothing more, nothing lost");
            assertEquals(PeerGoneException.Reason.DIED, gone.reason(), gone.getMessage());
            assertTrue(gone.getMessage().contains("peerTimeout=2000ms"), gone.getMessage());
        }
    }

    @Test
    void shouldReportASenderThatClosedAndExitedAsClosed() {
        final String uri = Ports.loopbackUri("&timeout=60s");
        try (Receiver receiver = Channels.openReceiver(uri);
             Peer peer = Peer.startJvm(List.of("send", uri, "500", "22", "1024", "close"))) {
            final long[] next = {0};
            final PeerGoneException gone = drain(receiver, 22, next);
            assertEquals(500, next[0]);
            assertEquals(PeerGoneException.Reason.CLOSED, gone.reason(), gone.getMessage());
            assertEquals(0, peer.awaitExit(DEADLINE));
        }
    }
}
