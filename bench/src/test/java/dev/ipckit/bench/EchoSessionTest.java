package dev.ipckit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each transport's echo session: a real child JVM that sends back what it gets, reaped on close with every file
 * removed.
 */
class EchoSessionTest {
    static List<String> transports() {
        return EchoSession.TRANSPORTS;
    }

    @ParameterizedTest
    @MethodSource("transports")
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldEchoEveryMessageBackUnchangedAndCleanUp(final String transport) throws Exception {
        final long[] echoed = {-1, -1};
        final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        final EchoSession session = EchoSession.start(transport);
        final long pid = session.pid();
        try (session) {
            assertTrue(session.isAlive());
            for (long i = 0; i < 50; i++) {
                message.putLong(0, i * 7919);
                message.putLong(56, ~i);
                assertTrue(session.sender().offer(message, 0, 64, Duration.ofSeconds(10)));
                assertEquals(1, session.receiver().poll((buffer, offset, length) -> {
                    echoed[0] = length == 64 ? buffer.getLong(offset) : -2;
                    echoed[1] = buffer.getLong(offset + 56);
                }, 1, Duration.ofSeconds(10)));
                assertEquals(i * 7919, echoed[0]);
                assertEquals(~i, echoed[1]);
            }
        }
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the echo process is reaped");
        assertEquals(List.of(), TestRuns.shmLeftovers());
        assertTrue(session.echoEnding().matches("the echo process \\d+ exited with status 0"),
            "the echo process saw its peer gone and exited by itself: " + session.echoEnding());
        session.close();
    }

    @Test
    void shouldRefuseAnUnknownTransportBeforeStartingAnything() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> EchoSession.start("mmap/turbo"));
        assertTrue(e.getMessage().startsWith("transport=mmap/turbo is not one of [mmap/spin"), e.getMessage());
        assertEquals(List.of(), TestRuns.liveChildren());
    }
}
