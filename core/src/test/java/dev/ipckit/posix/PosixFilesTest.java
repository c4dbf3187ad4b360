package dev.ipckit.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosixFilesTest {
    @TempDir
    Path dir;

    @Test
    void shouldNameThePathAndEnoentWhenOpeningAMissingFile() {
        final String missing = dir.resolve("missing").toString();
        final NativeException e = assertThrows(NativeException.class, () -> PosixFiles.open(missing, PosixFiles.O_RDONLY, 0));
        assertEquals("open", e.call());
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("ENOENT", e.errnoName());
        assertEquals("open(\"" + missing + "\", O_RDONLY) failed: ENOENT (No such file or directory)", e.getMessage());
    }

    @Test
    void shouldWriteReadAndStatARegularFile() {
        final String path = dir.resolve("data").toString();
        final int fd = PosixFiles.open(path, PosixFiles.O_RDWR | PosixFiles.O_CREAT | PosixFiles.O_EXCL | PosixFiles.O_CLOEXEC, 0600);
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment text = arena.allocateFrom("hello", StandardCharsets.US_ASCII);
            assertEquals(5, PosixFiles.write(fd, text, 5));
            final FileStat stat = PosixFiles.fstat(fd);
            assertTrue(stat.isRegularFile());
            assertEquals(5, stat.size());
            assertEquals(0600, stat.permissions());
            assertEquals(PosixProcess.getuid(), stat.uid());
            PosixFiles.ftruncate(fd, 4096);
            assertEquals(4096, PosixFiles.fstat(fd).size());
        } finally {
            PosixFiles.close(fd);
        }
        final int again = PosixFiles.open(path, PosixFiles.O_RDONLY, 0);
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment buffer = arena.allocate(16);
            assertEquals(16, PosixFiles.read(again, buffer, 16));
            assertEquals("hello", buffer.getString(0, StandardCharsets.US_ASCII));
        } finally {
            PosixFiles.close(again);
        }
    }

    @Test
    void shouldRefuseASecondExclusiveCreate() {
        final String path = dir.resolve("once").toString();
        PosixFiles.close(PosixFiles.open(path, PosixFiles.O_RDWR | PosixFiles.O_CREAT | PosixFiles.O_EXCL, 0600));
        assertEquals(-Errno.EEXIST, PosixFiles.tryOpen(path, PosixFiles.O_RDWR | PosixFiles.O_CREAT | PosixFiles.O_EXCL, 0600));
    }

    @Test
    void shouldRefuseToFollowASymlinkWithNoFollow() throws Exception {
        final Path target = Files.writeString(dir.resolve("target"), "x");
        final Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        final NativeException e = assertThrows(NativeException.class,
            () -> PosixFiles.open(link.toString(), PosixFiles.O_RDONLY | PosixFiles.O_NOFOLLOW, 0));
        assertEquals(Errno.ELOOP, e.errno());
        assertTrue(e.getMessage().contains("O_NOFOLLOW"), e.getMessage());
        assertTrue(PosixFiles.lstat(link.toString()).isSymbolicLink());
        assertEquals("a symbolic link", PosixFiles.lstat(link.toString()).typeName());
        assertTrue(PosixFiles.lstat(dir.toString()).isDirectory());
        assertNull(PosixFiles.lstatIfExists(dir.resolve("nothing").toString()));
    }

    @Test
    void shouldRenameWithoutReplacingAnExistingTarget() throws Exception {
        final Path a = Files.writeString(dir.resolve("a"), "a");
        final Path b = Files.writeString(dir.resolve("b"), "b");
        final NativeException e = assertThrows(NativeException.class,
            () -> PosixFiles.renameat2(a.toString(), b.toString(), PosixFiles.RENAME_NOREPLACE));
        assertEquals(Errno.EEXIST, e.errno());
        assertEquals("b", Files.readString(b));
        final Path c = dir.resolve("c");
        PosixFiles.renameat2(a.toString(), c.toString(), PosixFiles.RENAME_NOREPLACE);
        assertEquals("a", Files.readString(c));
        assertTrue(Files.notExists(a));
    }

    @Test
    void shouldUnlinkAndReportAMissingFile() throws Exception {
        final Path file = Files.writeString(dir.resolve("gone"), "x");
        PosixFiles.unlink(file.toString());
        assertTrue(Files.notExists(file));
        assertEquals(-Errno.ENOENT, PosixFiles.tryUnlink(file.toString()));
        assertThrows(NativeException.class, () -> PosixFiles.unlink(file.toString()));
    }

    @Test
    void shouldReserveSpaceWithFallocateAndReadTheSizeWithoutAllocating() {
        final String path = dir.resolve("reserved").toString();
        final int fd = PosixFiles.open(path, PosixFiles.O_RDWR | PosixFiles.O_CREAT | PosixFiles.O_CLOEXEC, 0600);
        try {
            assertEquals(0, PosixFiles.fileSize(fd));
            final int r = PosixFiles.tryFallocate(fd, 0, 0, 3 * 4096);
            if (r == -Errno.EOPNOTSUPP) {
                PosixFiles.ftruncate(fd, 3 * 4096);
            } else {
                assertEquals(0, r, "fallocate: " + Errno.name(-r));
            }
            assertEquals(3 * 4096, PosixFiles.fileSize(fd));
            assertEquals(PosixFiles.fstat(fd).size(), PosixFiles.fileSize(fd));
            PosixFiles.ftruncate(fd, 100);
            assertEquals(100, PosixFiles.fileSize(fd));
        } finally {
            PosixFiles.close(fd);
        }
        assertEquals(-Errno.EBADF, PosixFiles.fileSize(987_654));
        assertEquals(-Errno.EBADF, PosixFiles.tryFallocate(987_654, 0, 0, 4096));
    }

    @Test
    void shouldReportEbadfForAClosedDescriptor() {
        final NativeException e = assertThrows(NativeException.class, () -> PosixFiles.close(987_654));
        assertEquals(Errno.EBADF, e.errno());
        assertTrue(e.getMessage().contains("fd=987654"), e.getMessage());
    }

    @Test
    void shouldSetExactPermissionsWhateverTheUmaskGaveThroughADescriptorOrAnOPathOne() {
        final String path = dir.resolve("modes").toString();
        final int fd = PosixFiles.open(path,
            PosixFiles.O_RDWR | PosixFiles.O_CREAT | PosixFiles.O_EXCL | PosixFiles.O_CLOEXEC, 0400);
        try {
            PosixFiles.fchmod(fd, 0660);
            assertEquals(0660, PosixFiles.fstat(fd).permissions());
        } finally {
            PosixFiles.close(fd);
        }
        final int named = PosixFiles.open(path, PosixFiles.O_PATH | PosixFiles.O_NOFOLLOW | PosixFiles.O_CLOEXEC, 0);
        try {
            final NativeException e = assertThrows(NativeException.class, () -> PosixFiles.fchmod(named, 0600));
            assertEquals(Errno.EBADF, e.errno(), "an O_PATH descriptor cannot be changed through fchmod");
            PosixFiles.chmod("/proc/self/fd/" + named, 0600);
            assertEquals(0600, PosixFiles.lstat(path).permissions());
        } finally {
            PosixFiles.close(named);
        }
        final NativeException missing = assertThrows(NativeException.class,
            () -> PosixFiles.chmod(dir.resolve("absent").toString(), 0600));
        assertEquals(Errno.ENOENT, missing.errno());
        assertTrue(missing.getMessage().startsWith("chmod(\"" + dir.resolve("absent") + "\", 0600) failed: ENOENT"),
            missing.getMessage());
    }
}
