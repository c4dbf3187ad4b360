package dev.ipckit.signal;

import java.util.Set;

import dev.ipckit.ChannelUri;
import dev.ipckit.spi.WakeupProvider;

/**
 * The {@code wait=signal} wake-up: a receiver thread sleeps in sigtimedwait on a signal it blocks, and a sender
 * wakes it with a thread-directed signal to the thread id published in the channel's header. Registered through
 * {@code META-INF/services/dev.ipckit.spi.WakeupProvider}.
 *
 * <p>Options: {@code signal=} names the signal (default {@link WakeSignal#DEFAULT_NAME}); see
 * {@link WakeSignal} for the signals refused and for why a stray signal from a shell can neither kill the JVM
 * nor count as a wake-up.
 */
public final class SignalWakeupProvider implements WakeupProvider {
    /** The {@code wait=} value this provider serves. */
    public static final String NAME = "signal";

    /**
     * Used by {@link java.util.ServiceLoader}.
     */
    public SignalWakeupProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> options() {
        return Set.of(WakeSignal.OPTION);
    }

    /**
     * Blocks the URI's signal in the calling thread and returns the waiter bound to it.
     *
     * @param uri the channel's URI; {@code signal=} is read.
     * @return a {@link SignalWaiter}; close it on the same thread.
     * @throws IllegalArgumentException {@code signal=...} when the signal is unknown or refused.
     */
    @Override
    public Waiter openWaiter(final ChannelUri uri) {
        return SignalWaiter.open(WakeSignal.fromUri(uri));
    }

    /**
     * Checks the URI's signal and returns a waker. The waker sends the signal each waiter published.
     *
     * @param uri the channel's URI; {@code signal=} is checked.
     * @return a {@link SignalWaker}.
     * @throws IllegalArgumentException {@code signal=...} when the signal is unknown or refused.
     */
    @Override
    public Waker openWaker(final ChannelUri uri) {
        WakeSignal.fromUri(uri);
        return new SignalWaker();
    }
}
