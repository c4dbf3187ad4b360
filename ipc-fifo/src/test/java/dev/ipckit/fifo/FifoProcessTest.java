package dev.ipckit.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.conformance.Payloads;
import dev.ipckit.conformance.Peer;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixPipes;
import dev.ipckit.posix.PosixProcess.ExitStatus;
import dev.ipckit.posix.PosixSignals;

/**
 * FIFO behaviour that needs other processes: several writer processes sharing one FIFO, and a writer killed
 * in the middle of a frame. The children run {@link FifoTestChild}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FifoProcessTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final int WRITERS = 4;
    private static final int FRAMES_PER_WRITER = 10_000;

    @TempDir
    Path dir;

    @Test
    void shouldKeepPipeBufSizedFramesOfFourWriterProcessesWhole() {
        final Path path = dir.resolve("many.fifo");
        final String writerUri = "fifo:" + path + "?producers=many&nonblock=true&timeout=60s";
        final List<ChildPipe> pipes = new ArrayList<>();
        final List<ChildProcess> children = new ArrayList<>();
        try (Receiver receiver = Channels.openReceiver("fifo:" + path + "?producers=many&nonblock=true")) {
            assertEquals(FrameDescriptor.PIPE_BUF, FrameDescriptor.frameLength(receiver.maxMessageLength()));
            final List<ChildPipe> go = new ArrayList<>();
            final List<ChildPipe> ready = new ArrayList<>();
            for (int id = 0; id < WRITERS; id++) {
                go.add(ChildPipe.toChild());
                ready.add(ChildPipe.fromChild());
                pipes.add(go.get(id));
                pipes.add(ready.get(id));
                children.add(ChildProcess.startJava(FifoTestChild.class,
                    List.of("writer", writerUri, Integer.toString(id), Integer.toString(FRAMES_PER_WRITER)),
                    go.get(id), ready.get(id)));
            }
            // Every writer has the FIFO open before any writes, so the receiver sees no end of file in between.
            for (int id = 0; id < WRITERS; id++) {
                assertEquals(1, ready.get(id).receiver().poll((b, o, l) -> { }, 1, DEADLINE),
                    "writer " + id + " never opened the FIFO");
            }
            final UnsafeBuffer empty = new UnsafeBuffer(new byte[0]);
            for (int id = 0; id < WRITERS; id++) {
                assertTrue(go.get(id).sender().offer(empty, 0, 0, DEADLINE));
            }

            final int[] next = new int[WRITERS];
            final long[] received = {0};
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (received[0] < (long) WRITERS * FRAMES_PER_WRITER) {
                assertTrue(System.nanoTime() - deadline < 0, "received only " + received[0] + " frames");
                receiver.poll((buffer, offset, length) -> {
                    final int id = buffer.getInt(offset);
                    assertTrue(id >= 0 && id < WRITERS, "a frame names writer " + id);
                    assertEquals(next[id], buffer.getInt(offset + 4), "frames of writer " + id + " out of order");
                    assertNull(FifoTestChild.verify(buffer, offset, length, id, next[id]));
                    next[id]++;
                    received[0]++;
                }, 256, Duration.ofMillis(100));
            }
            for (int id = 0; id < WRITERS; id++) {
                assertEquals(FRAMES_PER_WRITER, next[id], "frames from writer " + id);
                final ExitStatus status = children.get(id).waitFor(DEADLINE);
                assertNotNull(status, "writer " + id + " did not exit");
                assertEquals(0, status.exitCode(), status.toString());
            }
            assertThrows(PeerGoneException.class, () -> receiver.poll((b, o, l) -> fail("every frame was received"), 1, DEADLINE));
        } finally {
            children.forEach(ChildProcess::close);
            pipes.forEach(ChildPipe::close);
        }
    }

    @Test
    void shouldLeaveTheFifoAtAFrameBoundaryWhenAReceiverStopsPartWayAndCountWhatItDropped() {
        final Path path = dir.resolve("stopped.fifo");
        final Path ready = dir.resolve("streamer.ready");
        final String uri = "fifo:" + path + "?nonblock=true&timeout=60s&capacity=1m";
        final int count = 3000;
        final int max = 4096;
        final Receiver first = Channels.openReceiver(uri);
        try (Peer streamer = Peer.startJvm(List.of("send", uri, Integer.toString(count), "21", Integer.toString(max),
            "hold", ready.toString()))) {
            final long[] next = {0};
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (next[0] < 5) {
                assertTrue(System.nanoTime() - deadline < 0, "the first receiver got " + next[0] + " of 5");
                first.poll((b, o, l) -> {
                    assertNull(Payloads.verify(b, o, l, 21, next[0], max));
                    next[0]++;
                }, (int) (5 - next[0]), Duration.ofMillis(100));
            }
            // The next receiver opens before the first closes, so that the FIFO always has a reader (a writer of a
            // FIFO without one gets EPIPE), and reads only once the first has gone.
            try (Receiver second = Channels.openReceiver(uri)) {
                first.close(); // holds read-ahead messages and, almost surely, part of a frame
                final int dropped = ((StreamReceiver) first).droppedAtClose();
                assertTrue(dropped >= 0, "dropped " + dropped);
                next[0] = 5 + dropped; // the second receiver starts at the very next frame: nothing torn, none lost
                while (next[0] < count) {
                    assertTrue(System.nanoTime() - deadline < 0, "the second receiver got up to " + next[0]);
                    second.poll((b, o, l) -> {
                        assertNull(Payloads.verify(b, o, l, 21, next[0], max), "message " + next[0]);
                        next[0]++;
                    }, 100, Duration.ofMillis(100));
                }
                assertEquals(count, next[0]);
            }
        } finally {
            first.close();
        }
    }

    @Test
    void shouldLeaveEveryFrameAfterTheFirstFiveInTheFifoForTheNextReceiverWithoutReadAhead() {
        final Path path = dir.resolve("exact.fifo");
        final Path ready = dir.resolve("writer.ready");
        final String uri = "fifo:" + path + "?nonblock=true&timeout=60s";
        final int count = 20;
        final int max = 1000;
        final long seed = 23;
        long total = FrameDescriptor.CONTROL_FRAME_LENGTH; // the writer's HELLO
        long firstFive = total;
        for (int i = 0; i < count; i++) {
            total += FrameDescriptor.frameLength(Payloads.length(seed, i, max));
            firstFive = i == 4 ? total : firstFive;
        }
        final Receiver first = Channels.openReceiver(uri + "&readahead=false");
        // A descriptor of the test's own, which reads nothing: FIONREAD on it says what the FIFO holds, and it keeps a
        // reader on the FIFO between the two receivers.
        final int watcher = PosixFiles.open(path.toString(), PosixFiles.O_RDONLY | PosixFiles.O_NONBLOCK, 0);
        try (Peer writer = Peer.startJvm(List.of("send", uri, Integer.toString(count), Long.toString(seed),
            Integer.toString(max), "hold", ready.toString()))) {
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (PosixPipes.bytesQueued(watcher) < total) { // all 20 frames wait in the FIFO before anyone reads
                assertTrue(System.nanoTime() - deadline < 0, "the writer wrote " + PosixPipes.bytesQueued(watcher)
                    + " of " + total + " bytes");
                assertNull(writer.awaitExit(Duration.ofMillis(10)), "the writer ended before it wrote every frame");
            }
            final long[] next = {0};
            while (next[0] < 5) { // as `ipckit recv --count 5` asks: never more than the messages still wanted
                assertTrue(System.nanoTime() - deadline < 0, "the first receiver got " + next[0] + " of 5");
                first.poll((b, o, l) -> {
                    assertNull(Payloads.verify(b, o, l, seed, next[0], max), "message " + next[0]);
                    next[0]++;
                }, (int) (5 - next[0]), Duration.ofMillis(100));
            }
            assertEquals(total - firstFive, PosixPipes.bytesQueued(watcher),
                "the first receiver read past its five frames");
            first.close();
            assertEquals(0, ((StreamReceiver) first).droppedAtClose());
            assertEquals(total - firstFive, PosixPipes.bytesQueued(watcher), "closing the first receiver read on");
            try (Receiver second = Channels.openReceiver(uri)) {
                while (next[0] < count) {
                    assertTrue(System.nanoTime() - deadline < 0, "the second receiver got up to " + next[0]);
                    second.poll((b, o, l) -> {
                        assertNull(Payloads.verify(b, o, l, seed, next[0], max), "message " + next[0]);
                        next[0]++;
                    }, 100, Duration.ofMillis(100));
                }
                assertEquals(0, second.poll((b, o, l) -> next[0]++, 100, Duration.ofMillis(50)),
                    "a message the writer never sent");
                assertEquals(count, next[0]);
            }
        } finally {
            first.close();
            PosixFiles.close(watcher);
        }
    }

    @Test
    void shouldRefuseASecondLiveSenderOnAProducersOneFifoNamingTheHolderUntilItDies() throws Exception {
        final Path path = dir.resolve("one.fifo");
        final Path ready = dir.resolve("holder.ready");
        final String uri = "fifo:" + path + "?nonblock=true&timeout=60s";
        try (Receiver receiver = Channels.openReceiver(uri);
             Peer holder = Peer.startJvm(List.of("send", uri, "0", "1", "64", "hold", ready.toString()))) {
            final long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (!java.nio.file.Files.exists(ready)) {
                assertTrue(System.nanoTime() - deadline < 0, "the holder never opened its sender");
                assertNull(holder.awaitExit(Duration.ofMillis(5)), "the holder exited before it was killed");
            }
            final ChannelException refused = assertThrows(ChannelException.class, () -> Channels.openSender(uri));
            assertTrue(refused.getMessage().contains("process " + holder.pid() + " already sends on it"),
                refused.getMessage());
            assertTrue(refused.getMessage().contains(path.toString()), refused.getMessage());
            final ChannelException many = assertThrows(ChannelException.class,
                () -> Channels.openSender(uri + "&producers=many"));
            assertTrue(many.getMessage().contains("process " + holder.pid() + " holds it with producers=one"),
                many.getMessage());
            holder.kill();
            try (Sender next = Channels.openSender(uri)) {
                assertTrue(next.offer(new byte[] {7}, DEADLINE), "the dead holder's lock went with it");
            }
        }
    }

    @Test
    void shouldDiscardAndCountThePartialFrameOfAWriterKilledMidFrame() {
        final Path path = dir.resolve("killed.fifo");
        final int length = 200_000;
        try (Receiver receiver = Channels.openReceiver("fifo:" + path + "?nonblock=true")) {
            final int probe = PosixFiles.open(path.toString(), PosixFiles.O_RDONLY | PosixFiles.O_NONBLOCK | PosixFiles.O_CLOEXEC, 0);
            final int capacity;
            final long writer;
            try (ChildProcess child = ChildProcess.startJava(FifoTestChild.class,
                List.of("large", "fifo:" + path + "?timeout=60s", Integer.toString(length)))) {
                capacity = PosixPipes.pipeSize(probe);
                writer = child.pid();
                final long deadline = System.nanoTime() + DEADLINE.toNanos();
                while (PosixPipes.bytesQueued(probe) < capacity) {
                    assertTrue(System.nanoTime() - deadline < 0, "the writer never filled the FIFO");
                    assertNull(child.waitFor(Duration.ofMillis(5)), "the writer exited before it was killed");
                }
                assertEquals(PosixSignals.SIGKILL, child.kill().signal());
            } finally {
                PosixFiles.close(probe);
            }
            final PeerGoneException gone = assertThrows(PeerGoneException.class,
                () -> receiver.poll((b, o, l) -> fail("a partial frame must never be delivered"), 10, DEADLINE));
            assertEquals(PeerGoneException.Reason.CUT, gone.reason(), gone.getMessage());
            assertEquals(writer, gone.peerPid(), "the writer said HELLO with its pid before the frame");
            // the HELLO frame in front of the large one was read and consumed; the rest of the FIFO was the frame
            final int partial = capacity - FrameDescriptor.CONTROL_FRAME_LENGTH;
            assertTrue(gone.getMessage().contains("its " + partial + " bytes were discarded"), gone.getMessage());
            assertTrue(gone.getMessage().contains("a " + length + "-byte payload"), gone.getMessage());
            assertTrue(gone.getMessage().contains(path.toString()), gone.getMessage());
            assertFalse(receiver.isPeerAlive());
            assertThrows(PeerGoneException.class, () -> receiver.poll((b, o, l) -> fail("nothing is left"), 10));
        }
    }
}
