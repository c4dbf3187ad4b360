package dev.ipckit.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class PosixSignalsTest {

    @Test
    void shouldParseAndNameSignals() {
        assertEquals(PosixSignals.SIGUSR1, PosixSignals.parse("SIGUSR1"));
        assertEquals(PosixSignals.SIGUSR1, PosixSignals.parse("usr1"));
        assertEquals(PosixSignals.SIGRTMIN_VALUE + 4, PosixSignals.parse("SIGRTMIN+4"));
        assertEquals(PosixSignals.SIGRTMAX_VALUE - 2, PosixSignals.parse("SIGRTMAX-2"));
        assertEquals(15, PosixSignals.parse("15"));
        assertEquals("SIGRTMIN+4", PosixSignals.name(PosixSignals.SIGRTMIN_VALUE + 4));
        assertEquals("SIGKILL", PosixSignals.name(9));
        assertThrows(IllegalArgumentException.class, () -> PosixSignals.parse("SIGNOPE"));
        assertThrows(IllegalArgumentException.class, () -> PosixSignals.parse("SIGRTMIN+99"));
        assertTrue(PosixSignals.SIGRTMIN_VALUE >= 32 && PosixSignals.SIGRTMAX_VALUE >= PosixSignals.SIGRTMIN_VALUE + 8);
    }

    @Test
    void shouldCollectAThreadDirectedSignalWithSigtimedwaitAndSeeItsSender() throws Exception {
        final int signal = PosixSignals.SIGRTMIN_VALUE + 6;
        final CompletableFuture<Integer> tid = new CompletableFuture<>();
        final CompletableFuture<int[]> result = CompletableFuture.supplyAsync(() -> {
            try (Arena arena = Arena.ofConfined()) {
                final MemorySegment set = PosixSignals.sigset(arena, signal);
                PosixSignals.pthreadSigmask(PosixSignals.SIG_BLOCK, set, MemorySegment.NULL);
                try {
                    assertEquals(-Errno.EAGAIN, PosixSignals.sigtimedwait(set, 1_000_000), "times out when nothing is pending");
                    tid.complete(PosixProcess.gettid());
                    final int got = PosixSignals.sigtimedwait(set, 30_000_000_000L);
                    return new int[] {got, PosixSignals.senderPid(), PosixSignals.senderCode(), PosixSignals.senderValue()};
                } finally {
                    PosixSignals.pthreadSigmask(PosixSignals.SIG_UNBLOCK, set, MemorySegment.NULL);
                }
            }
        });
        assertEquals(0, PosixSignals.rtTgsigqueueinfo(PosixProcess.getpid(), tid.get(30, TimeUnit.SECONDS), signal, 77));
        final int[] got = result.get(30, TimeUnit.SECONDS);
        assertEquals(signal, got[0]);
        assertEquals(PosixProcess.getpid(), got[1]);
        assertEquals(PosixSignals.SI_QUEUE, got[2]);
        assertEquals(77, got[3]);
    }

    @Test
    void shouldReportEsrchForAThreadThatDoesNotExist() {
        assertEquals(-Errno.ESRCH, PosixSignals.tgkill(PosixProcess.getpid(), 0x3fff_fff0, 0));
        assertEquals(0, PosixSignals.tgkill(PosixProcess.getpid(), PosixProcess.gettid(), 0));
    }

    @Test
    void shouldHoldSignalsInASet() {
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment set = PosixSignals.sigset(arena, PosixSignals.SIGUSR1);
            assertTrue(PosixSignals.isMember(set, PosixSignals.SIGUSR1));
            assertTrue(!PosixSignals.isMember(set, PosixSignals.SIGTERM));
            assertTrue(PosixSignals.isMember(PosixSignals.fullSigset(arena), PosixSignals.SIGTERM));
        }
    }

    @Test
    void shouldReadADispositionWithoutChangingIt() {
        final int signal = PosixSignals.SIGRTMIN_VALUE + 7;
        assertEquals(PosixSignals.SIG_DFL, PosixSignals.handler(signal));
        PosixSignals.setIgnored(signal, true);
        try {
            assertEquals(PosixSignals.SIG_IGN, PosixSignals.handler(signal));
            assertEquals(PosixSignals.SIG_IGN, PosixSignals.handler(signal), "reading does not change it");
        } finally {
            PosixSignals.setIgnored(signal, false);
        }
        assertEquals(PosixSignals.SIG_DFL, PosixSignals.handler(signal));
        final long jvmHandler = PosixSignals.handler(PosixSignals.SIGSEGV);
        assertTrue(jvmHandler != PosixSignals.SIG_DFL && jvmHandler != PosixSignals.SIG_IGN,
            "the JVM handles SIGSEGV itself: " + jvmHandler);
        assertThrows(IllegalArgumentException.class, () -> PosixSignals.handler(0x4000));
    }
}
