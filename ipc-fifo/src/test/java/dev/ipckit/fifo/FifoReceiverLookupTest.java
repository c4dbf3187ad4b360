package dev.ipckit.fifo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.Channels;
import dev.ipckit.Sender;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixPipes;

/**
 * A FIFO whose reader is not an ipckit receiver (it holds no receiver lock, as {@code cat} or {@code dd} would): the
 * sender looks the receiver's pid up on its first frame and when the pipe is full, never once per message.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FifoReceiverLookupTest {
    private static final int FRAMES = 100;
    private static final int LENGTH = 8 * 1024; // frames larger than PIPE_BUF

    @TempDir
    Path dir;

    @Test
    void shouldLookTheReceiverUpOnceForAStreamOfLargeFramesThatNeverFillsThePipe() {
        final Path fifo = dir.resolve("plain.fifo");
        PosixPipes.mkfifo(fifo.toString(), 0600);
        final int reader = PosixFiles.tryOpen(fifo.toString(), PosixFiles.O_RDONLY | PosixFiles.O_NONBLOCK, 0);
        assertTrue(reader >= 0, "a plain reader opened: " + reader);
        try (Arena arena = Arena.ofConfined();
             Sender sender = Channels.openSender("fifo:" + fifo + "?nonblock=true&capacity=1m&maxMessage=64k")) {
            final MemorySegment message = arena.allocate(LENGTH);
            for (int i = 0; i < FRAMES; i++) { // about 800 KiB: the 1 MiB pipe never fills
                assertTrue(sender.offer(message, Duration.ofSeconds(10)), "frame " + i);
            }
            assertEquals(1, ((FramedSender) sender).receiverLookups(),
                "one lookup, on the first frame: the reader holds no receiver lock, so every lookup finds none");
            final MemorySegment drain = arena.allocate(64 * 1024);
            long read = 0;
            while (read < (long) FRAMES * (LENGTH + FrameDescriptor.HEADER_LENGTH)) {
                final long n = PosixFiles.readNonBlocking(reader, drain, drain.byteSize());
                assertTrue(n > 0, "the frames are in the pipe: " + n);
                read += n;
            }
        } finally {
            PosixFiles.close(reader);
        }
    }
}
