package dev.ipckit.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosixProcessTest {
    @TempDir
    Path dir;

    @Test
    void shouldKnowThisProcessAndThread() throws Exception {
        assertEquals(ProcessHandle.current().pid(), PosixProcess.getpid());
        assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), PosixProcess.getppid());
        final int here = PosixProcess.gettid();
        final int there = CompletableFuture.supplyAsync(PosixProcess::gettid).get(30, TimeUnit.SECONDS);
        assertNotEquals(here, there);
        assertTrue(PosixProcess.exists(PosixProcess.getpid()));
    }

    @Test
    void shouldReportEchildForAProcessThatIsNotAChild() {
        final NativeException e = assertThrows(NativeException.class, () -> PosixProcess.waitpid(1, PosixProcess.WNOHANG));
        assertEquals(Errno.ECHILD, e.errno());
        assertTrue(e.getMessage().contains("pid=1"), e.getMessage());
    }

    @Test
    void shouldSpawnAProgramAndCollectItsExitCode() {
        final int pid = PosixSpawn.spawn(List.of("sh", "-c", "exit 3"), Map.of());
        final PosixProcess.ExitStatus status = PosixProcess.waitpid(pid, 0);
        assertTrue(status.exited());
        assertEquals(3, status.exitCode());
        assertEquals(pid, status.pid());
    }

    @Test
    void shouldHandAPipeEndToAChildOnAFixedDescriptorAndCloseTheRest() {
        final int[] out = PosixPipes.pipe2(PosixFiles.O_CLOEXEC);
        final int[] other = PosixPipes.pipe2(0); // not close-on-exec: the child must still not see it
        try {
            final String script = "printf 'fd3 ' >&3; if [ -e /proc/self/fd/" + other[0] + " ]; then printf leaked >&3; else printf closed >&3; fi";
            final int pid = PosixSpawn.spawn(List.of("/bin/sh", "-c", script), Map.of(3, out[1]));
            PosixFiles.close(out[1]);
            final StringBuilder text = new StringBuilder();
            try (Arena arena = Arena.ofConfined()) {
                final MemorySegment buffer = arena.allocate(64);
                long n;
                while ((n = PosixFiles.read(out[0], buffer, 64)) > 0) {
                    text.append(new String(buffer.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        StandardCharsets.US_ASCII));
                }
            }
            assertEquals(0, PosixProcess.waitpid(pid, 0).exitCode());
            assertEquals("fd3 closed", text.toString());
        } finally {
            PosixFiles.close(out[0]);
            PosixFiles.close(other[0]);
            PosixFiles.close(other[1]);
        }
    }

    @Test
    void shouldSeeAChildKilledBySigkill() throws Exception {
        final Path started = dir.resolve("started");
        final int pid = PosixSpawn.spawn(List.of("sh", "-c", "touch " + started + "; exec sleep 60"), Map.of());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(started) && System.nanoTime() < deadline) {
            assertNull(PosixProcess.waitpid(pid, PosixProcess.WNOHANG), "still running");
            Thread.onSpinWait();
        }
        PosixProcess.kill(pid, PosixSignals.SIGKILL);
        final PosixProcess.ExitStatus status = PosixProcess.waitpid(pid, 0);
        assertFalse(status.exited());
        assertEquals(PosixSignals.SIGKILL, status.signal());
        assertEquals("process " + pid + " was killed by SIGKILL", status.toString());
    }

    @Test
    void shouldNameAMissingProgram() {
        final NativeException e = assertThrows(NativeException.class,
            () -> PosixSpawn.spawn(List.of("no-such-program-ipckit"), Map.of()));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage().contains("no-such-program-ipckit"), e.getMessage());
    }
}
