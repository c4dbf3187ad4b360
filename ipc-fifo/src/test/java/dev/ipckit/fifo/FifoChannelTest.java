package dev.ipckit.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.posix.Errno;
import dev.ipckit.posix.FileStat;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixPipes;
import dev.ipckit.posix.PosixProcess;

/**
 * What the FIFO transport promises beyond the common contract: the path checks, the O_NDELAY behaviours,
 * the rendezvous, framing of large and corrupt frames, EPIPE and the pipe buffer size.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FifoChannelTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private String fifo(final String name) {
        return dir.resolve(name).toString();
    }

    // ---- the path --------------------------------------------------------------------------------------

    @Test
    void shouldMakeTheFifoWithMode0600WhenNothingIsThere() {
        final String path = fifo("made.fifo");
        try (Receiver receiver = Channels.openReceiver("fifo:" + path + "?nonblock=true")) {
            final FileStat stat = PosixFiles.lstat(path);
            assertTrue(stat.isFifo(), stat.typeName());
            assertEquals(0600, stat.permissions());
            assertTrue(receiver.isPeerAlive(), "no sender has come and gone yet");
        }
        assertTrue(PosixFiles.lstat(path).isFifo(), "the FIFO stays after close");
    }

    @Test
    void shouldUseAnExistingFifoAsItIs() {
        final String path = fifo("existing.fifo");
        PosixPipes.mkfifo(path, 0640);
        final long inode = PosixFiles.lstat(path).inode();
        try (Receiver receiver = Channels.openReceiver("fifo:" + path + "?nonblock=true");
             Sender sender = Channels.openSender("fifo:" + path + "?nonblock=true")) {
            assertTrue(sender.offer("hi".getBytes(StandardCharsets.US_ASCII)));
            assertEquals(List.of("hi"), receiveStrings(receiver, 1));
        }
        assertEquals(inode, PosixFiles.lstat(path).inode());
        assertEquals(0640, PosixFiles.lstat(path).permissions());
    }

    @Test
    void shouldRefuseARegularFileNamingThePathAndWhatIsThere() throws IOException {
        final Path path = dir.resolve("regular");
        Files.writeString(path, "keep me");
        assertRefused(path.toString(), "a regular file");
        assertEquals("keep me", Files.readString(path), "the file is left as it was");
    }

    @Test
    void shouldRefuseADirectoryNamingThePathAndWhatIsThere() throws IOException {
        final Path path = Files.createDirectory(dir.resolve("directory"));
        assertRefused(path.toString(), "a directory");
        assertTrue(Files.isDirectory(path));
    }

    @Test
    void shouldRefuseASymbolicLinkEvenToAFifo() throws IOException {
        final String target = fifo("target.fifo");
        PosixPipes.mkfifo(target, 0600);
        final Path link = Files.createSymbolicLink(dir.resolve("link.fifo"), Path.of(target));
        final ChannelException e = assertRefused(link.toString(), "a symbolic link");
        assertTrue(e.getMessage().contains("links are not followed"), e.getMessage());
        assertTrue(Files.isSymbolicLink(link));
    }

    private ChannelException assertRefused(final String path, final String what) {
        final long before = openDescriptors();
        final ChannelException asReceiver = assertThrows(ChannelException.class,
            () -> Channels.openReceiver("fifo:" + path + "?nonblock=true"));
        final ChannelException asSender = assertThrows(ChannelException.class,
            () -> Channels.openSender("fifo:" + path + "?nonblock=true"));
        for (final ChannelException e : List.of(asReceiver, asSender)) {
            assertTrue(e.getMessage().contains("\"" + path + "\""), e.getMessage());
            assertTrue(e.getMessage().contains("it is " + what + ", not a FIFO"), e.getMessage());
        }
        assertEquals(before, openDescriptors(), "no descriptor is left open");
        return asReceiver;
    }

    @Test
    void shouldRefuseABadOptionBeforeMakingAnything() {
        final String path = fifo("never.fifo");
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Channels.openReceiver("fifo:" + path + "?wait=sleep"));
        assertTrue(e.getMessage().startsWith("wait=sleep"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Channels.openSender("fifo:" + path + "?colour=blue"));
        assertThrows(IllegalArgumentException.class, () -> Channels.openSender("fifo:?nonblock=true"));
        assertEquals(null, PosixFiles.lstatIfExists(path), "nothing was made");
    }

    // ---- O_NDELAY: nonblock=true --------------------------------------------------------------------------

    @Test
    void shouldOpenANonblockReceiverAtOnceAndSeeASenderThatConnectsLater() {
        final String uri = "fifo:" + fifo("later.fifo") + "?nonblock=true";
        try (Receiver receiver = Channels.openReceiver(uri)) {
            assertEquals(0, receiver.poll((b, o, l) -> fail("no sender yet"), 10));
            assertEquals(0, receiver.poll((b, o, l) -> fail("no sender yet"), 10, Duration.ofMillis(20)));
            assertTrue(receiver.isPeerAlive());
            try (Sender sender = Channels.openSender(uri)) {
                assertTrue(sender.offer("late".getBytes(StandardCharsets.US_ASCII)));
                assertEquals(List.of("late"), receiveStrings(receiver, 1));
            }
            assertThrows(PeerGoneException.class, () -> receiver.poll((b, o, l) -> fail("sender closed"), 10, DEADLINE));
        }
    }

    @Test
    void shouldReportPeerGoneWhenASenderConnectsAndLeavesWithoutWriting() {
        final String uri = "fifo:" + fifo("silent.fifo") + "?nonblock=true";
        try (Receiver receiver = Channels.openReceiver(uri)) {
            Channels.openSender(uri).close();
            assertThrows(PeerGoneException.class, () -> receiver.poll((b, o, l) -> fail("nothing sent"), 10, DEADLINE));
            assertFalse(receiver.isPeerAlive());
        }
    }

    @Test
    void shouldFailANonblockSenderAtOnceWithEnxioWhenNoProcessReads() {
        final String path = fifo("lonely.fifo");
        final long before = openDescriptors();
        final NativeException e = assertThrows(NativeException.class, () -> Channels.openSender("fifo:" + path + "?nonblock=true"));
        assertEquals(Errno.ENXIO, e.errno());
        assertEquals("open", e.call());
        assertTrue(e.getMessage().contains("\"" + path + "\""), e.getMessage());
        assertTrue(e.getMessage().contains("O_WRONLY|O_NONBLOCK"), e.getMessage());
        assertTrue(e.sentence().contains("no process has the FIFO open for reading"), e.sentence());
        assertTrue(e.sentence().contains("timeout="), e.sentence());
        assertEquals(before, openDescriptors());
    }

    @Test
    void shouldKeepTryingANonblockSenderWithTimeoutUntilAReaderAppears() throws Exception {
        final String path = fifo("patient.fifo");
        final CompletableFuture<Sender> opening = CompletableFuture.supplyAsync(
            () -> Channels.openSender("fifo:" + path + "?nonblock=true&timeout=30s"));
        awaitFifo(path);
        try (Receiver receiver = Channels.openReceiver("fifo:" + path + "?nonblock=true");
             Sender sender = opening.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            assertTrue(sender.offer("found you".getBytes(StandardCharsets.US_ASCII), DEADLINE));
            assertEquals(List.of("found you"), receiveStrings(receiver, 1));
        }
    }

    @Test
    void shouldFailANonblockSenderWithEnxioOnceItsTimeoutPasses() {
        final String path = fifo("timeout.fifo");
        final long start = System.nanoTime();
        final NativeException e = assertThrows(NativeException.class,
            () -> Channels.openSender("fifo:" + path + "?nonblock=true&timeout=200ms"));
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(200).toNanos(), "it kept trying for the whole timeout");
        assertEquals(Errno.ENXIO, e.errno());
        assertTrue(e.sentence().contains("within 200ms"), e.sentence());
    }

    // ---- rendezvous: without nonblock -------------------------------------------------------------------

    @Test
    void shouldHoldABlockingReceiverUntilASenderOpens() throws Exception {
        final String uri = "fifo:" + fifo("meet.fifo") + "?timeout=30s";
        final CompletableFuture<Receiver> opening = CompletableFuture.supplyAsync(() -> Channels.openReceiver(uri));
        awaitRendezvousThread();
        assertFalse(opening.isDone(), "the receiver's open waits while no sender has opened");
        try (Sender sender = Channels.openSender(uri);
             Receiver receiver = opening.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            assertTrue(sender.offer("met".getBytes(StandardCharsets.US_ASCII), DEADLINE));
            assertEquals(List.of("met"), receiveStrings(receiver, 1));
        }
    }

    @Test
    void shouldOpenABlockingReceiverWhoseSenderWroteAndLeftWhileItWaited() throws Exception {
        final String path = fifo("brief.fifo");
        final CompletableFuture<Receiver> opening = CompletableFuture.supplyAsync(
            () -> Channels.openReceiver("fifo:" + path + "?timeout=30s"));
        awaitRendezvousThread();
        try (Sender sender = Channels.openSender("fifo:" + path + "?nonblock=true")) {
            assertTrue(sender.offer("bye".getBytes(StandardCharsets.US_ASCII)));
        }
        try (Receiver receiver = opening.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
            assertEquals(List.of("bye"), receiveStrings(receiver, 1));
            assertThrows(PeerGoneException.class, () -> receiver.poll((b, o, l) -> fail("sender left"), 1, DEADLINE));
        }
    }

    @Test
    void shouldGiveUpABlockingReceiverAtItsTimeoutAndLeaveNothingOpen() {
        final String path = fifo("nobody.fifo");
        final long before = openDescriptors();
        final ChannelException e = assertThrows(ChannelException.class,
            () -> Channels.openReceiver("fifo:" + path + "?timeout=100ms"));
        assertTrue(e.getMessage().contains("\"" + path + "\""), e.getMessage());
        assertTrue(e.getMessage().contains("within 100ms"), e.getMessage());
        assertEquals(before, openDescriptors());
        assertFalse(rendezvousThreadRunning(), "the thread that waited for a writer has ended");
    }

    @Test
    void shouldGiveUpABlockingSenderAtItsTimeoutWithEnxio() {
        final NativeException e = assertThrows(NativeException.class,
            () -> Channels.openSender("fifo:" + fifo("unread.fifo") + "?timeout=100ms"));
        assertEquals(Errno.ENXIO, e.errno());
        assertTrue(e.sentence().contains("within 100ms"), e.sentence());
    }

    @Test
    void shouldEndAnUnboundedWaitWhenTheOpeningThreadIsInterrupted() throws Exception {
        final String uri = "fifo:" + fifo("interrupted.fifo");
        for (final boolean receiving : new boolean[] {true, false}) {
            final CompletableFuture<Throwable> failure = new CompletableFuture<>();
            final boolean[] stillInterrupted = {false};
            final Thread opener = Thread.ofPlatform().start(() -> {
                try {
                    (receiving ? Channels.openReceiver(uri) : Channels.openSender(uri)).close();
                    failure.complete(null);
                } catch (final Throwable t) {
                    stillInterrupted[0] = Thread.currentThread().isInterrupted();
                    failure.complete(t);
                }
            });
            if (receiving) {
                awaitRendezvousThread();
            }
            opener.interrupt();
            final Throwable t = failure.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertInstanceOf(dev.ipckit.ChannelInterruptedException.class, t);
            assertTrue(t.getMessage().startsWith("opening the " + (receiving ? "receiver" : "sender") + " of the FIFO"),
                t.getMessage());
            opener.join();
            assertTrue(stillInterrupted[0], "the interrupt status is kept");
        }
    }

    // ---- framing ----------------------------------------------------------------------------------------

    @Test
    void shouldCarryAFrameLargerThanThePipeBufferWhole() throws Exception {
        final String uri = "fifo:" + fifo("large.fifo") + "?nonblock=true";
        final int length = 1 << 20;
        final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
        for (int i = 0; i < length; i++) {
            message.putByte(i, (byte) (i * 13 + 5));
        }
        try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri)) {
            assertEquals(length, sender.maxMessageLength());
            final CompletableFuture<int[]> received = CompletableFuture.supplyAsync(() -> {
                final int[] got = {-1, 0};
                final long deadline = System.nanoTime() + DEADLINE.toNanos();
                while (got[0] < 0 && System.nanoTime() - deadline < 0) {
                    receiver.poll((b, o, l) -> {
                        got[0] = l;
                        for (int i = 0; i < l; i++) {
                            if (b.getByte(o + i) != (byte) (i * 13 + 5)) {
                                got[1]++;
                            }
                        }
                    }, 1, Duration.ofMillis(100));
                }
                return got;
            });
            // Larger than the 64 KiB pipe: the untimed offer starts it on the empty FIFO and finishes it.
            assertTrue(sender.offer(message, 0, length));
            final int[] got = received.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertEquals(length, got[0]);
            assertEquals(0, got[1], "bytes that differ");
        }
    }

    @Test
    void shouldNotStartALargeFrameWithoutRoomAndWriteNothing() {
        final String uri = "fifo:" + fifo("noroom.fifo") + "?nonblock=true";
        try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri)) {
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(200_000));
            assertTrue(sender.offer(buffer, 0, 10));
            assertFalse(sender.offer(buffer, 0, 200_000), "larger than the pipe, and the pipe is not empty");
            assertFalse(sender.offer(buffer, 0, 63 * 1024), "fits the pipe, but not beside what is queued");
            assertFalse(sender.offer(buffer, 0, 200_000, Duration.ofMillis(20)));
            assertEquals(List.of(10), receiveLengths(receiver, 1));
            assertEquals(0, receiver.poll((b, o, l) -> fail("nothing else was written"), 10));
            assertTrue(sender.offer(buffer, 0, 63 * 1024), "room once drained");
            assertEquals(List.of(63 * 1024), receiveLengths(receiver, 1));
        }
    }

    @Test
    void shouldRefuseAGarbageNegativeLengthNamingTheFifo() {
        assertCorrupt("negative.fifo", -5, "length=-5");
    }

    @Test
    void shouldRefuseAGarbageHugeLengthWithoutAllocatingIt() {
        assertCorrupt("huge.fifo", Integer.MAX_VALUE, "length=" + Integer.MAX_VALUE);
        assertCorrupt("above.fifo", FifoConfiguration.DEFAULT_MAX_MESSAGE_LENGTH + 1,
            "length=" + (FifoConfiguration.DEFAULT_MAX_MESSAGE_LENGTH + 1));
    }

    private void assertCorrupt(final String name, final int length, final String expected) {
        final String path = fifo(name);
        try (Receiver receiver = Channels.openReceiver("fifo:" + path + "?nonblock=true")) {
            final int raw = PosixFiles.open(path, PosixFiles.O_WRONLY | PosixFiles.O_NONBLOCK | PosixFiles.O_CLOEXEC, 0);
            try {
                writeRaw(raw, frame(3), header(length), frame(2));
                final List<Integer> lengths = new ArrayList<>();
                final ChannelException e = assertThrows(ChannelException.class, () -> {
                    for (int i = 0; i < 100; i++) {
                        receiver.poll((b, o, l) -> lengths.add(l), 10, DEADLINE);
                    }
                });
                assertFalse(e instanceof PeerGoneException, e.getMessage());
                assertEquals(List.of(3), lengths, "the frame before the garbage is delivered, nothing after");
                assertTrue(e.getMessage().contains("\"" + path + "\""), e.getMessage());
                assertTrue(e.getMessage().contains(expected), e.getMessage());
                assertTrue(e.getMessage().contains("maxMessageLength=" + receiver.maxMessageLength()), e.getMessage());
                final ChannelException again = assertThrows(ChannelException.class, () -> receiver.poll((b, o, l) -> { }, 1));
                assertTrue(again.getMessage().contains(expected), again.getMessage());
            } finally {
                PosixFiles.close(raw);
            }
        }
    }

    @Test
    void shouldDeliverWholeFramesThenDiscardAPartialOneAtEndOfFile() {
        final String path = fifo("partial.fifo");
        try (Receiver receiver = Channels.openReceiver("fifo:" + path + "?nonblock=true")) {
            final int raw = PosixFiles.open(path, PosixFiles.O_WRONLY | PosixFiles.O_NONBLOCK | PosixFiles.O_CLOEXEC, 0);
            writeRaw(raw, frame(5), frame(0), header(100), new byte[10]);
            PosixFiles.close(raw);
            assertEquals(List.of(5, 0), receiveLengths(receiver, 2));
            final PeerGoneException gone = assertThrows(PeerGoneException.class,
                () -> receiver.poll((b, o, l) -> fail("the partial frame is never delivered"), 10, DEADLINE));
            assertTrue(gone.getMessage().contains("its 14 bytes were discarded"), gone.getMessage());
            assertTrue(gone.getMessage().contains("a 100-byte payload"), gone.getMessage());
        }
    }

    // ---- the receiver leaves ----------------------------------------------------------------------------

    @Test
    void shouldTurnEpipeIntoPeerGoneWithoutTheJvmDyingOfSigpipe() {
        final String uri = "fifo:" + fifo("epipe.fifo") + "?nonblock=true";
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[100_000]);
        for (final int length : new int[] {16, 100_000}) {
            try (Sender sender = openConnectedSender(uri)) {
                final PeerGoneException gone = assertThrows(PeerGoneException.class, () -> sender.offer(buffer, 0, length));
                final NativeException cause = assertInstanceOf(NativeException.class, gone.getCause());
                assertEquals(Errno.EPIPE, cause.errno());
                assertTrue(gone.getMessage().contains("no process has the FIFO"), gone.getMessage());
                assertFalse(sender.isPeerAlive());
                final PeerGoneException again = assertThrows(PeerGoneException.class,
                    () -> sender.offer(buffer, 0, 1, Duration.ofMillis(10)));
                assertEquals(Errno.EPIPE, assertInstanceOf(NativeException.class, again.getCause()).errno());
            }
        }
    }

    private static Sender openConnectedSender(final String uri) {
        final Receiver receiver = Channels.openReceiver(uri);
        final Sender sender = Channels.openSender(uri);
        assertTrue(sender.isPeerAlive());
        receiver.close();
        return sender;
    }

    @Test
    void shouldBreakASenderWhoseReceiverStopsReadingMidFrameAfterStall() {
        final String path = fifo("stall.fifo");
        final String uri = "fifo:" + path + "?nonblock=true&stall=200ms";
        try (Receiver receiver = Channels.openReceiver(uri)) {
            final int length = 300_000;
            try (Sender sender = Channels.openSender(uri)) {
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
                final ChannelException e = assertThrows(ChannelException.class, () -> sender.offer(buffer, 0, length));
                assertTrue(e.getMessage().contains("took no byte for 200ms (stall=)"), e.getMessage());
                assertTrue(e.getMessage().contains("\"" + path + "\""), e.getMessage());
                final ChannelException again = assertThrows(ChannelException.class, () -> sender.offer(buffer, 0, 1));
                assertTrue(again.getMessage().contains("stall="), again.getMessage());
            }
            final PeerGoneException gone = assertThrows(PeerGoneException.class,
                () -> receiver.poll((b, o, l) -> fail("the half-written frame is never delivered"), 10, DEADLINE));
            assertTrue(gone.getMessage().contains("a " + length + "-byte payload"), gone.getMessage());
        }
    }

    // ---- options ----------------------------------------------------------------------------------------

    @Test
    void shouldSetThePipeBufferFromCapacity() {
        final String path = fifo("capacity.fifo");
        try (Receiver receiver = Channels.openReceiver("fifo:" + path + "?nonblock=true&capacity=1m")) {
            final int probe = PosixFiles.open(path, PosixFiles.O_RDONLY | PosixFiles.O_NONBLOCK | PosixFiles.O_CLOEXEC, 0);
            try {
                assertEquals(1 << 20, PosixPipes.pipeSize(probe));
            } finally {
                PosixFiles.close(probe);
            }
            final String tooBig = "fifo:" + path + "?nonblock=true&capacity=" + 4L * PosixPipes.pipeMaxSize();
            if (PosixProcess.getuid() != 0) {
                final NativeException e = assertThrows(NativeException.class, () -> Channels.openSender(tooBig));
                assertEquals(Errno.EPERM, e.errno());
                assertTrue(e.getMessage().contains("/proc/sys/fs/pipe-max-size"), e.getMessage());
            } else {
                // CAP_SYS_RESOURCE lifts the limit: the size is granted.
                Channels.openSender(tooBig).close();
            }
        }
    }

    @Test
    void shouldCapMessagesForManyProducersAtPipeBufMinusTheHeaderAndSaySo() {
        final String uri = "fifo:" + fifo("many.fifo") + "?nonblock=true&producers=many";
        final IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class,
            () -> Channels.openReceiver(uri + "&maxMessage=8k"));
        assertTrue(tooLarge.getMessage().startsWith("maxMessage=8k"), tooLarge.getMessage());
        assertTrue(tooLarge.getMessage().contains("4092"), tooLarge.getMessage());
        assertTrue(tooLarge.getMessage().contains("PIPE_BUF"), tooLarge.getMessage());
        try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri)) {
            assertEquals(4092, sender.maxMessageLength());
            assertEquals(4092, receiver.maxMessageLength());
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sender.offer(new byte[4093]));
            assertTrue(e.getMessage().contains("length=4093"), e.getMessage());
            assertTrue(e.getMessage().contains("producers=many"), e.getMessage());
            assertTrue(sender.offer(new byte[4092]));
            assertEquals(List.of(4092), receiveLengths(receiver, 1));
        }
    }

    @Test
    void shouldWorkWithSpinWaiting() throws Exception {
        final String uri = "fifo:" + fifo("spin.fifo") + "?nonblock=true&wait=spin";
        try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri)) {
            final CompletableFuture<List<Integer>> received = CompletableFuture.supplyAsync(() -> receiveLengths(receiver, 200));
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[100_000]);
            for (int i = 0; i < 200; i++) {
                assertTrue(sender.offer(buffer, 0, i * 500, DEADLINE));
            }
            final List<Integer> lengths = received.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            for (int i = 0; i < 200; i++) {
                assertEquals(i * 500, lengths.get(i));
            }
        }
    }

    @Test
    void shouldSleepInPollWhileTimedCallsWaitWithWaitBlock() {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final String uri = "fifo:" + fifo("sleepy.fifo") + "?nonblock=true&wait=block";
        try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri)) {
            final long cpuBefore = threads.getCurrentThreadCpuTime();
            final long wallBefore = System.nanoTime();
            assertEquals(0, receiver.poll((b, o, l) -> fail("nothing was sent"), 10, Duration.ofMillis(300)));
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
            while (sender.offer(buffer, 0, 1024)) {
                assertTrue(receiver.isPeerAlive());
            }
            assertFalse(sender.offer(buffer, 0, 1024, Duration.ofMillis(300)));
            final long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
            final long wall = System.nanoTime() - wallBefore;
            assertTrue(cpu < wall / 4, "a waiting thread used " + cpu / 1000 + " us of CPU in " + wall / 1000 + " us");
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private static List<String> receiveStrings(final Receiver receiver, final int count) {
        final List<String> got = new ArrayList<>();
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (got.size() < count) {
            assertTrue(System.nanoTime() - deadline < 0, "received " + got);
            receiver.poll((b, o, l) -> got.add(b.getStringWithoutLengthAscii(o, l)), count - got.size(), Duration.ofMillis(100));
        }
        return got;
    }

    private static List<Integer> receiveLengths(final Receiver receiver, final int count) {
        final List<Integer> got = new ArrayList<>();
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (got.size() < count) {
            assertTrue(System.nanoTime() - deadline < 0, "received " + got);
            receiver.poll((b, o, l) -> got.add(l), count - got.size(), Duration.ofMillis(100));
        }
        return got;
    }

    private static byte[] header(final int length) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(length).array();
    }

    private static byte[] frame(final int length) {
        final byte[] frame = new byte[4 + length];
        System.arraycopy(header(length), 0, frame, 0, 4);
        return frame;
    }

    private static void writeRaw(final int fd, final byte[]... parts) {
        try (Arena arena = Arena.ofConfined()) {
            for (final byte[] part : parts) {
                final MemorySegment segment = arena.allocate(Math.max(1, part.length));
                MemorySegment.copy(part, 0, segment, ValueLayout.JAVA_BYTE, 0, part.length);
                assertEquals(part.length, PosixFiles.writeNonBlocking(fd, segment, part.length));
            }
        }
    }

    private static void awaitFifo(final String path) {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (PosixFiles.lstatIfExists(path) == null) {
            assertTrue(System.nanoTime() - deadline < 0, "the sender never made " + path);
            Thread.onSpinWait();
        }
    }

    private static boolean rendezvousThreadRunning() {
        return Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.getName().startsWith("ipckit-fifo-rendezvous-") && t.isAlive());
    }

    private static void awaitRendezvousThread() {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!rendezvousThreadRunning()) {
            assertTrue(System.nanoTime() - deadline < 0, "the receiver never started waiting for a writer");
            Thread.onSpinWait();
        }
    }

    private static long openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
