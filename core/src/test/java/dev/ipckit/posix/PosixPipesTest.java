package dev.ipckit.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosixPipesTest {
    @TempDir
    Path dir;

    @Test
    void shouldMakeAFifoAndSeeNxioWhenNoReaderIsThere() {
        final String path = dir.resolve("q.fifo").toString();
        PosixPipes.mkfifo(path, 0600);
        assertTrue(PosixFiles.lstat(path).isFifo());
        assertEquals(-Errno.EEXIST, PosixPipes.tryMkfifo(path, 0600));
        assertEquals(-Errno.ENXIO, PosixFiles.tryOpen(path, PosixFiles.O_WRONLY | PosixFiles.O_NONBLOCK, 0));
        final int reader = PosixFiles.open(path, PosixFiles.O_RDONLY | PosixFiles.O_NONBLOCK, 0);
        try {
            final int writer = PosixFiles.open(path, PosixFiles.O_WRONLY | PosixFiles.O_NONBLOCK, 0);
            PosixFiles.close(writer);
        } finally {
            PosixFiles.close(reader);
        }
    }

    @Test
    void shouldCarryBytesThroughAPipeAndReportThemQueued() {
        final int[] fds = PosixPipes.pipe2(PosixFiles.O_CLOEXEC | PosixFiles.O_NONBLOCK);
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment buffer = arena.allocate(64);
            assertEquals(-Errno.EAGAIN, PosixFiles.readNonBlocking(fds[0], buffer, 64));
            assertEquals(0, PosixPipes.poll(fds[0], PosixPipes.POLLIN, 0));
            buffer.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 0x0102030405060708L);
            assertEquals(8, PosixFiles.writeNonBlocking(fds[1], buffer, 8));
            assertEquals(8, PosixPipes.bytesQueued(fds[0]));
            assertTrue((PosixPipes.poll(fds[0], PosixPipes.POLLIN, 1000) & PosixPipes.POLLIN) != 0);
            final MemorySegment in = arena.allocate(64);
            assertEquals(8, PosixFiles.readNonBlocking(fds[0], in, 64));
            assertEquals(0x0102030405060708L, in.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0));
            PosixFiles.close(fds[1]);
            assertEquals(0, PosixFiles.readNonBlocking(fds[0], in, 64), "end of file once every writer closed");
            assertTrue((PosixPipes.poll(fds[0], PosixPipes.POLLIN, 0) & PosixPipes.POLLHUP) != 0);
        } finally {
            PosixFiles.close(fds[0]);
        }
    }

    @Test
    void shouldReadAndWriteAtAnOffsetWithoutASlice() {
        final int[] fds = PosixPipes.pipe2(PosixFiles.O_CLOEXEC | PosixFiles.O_NONBLOCK);
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment out = arena.allocate(64);
            for (int i = 0; i < 64; i++) {
                out.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) i);
            }
            assertEquals(10, PosixFiles.writeNonBlocking(fds[1], out, 20, 10));
            final MemorySegment in = arena.allocate(64);
            assertEquals(4, PosixFiles.readNonBlocking(fds[0], in, 60, 4));
            assertEquals(6, PosixFiles.readNonBlocking(fds[0], in, 0, 64));
            assertEquals(-Errno.EAGAIN, PosixFiles.readNonBlocking(fds[0], in, 0, 64));
            assertEquals(20, in.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 60));
            assertEquals(23, in.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 63));
            assertEquals(24, in.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
            assertEquals(29, in.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 5));
            assertThrows(IndexOutOfBoundsException.class, () -> PosixFiles.readNonBlocking(fds[0], in, 60, 5));
            assertThrows(IndexOutOfBoundsException.class, () -> PosixFiles.writeNonBlocking(fds[1], out, -1, 2));
            assertThrows(IllegalArgumentException.class,
                () -> PosixFiles.writeNonBlocking(fds[1], MemorySegment.ofArray(new byte[8]), 0, 8));
        } finally {
            PosixFiles.close(fds[0]);
            PosixFiles.close(fds[1]);
        }
    }

    @Test
    void shouldReportEpipeWhenTheReaderIsGone() {
        final int[] fds = PosixPipes.pipe2(PosixFiles.O_CLOEXEC | PosixFiles.O_NONBLOCK);
        PosixFiles.close(fds[0]);
        try (Arena arena = Arena.ofConfined()) {
            // The JVM handles SIGPIPE, so the write returns EPIPE rather than killing the process.
            assertEquals(-Errno.EPIPE, PosixFiles.writeNonBlocking(fds[1], arena.allocate(8), 8));
        } finally {
            PosixFiles.close(fds[1]);
        }
    }

    @Test
    void shouldResizeThePipeBufferAndExplainEpermAboveTheLimit() {
        final int[] fds = PosixPipes.pipe2(PosixFiles.O_CLOEXEC);
        try {
            assertEquals(65536, PosixPipes.pipeSize(fds[1]));
            assertEquals(131072, PosixPipes.setPipeSize(fds[1], 100_000));
            assertEquals(131072, PosixPipes.pipeSize(fds[0]));
            if (PosixProcess.getuid() != 0) {
                final int tooBig = PosixPipes.pipeMaxSize() * 2;
                final NativeException e = assertThrows(NativeException.class, () -> PosixPipes.setPipeSize(fds[1], tooBig));
                assertEquals(Errno.EPERM, e.errno());
                assertTrue(e.getMessage().contains("/proc/sys/fs/pipe-max-size"), e.getMessage());
            }
        } finally {
            PosixFiles.close(fds[0]);
            PosixFiles.close(fds[1]);
        }
    }

    @Test
    void shouldFlipNonBlockingAndCloseOnExec() {
        final int[] fds = PosixPipes.pipe2(0);
        try {
            assertEquals(0, PosixFiles.fcntl(fds[0], PosixFiles.F_GETFL, 0) & PosixFiles.O_NONBLOCK);
            PosixFiles.setNonBlocking(fds[0], true);
            assertEquals(PosixFiles.O_NONBLOCK, PosixFiles.fcntl(fds[0], PosixFiles.F_GETFL, 0) & PosixFiles.O_NONBLOCK);
            assertEquals(0, PosixFiles.fcntl(fds[0], PosixFiles.F_GETFD, 0) & PosixFiles.FD_CLOEXEC);
            PosixFiles.setCloseOnExec(fds[0], true);
            assertEquals(PosixFiles.FD_CLOEXEC, PosixFiles.fcntl(fds[0], PosixFiles.F_GETFD, 0) & PosixFiles.FD_CLOEXEC);
        } finally {
            PosixFiles.close(fds[0]);
            PosixFiles.close(fds[1]);
        }
    }
}
