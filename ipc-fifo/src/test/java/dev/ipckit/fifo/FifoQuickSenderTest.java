package dev.ipckit.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.Channels;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.posix.PosixFiles;

/**
 * A sender that comes, writes and leaves while a non-blocking receiver that has not seen a sender yet is between
 * its read (which found the FIFO empty) and its look for a hang-up: what that sender wrote is still in the FIFO
 * and must be delivered before the receiver calls the sender gone. Repeated many times with a receiver polling
 * flat out, so that the sender's whole visit lands inside that window in some rounds.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FifoQuickSenderTest {
    private static final int ROUNDS = 2000;

    @TempDir
    Path dir;

    @Test
    void shouldDeliverEverythingASenderWroteBeforeItLeftHoweverQuickItsVisit() throws Exception {
        int delivered = 0;
        for (int round = 0; round < ROUNDS; round++) {
            final String path = dir.resolve("quick-" + round + ".fifo").toString();
            try (Receiver receiver = Channels.openReceiver("fifo:" + path + "?nonblock=true")) {
                final CompletableFuture<Void> visit = CompletableFuture.runAsync(() -> writeOneFrameAndLeave(path));
                final int[] got = {0};
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                try {
                    while (System.nanoTime() - deadline < 0) {
                        receiver.poll((buffer, offset, length) -> got[0] += buffer.getInt(offset), 16);
                    }
                } catch (final PeerGoneException gone) {
                    visit.get(30, TimeUnit.SECONDS);
                }
                assertEquals(77, got[0], "round " + round + ": the frame the sender wrote before leaving was lost");
                delivered++;
            }
        }
        assertEquals(ROUNDS, delivered);
    }

    private static void writeOneFrameAndLeave(final String path) {
        final int fd = PosixFiles.open(path, PosixFiles.O_WRONLY | PosixFiles.O_NONBLOCK | PosixFiles.O_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment frame = arena.allocate(8);
            frame.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 4);
            frame.set(ValueLayout.JAVA_INT_UNALIGNED, 4, 77);
            assertEquals(8, PosixFiles.write(fd, frame, 8));
        } finally {
            PosixFiles.close(fd);
        }
    }
}
