package dev.ipckit.spi;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CloseGateTest {

    @Test
    void shouldReleaseAtOnceWhenNothingIsInProgressAndOnlyOnce() {
        final CloseGate gate = new CloseGate();
        assertFalse(gate.isClosed());
        assertTrue(gate.close(CloseGate.DEFAULT_LEAVE_TIMEOUT_NANOS), "the first close releases");
        assertTrue(gate.isClosed());
        assertFalse(gate.close(CloseGate.DEFAULT_LEAVE_TIMEOUT_NANOS), "a second close has nothing to release");
        assertFalse(gate.beginWait(), "a wait that begins after close must not touch the end");
        assertFalse(gate.endWait());
    }

    @Test
    void shouldLeaveTheReleaseToTheCallbackThatClosedTheEnd() {
        final CloseGate gate = new CloseGate();
        gate.beginCallback();
        assertFalse(gate.close(CloseGate.DEFAULT_LEAVE_TIMEOUT_NANOS), "closed from its own handler: not yet");
        assertTrue(gate.endCallback(), "the poll that ran the handler releases the end");
        assertFalse(gate.endCallback(), "and only once");
    }

    @Test
    void shouldWaitForAWaitingThreadToLeaveBeforeReleasing() throws Exception {
        final CloseGate gate = new CloseGate();
        final CountDownLatch waiting = new CountDownLatch(1);
        final AtomicBoolean left = new AtomicBoolean();
        final CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            assertTrue(gate.beginWait());
            waiting.countDown();
            while (!gate.isClosed()) {
                Thread.onSpinWait(); // a timed call's slices look at the flag
            }
            left.set(true);
            return gate.endWait();
        });
        assertTrue(waiting.await(30, TimeUnit.SECONDS));
        assertTrue(gate.close(CloseGate.DEFAULT_LEAVE_TIMEOUT_NANOS), "the closer releases once the waiter left");
        assertTrue(left.get(), "close returned only after the waiter had left");
        assertFalse(waiter.get(30, TimeUnit.SECONDS), "the waiter does not release too");
    }

    @Test
    void shouldHandTheReleaseToAWaiterThatDoesNotLeaveInTime() throws Exception {
        final CloseGate gate = new CloseGate();
        final CountDownLatch waiting = new CountDownLatch(1);
        final CountDownLatch closeReturned = new CountDownLatch(1);
        final CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            assertTrue(gate.beginWait());
            waiting.countDown();
            try {
                assertTrue(closeReturned.await(30, TimeUnit.SECONDS)); // a handler that runs on past the timeout
            } catch (final InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return gate.endWait();
        });
        assertTrue(waiting.await(30, TimeUnit.SECONDS));
        assertFalse(gate.close(TimeUnit.MILLISECONDS.toNanos(20)), "the closer gives up waiting and releases nothing");
        closeReturned.countDown();
        assertTrue(waiter.get(30, TimeUnit.SECONDS), "the waiter releases the end on its way out");
    }
}
