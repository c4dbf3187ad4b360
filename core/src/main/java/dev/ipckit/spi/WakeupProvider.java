package dev.ipckit.spi;

import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.IntPredicate;

import dev.ipckit.ChannelUri;

/**
 * A way for a sender in one process to wake a receiver thread sleeping in another, found by
 * {@link ServiceLoader} through {@code META-INF/services/dev.ipckit.spi.WakeupProvider}. The mmap transport
 * asks for the provider named by its {@code wait=} option when no built-in wait matches (ipc-signal provides
 * {@code signal}).
 *
 * <p>The transport owns the shared "waiting" word and follows the protocol in DESIGN.md: the receiver
 * publishes that it waits, fences, re-checks its ring and only then calls {@link Waiter#await}; the sender
 * publishes its message, fences, and calls {@link Waker#wake} only when the waiting word is set.
 */
public interface WakeupProvider {

    /**
     * @return the {@code wait=} value this provider serves, e.g. {@code signal}.
     */
    String name();

    /**
     * @return the URI options this provider reads (e.g. {@code signal}), so a transport can accept them.
     */
    Set<String> options();

    /**
     * Prepares the calling thread to sleep. Must be called on the thread that will call {@link Waiter#await}.
     *
     * @param uri the channel's URI, for options.
     * @return the waiter; close it on the same thread.
     */
    Waiter openWaiter(ChannelUri uri);

    /**
     * Prepares a sender to wake waiters.
     *
     * @param uri the channel's URI, for options.
     * @return the waker.
     */
    Waker openWaker(ChannelUri uri);

    /**
     * Finds the provider with a name.
     *
     * @param name such as {@code signal}.
     * @return the provider, if its module is on the class path.
     */
    static Optional<WakeupProvider> find(final String name) {
        for (final WakeupProvider provider : ServiceLoader.load(WakeupProvider.class, WakeupProvider.class.getClassLoader())) {
            if (provider.name().equals(name)) {
                return Optional.of(provider);
            }
        }
        return Optional.empty();
    }

    /**
     * The sleeping side, bound to one thread.
     */
    interface Waiter extends AutoCloseable {
        /**
         * @return the Linux thread id to publish in the shared header, where wakers find it.
         */
        int tid();

        /**
         * @return a provider-specific word to publish beside the tid (the signal number for {@code signal}).
         */
        int token();

        /**
         * Sleeps until a wake-up from an accepted process arrives or the timeout passes.
         *
         * <p>A {@code true} return may be stale: a wake-up sent for an earlier sleep (the waker saw the waiting
         * word set just before the waiter cleared it) is collected by the next call. Callers therefore re-check
         * their condition after every return and, before sleeping again, publish the waiting word again and
         * re-check once more: the waker that sent the stale wake-up may have cleared the word, and a later waker
         * that finds it clear sends nothing.
         *
         * @param timeoutNanos the longest sleep, not negative; keep it short enough that the caller can check
         *     liveness.
         * @param acceptFrom tells whether a wake-up sent by a pid counts; others are dropped.
         * @return true when woken, false on timeout.
         */
        boolean await(long timeoutNanos, IntPredicate acceptFrom);

        /**
         * Releases what the waiter holds (e.g. restores the thread's signal mask). Same thread as creation.
         */
        @Override
        void close();
    }

    /**
     * The waking side.
     */
    interface Waker {
        /**
         * Wakes the thread {@code tid} of process {@code pid}, which published {@code token}. Never blocks.
         *
         * @param pid the receiver's process id.
         * @param tid the receiver's thread id.
         * @param token the word the waiter published.
         * @return true when the wake-up was sent, false when the target no longer exists.
         * @throws dev.ipckit.ChannelException (a {@code NativeException}) when the wake-up could not be sent for
         *     another reason, e.g. the receiver's queue of pending signals is full; whatever the caller published
         *     before waking stays published, and the receiver finds it when its bounded sleep ends.
         */
        boolean wake(int pid, int tid, int token);
    }
}
