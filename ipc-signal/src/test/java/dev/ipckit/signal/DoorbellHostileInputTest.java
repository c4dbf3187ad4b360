package dev.ipckit.signal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ipckit.posix.Errno;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixPipes;
import dev.ipckit.posix.PosixProcess;

/**
 * What is not a doorbell of this user at a doorbell's path: a symbolic link (to a doorbell, to a file, or
 * dangling), a FIFO, a directory, a doorbell of another user. Each is refused with a sentence naming the path,
 * nothing is opened through a link or written to its target, and opening a FIFO never blocks.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DoorbellHostileInputTest {
    @TempDir
    Path dir;

    @Test
    void shouldNeverOpenADoorbellThroughASymbolicLink() throws IOException {
        final Path bell = dir.resolve("bell");
        try (Doorbell waiter = Doorbell.create(bell)) {
            final byte[] before = Files.readAllBytes(bell);
            final Path toBell = Files.createSymbolicLink(dir.resolve("link-to-bell"), bell);
            final Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nothing"));
            for (final Path link : new Path[] {toBell, dangling}) {
                final NativeException e = assertThrows(NativeException.class, () -> Doorbell.open(link));
                assertEquals(Errno.ELOOP, e.errno());
                assertTrue(e.getMessage().contains(link + " is a symbolic link"), e.getMessage());
                assertTrue(Files.isSymbolicLink(link));
            }
            assertFalse(waiter.isPeerAlive(), "nobody rings the doorbell through the link");
            assertArrayEquals(before, Files.readAllBytes(bell));
            assertFalse(Files.exists(dir.resolve("nothing"), LinkOption.NOFOLLOW_LINKS));
        }
    }

    @Test
    void shouldRefuseAFifoOrADirectoryAtTheDoorbellPathWithoutBlocking() throws IOException {
        final Path fifo = dir.resolve("fifo");
        PosixPipes.mkfifo(fifo.toString(), 0600);
        final IllegalStateException notAFile = assertThrows(IllegalStateException.class, () -> Doorbell.open(fifo));
        assertEquals(fifo + " is a FIFO, not a doorbell file; remove it or choose another name", notAFile.getMessage());
        final Path directory = Files.createDirectory(dir.resolve("directory"));
        final NativeException e = assertThrows(NativeException.class, () -> Doorbell.open(directory));
        assertEquals(Errno.EISDIR, e.errno());
        assertTrue(e.getMessage().contains(directory.toString()), e.getMessage());
    }

    @Test
    void shouldRefuseADoorbellOfAnotherUser() throws IOException {
        assumeTrue(PosixProcess.getuid() == 0, "only root can give a file to another user");
        final Path bell = dir.resolve("bell");
        try (Doorbell waiter = Doorbell.create(bell)) {
            Files.setAttribute(bell, "unix:uid", 54_321);
            final IllegalStateException e = assertThrows(IllegalStateException.class, () -> Doorbell.open(bell));
            assertTrue(e.getMessage().startsWith(bell + " belongs to uid 54321, not to this process's uid 0"),
                e.getMessage());
            assertFalse(waiter.isPeerAlive());
        }
    }

    @Test
    void shouldCreateTheDoorbellFileWithMode0600() {
        final Path bell = dir.resolve("bell");
        try (Doorbell waiter = Doorbell.create(bell)) {
            assertEquals(0600, PosixFiles.lstat(bell.toString()).permissions());
        }
    }
}
