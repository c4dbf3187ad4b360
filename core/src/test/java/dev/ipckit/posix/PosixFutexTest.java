package dev.ipckit.posix;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class PosixFutexTest {

    @Test
    void shouldReturnAtOnceWhenTheWordNoLongerHoldsTheExpectedValue() {
        try (Arena arena = Arena.ofShared()) {
            final MemorySegment word = arena.allocate(JAVA_INT);
            word.set(JAVA_INT, 0, 5);
            assertEquals(-Errno.EAGAIN, PosixFutex.await(word, 4, 10_000_000_000L));
            assertEquals(-Errno.ETIMEDOUT, PosixFutex.await(word, 5, 1_000_000));
            assertEquals(0, PosixFutex.wake(word, 1), "nobody sleeps");
        }
    }

    @Test
    void shouldWakeASleeperOnAnotherThread() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            final MemorySegment word = arena.allocate(JAVA_INT);
            final CompletableFuture<Integer> sleeper = CompletableFuture.supplyAsync(() -> {
                int r;
                do {
                    r = PosixFutex.await(word, 0, 1_000_000_000L);
                } while (word.get(JAVA_INT, 0) == 0 && (r == -Errno.ETIMEDOUT || r == -Errno.EINTR || r == 0));
                return word.get(JAVA_INT, 0);
            });
            word.set(JAVA_INT, 0, 1);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!sleeper.isDone() && System.nanoTime() < deadline) {
                assertTrue(PosixFutex.wake(word, Integer.MAX_VALUE) >= 0);
                Thread.onSpinWait();
            }
            assertEquals(1, sleeper.get(30, TimeUnit.SECONDS));
        }
    }
}
