package dev.ipckit.posix;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosixMemoryTest {
    @TempDir
    Path dir;

    @Test
    void shouldShareWritesBetweenTwoMappingsOfOneFile() {
        final String path = dir.resolve("ring").toString();
        final int fd = PosixFiles.open(path, PosixFiles.O_RDWR | PosixFiles.O_CREAT | PosixFiles.O_CLOEXEC, 0600);
        try {
            PosixFiles.ftruncate(fd, 8192);
            final MemorySegment a = PosixMemory.mmap(fd, 8192, PosixMemory.PROT_READ | PosixMemory.PROT_WRITE, PosixMemory.MAP_SHARED, 0);
            final MemorySegment b = PosixMemory.mmap(fd, 8192, PosixMemory.PROT_READ | PosixMemory.PROT_WRITE, PosixMemory.MAP_SHARED, 0);
            try {
                a.set(JAVA_LONG, 4096, 0x1234_5678_9abc_def0L);
                assertEquals(0x1234_5678_9abc_def0L, b.get(JAVA_LONG, 4096));
                assertEquals(8192, a.byteSize());
            } finally {
                PosixMemory.munmap(a);
                PosixMemory.munmap(b);
            }
        } finally {
            PosixFiles.close(fd);
        }
    }

    @Test
    void shouldExplainAFailedMapping() {
        final NativeException e = assertThrows(NativeException.class,
            () -> PosixMemory.mmap(-1, 4096, PosixMemory.PROT_READ, PosixMemory.MAP_SHARED, 0));
        assertEquals("mmap", e.call());
        assertEquals(Errno.EBADF, e.errno());
    }

    @Test
    void shouldMakeOfdLocksConflictBetweenDescriptionsAndDropThemOnClose() {
        final String path = dir.resolve("locks").toString();
        final int first = PosixFiles.open(path, PosixFiles.O_RDWR | PosixFiles.O_CREAT | PosixFiles.O_CLOEXEC, 0600);
        final int second = PosixFiles.open(path, PosixFiles.O_RDWR | PosixFiles.O_CLOEXEC, 0);
        try {
            assertEquals(0, PosixMemory.trySetOfdLock(first, PosixMemory.F_WRLCK, 1, 1));
            assertEquals(-Errno.EAGAIN, PosixMemory.trySetOfdLock(second, PosixMemory.F_WRLCK, 1, 1));
            assertEquals(PosixMemory.F_WRLCK, PosixMemory.ofdLockHeld(second, PosixMemory.F_WRLCK, 1, 1));
            assertEquals(PosixMemory.F_UNLCK, PosixMemory.ofdLockHeld(second, PosixMemory.F_WRLCK, 2, 1), "byte 2 is free");
            assertEquals(0, PosixMemory.trySetOfdLock(second, PosixMemory.F_RDLCK, 2, 1));
            assertEquals(0, PosixMemory.trySetOfdLock(first, PosixMemory.F_RDLCK, 2, 1), "shared locks coexist");
            PosixFiles.close(first);
            assertEquals(PosixMemory.F_UNLCK, PosixMemory.ofdLockHeld(second, PosixMemory.F_WRLCK, 1, 1),
                "closing the description released its lock");
            assertEquals(0, PosixMemory.trySetOfdLock(second, PosixMemory.F_WRLCK, 1, 1));
        } finally {
            PosixFiles.close(second);
        }
    }

    @Test
    void shouldRefuseASecondExclusiveFlock() {
        final String path = dir.resolve("flock").toString();
        final int first = PosixFiles.open(path, PosixFiles.O_RDWR | PosixFiles.O_CREAT | PosixFiles.O_CLOEXEC, 0600);
        final int second = PosixFiles.open(path, PosixFiles.O_RDWR | PosixFiles.O_CLOEXEC, 0);
        try {
            assertEquals(0, PosixMemory.tryFlock(first, PosixMemory.LOCK_EX | PosixMemory.LOCK_NB));
            assertEquals(-Errno.EAGAIN, PosixMemory.tryFlock(second, PosixMemory.LOCK_EX | PosixMemory.LOCK_NB));
            assertEquals(0, PosixMemory.tryFlock(first, PosixMemory.LOCK_UN));
            assertEquals(0, PosixMemory.tryFlock(second, PosixMemory.LOCK_EX | PosixMemory.LOCK_NB));
        } finally {
            PosixFiles.close(first);
            PosixFiles.close(second);
        }
    }
}
