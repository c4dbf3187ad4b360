package dev.ipckit.signal;

import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

import dev.ipckit.ChannelUri;
import dev.ipckit.spi.WakeupProvider;

/**
 * {@code wait=recsignal}, for tests: the signal wake-up of {@link SignalWakeupProvider}, counting in this process
 * how each sleep ended, so that a test can tell a wake-up the receiver took from one it dropped as a stranger's.
 */
public final class RecordingSignalProvider implements WakeupProvider {
    /** Sleeps ended by an accepted wake-up. */
    static final AtomicInteger WOKEN = new AtomicInteger();
    /** Signals dropped because their sender was not accepted. */
    static final AtomicInteger STRANGERS = new AtomicInteger();

    private final SignalWakeupProvider signal = new SignalWakeupProvider();

    @Override
    public String name() {
        return "recsignal";
    }

    @Override
    public Set<String> options() {
        return signal.options();
    }

    @Override
    public Waiter openWaiter(final ChannelUri uri) {
        final SignalWaiter waiter = (SignalWaiter) signal.openWaiter(uri);
        return new Waiter() {
            @Override
            public int tid() {
                return waiter.tid();
            }

            @Override
            public int token() {
                return waiter.token();
            }

            @Override
            public boolean await(final long timeoutNanos, final IntPredicate acceptFrom) {
                final long strangersBefore = waiter.strangersIgnored();
                final boolean woken = waiter.await(timeoutNanos, acceptFrom);
                STRANGERS.addAndGet((int) (waiter.strangersIgnored() - strangersBefore));
                if (woken) {
                    WOKEN.incrementAndGet();
                }
                return woken;
            }

            @Override
            public void close() {
                waiter.close();
            }
        };
    }

    @Override
    public Waker openWaker(final ChannelUri uri) {
        return signal.openWaker(uri);
    }
}
