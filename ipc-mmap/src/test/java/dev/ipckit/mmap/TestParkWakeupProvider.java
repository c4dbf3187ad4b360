package dev.ipckit.mmap;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;

import dev.ipckit.ChannelUri;
import dev.ipckit.posix.PosixProcess;
import dev.ipckit.spi.WakeupProvider;

/**
 * A wake-up provider for tests, {@code wait=testpark}: the waiter parks its thread, the waker unparks the thread
 * registered for the tid. In-process only; it proves that the mmap transport drives the Wakeup SPI as DESIGN.md
 * says (publish tid and token, wake only a sleeping receiver, accept options the provider reports).
 */
public final class TestParkWakeupProvider implements WakeupProvider {
    static final Map<Integer, Thread> WAITERS = new ConcurrentHashMap<>();
    static final AtomicInteger WAKES = new AtomicInteger();
    static final AtomicInteger LAST_TOKEN = new AtomicInteger();
    static final AtomicInteger ACCEPTED_OWN_PID = new AtomicInteger();

    @Override
    public String name() {
        return "testpark";
    }

    @Override
    public Set<String> options() {
        return Set.of("parkToken");
    }

    @Override
    public Waiter openWaiter(final ChannelUri uri) {
        final int tid = PosixProcess.gettid();
        final int token = (int) uri.number("parkToken", 7);
        WAITERS.put(tid, Thread.currentThread());
        return new Waiter() {
            @Override
            public int tid() {
                return tid;
            }

            @Override
            public int token() {
                return token;
            }

            @Override
            public boolean await(final long timeoutNanos, final IntPredicate acceptFrom) {
                if (acceptFrom.test(PosixProcess.getpid())) {
                    ACCEPTED_OWN_PID.incrementAndGet();
                }
                LockSupport.parkNanos(timeoutNanos);
                return true;
            }

            @Override
            public void close() {
                WAITERS.remove(tid);
            }
        };
    }

    @Override
    public Waker openWaker(final ChannelUri uri) {
        return (pid, tid, token) -> {
            WAKES.incrementAndGet();
            LAST_TOKEN.set(token);
            final Thread thread = WAITERS.get(tid);
            if (thread == null || pid != PosixProcess.getpid()) {
                return false;
            }
            LockSupport.unpark(thread);
            return true;
        };
    }
}
