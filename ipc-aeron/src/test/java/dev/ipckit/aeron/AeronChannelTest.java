package dev.ipckit.aeron;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;

import dev.ipckit.ChannelInterruptedException;
import dev.ipckit.Channels;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * What the kit does not check: how the peer left, interrupts, the embedded driver's private directory, the native
 * segment forms with fragmented messages, a sender's close that waits for the receiver, and an external driver.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AeronChannelTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private static List<Path> privateDirectories() throws IOException {
        try (Stream<Path> files = Files.list(AeronSession.SHM)) {
            final String prefix = AeronSession.DIRECTORY_PREFIX + ProcessHandle.current().pid() + "-";
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList();
        }
    }

    private static PeerGoneException drainUntilGone(final Receiver receiver, final List<Integer> lengths) {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        return assertThrows(PeerGoneException.class, () -> {
            while (System.nanoTime() - deadline < 0) {
                receiver.poll((b, o, l) -> lengths.add(l), 100, Duration.ofMillis(50));
            }
        });
    }

    @Test
    void shouldReportAClosedSenderAsClosedAfterDeliveringEverything() {
        final String uri = Ports.loopbackUri("");
        try (Receiver receiver = Channels.openReceiver(uri)) {
            try (Sender sender = Channels.openSender(uri)) {
                for (int i = 0; i < 5; i++) {
                    assertTrue(sender.offer(new byte[i], DEADLINE));
                }
            }
            final List<Integer> lengths = new ArrayList<>();
            final PeerGoneException gone = drainUntilGone(receiver, lengths);
            assertEquals(List.of(0, 1, 2, 3, 4), lengths);
            assertEquals(PeerGoneException.Reason.CLOSED, gone.reason(), gone.getMessage());
            assertTrue(gone.getMessage().contains("closed its end"), gone.getMessage());
        }
    }

    @Test
    void shouldDeliverWhatASenderLeftWhenItsCloseWaitedForTheReceiver() throws Exception {
        final String uri = Ports.loopbackUri("&linger=20s");
        try (Receiver receiver = Channels.openReceiver(uri)) {
            final Sender sender = Channels.openSender(uri);
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
            long offered = 0;
            while (sender.offer(buffer, 0, 1024)) { // until back-pressured: most of it not yet sent
                buffer.putLong(0, ++offered);
                assertTrue(offered < 1_000_000, "never back-pressured");
            }
            final CompletableFuture<Void> closed = CompletableFuture.runAsync(sender::close);
            final List<Integer> lengths = new ArrayList<>();
            final PeerGoneException gone = drainUntilGone(receiver, lengths);
            closed.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertEquals(offered, lengths.size(), "every message offered before close arrived");
            assertEquals(PeerGoneException.Reason.CLOSED, gone.reason(), gone.getMessage());
        }
    }

    @Test
    void shouldReportAClosedReceiverToTheSenderAndNotLinger() {
        final String uri = Ports.loopbackUri("");
        try (Sender sender = openConnected(uri)) {
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            final PeerGoneException gone = assertThrows(PeerGoneException.class, () -> {
                while (System.nanoTime() - deadline < 0) {
                    sender.offer(new byte[8], Duration.ofMillis(50));
                }
            });
            assertTrue(gone.getMessage().contains("endpoint=127.0.0.1:"), gone.getMessage());
            assertFalse(sender.isPeerAlive());
            assertThrows(PeerGoneException.class, () -> sender.offer(new byte[8]), "gone stays gone");
        }
    }

    /** Opens a sender whose receiver has already closed again. */
    private static Sender openConnected(final String uri) {
        final Receiver receiver = Channels.openReceiver(uri);
        try {
            return Channels.openSender(uri);
        } finally {
            receiver.close();
        }
    }

    @Test
    void shouldShareOnePrivateDriverDirectoryPerProcessAndRemoveItOnTheLastClose() throws IOException {
        final List<Path> before = privateDirectories();
        final String uri = Ports.loopbackUri("");
        final Receiver receiver = Channels.openReceiver(uri);
        final Sender sender = Channels.openSender(uri);
        final List<Path> open = new ArrayList<>(privateDirectories());
        open.removeAll(before);
        assertEquals(1, open.size(), "one embedded driver for both ends of this process: " + open);
        final Path directory = open.get(0);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)),
            directory.toString());
        final Receiver other = Channels.openReceiver(Ports.loopbackUri("&peerTimeout=4s"));
        assertEquals(before.size() + 2, privateDirectories().size(), "other driver settings, another driver");
        other.close();
        sender.close();
        assertTrue(Files.exists(directory), "the receiver still uses it");
        receiver.close();
        assertFalse(Files.exists(directory), directory + " is removed on the last close");
        assertEquals(before, privateDirectories());
    }

    @Test
    void shouldRemoveTheDirectoryOfAKilledProcessWhenTheNextDriverStarts() throws Exception {
        final Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(30, TimeUnit.SECONDS));
        final Path abandoned = Files.createDirectories(AeronSession.SHM.resolve(AeronSession.DIRECTORY_PREFIX
            + gone.pid() + "-42").resolve("driver"));
        Files.writeString(abandoned.resolve("cnc.dat"), "left by a process killed with SIGKILL");
        final Path live = Files.createDirectory(AeronSession.SHM.resolve(AeronSession.DIRECTORY_PREFIX
            + ProcessHandle.current().pid() + "-43"));
        try {
            try (Receiver receiver = Channels.openReceiver(Ports.loopbackUri("&peerTimeout=7s"))) {
                assertTrue(receiver.isPeerAlive());
            }
            assertFalse(Files.exists(abandoned.getParent()), "a dead process's directory is removed");
            assertTrue(Files.exists(live), "a live process's directory is kept");
        } finally {
            AeronSession.deleteTree(live);
            AeronSession.deleteTree(abandoned.getParent());
        }
    }

    @Test
    void shouldLetAHandlersExceptionOutOfPollAndGoOn() {
        final String uri = Ports.loopbackUri("");
        try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri)) {
            assertTrue(sender.offer(new byte[] {1}, DEADLINE));
            assertTrue(sender.offer(new byte[] {2}, DEADLINE));
            final IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> receiver.poll((b, o, l) -> {
                    throw new IllegalStateException("from the handler");
                }, 10, DEADLINE));
            assertEquals("from the handler", thrown.getMessage());
            final int[] got = {0};
            assertEquals(1, receiver.poll((b, o, l) -> got[0] = b.getByte(o), 10, DEADLINE));
            assertEquals(2, got[0], "the message whose handler threw counts as delivered; the next one follows");
        }
    }

    @Test
    void shouldEndAnInterruptedTimedPollKeepingTheInterruptAndTheEnd() throws Exception {
        final String uri = Ports.loopbackUri("");
        try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri)) {
            Thread.currentThread().interrupt();
            try {
                assertThrows(ChannelInterruptedException.class, () -> receiver.poll((b, o, l) -> { }, 1, DEADLINE));
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt status is kept");
                assertThrows(ChannelInterruptedException.class,
                    () -> receiver.poll((MemorySegment m) -> { }, 1, DEADLINE));
            } finally {
                Thread.interrupted();
            }
            assertTrue(sender.offer(new byte[] {42}, DEADLINE));
            final int[] got = {0};
            assertEquals(1, receiver.poll((b, o, l) -> got[0] = b.getByte(o), 1, DEADLINE), "the end stays usable");
            assertEquals(42, got[0]);
        }
    }

    @Test
    void shouldEndAnInterruptedTimedOfferOnAFullChannel() {
        final String uri = Ports.loopbackUri("");
        try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri)) {
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
            long offered = 0;
            while (sender.offer(buffer, 0, 1024)) {
                assertTrue(++offered < 1_000_000, "never back-pressured");
            }
            Thread.currentThread().interrupt();
            try {
                assertThrows(ChannelInterruptedException.class, () -> sender.offer(buffer, 0, 1024, DEADLINE));
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt status is kept");
            } finally {
                Thread.interrupted();
            }
            assertTrue(receiver.isPeerAlive() && sender.isPeerAlive());
        }
    }

    @Test
    void shouldEndAnInterruptedOpenThatWaitsForAReceiver() {
        final String uri = "aeron:udp?endpoint=127.0.0.1:" + Ports.freeUdpPort() + "&timeout=60s";
        Thread.currentThread().interrupt();
        try {
            assertThrows(ChannelInterruptedException.class, () -> Channels.openSender(uri));
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt status is kept");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void shouldCarrySegmentsNativeHeapAndReadOnlyWholeThroughFragments() throws Exception {
        final String uri = Ports.loopbackUri("&mtu=1k&termLength=64k");
        try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri);
             Arena arena = Arena.ofConfined()) {
            final int max = sender.maxMessageLength();
            assertEquals(8 * 1024, max);
            final byte[] bytes = new byte[max];
            for (int i = 0; i < max; i++) {
                bytes[i] = (byte) (i * 13 + 5);
            }
            final MemorySegment nativeSegment = arena.allocate(max);
            MemorySegment.copy(bytes, 0, nativeSegment, ValueLayout.JAVA_BYTE, 0, max);
            final List<MemorySegment> sent = List.of(nativeSegment, MemorySegment.ofArray(bytes).asSlice(3, 3000),
                MemorySegment.ofArray(bytes).asReadOnly(), MemorySegment.ofArray(new long[] {7L, 8L}),
                nativeSegment.asSlice(0, 0));
            for (final MemorySegment message : sent) {
                assertTrue(sender.offer(message, DEADLINE));
            }
            final List<byte[]> received = new ArrayList<>();
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (received.size() < sent.size() && System.nanoTime() - deadline < 0) {
                receiver.poll((MemorySegment m) -> {
                    assertTrue(m.isReadOnly(), "the view is read-only");
                    received.add(m.toArray(ValueLayout.JAVA_BYTE));
                }, 10, Duration.ofMillis(100));
            }
            assertEquals(sent.size(), received.size());
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i).toArray(ValueLayout.JAVA_BYTE), received.get(i), "message " + i);
            }
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sender.offer(arena.allocate(max + 1)));
            assertTrue(e.getMessage().contains("length=" + (max + 1)) && e.getMessage().contains("maxMessageLength="
                + max), e.getMessage());
        }
    }

    @Test
    void shouldUseAnExternalDriverAndLeaveItsDirectory(@TempDir final Path dir) {
        final Path aeronDir = dir.resolve("driver");
        try (MediaDriver driver = MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(aeronDir.toString())
            .threadingMode(ThreadingMode.SHARED).dirDeleteOnShutdown(true).printConfigurationOnStart(false))) {
            final String uri = "aeron:udp?endpoint=127.0.0.1:" + Ports.freeUdpPort() + "&driver=external&aeron.dir="
                + driver.aeronDirectoryName() + "&linger=1s";
            final List<Path> before;
            try {
                before = privateDirectories();
            } catch (final IOException e) {
                throw new AssertionError(e);
            }
            try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri)) {
                assertTrue(sender.offer("over the external driver".getBytes(), DEADLINE));
                final String[] got = {null};
                assertEquals(1, receiver.poll((b, o, l) -> got[0] = b.getStringWithoutLengthAscii(o, l), 1, DEADLINE));
                assertEquals("over the external driver", got[0]);
                try {
                    assertEquals(before, privateDirectories(), "no embedded driver was started");
                } catch (final IOException e) {
                    throw new AssertionError(e);
                }
            }
            assertTrue(Files.exists(aeronDir.resolve("cnc.dat")), "the external driver's directory stays");
        }
    }
}
