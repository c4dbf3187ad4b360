package dev.ipckit.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
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
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixPipes;
import dev.ipckit.posix.PosixProcess.ExitStatus;
import dev.ipckit.posix.PosixSignals;

/**
 * Anonymous pipes: in-process pairs, {@code pipe:fd=N}, and ends handed to child processes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipeTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void shouldOpenAPairWithOptionsAndRefuseABadOne() {
        try (Pipes.Pair pipe = Pipes.open("maxMessage=64k&capacity=128k")) {
            assertEquals(64 * 1024, pipe.sender().maxMessageLength());
            assertEquals(64 * 1024, pipe.receiver().maxMessageLength());
            assertTrue(pipe.sender().uri().startsWith("pipe:fd="), pipe.sender().uri());
            assertTrue(pipe.sender().offer(new byte[64 * 1024]));
            assertEquals(List.of(64 * 1024), receiveLengths(pipe.receiver(), 1));
        }
        final long before = openDescriptors();
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pipes.open("nonblock=true"));
        assertTrue(e.getMessage().contains("unknown option 'nonblock'"), e.getMessage());
        assertEquals(before, openDescriptors());
    }

    @Test
    void shouldOpenAnInheritedEndByDescriptorInTheRoleItCanPlay() {
        final int[] fds = PosixPipes.pipe2(PosixFiles.O_CLOEXEC);
        try (Sender sender = Channels.openSender("pipe:fd=" + fds[1]);
             Receiver receiver = Channels.openReceiver("pipe:fd=" + fds[0])) {
            assertTrue((PosixFiles.fcntl(fds[0], PosixFiles.F_GETFL, 0) & PosixFiles.O_NONBLOCK) != 0);
            assertTrue(sender.offer(new byte[3]));
            assertEquals(List.of(3), receiveLengths(receiver, 1));
            sender.close();
            assertThrows(PeerGoneException.class, () -> receiver.poll((b, o, l) -> fail("sender closed"), 1, DEADLINE));
        }
        assertEquals(-Errno.EBADF, PosixFiles.tryFcntl(fds[0], PosixFiles.F_GETFD, 0), "the channel closed the descriptor");
    }

    @Test
    void shouldRefuseADescriptorThatCannotPlayTheRole() throws IOException {
        final int[] fds = PosixPipes.pipe2(PosixFiles.O_CLOEXEC);
        final Path file = Files.writeString(dir.resolve("plain"), "x");
        final int regular = PosixFiles.open(file.toString(), PosixFiles.O_RDONLY | PosixFiles.O_CLOEXEC, 0);
        try {
            final ChannelException writeEnd = assertThrows(ChannelException.class, () -> Channels.openReceiver("pipe:fd=" + fds[1]));
            assertTrue(writeEnd.getMessage().contains("is the write end of a pipe"), writeEnd.getMessage());
            assertTrue(writeEnd.getMessage().contains("openSender"), writeEnd.getMessage());
            final ChannelException readEnd = assertThrows(ChannelException.class, () -> Channels.openSender("pipe:fd=" + fds[0]));
            assertTrue(readEnd.getMessage().contains("is the read end of a pipe"), readEnd.getMessage());
            final ChannelException file1 = assertThrows(ChannelException.class, () -> Channels.openReceiver("pipe:fd=" + regular));
            assertTrue(file1.getMessage().contains("is a regular file, not a pipe"), file1.getMessage());
            final NativeException closed = assertThrows(NativeException.class, () -> Channels.openReceiver("pipe:fd=987"));
            assertEquals(Errno.EBADF, closed.errno());
            assertTrue(closed.getMessage().contains("descriptor 987 is not open"), closed.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Channels.openReceiver("pipe:3"));
            assertThrows(IllegalArgumentException.class, () -> Channels.openReceiver("pipe:fd=three"));
            assertEquals(0, PosixFiles.fcntl(fds[0], PosixFiles.F_GETFL, 0) & PosixFiles.O_NONBLOCK, "a refused end is unchanged");
        } finally {
            PosixFiles.close(regular);
            PosixFiles.close(fds[0]);
            PosixFiles.close(fds[1]);
        }
    }

    @Test
    void shouldCarryFramesThroughAPlainProgramOnDescriptorsThreeAndFour() throws Exception {
        try (ChildPipe toChild = ChildPipe.toChild();
             ChildPipe fromChild = ChildPipe.fromChild();
             ChildProcess child = ChildProcess.start(List.of("/bin/sh", "-c", "exec cat <&3 >&4"), toChild, fromChild)) {
            assertEquals(child.pid(), toChild.handedTo());
            // More than both pipes and cat's buffer hold: send on another thread while this one receives.
            final CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                final UnsafeBuffer buffer = new UnsafeBuffer(new byte[5000]);
                for (int i = 0; i < 100; i++) {
                    buffer.putInt(0, i);
                    assertTrue(toChild.sender().offer(buffer, 0, 4 + i * 50, DEADLINE));
                }
            });
            final List<Integer> got = new ArrayList<>();
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (got.size() < 100) {
                assertTrue(System.nanoTime() - deadline < 0, "received " + got.size() + " of 100");
                fromChild.receiver().poll((b, o, l) -> {
                    assertEquals(4 + got.size() * 50, l);
                    got.add(b.getInt(o));
                }, 100, Duration.ofMillis(100));
            }
            for (int i = 0; i < 100; i++) {
                assertEquals(i, got.get(i));
            }
            sent.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            toChild.sender().close(); // cat reads end of file, exits, and so closes its end of the other pipe
            assertThrows(PeerGoneException.class, () -> fromChild.receiver().poll((b, o, l) -> fail("cat echoed all"), 1, DEADLINE));
            final ExitStatus status = child.waitFor(DEADLINE);
            assertNotNull(status);
            assertEquals(0, status.exitCode(), status.toString());
        }
    }

    @Test
    void shouldSeeTheChildsDeathAsPeerGoneOnBothPipesWhenItIsKilled() {
        try (ChildPipe toChild = ChildPipe.toChild();
             ChildPipe fromChild = ChildPipe.fromChild();
             ChildProcess child = ChildProcess.start(List.of("/bin/sh", "-c", "exec cat <&3 >&4"), toChild, fromChild)) {
            assertTrue(child.isAlive());
            assertTrue(toChild.sender().isPeerAlive());
            final ExitStatus killed = child.kill();
            assertEquals(PosixSignals.SIGKILL, killed.signal());
            assertFalse(child.isAlive());
            assertEquals(killed, child.waitFor(Duration.ZERO), "the same answer once reaped");
            assertEquals(killed, child.kill(), "a reaped child is never signalled again");
            assertThrows(PeerGoneException.class, () -> fromChild.receiver().poll((b, o, l) -> fail("it sent nothing"), 1, DEADLINE));
            final PeerGoneException gone = assertThrows(PeerGoneException.class,
                () -> toChild.sender().offer(new UnsafeBuffer(new byte[8]), 0, 8, DEADLINE));
            assertEquals(Errno.EPIPE, assertInstanceOf(NativeException.class, gone.getCause()).errno());
        }
    }

    @Test
    void shouldGiveTheChildOnlyStandardDescriptorsAndItsPipeEnds() {
        try (ChildPipe toChild = ChildPipe.toChild(); ChildPipe fromChild = ChildPipe.fromChild()) {
            final String check = "p=/proc/$$/fd; test -p $p/3 && test -p $p/4 && ! test -e $p/5 && ! test -e $p/6"
                + " && ! test -e $p/" + fromChild.receiver().uri().substring("pipe:fd=".length());
            final ChildProcess child = ChildProcess.start(List.of("/bin/sh", "-c", check), toChild, fromChild);
            final ExitStatus status = child.waitFor(DEADLINE);
            assertNotNull(status);
            assertEquals(0, status.exitCode(), "the child saw other descriptors: " + status);
        }
    }

    @Test
    void shouldReportTheExitCodeOfAChild() {
        try (ChildProcess child = ChildProcess.start(List.of("/bin/sh", "-c", "exit 7"))) {
            final ExitStatus status = child.waitFor(DEADLINE);
            assertNotNull(status);
            assertTrue(status.exited());
            assertEquals(7, status.exitCode());
        }
    }

    @Test
    void shouldKeepThePipeWhenAProgramCannotStartAndRefuseToHandItTwice() {
        try (ChildPipe pipe = ChildPipe.toChild()) {
            final NativeException e = assertThrows(NativeException.class,
                () -> ChildProcess.start(List.of(dir.resolve("no-such-program").toString()), pipe));
            assertEquals(Errno.ENOENT, e.errno());
            assertEquals(0, pipe.handedTo(), "the child's end is still here");
            try (ChildProcess child = ChildProcess.start(List.of("/bin/sh", "-c", "exit 0"), pipe)) {
                final IllegalStateException twice = assertThrows(IllegalStateException.class,
                    () -> ChildProcess.start(List.of("/bin/sh", "-c", "exit 0"), pipe));
                assertTrue(twice.getMessage().contains("process " + child.pid()), twice.getMessage());
                assertNotNull(child.waitFor(DEADLINE));
            }
            assertThrows(IllegalStateException.class, pipe::receiver);
        }
    }

    @Test
    void shouldAllocateNothingPerMessageOnceWarm() {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (Pipes.Pair pipe = Pipes.open()) {
            final UnsafeBuffer buffer = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(256));
            final long[] sum = {0};
            final dev.ipckit.MessageHandler handler = (b, o, l) -> sum[0] += l;
            // The interpreter and C1 allocate in the FFM adapters; once C2 has compiled the path, a round of
            // 10000 messages must allocate nothing (a few hundred bytes of noise at most).
            final List<Long> rounds = new ArrayList<>();
            while (rounds.isEmpty() || rounds.getLast() >= 1024) {
                assertTrue(rounds.size() < 200, "bytes allocated per round of 10000 messages: " + rounds);
                final long before = threads.getCurrentThreadAllocatedBytes();
                roundTrips(pipe, buffer, handler, 10_000);
                rounds.add(threads.getCurrentThreadAllocatedBytes() - before);
            }
            assertEquals(rounds.size() * 10_000L * 200, sum[0]);
        }
    }

    private static void roundTrips(final Pipes.Pair pipe, final UnsafeBuffer buffer, final dev.ipckit.MessageHandler handler,
                                   final int count) {
        for (int i = 0; i < count; i++) {
            if (!pipe.sender().offer(buffer, 0, 200) || pipe.receiver().poll(handler, 1) != 1) {
                fail("message " + i + " did not go through");
            }
        }
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

    private static long openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
